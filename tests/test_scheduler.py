"""The 10-day clock with an injected clock: day jobs, DST, one leader, catch-up after a restart.

APScheduler is started paused, and its persisted jobs are fired by calling their functions at
their instants (what APScheduler does), so no test waits on real time for the schedule.
"""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.gevent import GeventScheduler
from flask import Flask
from sqlalchemy import Engine, func, select, table
from sqlalchemy.orm import Session

from tempo.extensions import db
from tempo.jobs import PERIODIC_JOBS, run_day_job
from tempo.models import Cohort, CohortDay, Team
from tempo.scheduler import SYNC_JOB, DayScheduler, replan, scheduler_class
from tests import factories
from tests.databases import instance_url
from tests.mailserver import SmtpServer
from tests.scheduler_kit import Clock, Recorder, app_on, database_url, dispose
from tests.scheduler_kit import start_paused as start

PARIS = ZoneInfo("Europe/Paris")
# factories.cohort starts on Monday 2026-03-23: 09:30-17:00 in Paris (UTC+1 until the 29th).
DAY1_UNLOCK = datetime(2026, 3, 23, 8, 30, tzinfo=UTC)
DAY1_CLOSE = datetime(2026, 3, 23, 16, 0, tzinfo=UTC)
DAY2_UNLOCK = datetime(2026, 3, 24, 8, 30, tzinfo=UTC)


def new_cohort(session: Session, start_day: date = date(2026, 3, 23)) -> tuple[int, list[int]]:
    """A scheduled cohort with two teams; its id and its team ids."""
    cohort = factories.cohort(session, start=start_day)
    session.commit()
    return cohort.id, [t.id for t in cohort.teams]


# --- one day after the other, across daylight-saving changes ----------------------------------


@pytest.mark.parametrize(
    ("start_day", "change_day"),
    [(date(2026, 3, 25), 5), (date(2026, 10, 21), 5)],
    ids=["spring-2026-03-29", "autumn-2026-10-25"],
)
def test_each_day_unlocks_and_closes_once_at_its_paris_hours(
    app: Flask, schedulers: list[DayScheduler], start_day: date, change_day: int
) -> None:
    """Twenty jobs fired at their instants: each day opens at 09:30, closes at 17:00 in Paris."""
    clock = Clock(datetime.combine(start_day, time(0), tzinfo=UTC) - timedelta(days=1))
    app.config["CLOCK"] = clock
    with app.app_context():
        cohort_id, teams = new_cohort(db.session, start_day)
    sent = Recorder()
    scheduler = start(app, sent, schedulers)
    assert scheduler.elect() is True
    assert sent.sent == []

    fired = []
    while jobs := scheduler.jobs():
        job = jobs[0]
        assert job.func is run_day_job
        clock.now = job.next_run_time
        before = len(sent.sent)
        job.func(*job.args)
        # An unlock sends day.unlocked to each team; a close, day.closed and recap.ready.
        per_team = 2 if job.id.endswith(":close") else 1
        assert len(sent.sent) == before + per_team * len(teams), f"{job.id} did nothing"
        fired.append((job.id, job.next_run_time))
        scheduler.tick()  # APScheduler drops a date job once run; the plan no longer has it
    assert len(fired) == 20
    assert len({job_id for job_id, _ in fired}) == 20

    for team_id in teams:
        expected = []
        for n in range(1, 11):
            expected += [("day.unlocked", n), ("day.closed", n), ("recap.ready", n)]
        assert sent.kinds(team_id) == expected
    with app.app_context():
        days = db.session.scalars(
            select(CohortDay).where(CohortDay.cohort_id == cohort_id).order_by(CohortDay.number)
        ).all()
        for day in days:
            assert day.unlocked_at is not None and day.closed_at is not None
            opened, closed = day.unlocked_at.astimezone(PARIS), day.closed_at.astimezone(PARIS)
            assert (opened.date(), opened.time()) == (day.date, time(9, 30))
            assert (closed.date(), closed.time()) == (day.date, time(17, 0))
        # Around the change, the same local hour is a different UTC hour.
        before, after = days[change_day - 2], days[change_day - 1]
        assert before.unlocked_at is not None and after.unlocked_at is not None
        assert {before.unlocked_at.hour, after.unlocked_at.hour} == {7, 8}
        assert before.unlocked_at.hour != after.unlocked_at.hour
        assert after.unlocked_at - before.unlocked_at in (timedelta(hours=23), timedelta(hours=25))
    # Firing any job again, or catching up later, changes nothing.
    for job_id, _ in fired:
        cohort, day, kind = job_id.removeprefix("day:").split(":")
        run_day_job(int(cohort), int(day), kind)
    clock.now += timedelta(days=30)
    assert scheduler.tick() == []
    assert len(sent.sent) == 30 * len(teams)


