"""The « bilan Tempo »: its figures against a team that played the ten days, and its PDF."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask

from tempo import create_app
from tempo.extensions import db
from tempo.infra import db as schema
from tempo.models import MissionProgress, MissionStatus, Player
from tempo.services.content import games
from tempo.services.diagnostic import bilan
from tempo.services.diagnostic import runs as diagnostics
from tempo.services.documents.diagnostic_pdf import bilan_pdf, results_pdf
from tests.conftest import make_config
from tests.services.pdfs import is_blank, pages, texts
from tests.services.playthrough import Played, play_through, take_diagnostic


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[Flask, Played]]:
    """« Les Comètes » (Inès, Bilal, Chloé) played Tempo 2050; all three took the last diagnostic.

    Played again for each test (a second or two): on a PostgreSQL run each test's schema is
    dropped when it ends.
    """
    application = create_app(make_config(tmp_path))
    with application.app_context():
        schema.upgrade(db.engine)
    yield application, play_through(application)
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def played(world: tuple[Flask, Played]) -> Played:
    """The shared playthrough."""
    return world[1]


@pytest.fixture
def shared(world: tuple[Flask, Played]) -> Flask:
    """The shared playthrough's app."""
    return world[0]


def _player(played: Played, index: int) -> Player:
    found = db.session.get(Player, played.players[index])
    assert found is not None
    return found


def test_the_adventure_figures_are_the_teams(shared: Flask, played: Played) -> None:
    """All missions, all shards, every offer, and the AI brought down to zero."""
    with shared.app_context():
        me = _player(played, 0)
        game = games.cohort_game(me.team.cohort)
        found = bilan.build(db.session, me, played.opened[10])
        assert found is not None
        assert found.missions_done == found.missions_total == len(game.missions)
        assert found.shards_earned == sum(m.reward for m in game.missions.values())
        assert found.ai_defeated and found.ai_weakened_percent == 100
        assert {o.id for o in found.team_offers} == set(game.offers)
        assert found.split_clues[0] == found.split_clues[1] > 0
        for skill in ("instructions", "teamwork"):
            total = sum(1 for m in game.missions.values() if skill in m.skills)
            assert getattr(found, skill.replace("-", "_")) == (total, total)


def test_each_player_is_credited_with_what_they_did(shared: Flask, played: Played) -> None:
    """Missions completed, hints bought and wrong answers are each player's own."""
    with shared.app_context():
        game = games.cohort_game(_player(played, 0).team.cohort)
        totals = 0
        for index, player_id in enumerate(played.players):
            found = bilan.build(db.session, _player(played, index), played.opened[10])
            assert found is not None
            rows = db.session.query(MissionProgress).filter_by(
                team_id=played.team_id, status=MissionStatus.DONE, completed_by_id=player_id
            )
            expected = {r.mission_id for r in rows}
            assert {c.mission_id for c in found.contributions} == expected
            assert expected >= {m for m, by in played.completed_by.items() if by == player_id} - {
                m for m, mission in game.missions.items() if mission.type == "diagnostic"
            }
            assert found.shards_by_me == sum(game.missions[m].reward for m in expected)
            assert found.hints_bought == played.hints_by.get(player_id, 0)
            assert found.wrong_answers == played.wrong_by.get(player_id, 0)
            wrong_here = played.wrong_by.get(player_id) and played.wrong_mission in expected
            assert found.first_try == len(expected) - (1 if wrong_here else 0)
            assert found.appointment_booked is True
            assert found.appointment_attended is None  # not recorded by the game yet
            totals += len(expected)
        assert totals == len(game.missions)
        assert sum(played.hints_by.values()) == 1 and sum(played.wrong_by.values()) == 1


def test_punctuality_counts_the_late_day(shared: Flask, played: Played) -> None:
    """Day 6 was played the next morning: ten days played, nine on their opening day."""
    with shared.app_context():
        for index in range(3):
            found = bilan.build(db.session, _player(played, index), played.opened[10])
            assert found is not None
            assert found.punctuality == bilan.Punctuality(10, 10, 9)
            headline = found.skills[1].headline
            assert headline.startswith("9 / 10 jours")


