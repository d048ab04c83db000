"""Appointment slots: a counsellor's weekly plan and exceptions turned into bookable instants.

Pure: no clock, no database. Plans are written in local wall-clock hours (Europe/Paris by
default); slots are computed on the local calendar, day by day, and returned as UTC instants, so
a week with a daylight-saving change keeps its 09:00 slots at 09:00 local time. A wall-clock hour
that does not exist (the spring-forward gap) is skipped; an hour that happens twice (autumn) is
taken at its first occurrence.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import groupby
from typing import Protocol, TypeVar
from zoneinfo import ZoneInfo

DAY_BEFORE = "day"
HOUR_BEFORE = "hour"
REMINDER_LEAD = {DAY_BEFORE: timedelta(hours=24), HOUR_BEFORE: timedelta(hours=1)}


@dataclass(frozen=True)
class WeeklyRule:
    """Open hours on one weekday (0 = Monday), at a place."""

    weekday: int
    start: time
    end: time
    place: str = ""


@dataclass(frozen=True)
class DateException:
    """A change on one date: closed (all day, or between `start` and `end`), or extra hours."""

    day: date
    closed: bool
    start: time | None = None
    end: time | None = None
    place: str = ""


@dataclass(frozen=True)
class Agenda:
    """Everything that decides a counsellor's slots."""

    rules: tuple[WeeklyRule, ...] = ()
    exceptions: tuple[DateException, ...] = ()
    slot_minutes: int = 30
    buffer_minutes: int = 0
    notice_hours: int = 24
    horizon_days: int = 28
    timezone: str = "Europe/Paris"
    default_place: str = ""


@dataclass(frozen=True, order=True)
class Slot:
    """A bookable appointment: UTC start and end, and where it takes place."""

    start: datetime
    end: datetime
    place: str = field(default="", compare=False)


@dataclass(frozen=True)
class Busy:
    """A time a counsellor is already taken (an active booking), in UTC."""

    start: datetime
    end: datetime


def to_utc(day: date, hour: time, tz: ZoneInfo) -> datetime | None:
    """The UTC instant of a local wall-clock time, or None if that time does not exist (DST gap)."""
    local = datetime.combine(day, hour, tzinfo=tz)  # fold=0: the first of two repeated hours
    instant = local.astimezone(UTC)
    if instant.astimezone(tz).replace(tzinfo=None) != local.replace(tzinfo=None):
        return None
    return instant


def _windows(agenda: Agenda, day: date) -> list[tuple[time, time, str]]:
    """The open windows of one local date: weekly hours, minus closures, plus extra hours."""
    exceptions = [e for e in agenda.exceptions if e.day == day]
    extra = [(e.start, e.end, e.place) for e in exceptions if not e.closed and e.start and e.end]
    holes = [(e.start, e.end) for e in exceptions if e.closed and e.start and e.end]
    if any(e.closed and not (e.start and e.end) for e in exceptions):
        return extra  # closed all day: only the extra hours given for that date
    windows: list[tuple[time, time, str]] = []
    for rule in agenda.rules:
        if rule.weekday != day.weekday():
            continue
        pieces = [(rule.start, rule.end)]
        for hole in holes:
            pieces = [part for piece in pieces for part in _minus(piece, hole)]
        windows += [(start, end, rule.place) for start, end in pieces]
    return windows + extra


def _minus(window: tuple[time, time], hole: tuple[time, time]) -> list[tuple[time, time]]:
    (start, end), (h_start, h_end) = window, hole
    if h_end <= start or h_start >= end:
        return [window]
    parts = []
    if h_start > start:
        parts.append((start, h_start))
    if h_end < end:
        parts.append((h_end, end))
    return parts


