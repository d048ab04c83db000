"""Issue 13, item 6: a header policy on every response, no inline script left for it to block,
and numbers or dates beyond any possible value answered with a French 400, not a 500."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tempo.models import Role
from tempo.web.params import MAX_INT
from tests.conftest import Demo
from tests.web.console_kit import staff_client

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
HUGE = str(10**30)
OUT_OF_RANGE = "Ce nombre ou cette date est hors des limites possibles."


@pytest.fixture
def admin(app: Flask, demo: Demo) -> FlaskClient:
    """An administrator's browser (administrators see every cohort, the demo included)."""
    client, _ = staff_client(app, Role.ADMIN)
    return client


@pytest.fixture
def player(app: Flask, demo: Demo) -> FlaskClient:
    """A player's browser, signed in."""
    browser = app.test_client()
    browser.post("/retour", data={"rejoin": demo.join(0, "Lina")})
    return browser


def _directives(policy: str) -> dict[str, str]:
    return {d.split()[0]: " ".join(d.split()[1:]) for d in policy.split(";") if d.strip()}


@pytest.mark.parametrize(
    ("who", "path"),
    [
        ("anyone", "/"),
        ("anyone", "/console/connexion"),
        ("player", "/jouer"),
        ("player", "/journal"),
        ("player", "/diagnostic"),
        ("admin", "/console/cohortes"),
        ("admin", "/console/cohortes/demo/tableau"),
    ],
)
def test_every_page_carries_the_header_policy(
    client: FlaskClient, player: FlaskClient, admin: FlaskClient, who: str, path: str
) -> None:
    """There was no content policy, no nosniff, no referrer policy; /jouer (the rejoin code)
    and /journal (the e-mail) could be framed and cached."""
    browser = {"anyone": client, "player": player, "admin": admin}[who]
    response = browser.get(path)
    assert response.status_code == 200
    policy = _directives(response.headers["Content-Security-Policy"])
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"  # no 'unsafe-inline', no 'unsafe-eval'
    assert policy["connect-src"] == "'self' ws://localhost wss://localhost"
    assert policy["img-src"] == "'self' data: blob:"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["base-uri"] == "'none'"
    assert policy["form-action"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["worker-src"] == "'self'" and policy["manifest-src"] == "'self'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"


def test_static_files_are_not_sniffed(client: FlaskClient) -> None:
    """Scripts and styles get nosniff too (a file served as text is never run as script)."""
    response = client.get("/static/js/play.js")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    response.close()


def test_no_template_holds_an_inline_script_or_event_handler() -> None:
    """Five templates carried inline scripts, which `script-src 'self'` blocks."""
    offenders = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        source = path.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", source):
            if "src=" not in tag and 'type="application/json"' not in tag:
                offenders.append(f"{path.relative_to(TEMPLATES)}: {tag}")
        for handler in re.findall(r"<[^>]*\son[a-z]+\s*=", source):
            offenders.append(f"{path.relative_to(TEMPLATES)}: {handler}")
        if "javascript:" in source:
            offenders.append(f"{path.relative_to(TEMPLATES)}: javascript: URL")
    assert offenders == []


@pytest.mark.parametrize(
    ("who", "method", "path", "data"),
    [
        ("player", "get", f"/diagnostic/resultats/{HUGE}", None),
        ("player", "get", f"/journal/jour-{HUGE}.png", None),
        ("admin", "post", f"/console/comptes/{HUGE}/activation", {"active": "1"}),
        ("admin", "post", "/console/cohortes/demo/preuve", {"team": HUGE, "mission": "x"}),
        ("admin", "post", "/console/cohortes/demo/message", {"team": HUGE, "message": "Bonjour"}),
        ("admin", "post", "/console/cohortes/demo/recaps/clore", {"day": HUGE}),
        ("admin", "get", f"/console/cohortes/demo/joueurs/{HUGE}/bilan", None),
        ("admin", "get", f"/console/rendez-vous/{HUGE}/presence", None),
    ],
)
def test_huge_numbers_get_a_french_400(
    player: FlaskClient,
    admin: FlaskClient,
    who: str,
    method: str,
    path: str,
    data: dict[str, str] | None,
) -> None:
    """10**30 in a path or a form reached the database, which cannot hold it: a 500."""
    browser = {"player": player, "admin": admin}[who]
    response = getattr(browser, method)(path, data=data)
    assert response.status_code in (302, 400, 404, 405), response.status_code
    if response.status_code != 302:
        page = response.get_data(as_text=True)
        assert "Une erreur est survenue de notre côté" not in page


@pytest.mark.parametrize(
    "path", [f"/diagnostic/resultats/{HUGE}", f"/diagnostic/resultats/{MAX_INT + 1}.pdf"]
)
def test_an_id_beyond_the_database_says_so_in_french(player: FlaskClient, path: str) -> None:
    """An id the database could never hold is refused before any query, in French."""
    response = player.get(path)
    assert response.status_code == 400
    assert OUT_OF_RANGE in response.get_data(as_text=True)


def test_the_largest_id_is_an_ordinary_not_found(player: FlaskClient) -> None:
    """Within bounds, an unknown id stays a 404."""
    assert player.get(f"/diagnostic/resultats/{MAX_INT}").status_code == 404


@pytest.mark.parametrize(
    "data",
    [
        {"first": HUGE, "date": "2030-01-01"},
        {"first": "2", "date": "99999-99-99"},
        {"first": "2", "date": "9999-12-31"},
    ],
)
def test_a_replan_with_an_impossible_day_or_date_is_refused(
    admin: FlaskClient, data: dict[str, str]
) -> None:
    """A day number or a date beyond the calendar's range is a French message, not a 500."""
    response = admin.post("/console/cohortes/demo/calendrier/replanifier", data=data)
    assert response.status_code in (200, 400)
    page = response.get_data(as_text=True)
    assert "Une erreur est survenue de notre côté" not in page


def test_a_booking_slot_beyond_any_date_is_refused(app: Flask, player: FlaskClient) -> None:
    """A slot id with a huge counsellor id or instant is refused, not a 500."""
    for slot in (f"{HUGE}-1775548800", "1-999999999999"):
        response = player.post("/jouer/rendez-vous", json={"slot": slot})
        assert response.status_code < 500
