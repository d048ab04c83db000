"""The game calendar (real dates and UTC instants of each day) and which days are open."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from tempo.engine.calendar import (
    DayPlan,
    WeekendIssue,
    best_start_weekday,
    build_calendar,
    game_dates,
    local_instant,
    parse_hour,
    weekend_issues,
)
from tempo.engine.progress import DayClock, open_days

PARIS = "Europe/Paris"
HOURS = [("09:30", "17:00")] * 10


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """An aware UTC datetime."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# --- calendar ----------------------------------------------------------------------------


def test_parse_hour() -> None:
    """'09:30' is half past nine."""
    assert parse_hour("09:30") == time(9, 30)
    assert parse_hour("23:05") == time(23, 5)


def test_local_instant_in_winter_is_utc_plus_one() -> None:
    """In January, 09:30 in Paris is 08:30 UTC."""
    assert local_instant(date(2026, 1, 15), "09:30", PARIS) == utc(2026, 1, 15, 8, 30)


def test_local_instant_in_summer_is_utc_plus_two() -> None:
    """In July, 09:30 in Paris is 07:30 UTC."""
    assert local_instant(date(2026, 7, 15), "09:30", PARIS) == utc(2026, 7, 15, 7, 30)


def test_local_instant_is_aware_utc() -> None:
    """Instants come back in UTC, not in the local zone."""
    assert local_instant(date(2026, 7, 15), "09:30", PARIS).tzinfo is UTC


def test_calendar_across_the_march_change() -> None:
    """Around 29 March 2026 the same local hours move one hour earlier in UTC."""
    plans = build_calendar(date(2026, 3, 27), HOURS[:4], True, PARIS)
    assert [(p.date, p.unlock_at, p.recap_at) for p in plans] == [
        (date(2026, 3, 27), utc(2026, 3, 27, 8, 30), utc(2026, 3, 27, 16, 0)),
        (date(2026, 3, 28), utc(2026, 3, 28, 8, 30), utc(2026, 3, 28, 16, 0)),
        (date(2026, 3, 29), utc(2026, 3, 29, 7, 30), utc(2026, 3, 29, 15, 0)),
        (date(2026, 3, 30), utc(2026, 3, 30, 7, 30), utc(2026, 3, 30, 15, 0)),
    ]


def test_calendar_across_the_october_change() -> None:
    """Around 25 October 2026 the same local hours move one hour later in UTC."""
    plans = build_calendar(date(2026, 10, 24), HOURS[:3], True, PARIS)
    assert [(p.unlock_at, p.recap_at) for p in plans] == [
        (utc(2026, 10, 24, 7, 30), utc(2026, 10, 24, 15, 0)),
        (utc(2026, 10, 25, 8, 30), utc(2026, 10, 25, 16, 0)),
        (utc(2026, 10, 26, 8, 30), utc(2026, 10, 26, 16, 0)),
    ]


def test_calendar_days_are_24_or_23_hours_apart_across_march() -> None:
    """Local 09:30 to local 09:30 across the spring change is 23 hours."""
    plans = build_calendar(date(2026, 3, 28), HOURS[:2], True, PARIS)
    assert plans[1].unlock_at - plans[0].unlock_at == timedelta(hours=23)


def test_calendar_numbers_days_and_uses_each_day_hours() -> None:
    """Day N gets the N-th (unlock, recap) pair."""
    hours = [("09:00", "17:00"), ("10:15", "16:45"), ("14:00", "20:30")]
    plans = build_calendar(date(2026, 1, 12), hours, False, PARIS)
    assert plans == [
        DayPlan(1, date(2026, 1, 12), utc(2026, 1, 12, 8, 0), utc(2026, 1, 12, 16, 0)),
        DayPlan(2, date(2026, 1, 13), utc(2026, 1, 13, 9, 15), utc(2026, 1, 13, 15, 45)),
        DayPlan(3, date(2026, 1, 14), utc(2026, 1, 14, 13, 0), utc(2026, 1, 14, 19, 30)),
    ]


def test_weekends_are_skipped_when_not_played() -> None:
    """Ten game days from a Thursday, weekends off, span two weeks and no Saturday or Sunday."""
    plans = build_calendar(date(2026, 3, 26), HOURS, False, PARIS)
    assert [p.date for p in plans] == [
        date(2026, 3, 26),
        date(2026, 3, 27),
        date(2026, 3, 30),
        date(2026, 3, 31),
        date(2026, 4, 1),
        date(2026, 4, 2),
        date(2026, 4, 3),
        date(2026, 4, 6),
        date(2026, 4, 7),
        date(2026, 4, 8),
    ]
    assert [p.number for p in plans] == list(range(1, 11))


def test_skipped_weekend_across_the_march_change() -> None:
    """The Monday after the spring-change weekend unlocks at summer time."""
    plans = build_calendar(date(2026, 3, 27), HOURS[:2], False, PARIS)
    assert plans[1].date == date(2026, 3, 30)
    assert plans[1].unlock_at == utc(2026, 3, 30, 7, 30)


