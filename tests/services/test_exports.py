"""Exports: CSV per player and per team that a French spreadsheet opens, and the PDF report."""

from __future__ import annotations

import csv
import io

import pytest
from flask import Flask
from sqlalchemy import select

from tempo.extensions import db
from tempo.models import Cohort, Player, utcnow
from tempo.services.documents import exports
from tempo.services.play import actions as play
from tests.conftest import Demo
from tests.realtime.helpers import mission, start_shards
from tests.services.pdfs import is_blank, pages, texts

BADGE, DIRECTORY = "d01-badge-entree", "d01-annuaire"


def _player(pseudonym: str) -> Player:
    player = db.session.scalar(select(Player).where(Player.pseudonym == pseudonym))
    assert player is not None
    return player


@pytest.fixture
def played(app: Flask, demo: Demo) -> exports.CohortStats:
    """Inès solves the badge after a wrong try; Éloïse buys a hint and finds the directory."""
    for name in ("Inès", "Éloïse", "-Malo"):
        demo.join(0, name)
    demo.join(1, "Zoé")
    badge = mission(BADGE)
    with app.app_context():
        now = utcnow()
        ines, eloise = _player("Inès"), _player("Éloïse")
        assert not play.perform(db.session, ines, "a1", BADGE, "answer", {"answer": "non"}, now).ok
        answer = {"answer": badge.params["answers"][0]}
        assert play.perform(db.session, ines, "a2", BADGE, "answer", answer, now).ok
        assert play.buy_hint(db.session, eloise, "a3", DIRECTORY, 0, now).ok
        guess = {"answer": "Pilote"}
        assert play.perform(db.session, eloise, "a4", DIRECTORY, "answer", guess, now).ok
        cohort = db.session.get(Cohort, demo.cohort_id)
        assert cohort is not None
        return exports.cohort_stats(db.session, cohort, utcnow())


def _rows(data: bytes) -> list[dict[str, str]]:
    """Read a CSV the way a spreadsheet does: BOM first, then `;`-separated UTF-8."""
    assert data.startswith(b"\xef\xbb\xbf")
    text = data[3:].decode("utf-8")
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))


def test_players_csv_has_one_row_per_player_with_accents(played: exports.CohortStats) -> None:
    """Missions, shards, hints and offers are credited to the player who earned them."""
    rows = _rows(exports.players_csv(played))
    assert [r["Pseudonyme"] for r in rows] == ["Éloïse", "Inès", "'-Malo", "Zoé"]
    by_name = {r["Pseudonyme"]: r for r in rows}
    ines, eloise = by_name["Inès"], by_name["Éloïse"]
    assert ines["Équipe"] == "Les Comètes" and ines["Cohorte"] == "Promo démo — Tempo 2050"
    assert ines["Missions réussies"] == "1"
    assert ines["Éclats gagnés"] == str(mission(BADGE).reward)
    assert ines["Indices utilisés"] == "0" and ines["Offres débloquées (nombre)"] == "0"
    assert eloise["Missions réussies"] == "1" and eloise["Indices utilisés"] == "1"
    assert eloise["Éclats gagnés"] == str(mission(DIRECTORY).reward)
    assert eloise["Offres débloquées"] == "Découvrir des métiers, s'orienter"
    assert {r["Rendez-vous"] for r in rows} == {"non réservé"}
    assert by_name["Zoé"]["Équipe"] == "Les Pionniers" and by_name["Zoé"]["Absent"] == "non"
    assert by_name["Zoé"]["Missions réussies"] == "0"
    assert len(ines["Inscrit le"]) == len("23/03/2026 09:30")


def test_teams_csv_sums_the_team(played: exports.CohortStats) -> None:
    """Team totals: players, missions done, shards left, hints, wrong answers, offers."""
    rows = _rows(exports.teams_csv(played))
    assert [r["Équipe"] for r in rows] == ["Les Comètes", "Les Pionniers"]
    comets, pioneers = rows
    earned = mission(BADGE).reward + mission(DIRECTORY).reward
    assert comets["Joueurs"] == "3" and comets["Missions réussies"] == "2"
    assert comets["Éclats gagnés"] == str(earned)
    balance = start_shards() + earned - mission(DIRECTORY).hints[0].cost
    assert comets["Éclats (solde)"] == str(balance)
    assert comets["Indices utilisés"] == "1" and comets["Mauvaises réponses"] == "1"
    assert comets["Offres débloquées (nombre)"] == "1"
    assert comets["Rendez-vous réservés"] == "0"
    assert int(comets["Missions du scénario"]) > 40
    assert pioneers["Joueurs"] == "1" and pioneers["Missions réussies"] == "0"
    assert pioneers["Offres débloquées"] == ""


def test_csv_text_that_looks_like_a_formula_is_neutralised() -> None:
    """A cell starting with = + - @ cannot run as a spreadsheet formula."""
    assert exports._cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert exports._cell("Inès") == "Inès"


def test_report_pdf_shows_progress_per_team_and_per_offer(played: exports.CohortStats) -> None:
    """The A4 report renders, with each team's bars and how many teams unlocked each offer."""
    pdf = exports.report_pdf(played)
    images = pages(pdf)
    assert images and not any(is_blank(image) for image in images)
    assert all(image.size == (1654, 2339) for image in images)  # A4 at 200 dpi
    text = " ".join(texts(pdf))
    assert "Bilan de la cohorte" in text and "Promo démo — Tempo 2050" in text
    assert "Les Comètes" in text and "3 joueurs" in text and "1 joueur" in text
    missions = played.teams[0].missions_total
    assert f"Missions réussies 2 / {missions}" in text
    assert "Découvrir des métiers, s'orienter 1 sur 2 équipes" in text
    assert "Service Civique 0 sur 2 équipes" in text
    assert "Orientation et projet" in text  # offers are grouped by family
    assert "1/25 offres découvertes" in text


def test_exports_of_a_cohort_without_players(app: Flask, demo: Demo) -> None:
    """A cohort nobody joined yet exports headers only, and a report of empty bars."""
    with app.app_context():
        cohort = db.session.get(Cohort, demo.cohort_id)
        assert cohort is not None
        stats = exports.cohort_stats(db.session, cohort, utcnow())
    assert _rows(exports.players_csv(stats)) == []
    assert len(_rows(exports.teams_csv(stats))) == 2
    assert "0/25 offres découvertes" in " ".join(texts(exports.report_pdf(stats)))


def test_a_player_s_last_visit_follows_their_actions_a_minute_at_a_time(
    app: Flask, demo: Demo
) -> None:
    """« Dernière visite » moves with play, but an action seconds after another writes nothing
    more (a player acting every few seconds would add a write to each action)."""
    demo.join(0, "Inès")
    with app.app_context():
        ines = _player("Inès")
        joined = ines.last_seen_at
        assert joined is not None
        wrong = {"answer": "non"}
        play.perform(db.session, ines, "t1", BADGE, "answer", wrong, joined)
        seconds_later = joined + play.TOUCH_EVERY / 2
        play.perform(db.session, ines, "t2", BADGE, "answer", wrong, seconds_later)
        db.session.expire_all()
        assert _player("Inès").last_seen_at == joined
        later = joined + play.TOUCH_EVERY
        play.perform(db.session, ines, "t3", BADGE, "answer", wrong, later)
        db.session.expire_all()
        assert _player("Inès").last_seen_at == later
