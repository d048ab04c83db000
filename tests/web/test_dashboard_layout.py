"""The dashboard is laid out for animating: a compact toolbar, the grid, rare actions in menus
with confirmation, the « Éclats » column, a feed in full sentences, every day's state."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tempo.extensions import db
from tempo.models import Role, utcnow
from tempo.services.calendar import days as calendar
from tempo.services.cohorts.dashboard import FEED_TYPES, describe
from tests.conftest import Demo
from tests.realtime.helpers import act, connect, content, first_of_type
from tests.web.console_kit import staff_client

BOARD = "/console/cohortes/demo/tableau"


@pytest.fixture
def admin(app: Flask, demo: Demo) -> FlaskClient:
    """An administrator's browser."""
    client, _ = staff_client(app, Role.ADMIN)
    return client


def _page(client: FlaskClient) -> str:
    response = client.get(BOARD)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _inside_menu(page: str, position: int) -> bool:
    """Whether `position` is inside an open-able menu (<details class="c-menu…">)."""
    before = page[:position]
    opened = before.rfind('<details class="c-menu')
    return opened > before.rfind("</details>")


def _toolbar(page: str) -> str:
    found = re.search(r'<section class="c-toolbar".*?</section>', page, re.S)
    assert found, "no toolbar"
    return found.group(0)


def test_toolbar_comes_before_the_grid_with_every_action(admin: FlaskClient) -> None:
    page = _page(admin)
    toolbar = _toolbar(page)
    grid, alerts = page.index('id="grid-title"'), page.index('<h2 id="alerts-title"')
    assert page.index("c-toolbar") < grid < alerts
    for action in ("/ouvrir-jour", "/pause", "/message", "/a-valider", "#alerts-title"):
        assert action in toolbar, action
    # The message form is a disclosure, not a block above the grid.
    assert re.search(r'<details class="c-drop" id="tool-message">', toolbar)
    assert 'data-pending="0"' in toolbar and 'data-alerts="' in toolbar


def test_reset_and_move_sit_behind_menus_and_ask_first(
    app: Flask, admin: FlaskClient, demo: Demo
) -> None:
    demo.join(0, "Alice")
    demo.join(1, "Chloé")
    page = _page(admin)
    resets = [m.start() for m in re.finditer(r'action="[^"]*/reinitialiser"', page)]
    moves = [m.start() for m in re.finditer(r'action="[^"]*/deplacer"', page)]
    absences = [m.start() for m in re.finditer(r'action="[^"]*/absence"', page)]
    assert resets and moves and absences
    for position in resets + moves + absences:
        assert _inside_menu(page, position)
    confirms = html.unescape(" ".join(re.findall(r'data-confirm="([^"]*)"', page)))
    assert "Réinitialiser « Le badge d'entrée » pour" in confirms
    assert "Déplacer Alice dans une autre équipe ?" in confirms
    # No bare « réinitialiser » link in the cells any more; each menu says what it acts on.
    assert ">réinitialiser<" not in page
    assert "Actions : « Le badge d&#39;entrée » pour" in page


def test_grid_header_says_eclats(admin: FlaskClient) -> None:
    page = _page(admin)
    head = re.search(r"<thead>.*?</thead>", page, re.S)
    assert head and ">Éclats<" in head.group(0)
    assert "Fragments" not in page


def test_day_selector_shows_every_days_state(app: Flask, admin: FlaskClient, demo: Demo) -> None:
    page = html.unescape(_page(admin))
    assert "Jour 1 — ouvert" in page
    assert re.search(r"Jour 2 — à venir \(\w+\. \d+ \w+\.? \d\d:\d\d\)", page), page
    with app.app_context():
        calendar.close_day(db.session(), demo.cohort_id, 1, utcnow())
    page = html.unescape(_page(admin))
    assert "Jour 1 — terminé" in page
    with app.app_context():
        for number in range(2, 11):
            calendar.unlock_day(db.session(), demo.cohort_id, number, utcnow())
    page = html.unescape(_page(admin))
    assert "Tous les jours sont ouverts." in page
    assert 'select id="unlock-day"' not in page


