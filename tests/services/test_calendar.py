"""The calendar services on SQLite and real PostgreSQL: unlock, close, pause, resume, catch-up."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from tempo.engine.progress import CLOSE, UNLOCK
from tempo.models import Cohort, CohortStatus, Team, TeamEvent
from tempo.services.calendar import days as calendar
from tempo.services.calendar.days import CalendarError
from tempo.services.play import actions as play
from tests import factories

# factories.cohort: 10 days from Monday 2026-03-23, 09:30-17:00 in Paris, weekends played.
DAY1_UNLOCK = datetime(2026, 3, 23, 8, 30, tzinfo=UTC)
DAY2_UNLOCK = datetime(2026, 3, 24, 8, 30, tzinfo=UTC)
DAY1_CLOSE = datetime(2026, 3, 23, 16, 0, tzinfo=UTC)


@pytest.fixture
def cohort_id(session: Session) -> int:
    """A scheduled cohort with two teams (Alpha, Bravo)."""
    cohort = factories.cohort(session)
    session.commit()
    return cohort.id


def events(session: Session, kind: str | None = None) -> list[TeamEvent]:
    """Every team event, optionally of one type, in order."""
    session.expire_all()
    query = select(TeamEvent).order_by(TeamEvent.team_id, TeamEvent.version)
    if kind:
        query = query.where(TeamEvent.type == kind)
    return list(session.scalars(query))


def load(session: Session, cohort_id: int) -> Cohort:
    """The cohort, fresh from the database."""
    session.expire_all()
    cohort = session.get(Cohort, cohort_id)
    assert cohort is not None
    return cohort


def test_unlock_day_once_with_a_versioned_event_per_team(session: Session, cohort_id: int) -> None:
    """Unlocking day 2 records the moment, starts the cohort, and tells each team once."""
    now = DAY1_UNLOCK - timedelta(hours=1)
    out = calendar.unlock_day(session, cohort_id, 2, now)
    cohort = load(session, cohort_id)
    assert cohort.status == CohortStatus.RUNNING
    assert cohort.days[1].unlocked_at == now and cohort.days[0].unlocked_at is None
    assert sorted(out) == [t.id for t in cohort.teams]
    for team in cohort.teams:
        [event] = out[team.id]
        head = {k: event[k] for k in ("version", "type", "day", "title")}
        assert head == {"version": 1, "type": "day.unlocked", "day": 2, "title": "Jour 2"}
        # What phones patch their state with: the day's entry and its mission cards.
        assert event["entry"]["number"] == 2 and event["entry"]["title"] == "Jour 2"
        assert [(c["id"], c["status"]) for c in event["missions"]] == [("m2", "available")]
        assert team.version == 1
    assert calendar.unlock_day(session, cohort_id, 2, now + timedelta(minutes=5)) == {}
    assert len(events(session, "day.unlocked")) == 2
    assert load(session, cohort_id).days[1].unlocked_at == now


def test_an_early_unlock_opens_the_day_to_players(session: Session, cohort_id: int) -> None:
    """Before its hour, a day unlocked by hand is open for the teams; the next one is not."""
    calendar.unlock_day(session, cohort_id, 1, DAY1_UNLOCK - timedelta(hours=2))
    team = session.scalars(select(Team).where(Team.cohort_id == cohort_id)).first()
    assert team is not None
    state = play.team_state(session, team, DAY1_UNLOCK - timedelta(hours=1))
    assert state.open_days == {1}


def test_unknown_day_and_cohort_are_refused_in_french(session: Session, cohort_id: int) -> None:
    """Day 11 does not exist; neither does cohort 9999."""
    with pytest.raises(CalendarError) as exc:
        calendar.unlock_day(session, cohort_id, 11, DAY1_UNLOCK)
    assert exc.value.code == "unknown_day"
    assert "jours 1 à 10" in exc.value.message
    with pytest.raises(CalendarError) as exc:
        calendar.pause_cohort(session, 9999, DAY1_UNLOCK)
    assert exc.value.code == "unknown_cohort"


def test_close_day_once(session: Session, cohort_id: int) -> None:
    """Closing a day records it and tells each team, then announces its recap; once."""
    calendar.unlock_day(session, cohort_id, 1, DAY1_UNLOCK)
    out = calendar.close_day(session, cohort_id, 1, DAY1_CLOSE)
    assert [e["type"] for es in out.values() for e in es] == ["day.closed", "recap.ready"] * 2
    assert all(es[0]["day"] == 1 and es[0]["version"] == 2 for es in out.values())
    assert all(es[1]["day"] == 1 and es[1]["version"] == 3 for es in out.values())
    assert calendar.close_day(session, cohort_id, 1, DAY1_CLOSE + timedelta(hours=1)) == {}
    assert load(session, cohort_id).days[0].closed_at == DAY1_CLOSE


def test_a_day_that_never_opened_cannot_close(session: Session, cohort_id: int) -> None:
    """Closing day 3 before it opened is refused with a French message."""
    with pytest.raises(CalendarError) as exc:
        calendar.close_day(session, cohort_id, 3, DAY1_UNLOCK)
    assert exc.value.code == "day_not_open"
    assert "pas encore été ouvert" in exc.value.message


def test_closing_a_day_open_by_its_hour_records_its_unlock_first(
    session: Session, cohort_id: int
) -> None:
    """A day past its unlock hour but not yet recorded (scheduler off) is unlocked, then closed."""
    out = calendar.close_day(session, cohort_id, 1, DAY1_CLOSE)
    assert [e["type"] for e in next(iter(out.values()))] == [
        "day.unlocked",
        "day.closed",
        "recap.ready",
    ]
    day = load(session, cohort_id).days[0]
    assert day.unlocked_at == day.closed_at == DAY1_CLOSE


def test_pause_and_resume(session: Session, cohort_id: int) -> None:
    """Pause hides the days and holds the clock; resume reopens them and catches up once."""
    calendar.unlock_day(session, cohort_id, 1, DAY1_UNLOCK)
    paused = calendar.pause_cohort(session, cohort_id, DAY1_UNLOCK + timedelta(hours=1))
    assert [e["type"] for es in paused.values() for e in es] == ["cohort.paused"] * 2
    assert calendar.pause_cohort(session, cohort_id, DAY1_UNLOCK + timedelta(hours=2)) == {}
    cohort = load(session, cohort_id)
    assert cohort.status == CohortStatus.PAUSED
    team = cohort.teams[0]
    assert play.team_state(session, team, DAY2_UNLOCK + timedelta(hours=1)).open_days == set()
    # Nothing is due while paused, even past day 1's recap and day 2's unlock.
    later = DAY2_UNLOCK + timedelta(hours=1)
    assert calendar.apply_due(session, cohort_id, later) == ([], {})
    with pytest.raises(CalendarError) as exc:
        calendar.unlock_day(session, cohort_id, 3, later)
    assert exc.value.code == "cohort_paused"

    resumed = calendar.resume_cohort(session, cohort_id, later)
    kinds = [(e["type"], e.get("day")) for e in resumed[team.id]]
    assert kinds == [
        ("cohort.resumed", None),
        ("day.closed", 1),
        ("recap.ready", 1),
        ("day.unlocked", 2),
    ]
    assert calendar.resume_cohort(session, cohort_id, later) == {}
    cohort = load(session, cohort_id)
    assert cohort.status == CohortStatus.RUNNING
    assert play.team_state(session, cohort.teams[0], later).open_days == {1, 2}


def test_apply_due_catches_up_in_order_once(session: Session, cohort_id: int) -> None:
    """After two days of downtime, every missed unlock and close is applied once, in order."""
    now = datetime(2026, 3, 25, 12, 0, tzinfo=UTC)
    applied, out = calendar.apply_due(session, cohort_id, now)
    assert [(a.action.kind, a.action.day) for a in applied] == [
        (UNLOCK, 1),
        (CLOSE, 1),
        (UNLOCK, 2),
        (CLOSE, 2),
        (UNLOCK, 3),
    ]
    for team_events in out.values():
        assert [e["version"] for e in team_events] == list(range(1, 8))
        assert [(e["type"], e["day"]) for e in team_events] == [
            ("day.unlocked", 1),
            ("day.closed", 1),
            ("recap.ready", 1),
            ("day.unlocked", 2),
            ("day.closed", 2),
            ("recap.ready", 2),
            ("day.unlocked", 3),
        ]
    assert calendar.apply_due(session, cohort_id, now) == ([], {})
    assert calendar.catch_up(session, now) == ([], {})


def test_upcoming_lists_what_the_jobs_must_do(session: Session, cohort_id: int) -> None:
    """The scheduler's plan: every unlock and close after now, for cohorts whose clock runs."""
    plan = calendar.upcoming(session, DAY1_UNLOCK)
    assert plan[0] == (cohort_id, calendar.DayAction(DAY1_CLOSE, CLOSE, 1))
    assert len(plan) == 19  # day 1's unlock is due at this very instant, not upcoming
    calendar.pause_cohort(session, cohort_id, DAY1_UNLOCK)
    assert calendar.upcoming(session, DAY1_UNLOCK) == []


def test_other_cohorts_are_untouched(session: Session, cohort_id: int) -> None:
    """Catch-up applies each cohort's own calendar."""
    later = factories.cohort(session, start=date(2026, 4, 6))
    session.commit()
    applied, _ = calendar.catch_up(session, DAY1_UNLOCK)
    assert [a.cohort_id for a in applied] == [cohort_id]
    assert load(session, later.id).status == CohortStatus.SCHEDULED


def test_simultaneous_catch_ups_apply_each_action_once(engine: Engine, cohort_id: int) -> None:
    """Eight workers catching up at the same instant produce one event per team and action."""
    now = DAY2_UNLOCK
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def worker() -> None:
        with Session(engine) as s:
            barrier.wait()
            try:
                calendar.apply_due(s, cohort_id, now)
            except BaseException as exc:  # surfaced below
                errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    with Session(engine) as s:
        rows = events(s)
        teams = s.scalars(select(Team).where(Team.cohort_id == cohort_id)).all()
        for team in teams:
            mine = [(e.type, e.payload["day"]) for e in rows if e.team_id == team.id]
            assert mine == [
                ("day.unlocked", 1),
                ("day.closed", 1),
                ("recap.ready", 1),
                ("day.unlocked", 2),
            ]
            assert team.version == 4
