"""The room's screen: cohort-wide KRONOS, the day's timer, the phase, the feed, the message."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from flask import Flask

from tempo.extensions import db
from tempo.models import (
    Cohort,
    CohortDay,
    CohortStatus,
    Player,
    Role,
    StaffAccount,
    Team,
    utcnow,
)
from tempo.services.cohorts import messages
from tempo.services.cohorts import projector as screen_service
from tempo.services.play.actions import perform
from tests.conftest import Demo
from tests.realtime.helpers import mission
from tests.web.console_kit import add_staff

NOW = datetime(2026, 3, 23, 12, 0, tzinfo=UTC)


def _day(number: int, opened: bool, closed: bool = False, recap_hours: float = 5) -> CohortDay:
    return CohortDay(
        number=number,
        date=date(2026, 3, 22 + number),
        unlock_at=NOW - timedelta(hours=3),
        recap_at=NOW + timedelta(hours=recap_hours),
        unlocked_at=NOW - timedelta(hours=3) if opened else None,
        closed_at=NOW if closed else None,
    )


def test_kronos_sums_what_every_team_left() -> None:
    """Total = a team's strength × teams; remaining = the teams' sum, clamped to each team's."""
    ai = screen_service.kronos("KRONOS", 100, [100, 62, 0, 130, -4])
    assert (ai.total, ai.remaining, ai.taken) == (500, 262, 238)
    assert ai.percent == 52
    empty = screen_service.kronos("KRONOS", 100, [])
    assert (empty.total, empty.remaining, empty.percent) == (0, 0, 0)


def test_timer_ends_at_the_first_recap_ahead_among_open_days() -> None:
    """Closed days, unopened days and recaps already past do not count."""
    days = [
        _day(1, opened=True, closed=True, recap_hours=1),
        _day(2, opened=True, recap_hours=-1),
        _day(3, opened=True, recap_hours=4),
        _day(4, opened=True, recap_hours=2.5),
        _day(5, opened=False, recap_hours=0.5),
    ]
    assert screen_service.timer_end(days, NOW) == NOW + timedelta(hours=2.5)
    assert screen_service.timer_end([_day(1, opened=False)], NOW) is None


def test_phase_follows_the_pause_and_the_open_days() -> None:
    """Arrivals until a day opens (or between days), play while one is open, pause above all."""
    assert screen_service.phase(CohortStatus.SCHEDULED, [_day(1, False)]) == "arrivals"
    assert screen_service.phase(CohortStatus.RUNNING, [_day(1, True, closed=True)]) == "arrivals"
    assert screen_service.phase(CohortStatus.RUNNING, [_day(1, True)]) == "play"
    assert screen_service.phase(CohortStatus.PAUSED, [_day(1, True)]) == "paused"


def test_feed_items_name_teams_and_pseudonyms_only() -> None:
    """A completed mission names its player and title; no answer, code or other field leaks."""
    titles = {"d01-badge": "Le badge d'entrée"}
    done = screen_service.feed_item(
        7,
        "mission.completed",
        {"mission": "d01-badge", "by": 3, "reward": 5, "answer": "SECRET", "email": "a@b.fr"},
        NOW,
        "Les Comètes",
        {3: "Lina"},
        titles,
    )
    assert done == {
        "id": 7,
        "kind": "mission.completed",
        "team": "Les Comètes",
        "who": "Lina",
        "subject": "Le badge d'entrée",
        "at": NOW,
    }
    joined = screen_service.feed_item(
        8, "player.joined", {"player": {"id": 4, "pseudonym": "Noa"}}, NOW, "Les Comètes", {}, {}
    )
    assert joined is not None and joined["who"] == "Noa"
    offer = screen_service.feed_item(
        9,
        "offer.unlocked",
        {"offer": "o1", "details": {"title": "Le CV", "summary": "long"}},
        NOW,
        "Les Pionniers",
        {},
        {},
    )
    assert offer is not None and offer["subject"] == "Le CV" and "summary" not in str(offer)
    assert screen_service.feed_item(10, "mission.attempted", {"by": 3}, NOW, "X", {}, {}) is None
    assert screen_service.feed_item(11, "hint.bought", {"by": 3}, NOW, "X", {}, {}) is None


def test_screen_reads_the_cohort(app: Flask, demo: Demo) -> None:
    """A mission done weakens the cohort's KRONOS, shows in the feed; the team message shows,
    a message to one player does not."""
    badge = mission("d01-badge-entree")
    lina = demo.join(0, "Lina")
    demo.join(1, "Noa")
    author_id = add_staff(app, Role.ADMIN)
    with app.app_context():
        session = db.session()
        player = session.query(Player).filter_by(rejoin_code=lina).one()
        now = utcnow()
        reply = perform(
            session, player, "a-1", badge.id, "answer", {"answer": badge.params["answers"][0]}, now
        )
        assert reply.ok
        cohort = session.get(Cohort, demo.cohort_id)
        assert cohort is not None
        author = session.get(StaffAccount, author_id)
        assert author is not None
        messages.send(
            session, cohort, author, "Rendez-vous à 15 h en salle 2", now, team_id=demo.team_ids[1]
        )
        messages.send(
            session,
            cohort,
            author,
            "Pour Lina seule",
            now + timedelta(seconds=1),
            player_id=player.id,
        )
        cohort = session.get(Cohort, demo.cohort_id)
        assert cohort is not None
        out = screen_service.screen(session, cohort, now, {demo.team_ids[0]: [player.id]})
        teams = session.query(Team).filter(Team.cohort_id == demo.cohort_id).all()
    assert out["phase"] == "play" and out["day"] == 1
    ai = out["kronos"]
    untouched = next(t for t in teams if t.id == demo.team_ids[1])
    assert ai.total == 2 * untouched.ai_strength  # the second team has not played
    assert ai.remaining == sum(t.ai_strength for t in teams) and ai.taken == badge.reward
    first = out["teams"][0]
    summary = (first["name"], first["players"], first["online"], first["done"])
    assert summary == (demo.names[0], 1, 1, 1)
    assert first["total"] > 1 and first["join_code"] == demo.codes[0]
    assert out["feed"][0]["kind"] == "mission.completed"
    assert (out["feed"][0]["who"], out["feed"][0]["subject"]) == ("Lina", badge.title)
    assert {f["who"] for f in out["feed"] if f["kind"] == "player.joined"} == {"Lina", "Noa"}
    assert out["message"]["body"] == "Rendez-vous à 15 h en salle 2"
    assert out["message"]["team"] == demo.names[1]
    assert out["timer_end"] is not None and out["recap_label"]


def test_times_read_as_an_hour_today_and_with_their_day_otherwise(app: Flask) -> None:
    """The timer's recap and the message's time, on the cohort's wall clock."""
    paris = "Europe/Paris"
    with app.app_context():
        assert screen_service.moment_label(NOW + timedelta(hours=5), NOW, paris) == "18:00"
        later = screen_service.moment_label(NOW + timedelta(days=5), NOW, paris)
        assert later == "samedi 28 mars à 13:00"
