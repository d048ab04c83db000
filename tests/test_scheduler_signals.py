"""The scheduler hears the services: calendar signals re-plan, and old persisted jobs still load."""

from __future__ import annotations

import pickle
from datetime import UTC, date, datetime, time, timedelta

from flask import Flask
from sqlalchemy import table, text

from tempo.extensions import db
from tempo.scheduler import JOBS_TABLE, STORE, DayScheduler
from tempo.services.calendar import days as calendar
from tempo.services.cohorts import admin
from tests import factories
from tests.scheduler_kit import Clock, Recorder
from tests.scheduler_kit import start_paused as start

DAY1_UNLOCK = datetime(2026, 3, 23, 8, 30, tzinfo=UTC)


def _leading(app: Flask, schedulers: list[DayScheduler]) -> tuple[DayScheduler, int]:
    app.config["CLOCK"] = Clock(DAY1_UNLOCK - timedelta(days=1))
    with app.app_context():
        cohort_id = factories.cohort(db.session, start=date(2026, 3, 23)).id
        db.session.commit()
    scheduler = start(app, Recorder(), schedulers)
    assert scheduler.elect() is True
    return scheduler, cohort_id


def _planned(scheduler: DayScheduler) -> dict[str, datetime]:
    return {j.id: j.next_run_time for j in scheduler.jobs()}


def test_a_calendar_moved_through_the_service_is_replanned(
    app: Flask, schedulers: list[DayScheduler]
) -> None:
    """`update_calendar` sends `calendar_changed`; the leader's receiver moves the job at once."""
    scheduler, cohort_id = _leading(app, schedulers)
    change = admin.DayChange(3, date(2026, 3, 25), time(14, 0), time(18, 30))
    with app.app_context():
        moved = admin.update_calendar(db.session, cohort_id, [change], DAY1_UNLOCK - timedelta(1))
    assert moved == [3]
    planned = _planned(scheduler)
    assert planned[f"day:{cohort_id}:3:unlock"] == datetime(2026, 3, 25, 13, 0, tzinfo=UTC)
    assert planned[f"day:{cohort_id}:3:close"] == datetime(2026, 3, 25, 17, 30, tzinfo=UTC)


def test_a_day_opened_and_a_pause_through_the_service_are_replanned(
    app: Flask, schedulers: list[DayScheduler]
) -> None:
    """A counsellor opens day 1 early, then pauses: the jobs follow without any route's help."""
    scheduler, cohort_id = _leading(app, schedulers)
    early = DAY1_UNLOCK - timedelta(hours=2)
    assert f"day:{cohort_id}:1:unlock" in _planned(scheduler)
    with app.app_context():
        calendar.unlock_day(db.session, cohort_id, 1, early)
    planned = _planned(scheduler)
    assert f"day:{cohort_id}:1:unlock" not in planned
    assert f"day:{cohort_id}:1:close" in planned
    with app.app_context():
        calendar.pause_cohort(db.session, cohort_id, early)
    assert _planned(scheduler) == {}


def test_day_jobs_saved_by_an_older_version_are_rewritten(
    app: Flask, schedulers: list[DayScheduler]
) -> None:
    """A job naming "tempo.scheduler:run_day_job" loads and is re-planned on today's function;
    one naming a function that no longer imports is dropped by APScheduler, then re-added."""
    scheduler, cohort_id = _leading(app, schedulers)
    old, gone = f"day:{cohort_id}:1:unlock", f"day:{cohort_id}:1:close"
    jobs = table(JOBS_TABLE)
    with app.app_context(), db.engine.begin() as conn:
        for job_id, ref in ((old, "tempo.scheduler:run_day_job"), (gone, "tempo.gone:run")):
            row = conn.execute(
                text(f"SELECT job_state FROM {jobs.name} WHERE id = :id"), {"id": job_id}
            ).scalar_one()
            state = pickle.loads(row)
            state["func"] = ref
            conn.execute(
                text(f"UPDATE {jobs.name} SET job_state = :s WHERE id = :id"),
                {"s": pickle.dumps(state, pickle.HIGHEST_PROTOCOL), "id": job_id},
            )
    before = {j.id: j.func_ref for j in scheduler.aps.get_jobs(jobstore=STORE)}  # type: ignore[union-attr]
    assert before[old] == "tempo.scheduler:run_day_job"
    assert gone not in before  # dropped when loaded, not raised
    scheduler.tick()
    after = {j.id: j.func_ref for j in scheduler.aps.get_jobs(jobstore=STORE)}  # type: ignore[union-attr]
    assert after[old] == after[gone] == "tempo.jobs:run_day_job"