def test_jobs_are_planned_at_exact_utc_instants(app: Flask, schedulers: list[DayScheduler]) -> None:
    """The persisted jobs sit at the engine's instants: 08:30 UTC before the change, 07:30 after."""
    app.config["CLOCK"] = Clock(datetime(2026, 3, 20, tzinfo=UTC))
    with app.app_context():
        cohort_id, _ = new_cohort(db.session)
    scheduler = start(app, Recorder(), schedulers)
    scheduler.elect()
    jobs = {j.id: j.next_run_time for j in scheduler.jobs()}
    assert len(jobs) == 20
    assert jobs[f"day:{cohort_id}:1:unlock"] == DAY1_UNLOCK
    assert jobs[f"day:{cohort_id}:6:close"] == datetime(2026, 3, 28, 16, 0, tzinfo=UTC)
    assert jobs[f"day:{cohort_id}:7:unlock"] == datetime(2026, 3, 29, 7, 30, tzinfo=UTC)


# --- exactly one leader -----------------------------------------------------------------------


def test_two_schedulers_started_together_elect_one_leader(
    engine: Engine, tmp_path: Path, schedulers: list[DayScheduler]
) -> None:
    """Two apps on one database (SQLite file lock / PostgreSQL advisory lock): one leads."""
    with Session(engine) as session:
        cohort_id, teams = new_cohort(session)
    clock = Clock(DAY2_UNLOCK)
    url = database_url(engine)
    apps = [app_on(url, tmp_path / name, clock) for name in ("a", "b")]
    sent = Recorder()
    pair = [start(app, sent, schedulers) for app in apps]

    barrier = threading.Barrier(2)
    results: dict[int, bool] = {}

    def elect(i: int) -> None:
        barrier.wait()
        results[i] = pair[i].elect()

    threads = [threading.Thread(target=elect, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(results.values()) == [False, True]
    leader, standby = (pair[0], pair[1]) if results[0] else (pair[1], pair[0])

    # The leader caught up once; the standby does nothing and holds no jobs.
    for team_id in teams:
        assert sent.kinds(team_id) == [
            ("day.unlocked", 1),
            ("day.closed", 1),
            ("recap.ready", 1),
            ("day.unlocked", 2),
        ]
    assert standby.tick() == [] and standby.jobs() == []
    assert standby.fire(cohort_id) == []
    assert leader.elect() is True and standby.elect() is False
    assert len(leader.jobs()) == 17

    # The leader stops (process ends): the standby takes over, and redoes nothing.
    leader.stop()
    assert standby.elect() is True
    assert len(standby.jobs()) == 17
    assert len(sent.sent) == 4 * len(teams)
    for app in apps:
        dispose(app)


def test_restart_after_a_missed_unlock_catches_up_once(
    engine: Engine, tmp_path: Path, schedulers: list[DayScheduler]
) -> None:
    """Down over day 1's close and day 2's unlock: the next start applies both, once."""
    with Session(engine) as session:
        cohort_id, teams = new_cohort(session)
    url = database_url(engine)
    clock = Clock(DAY1_UNLOCK + timedelta(minutes=30))
    sent = Recorder()
    first_app = app_on(url, tmp_path / "first", clock)
    first = start(first_app, sent, schedulers)
    assert first.elect()
    assert sent.kinds(teams[0]) == [("day.unlocked", 1)]
    first.stop()  # the server goes down with its jobs persisted
    with Session(engine) as session:
        stored = session.scalar(select(func.count()).select_from(table("apscheduler_jobs")))
    assert stored == 19

    clock.now = DAY2_UNLOCK + timedelta(hours=3)
    second_app = app_on(url, tmp_path / "second", clock)
    second = start(second_app, sent, schedulers)
    assert second.elect()
    assert sent.kinds(teams[0]) == [
        ("day.unlocked", 1),
        ("day.closed", 1),
        ("recap.ready", 1),
        ("day.unlocked", 2),
    ]
    assert f"day:{cohort_id}:2:unlock" not in {j.id for j in second.jobs()}
    # The missed job, had it fired anyway, changes nothing.
    run_day_job(cohort_id, 2, "unlock")
    second.stop()

    third_app = app_on(url, tmp_path / "third", clock)
    third = start(third_app, sent, schedulers)
    assert third.elect()
    assert len(sent.sent) == 4 * len(teams)
    with Session(engine) as session:
        versions = session.scalars(select(Team.version).where(Team.cohort_id == cohort_id)).all()
    assert versions == [4, 4]
    for app in (first_app, second_app, third_app):
        dispose(app)


def test_pause_holds_the_clock_and_resume_catches_up(
    app: Flask, schedulers: list[DayScheduler]
) -> None:
    """Paused over day 2's unlock: no job fires it; resuming opens it once."""
    from tempo.services.calendar import days as calendar

    clock = Clock(DAY1_UNLOCK)
    app.config["CLOCK"] = clock
    with app.app_context():
        cohort_id, teams = new_cohort(db.session)
    sent = Recorder()
    scheduler = start(app, sent, schedulers)
    scheduler.elect()
    with app.app_context():
        sent(calendar.pause_cohort(db.session, cohort_id, clock.now))
    assert scheduler.tick() == []
    assert scheduler.jobs() == []  # a paused cohort has no jobs waiting
    clock.now = DAY2_UNLOCK + timedelta(hours=1)
    run_day_job(cohort_id, 2, "unlock")
    assert scheduler.tick() == []
    assert sent.kinds(teams[0]) == [("day.unlocked", 1), ("cohort.paused", None)]
    with app.app_context():
        sent(calendar.resume_cohort(db.session, cohort_id, clock.now))
    assert sent.kinds(teams[0])[2:] == [
        ("cohort.resumed", None),
        ("day.closed", 1),
        ("recap.ready", 1),
        ("day.unlocked", 2),
    ]
    assert scheduler.tick() == []
    assert len(scheduler.jobs()) == 17


def test_a_calendar_edited_elsewhere_is_replanned(
    app: Flask, schedulers: list[DayScheduler]
) -> None:
    """When day 3's hour changes, `replan()` (or the next sync) moves its job."""
    clock = Clock(DAY1_UNLOCK - timedelta(hours=1))
    app.config["CLOCK"] = clock
    with app.app_context():
        cohort_id, _ = new_cohort(db.session)
    scheduler = start(app, Recorder(), schedulers)
    scheduler.elect()
    moved = datetime(2026, 3, 25, 12, 15, tzinfo=UTC)
    with app.app_context():
        day = db.session.scalars(
            select(CohortDay).where(CohortDay.cohort_id == cohort_id, CohortDay.number == 3)
        ).one()
        day.unlock_at = moved
        db.session.commit()
    replan()
    assert {j.id: j.next_run_time for j in scheduler.jobs()}[f"day:{cohort_id}:3:unlock"] == moved


# --- APScheduler itself -----------------------------------------------------------------------


def test_apscheduler_fires_a_persisted_job(app: Flask, schedulers: list[DayScheduler]) -> None:
    """Resumed, APScheduler loads the job from the database and runs it in the app."""
    clock = Clock(DAY1_UNLOCK)
    app.config["CLOCK"] = clock
    with app.app_context():
        _, teams = new_cohort(db.session)
    sent = Recorder()
    scheduler = start(app, sent, schedulers)
    scheduler.elect()
    assert scheduler.aps is not None
    scheduler.aps.remove_job(SYNC_JOB)  # only the day job may act
    clock.now = DAY1_CLOSE
    scheduler.aps.resume()  # DAY1_CLOSE is in the real past: its job is due at once
    assert sent.wait_for(3 * len(teams))
    scheduler.stop()
    assert sent.kinds(teams[0]) == [("day.unlocked", 1), ("day.closed", 1), ("recap.ready", 1)]
    with app.app_context():
        cohort = db.session.scalars(select(Cohort)).one()
        assert cohort.days[0].closed_at == DAY1_CLOSE


def test_gevent_servers_use_the_gevent_scheduler() -> None:
    """`tempo serve` (gevent) gets a GeventScheduler; other processes a background thread."""
    assert scheduler_class("gevent") is GeventScheduler
    assert scheduler_class("threading") is BackgroundScheduler


def test_only_the_leader_delivers_mail(
    tmp_path: Path, schedulers: list[DayScheduler], smtp_server: SmtpServer
) -> None:
    """The `mail:deliver` job is planned in every process but sends only from the leader."""
    from tempo.infra import db as schema
    from tempo.infra.transactions import write_transaction
    from tempo.services.mail.outbox import queue_email

    url = instance_url(tmp_path)
    apps = [app_on(url, tmp_path / name) for name in ("a", "b")]
    for app in apps:
        app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=smtp_server.port)
    with apps[0].app_context():
        schema.upgrade(db.engine)
        with write_transaction(db.session):
            queue_email(
                db.session, key="k", to="lea@example.org", subject="S", text="T", now=DAY1_UNLOCK
            )
    leader, standby = (start(app, Recorder(), schedulers) for app in apps)
    assert leader.elect() is True and standby.elect() is False
    assert leader.aps is not None and leader.aps.get_job("mail:deliver") is not None
    target = PERIODIC_JOBS["mail:deliver"][0]
    assert standby.run_periodic(target, DAY1_UNLOCK) is False
    assert smtp_server.messages == []
    assert leader.run_periodic(target, DAY1_UNLOCK) is True
    assert [m["To"] for m in smtp_server.messages] == ["lea@example.org"]
    for app in apps:
        dispose(app)
