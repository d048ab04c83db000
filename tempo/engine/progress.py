"""Which game days are open for a cohort at a given instant."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class DayClock:
    """A day's scheduled unlock instant and, if it happened, its actual (or manual) unlock."""

    number: int
    unlock_at: datetime
    unlocked_at: datetime | None = None


def open_days(days: Iterable[DayClock], now: datetime, running: bool = True) -> set[int]:
    """Days unlocked by hand, or whose unlock time has passed while the cohort runs."""
    return {d.number for d in days if d.unlocked_at is not None or (running and d.unlock_at <= now)}