def test_the_agenda_is_the_diagnostics_priorities(shared: Flask, played: Played) -> None:
    """Mobility, then housing, with the offers they lead to."""
    with shared.app_context():
        found = bilan.build(db.session, _player(played, 1), played.opened[10])
        assert found is not None
        priorities = found.diagnostic.priorities
        assert [f.id for f in priorities] == ["mobilite", "logement"]
        assert priorities[0].offers[0].id == "permis"
        assert [s.key for s in found.skills] == [
            "instructions",
            "punctuality",
            "asking-for-help",
            "teamwork",
        ]


def test_no_bilan_before_the_closing_diagnostic(app: Flask) -> None:
    """Chloé did not take the last diagnostic: no bilan for her, and the mission waits for her."""
    played = play_through(app, diagnostic_players=(0, 1))
    with app.app_context():
        chloe = _player(played, 2)
        assert bilan.build(db.session, chloe, played.opened[10]) is None
        assert bilan.build(db.session, _player(played, 0), played.opened[10]) is not None
        progress = (
            db.session.query(MissionProgress)
            .filter_by(team_id=played.team_id, mission_id="d10-auto-diagnostic")
            .one()
        )
        assert progress.status == MissionStatus.IN_PROGRESS
        take_diagnostic(chloe, played.opened[10])
        db.session.expire_all()
        assert progress.status == MissionStatus.DONE
        assert bilan.build(db.session, chloe, played.opened[10]) is not None


def test_punctuality_uses_the_cohorts_local_dates() -> None:
    """00:30 in Paris is the next day there, even when it is still the same day in UTC."""
    opened = [
        datetime(2026, 3, 27, 8, 30, tzinfo=UTC),  # Friday 09:30 in Paris
        datetime(2026, 3, 28, 8, 30, tzinfo=UTC),  # Saturday 09:30 in Paris
        datetime(2026, 3, 29, 7, 30, tzinfo=UTC),  # Sunday 09:30 in Paris (summer time)
    ]
    activity = [
        datetime(2026, 3, 27, 20, 0, tzinfo=UTC),  # Friday 21:00: on time
        datetime(2026, 3, 28, 23, 30, tzinfo=UTC),  # Sunday 00:30 in Paris: late for Saturday
    ]
    assert bilan.punctuality_from(opened, activity, "Europe/Paris") == bilan.Punctuality(3, 2, 1)
    assert bilan.punctuality_from(opened, activity, "UTC") == bilan.Punctuality(3, 2, 2)
    assert bilan.punctuality_from(opened, [], "Europe/Paris") == bilan.Punctuality(3, 0, 0)


def test_the_bilan_pdf_is_one_page_with_the_players_results(shared: Flask, played: Played) -> None:
    """One A4 page, with the pseudonym, the figures, the skills and the agenda's offers."""
    with shared.app_context():
        found = bilan.build(db.session, _player(played, 0), played.opened[10])
        assert found is not None
        pdf = bilan_pdf(found)
    images = pages(pdf)
    assert len(images) == 1 and not is_blank(images[0])
    assert images[0].size[0] < images[0].size[1]  # portrait
    (text,) = texts(pdf)
    for expected in (
        "Bilan Tempo de Inès",
        f"{found.missions_done}/{found.missions_total}",
        "Suivre les consignes",
        "Ponctualité",
        "9 / 10 jours",
        "L'ordre du jour de ton rendez-vous",
        "Mobilité",
        "Aide au permis de conduire",
        "Logement",
        "page 1/1",
    ):
        assert expected in text, expected


def test_the_results_pdf_shows_every_family_and_the_change(app: Flask) -> None:
    """Taken again with other answers, the PDF has every family and the points it moved."""
    played = play_through(app)
    with app.app_context():
        me = _player(played, 2)
        take_diagnostic(
            me,
            played.opened[10] + timedelta(hours=5),
            lambda flow, q, answers: (
                "pas-pour-l-instant"
                if flow.steps[q].screening
                else flow.steps[q].scale.options[-1].value
            ),
        )
        found = diagnostics.results(db.session, me)
        assert found is not None and found.number == 2
        pdf = results_pdf(found)
    images = pages(pdf)
    assert len(images) == 1 and not is_blank(images[0])
    (text,) = texts(pdf)
    assert "Mon auto-diagnostic" in text and "Chloé" in text
    for family in found.families:
        assert family.title in text
    assert "−100 pts" in text  # mobility: from 100 to 0
    assert "Aide au permis de conduire" in text