SAMPLES: dict[str, dict[str, Any]] = {
    "mission.available": {"missions": ["d01-contrat", "d01-annuaire"]},
    "offer.unlocked": {"offer": "OFFER", "mission": "d01-contrat"},
    "hint.bought": {"mission": "d01-badge-entree", "index": 0, "cost": 2, "by": 1},
    "player.moved": {"player": 1, "pseudonym": "Lina", "to": 2},
    "mission.completed": {"mission": "d01-badge-entree", "by": "1", "reward": 6},
    "mission.attempted": {"mission": "d01-badge-entree", "by": 1},
    "mission.updated": {"mission": "d01-contrat", "by": 1},
    "proof.submitted": {"mission": "d01-charte", "by": 1},
    "proof.reviewed": {"mission": "d01-charte", "accepted": True},
    "player.joined": {"player": {"id": 1, "pseudonym": "Lina"}},
    "player.absent": {"player": 1, "pseudonym": "Lina", "absent": True},
    "mission.reset": {"mission": "d01-badge-entree"},
    "checkpoint.scanned": {"mission": "d01-badge-entree", "checkpoint": 0, "by": 1},
    "day.unlocked": {"day": 2, "title": "Le casier"},
    "day.closed": {"day": 1, "title": "L'embauche"},
    "recap.ready": {"day": 1},
    "cohort.paused": {},
    "cohort.resumed": {},
    "booking.attended": {"player": 1, "pseudonym": "Lina"},
    "booking.reminder": {"player": 1, "when": "day_before"},
    "player.removed": {"player": 1},
    "team.locked": {"locked": True},
    "player.erased": {},
}


def test_every_feed_event_reads_as_a_full_french_sentence() -> None:
    scenario = content().scenarios["tempo-2050"]
    titles = {m.id: m.title for _, m in scenario.missions()}
    offer = content().offers[0]
    offers = {o.id: o.title for o in content().offers}
    assert set(SAMPLES) == set(FEED_TYPES)
    for kind in FEED_TYPES:
        event = {"type": kind, **SAMPLES[kind]}
        if kind == "offer.unlocked":
            event["offer"] = offer.id
        sentence = describe(event, "Les Comètes", {1: "Lina"}, titles, offers, team_id=1)
        assert sentence.endswith("."), sentence
        assert "« »" not in sentence and "«  »" not in sentence, sentence
        assert not re.search(r"None|undefined|\{|\}", sentence), sentence
        assert "Les Comètes" in sentence or "Lina" in sentence, sentence
    sentence = describe
    assert sentence(
        {"type": "mission.completed", "mission": "d01-badge-entree", "reward": 6},
        "Les Comètes", {}, titles, offers,
    ) == "Les Comètes ont réussi « Le badge d'entrée » (+6 éclats)."  # fmt: skip
    assert (
        sentence({"type": "offer.unlocked", "offer": offer.id}, "Les Comètes", {}, titles, offers)
        == f"Les Comètes ont débloqué l'offre « {offer.title} »."
    )
    assert (
        sentence(
            {"type": "mission.available", "missions": ["d01-charte"]}, "Les Comètes", {}, titles
        )
        == "« La charte de l'équipe » est disponible pour Les Comètes."
    )
    # Unknown titles never leave empty quotes.
    assert "« »" not in sentence({"type": "mission.reset", "mission": ""}, "Nova", {}, {})
    assert "une offre" in sentence({"type": "offer.unlocked", "offer": "x"}, "Nova", {}, {})


def test_the_feed_names_what_a_team_did(app: Flask, admin: FlaskClient, demo: Demo) -> None:
    enigma = first_of_type("enigma")
    phone = connect(app, demo.join(0, "Alice"))
    assert act(phone, enigma.id, "answer", answer=enigma.params["answers"][0])["ok"]
    page = html.unescape(_page(admin))
    team = demo.names[0]
    feed = re.search(r'<ol class="c-feed">(.*?)</ol>', page, re.S)
    assert feed, page
    text = re.sub(r"<[^>]+>", " ", feed.group(1))
    assert f"réussi « {enigma.title} » grâce à Alice (+{enigma.reward} éclats)" in text
    assert f"est disponible pour {team}" in text or f"sont disponibles pour {team}" in text
    assert "« »" not in text
    phone.disconnect(namespace="/play")
