"""Which missions a team can play: open days, requirements met, missions done."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

LOCKED, AVAILABLE, DONE = "locked", "available", "done"


@dataclass(frozen=True)
class DayClock:
    """A day's scheduled unlock instant and, if it happened, its actual (or manual) unlock."""

    number: int
    unlock_at: datetime
    unlocked_at: datetime | None = None


def open_days(days: Iterable[DayClock], now: datetime, running: bool = True) -> set[int]:
    """Days unlocked by hand, or whose unlock time has passed while the cohort runs."""
    return {d.number for d in days if d.unlocked_at is not None or (running and d.unlock_at <= now)}


def mission_statuses(
    missions: Sequence[tuple[int, str, Sequence[str]]],
    opened: set[int],
    done: Iterable[str],
) -> Mapping[str, str]:
    """Status of each (day, mission id, requires): done, available, or locked."""
    finished = set(done)
    statuses: dict[str, str] = {}
    for day, mission_id, requires in missions:
        if mission_id in finished:
            statuses[mission_id] = DONE
        elif day in opened and all(r in finished for r in requires):
            statuses[mission_id] = AVAILABLE
        else:
            statuses[mission_id] = LOCKED
    return statuses
