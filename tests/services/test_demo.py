"""The demo cohort: day 1 open from the moment it is made, whatever the hour."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask

from tempo.engine.progress import DayClock, due_actions, playable_days
from tempo.extensions import db
from tempo.services.content.demo import ensure_demo
from tempo.services.content.publishing import load_valid_content
from tests.conftest import CONTENT_DIR


@pytest.mark.parametrize("hour", [7, 12, 18, 23])
def test_the_demo_s_first_day_stays_open_until_the_next_morning(app: Flask, hour: int) -> None:
    """Started after day 1's recap hour (17:00 in Paris), the demo used to close day 1 at once:
    the scheduler's catch-up sent « day.closed » and the recap before anyone played."""
    now = datetime(2026, 12, 8, hour, 30, tzinfo=UTC)  # a Tuesday: 08:30 to 00:30 in Paris
    with app.app_context():
        cohort = ensure_demo(db.session, load_valid_content(CONTENT_DIR), now).cohort
        days = [
            DayClock(d.number, d.unlock_at, d.unlocked_at, d.recap_at, d.closed_at)
            for d in cohort.days
        ]
        db.session.rollback()
    for moment in (now, now + timedelta(minutes=30)):
        assert due_actions(days, "running", moment) == []
        assert 1 in playable_days(days, moment, "running")
    assert days[0].recap_at is not None and days[0].recap_at < days[1].unlock_at
