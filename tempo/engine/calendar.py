"""The game calendar: which real date is game day N, and when it unlocks and closes."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class DayPlan:
    """Game day `number` on `date`, unlocking and closing at UTC instants."""

    number: int
    date: date
    unlock_at: datetime
    recap_at: datetime


def parse_hour(value: str) -> time:
    """'09:30' -> time(9, 30)."""
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def game_dates(
    start: date, count: int, weekends_played: bool, weekend_days: Collection[int] = ()
) -> list[date]:
    """The real dates of `count` game days from `start`, skipping weekends unless played.

    When weekends are played, the days numbered in `weekend_days` (1-based: the scenario's
    `weekend: true` days) wait for the next Saturday or Sunday.
    """
    dates: list[date] = []
    current = start
    while len(dates) < count:
        weekend = current.weekday() >= 5
        if weekends_played and len(dates) + 1 in weekend_days:
            if weekend:
                dates.append(current)
        elif weekends_played or not weekend:
            dates.append(current)
        current += timedelta(days=1)
    return dates


@dataclass(frozen=True)
class WeekendIssue:
    """A scenario's weekend day the calendar could not place well: on a weekday, or after
    `idle` days without play (it waited for the weekend)."""

    number: int
    date: date
    on_weekday: bool
    idle: int


def weekend_issues(dates: Sequence[date], weekend_days: Collection[int]) -> list[WeekendIssue]:
    """Weekend days of a placed calendar that fall on a weekday or leave a gap before them."""
    issues: list[WeekendIssue] = []
    for number, when in enumerate(dates, start=1):
        if number not in weekend_days:
            continue
        idle = (when - dates[number - 2]).days - 1 if number > 1 else 0
        if when.weekday() < 5 or idle > 0:
            issues.append(WeekendIssue(number, when, when.weekday() < 5, idle))
    return issues


def best_start_weekday(weekend_days: Collection[int]) -> int | None:
    """The weekday (0 = Monday) to start on so that the first weekend day is a Saturday."""
    if not weekend_days:
        return None
    return (5 - (min(weekend_days) - 1)) % 7


def local_instant(day: date, hour: str, tz: str) -> datetime:
    """The UTC instant of a local wall-clock hour on `day` in timezone `tz` (DST-aware)."""
    return datetime.combine(day, parse_hour(hour), tzinfo=ZoneInfo(tz)).astimezone(UTC)


def build_calendar(
    start: date,
    hours: list[tuple[str, str]],
    weekends_played: bool,
    tz: str,
    weekend_days: Collection[int] = (),
) -> list[DayPlan]:
    """One DayPlan per (unlock hour, recap hour) pair, in order, from `start`."""
    dates = game_dates(start, len(hours), weekends_played, weekend_days)
    return [
        DayPlan(
            number=i + 1,
            date=d,
            unlock_at=local_instant(d, unlock, tz),
            recap_at=local_instant(d, recap, tz),
        )
        for i, (d, (unlock, recap)) in enumerate(zip(dates, hours, strict=True))
    ]
