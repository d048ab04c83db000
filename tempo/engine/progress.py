"""Which game days are open for a cohort at a given instant, and what the clock still has to do.

A day opens at its unlock instant and closes (its recap) at its recap instant. The scheduler
records when it actually did each (`unlocked_at`, `closed_at`); a counsellor may also unlock a
day early. The same rule decides both what players can open and what the scheduler must catch up,
so a day is never open for players without being due for the scheduler, and the reverse.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

UNLOCK = "unlock"
CLOSE = "close"

# Cohort statuses (tempo.models.CohortStatus values) under which the calendar runs by itself.
SCHEDULED, RUNNING, PAUSED, FINISHED = "scheduled", "running", "paused", "finished"
CLOCK_RUNS = frozenset({SCHEDULED, RUNNING})


@dataclass(frozen=True)
class DayClock:
    """A day's scheduled instants and, once they happened, when it was unlocked and closed."""

    number: int
    unlock_at: datetime
    unlocked_at: datetime | None = None
    recap_at: datetime | None = None
    closed_at: datetime | None = None


@dataclass(frozen=True)
class DayAction:
    """Something the calendar has to do: unlock or close game day `day` at instant `at`."""

    at: datetime
    kind: str
    day: int


def unlock_passed(day: DayClock, now: datetime) -> bool:
    """Whether the day's scheduled unlock instant has come (the instant itself included)."""
    return day.unlock_at <= now


def open_days(days: Iterable[DayClock], now: datetime, running: bool = True) -> set[int]:
    """Days recorded as unlocked (on schedule or by hand), or past their unlock time if running."""
    return {
        d.number for d in days if d.unlocked_at is not None or (running and unlock_passed(d, now))
    }


def playable_days(days: Iterable[DayClock], now: datetime, status: str) -> set[int]:
    """The days players may open: none while paused; scheduled days too while the clock runs."""
    if status == PAUSED:
        return set()
    return open_days(days, now, running=status in CLOCK_RUNS)


def pending_actions(days: Iterable[DayClock]) -> list[DayAction]:
    """Every unlock and close not done yet, in the order they must happen."""
    actions: list[DayAction] = []
    for d in days:
        if d.unlocked_at is None:
            actions.append(DayAction(d.unlock_at, UNLOCK, d.number))
        if d.closed_at is None and d.recap_at is not None:
            # A day is never closed before it opened, even if its hours were entered backwards.
            actions.append(DayAction(max(d.recap_at, d.unlock_at), CLOSE, d.number))
    # Same instant: earlier days first (day N closes before day N+1 opens), and a day's
    # unlock before its own close.
    return sorted(actions, key=lambda a: (a.at, a.day, a.kind != UNLOCK))


def due_actions(days: Iterable[DayClock], status: str, now: datetime) -> list[DayAction]:
    """What should have happened by `now` and has not (catch-up), while the clock runs."""
    if status not in CLOCK_RUNS:
        return []
    return [a for a in pending_actions(days) if a.at <= now]


def upcoming_actions(days: Iterable[DayClock], status: str, now: datetime) -> list[DayAction]:
    """What is still to happen after `now`, while the clock runs (the jobs to schedule)."""
    if status not in CLOCK_RUNS:
        return []
    return [a for a in pending_actions(days) if a.at > now]