def _add(hour: time, minutes: int) -> time | None:
    """`hour` plus some minutes on the same day, or None past midnight."""
    total = hour.hour * 60 + hour.minute + minutes
    return None if total >= 24 * 60 else time(total // 60, total % 60)


def candidate_slots(agenda: Agenda, now: datetime) -> list[Slot]:
    """Every slot the plan offers from `now` + notice to the horizon, earliest first.

    Overlapping windows (a weekly hour and an extra hour on the same date) never give two
    overlapping slots: the earlier one is kept.
    """
    if agenda.slot_minutes <= 0:
        return []
    tz = ZoneInfo(agenda.timezone)
    earliest = now + timedelta(hours=agenda.notice_hours)
    today = now.astimezone(tz).date()
    step = agenda.slot_minutes + max(0, agenda.buffer_minutes)
    found: list[Slot] = []
    for offset in range(agenda.horizon_days + 1):
        day = today + timedelta(days=offset)
        for start, end, place in _windows(agenda, day):
            cursor: time | None = start
            while cursor is not None:
                finish = _add(cursor, agenda.slot_minutes)
                if finish is None or finish > end:
                    break
                begin = to_utc(day, cursor, tz)
                if begin is not None and begin >= earliest:
                    # The end is the start plus the slot's real length: across a DST change
                    # the wall clock may jump, an appointment does not.
                    length = timedelta(minutes=agenda.slot_minutes)
                    found.append(Slot(begin, begin + length, place or agenda.default_place))
                cursor = _add(cursor, step)
    found.sort()
    kept: list[Slot] = []
    for slot in found:
        if not kept or slot.start >= kept[-1].end:
            kept.append(slot)
    return kept


def free_slots(
    candidates: Iterable[Slot], busy: Iterable[Busy], buffer_minutes: int = 0
) -> list[Slot]:
    """The candidates that overlap no busy time (kept `buffer_minutes` apart from it)."""
    pad = timedelta(minutes=max(0, buffer_minutes))
    taken = list(busy)
    return [
        s
        for s in candidates
        if not any(s.start < b.end + pad and b.start < s.end + pad for b in taken)
    ]


def offered_slots(agenda: Agenda, now: datetime, busy: Iterable[Busy] = ()) -> list[Slot]:
    """The free slots of one counsellor's agenda at `now`, earliest first."""
    return free_slots(candidate_slots(agenda, now), busy, agenda.buffer_minutes)


class Timed(Protocol):
    """Anything that starts at a UTC instant (an engine slot, a service's offered slot)."""

    @property
    def start(self) -> datetime: ...


T = TypeVar("T", bound=Timed)


def by_local_day(slots: Sequence[T], tz: str) -> list[tuple[date, list[T]]]:
    """Slots grouped by their local date, earliest first (the picker's day headings)."""
    zone = ZoneInfo(tz)
    ordered = sorted(slots, key=lambda s: s.start)
    return [
        (day, list(group))
        for day, group in groupby(ordered, key=lambda s: s.start.astimezone(zone).date())
    ]


def reminders_due(
    starts_at: datetime, booked_at: datetime, now: datetime, sent: Iterable[str]
) -> list[str]:
    """The in-app reminders now due for one appointment, earliest first.

    A reminder is due once its lead time (24 h, 1 h before) is reached, if the booking was made
    before that moment (someone booking 3 hours ahead gets no "tomorrow" reminder), it was not
    given yet, and the appointment has not started. Give only the last one and mark them all as
    given: after a downtime, a phone is told "in an hour", not "tomorrow" as well.
    """
    done = set(sent)
    if now >= starts_at:
        return []
    return [
        kind
        for kind, lead in REMINDER_LEAD.items()
        if kind not in done and booked_at < starts_at - lead <= now
    ]


def reminder_times(starts_at: datetime, booked_at: datetime) -> dict[str, datetime]:
    """When each reminder (e-mail or in-app) is to be given, for those that still make sense."""
    return {
        kind: starts_at - lead
        for kind, lead in REMINDER_LEAD.items()
        if booked_at < starts_at - lead
    }
