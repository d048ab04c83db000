"""What the 10-day clock owes at an instant: due and upcoming unlocks and closes (pure)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from tempo.engine.calendar import build_calendar
from tempo.engine.progress import (
    CLOSE,
    UNLOCK,
    DayAction,
    DayClock,
    due_actions,
    open_days,
    pending_actions,
    playable_days,
    upcoming_actions,
)

PARIS = "Europe/Paris"
HOURS = [("09:30", "17:00")] * 10


def utc(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """An aware UTC instant in 2026."""
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def calendar(start: date, n: int = 4) -> list[DayClock]:
    """Days 1..n from `start`, nothing done yet."""
    return [
        DayClock(p.number, p.unlock_at, recap_at=p.recap_at)
        for p in build_calendar(start, HOURS[:n], True, PARIS)
    ]


def apply(days: list[DayClock], actions: list[DayAction], at: datetime) -> list[DayClock]:
    """Record the actions as done at `at` (what the service does)."""
    done = {(a.kind, a.day) for a in actions}
    return [
        replace(
            d,
            unlocked_at=at if (UNLOCK, d.number) in done else d.unlocked_at,
            closed_at=at if (CLOSE, d.number) in done else d.closed_at,
        )
        for d in days
    ]


def test_nothing_is_due_before_the_first_unlock() -> None:
    """The evening before day 1, the clock owes nothing and plans every action."""
    days = calendar(date(2026, 3, 27))
    now = utc(3, 26, 20)
    assert due_actions(days, "scheduled", now) == []
    assert len(upcoming_actions(days, "scheduled", now)) == 8


def test_unlock_and_close_are_due_at_their_instants_across_the_spring_change() -> None:
    """On 29 March 2026 (summer time from 02:00), day 3 opens at 07:30 UTC = 09:30 in Paris."""
    days = calendar(date(2026, 3, 27))
    days = apply(days, due_actions(days, "running", utc(3, 28, 23)), utc(3, 28, 23))
    assert due_actions(days, "running", utc(3, 29, 7, 29)) == []
    assert due_actions(days, "running", utc(3, 29, 7, 30)) == [
        DayAction(utc(3, 29, 7, 30), UNLOCK, 3)
    ]
    assert due_actions(days, "running", utc(3, 29, 15)) == [
        DayAction(utc(3, 29, 7, 30), UNLOCK, 3),
        DayAction(utc(3, 29, 15), CLOSE, 3),
    ]


def test_autumn_change_moves_the_instants_one_hour_later() -> None:
    """On 25 October 2026 (winter time), day 2 opens at 08:30 UTC and closes at 16:00 UTC."""
    days = calendar(date(2026, 10, 24), 3)
    upcoming = upcoming_actions(days, "running", utc(10, 24, 12))
    assert upcoming[:3] == [
        DayAction(utc(10, 24, 15), CLOSE, 1),
        DayAction(utc(10, 25, 8, 30), UNLOCK, 2),
        DayAction(utc(10, 25, 16), CLOSE, 2),
    ]


def test_catch_up_after_downtime_lists_every_missed_action_in_order() -> None:
    """Down from day 1's morning to day 3's noon: unlock 2, close 1..., all in time order."""
    days = calendar(date(2026, 3, 27))
    days = apply(days, [DayAction(utc(3, 27, 8, 30), UNLOCK, 1)], utc(3, 27, 8, 30))
    due = due_actions(days, "running", utc(3, 29, 12))
    assert [(a.kind, a.day) for a in due] == [
        (CLOSE, 1),
        (UNLOCK, 2),
        (CLOSE, 2),
        (UNLOCK, 3),
    ]
    assert due == sorted(due, key=lambda a: a.at)


def test_done_actions_are_never_due_again() -> None:
    """Once recorded, an unlock or a close is neither due nor upcoming."""
    days = calendar(date(2026, 3, 27))
    now = utc(3, 28, 12)
    days = apply(days, due_actions(days, "running", now), now)
    assert due_actions(days, "running", now) == []
    assert all(a.at > now for a in upcoming_actions(days, "running", now))
    assert len(pending_actions(days)) == 5  # close 2, unlock+close 3 and 4


def test_paused_and_finished_cohorts_owe_nothing() -> None:
    """The clock waits during a pause (resume catches up) and stops once finished."""
    days = calendar(date(2026, 3, 27))
    later = utc(3, 30, 12)
    for status in ("paused", "finished"):
        assert due_actions(days, status, later) == []
        assert upcoming_actions(days, status, later) == []
    assert len(due_actions(days, "running", later)) == 7  # days 1-4 open, 1-3 closed


def test_same_instant_closes_the_day_before_opening_the_next() -> None:
    """If day 1's recap and day 2's unlock coincide, day 1 closes first."""
    at = utc(3, 27, 16)
    days = [
        DayClock(1, utc(3, 27, 8), utc(3, 27, 8), recap_at=at),
        DayClock(2, at, recap_at=utc(3, 27, 20)),
    ]
    assert [(a.kind, a.day) for a in due_actions(days, "running", at)] == [(CLOSE, 1), (UNLOCK, 2)]


def test_a_day_never_closes_before_it_opens() -> None:
    """Hours entered backwards (recap before unlock) close the day at its unlock, after it."""
    days = [DayClock(1, utc(3, 27, 10), recap_at=utc(3, 27, 9))]
    assert [(a.kind, a.at) for a in pending_actions(days)] == [
        (UNLOCK, utc(3, 27, 10)),
        (CLOSE, utc(3, 27, 10)),
    ]


@pytest.mark.parametrize("start", [date(2026, 3, 27), date(2026, 10, 23)])
def test_players_see_exactly_the_days_the_clock_has_applied_or_owes(start: date) -> None:
    """At any instant, open days by time == days recorded once the due actions are applied."""
    days = calendar(start, 5)
    now = datetime.combine(start, datetime.min.time(), tzinfo=UTC) - timedelta(hours=2)
    for _ in range(5 * 24 * 4):
        now += timedelta(minutes=15)
        by_time = playable_days(days, now, "running")
        days = apply(days, due_actions(days, "running", now), now)
        assert by_time == open_days(days, now, running=False)


def test_paused_cohort_shows_no_day_to_players() -> None:
    """While paused, players can open no day, even those already unlocked."""
    days = apply(calendar(date(2026, 3, 27)), [DayAction(utc(3, 27, 8), UNLOCK, 1)], utc(3, 27, 8))
    assert playable_days(days, utc(3, 27, 12), "paused") == set()
    assert playable_days(days, utc(3, 27, 12), "running") == {1}


def test_scheduled_cohort_opens_by_time_like_a_running_one() -> None:
    """A cohort not yet started opens day 1 at its hour (the scheduler then marks it running)."""
    days = calendar(date(2026, 3, 27))
    assert playable_days(days, utc(3, 27, 8, 29), "scheduled") == set()
    assert playable_days(days, utc(3, 27, 8, 30), "scheduled") == {1}
    assert playable_days(days, utc(3, 27, 8, 30), "finished") == set()
