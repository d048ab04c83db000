"""The 10-day calendar: which real date is game day N, and when it unlocks and closes."""

from __future__ import annotations

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


def game_dates(start: date, count: int, weekends_played: bool) -> list[date]:
    """The real dates of `count` game days from `start`, skipping weekends unless played."""
    dates: list[date] = []
    current = start
    while len(dates) < count:
        if weekends_played or current.weekday() < 5:
            dates.append(current)
        current += timedelta(days=1)
    return dates


def local_instant(day: date, hour: str, tz: str) -> datetime:
    """The UTC instant of a local wall-clock hour on `day` in timezone `tz` (DST-aware)."""
    return datetime.combine(day, parse_hour(hour), tzinfo=ZoneInfo(tz)).astimezone(UTC)


def build_calendar(
    start: date,
    hours: list[tuple[str, str]],
    weekends_played: bool,
    tz: str,
) -> list[DayPlan]:
    """One DayPlan per (unlock hour, recap hour) pair, in order, from `start`."""
    dates = game_dates(start, len(hours), weekends_played)
    return [
        DayPlan(
            number=i + 1,
            date=d,
            unlock_at=local_instant(d, unlock, tz),
            recap_at=local_instant(d, recap, tz),
        )
        for i, (d, (unlock, recap)) in enumerate(zip(dates, hours, strict=True))
    ]
