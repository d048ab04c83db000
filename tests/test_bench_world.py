"""The bench's world: days 1 and 6 stay open for the whole run, whatever the time of day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select

from tempo.engine.progress import DayClock, due_actions, playable_days
from tempo.models import CohortDay
from tools.bench.instance import OPEN_DAYS, build_world


@pytest.mark.sqlite
def test_a_bench_started_after_the_day_s_recap_hour_keeps_its_days_open(tmp_path: Path) -> None:
    """At 18:30 in Paris day 1's recap hour has passed: `tempo serve`'s scheduler must not
    close it under the phones (it did, and every day-1 action was refused)."""
    evening = datetime(2026, 12, 3, 17, 30, tzinfo=UTC)
    world = build_world(tmp_path, players=12, now=evening)
    engine = create_engine(f"sqlite:///{tmp_path / 'tempo.sqlite3'}")
    try:
        with engine.connect() as conn:
            days = [
                DayClock(d.number, d.unlock_at, d.unlocked_at, d.recap_at, d.closed_at)
                for d in conn.execute(select(CohortDay.__table__))
            ]
    finally:
        engine.dispose()
    assert world.cohort_id and len(days) == 10
    for moment in (evening, evening + timedelta(minutes=5)):
        assert due_actions(days, "running", moment) == []
        assert set(OPEN_DAYS) <= playable_days(days, moment, "running")