def test_weekends_are_kept_when_played() -> None:
    """With weekends played, game days are consecutive dates."""
    dates = game_dates(date(2026, 3, 26), 10, True)
    assert dates == [date(2026, 3, 26) + timedelta(days=i) for i in range(10)]


@pytest.mark.parametrize("start", [date(2026, 3, 28), date(2026, 3, 29)])
def test_start_on_a_weekend_not_played_moves_to_monday(start: date) -> None:
    """A start on Saturday or Sunday, weekends off, begins on the following Monday."""
    assert game_dates(start, 2, False) == [date(2026, 3, 30), date(2026, 3, 31)]


def test_calendar_has_one_day_per_hour_pair() -> None:
    """The calendar has as many days as (unlock, recap) pairs."""
    assert len(build_calendar(date(2026, 3, 26), HOURS[:7], False, PARIS)) == 7
    assert build_calendar(date(2026, 3, 26), [], False, PARIS) == []


# --- open days ---------------------------------------------------------------------------

NOW = utc(2026, 3, 31, 12, 0)


def clocks(*unlocks: datetime, manual: dict[int, datetime] | None = None) -> list[DayClock]:
    """Days 1..n scheduled at `unlocks`, with manual unlocks by day number."""
    manual = manual or {}
    return [DayClock(i + 1, at, manual.get(i + 1)) for i, at in enumerate(unlocks)]


def test_days_whose_unlock_time_has_passed_are_open() -> None:
    """A running cohort has every day whose unlock instant is past, and no later one."""
    days = clocks(NOW - timedelta(days=1), NOW - timedelta(minutes=1), NOW + timedelta(minutes=1))
    assert open_days(days, NOW) == {1, 2}


def test_day_opens_exactly_at_its_unlock_instant() -> None:
    """The unlock instant itself counts as open."""
    assert open_days(clocks(NOW), NOW) == {1}


def test_manual_unlock_opens_a_future_day() -> None:
    """A day unlocked by hand is open before its scheduled time."""
    later = NOW + timedelta(days=3)
    days = clocks(NOW - timedelta(days=1), later, later, manual={3: NOW - timedelta(hours=1)})
    assert open_days(days, NOW) == {1, 3}


def test_paused_cohort_opens_no_scheduled_day() -> None:
    """While the cohort is paused, a passed unlock time does not open a day by itself."""
    days = clocks(NOW - timedelta(days=2), NOW - timedelta(days=1))
    assert open_days(days, NOW, running=False) == set()


def test_paused_cohort_keeps_days_actually_unlocked() -> None:
    """A paused cohort keeps the days recorded as unlocked, by schedule or by hand."""
    days = clocks(
        NOW - timedelta(days=2),
        NOW - timedelta(days=1),
        NOW + timedelta(days=1),
        manual={1: NOW - timedelta(days=2), 3: NOW - timedelta(hours=2)},
    )
    assert open_days(days, NOW, running=False) == {1, 3}


def test_no_days_no_open_day() -> None:
    """An empty calendar has no open day."""
    assert open_days([], NOW) == set()


def test_calendar_and_open_days_across_the_march_change() -> None:
    """On 29 March 2026 at 07:45 UTC (09:45 in Paris) that day is already open."""
    plans = build_calendar(date(2026, 3, 27), HOURS[:4], True, PARIS)
    days = [DayClock(p.number, p.unlock_at) for p in plans]
    assert open_days(days, utc(2026, 3, 29, 7, 29)) == {1, 2}
    assert open_days(days, utc(2026, 3, 29, 7, 45)) == {1, 2, 3}


# --- weekend days ------------------------------------------------------------------------


def test_weekend_days_fall_on_a_weekend_from_a_monday() -> None:
    """Days 6 and 7 of a scenario starting on a Monday are Saturday and Sunday, no gap."""
    dates = game_dates(date(2026, 3, 23), 10, True, {6, 7})
    assert dates == [date(2026, 3, 23) + timedelta(days=i) for i in range(10)]
    assert weekend_issues(dates, {6, 7}) == []
    assert best_start_weekday({6, 7}) == 0


def test_weekend_days_wait_for_the_weekend() -> None:
    """From a Wednesday, day 6 waits for the next Saturday: the gap is reported."""
    dates = game_dates(date(2026, 3, 25), 8, True, {6, 7})
    assert dates[4:8] == [date(2026, 3, 29), date(2026, 4, 4), date(2026, 4, 5), date(2026, 4, 6)]
    assert weekend_issues(dates, {6, 7}) == [WeekendIssue(6, date(2026, 4, 4), False, 5)]


def test_weekend_days_without_weekends_are_reported() -> None:
    """A cohort that does not play on weekends puts weekend days on weekdays: reported."""
    dates = game_dates(date(2026, 3, 23), 7, False, {6, 7})
    assert dates[5:] == [date(2026, 3, 30), date(2026, 3, 31)]
    assert [(i.number, i.on_weekday) for i in weekend_issues(dates, {6, 7})] == [
        (6, True),
        (7, True),
    ]
