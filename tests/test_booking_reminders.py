"""The scheduler leader's `booking:remind` job: in-app reminders reach phones at their time."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from tempo.extensions import db
from tempo.infra import db as schema
from tempo.jobs import PERIODIC_JOBS
from tempo.models import Cohort
from tempo.scheduler import DayScheduler
from tempo.services.booking import appointments as booking
from tempo.services.events import PLAYER_ONLY
from tempo.services.play.players import join_team
from tests.booking_kit import NOW, demo_ready, manage_url
from tests.databases import instance_url
from tests.scheduler_kit import Recorder, app_on, dispose


def test_the_leader_sends_reminders_a_day_and_an_hour_before(
    tmp_path: Path, schedulers: list[DayScheduler]
) -> None:
    """The job is planned; fired at T-24h and T-1h it sends one `booking.reminder` each time."""
    app = app_on(instance_url(tmp_path), tmp_path / "a")
    with app.app_context():
        schema.upgrade(db.engine)
        setup = demo_ready(db.session)
        ana = join_team(db.session, setup.team_ids[0], "Ana", NOW).player.id
        cohort = db.session.get(Cohort, setup.cohort_id)
        slot = next(
            s for s in booking.offered(db.session, cohort, NOW) if s.start > NOW + timedelta(days=2)
        )
        booking.book(db.session, ana, slot.id, NOW, manage_url)
        db.session.remove()
    recorder = Recorder()
    scheduler = DayScheduler(app, recorder)
    scheduler.start(paused=True)
    schedulers.append(scheduler)
    assert scheduler.elect() is True
    assert scheduler.aps is not None and scheduler.aps.get_job("booking:remind") is not None
    target = PERIODIC_JOBS["booking:remind"][0]

    # Electing caught the calendar up (day events): only the reminders matter here.
    def reminders() -> list[tuple[int, dict[str, object]]]:
        return [(t, e) for t, e in recorder.sent if e["type"] == "booking.reminder"]

    scheduler.run_periodic(target, slot.start - timedelta(hours=25))
    assert reminders() == []
    scheduler.run_periodic(target, slot.start - timedelta(hours=24))
    scheduler.run_periodic(target, slot.start - timedelta(hours=23))
    scheduler.run_periodic(target, slot.start - timedelta(minutes=59))
    sent = [(team, e["type"], e["player"], e["when"]) for team, e in reminders()]
    assert sent == [
        (setup.team_ids[0], "booking.reminder", ana, "day"),
        (setup.team_ids[0], "booking.reminder", ana, "hour"),
    ]
    # For Ana's phones only: not versioned, not in the team's log.
    assert all(e[PLAYER_ONLY] == ana and "version" not in e for _t, e in reminders())
    dispose(app)
