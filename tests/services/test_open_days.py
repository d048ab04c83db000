"""The days a phone may play, asked of the database, agree with the engine's rule."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from flask import Flask
from sqlalchemy import select

from tempo.engine.progress import DayClock, playable_days
from tempo.extensions import db
from tempo.models import Cohort, CohortStatus, Player
from tempo.services.play.actions import _open_days, read_for_view
from tests.conftest import Demo


def test_the_database_s_open_days_are_the_engine_s_playable_days(app: Flask, demo: Demo) -> None:
    """Random calendars (days opened by hand, on schedule, in the future, with and without a
    running clock, paused): the statements answer what `playable_days` decides."""
    rng = random.Random(11)
    now = datetime(2026, 12, 5, 16, 0, tzinfo=UTC)
    code = demo.join(0, "Alice")
    with app.app_context():
        cohort = db.session.get(Cohort, demo.cohort_id)
        assert cohort is not None
        player_id = db.session.scalar(select(Player.id).where(Player.rejoin_code == code))
        for _round in range(25):
            for day in cohort.days:
                # Around `now`, the instant itself included (an unlock at exactly now is due).
                day.unlock_at = now + timedelta(minutes=rng.choice([-600, -1, 0, 1, 600]))
                day.unlocked_at = rng.choice([None, None, now - timedelta(hours=1)])
            db.session.flush()
            clocks = [DayClock(d.number, d.unlock_at, d.unlocked_at) for d in cohort.days]
            for status in CohortStatus:
                cohort.status = status
                db.session.flush()
                expected = playable_days(clocks, now, status.value)
                assert _open_days(db.session(), cohort.id, status, now) == expected, status
                # The same days, read along with a player's team (`view` and actions).
                found = read_for_view(db.session(), player_id, now)
                assert found is not None and found[1].open_days == expected, status
        db.session.rollback()
