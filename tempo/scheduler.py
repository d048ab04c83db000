"""The 10-day clock: APScheduler jobs that unlock each game day and close it at its hours.

How it fits together (README, "The 10-day clock"):

- **The calendar in the database is the truth.** Each `CohortDay` row holds its scheduled UTC
  instants (`unlock_at`, `recap_at`, computed by `tempo.engine.calendar` from the local hours in
  Europe/Paris, so daylight-saving changes are already in them) and what actually happened
  (`unlocked_at`, `closed_at`). The services in `tempo.services.calendar.days` apply an unlock or a
  close once; a repeat does nothing.
- **Jobs are persisted wake-ups.** The leader keeps one APScheduler `date` job per pending unlock
  and close, at its exact UTC instant, in a SQLAlchemyJobStore on the application's database
  (table `apscheduler_jobs`, created by migration 0004). A job applies whatever its cohort's
  calendar owes at that moment, in order, so a late or repeated job is harmless.
- **Sync = catch-up + plan.** On becoming leader and every `SCHEDULER_SYNC_SECONDS`, the leader
  applies everything due (the unlock missed while the server was down, what fell in a pause, a
  calendar edited by another process) and then makes the job store match the calendar.
- **Exactly one leader.** Every process may run a `DayScheduler`; only the holder of the leader
  lock attaches the job store. PostgreSQL: a session-level `pg_try_advisory_lock` held on a
  dedicated connection (released by the server when the process dies). SQLite: an exclusive
  `flock` on `<database file>.scheduler.lock`, next to the database that every process shares
  (released by the kernel when the process dies). The others stay on standby and retry every
  `SCHEDULER_RETRY_SECONDS`; the leader re-checks its lock as often and steps down if it lost it.
- **Reaching phones.** Events go out through `tempo.realtime.publish`: in a server process,
  through the app's Socket.IO server (the default); the separate `tempo scheduler` process has
  no phones and passes `publish.external(app)`, a write-only client of `TEMPO_MESSAGE_QUEUE`.
- **Re-planning at once.** `tempo.app` connects `replan` to the calendar's signals
  (`tempo.infra.signals`): a counsellor's change in a leading process moves the jobs at once.
- **The jobs** themselves are in `tempo.jobs`.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import threading
import zlib
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from apscheduler.jobstores.base import JobLookupError
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from flask import Flask
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from tempo.engine.progress import UNLOCK, DayAction
from tempo.extensions import db
from tempo.infra.transactions import core_write
from tempo.jobs import PERIODIC_JOBS, Periodic, run_day_job
from tempo.models import utcnow
from tempo.realtime import publish
from tempo.services.calendar import days as calendar
from tempo.services.calendar.days import Applied
from tempo.services.events import Broadcasts

log = logging.getLogger("tempo.scheduler")

JOBS_TABLE = "apscheduler_jobs"
STORE = "calendar"
LEADER_JOB = "tempo:leader"
SYNC_JOB = "tempo:sync"
DAY_JOB_PREFIX = "day:"
# What APScheduler pickles for today's day jobs. `run_day_job` also stays importable from this
# module: day jobs saved by older versions name "tempo.scheduler:run_day_job" (see `_plan`).
DAY_JOB_REF = f"{run_day_job.__module__}:{run_day_job.__qualname__}"

Emit = Callable[[Broadcasts], None]


# --- the leader lock --------------------------------------------------------------------------


class LeaderLock(Protocol):
    """A lock that at most one scheduler, in any process, holds at a time."""

    description: str

    def acquire(self) -> bool:
        """Take the lock without waiting; True when this process holds it."""

    def held(self) -> bool:
        """Whether the lock is still held (a lost database connection loses it)."""

    def release(self) -> None:
        """Give the lock up (idempotent)."""


def _key(value: str) -> int:
    # Advisory lock keys are int4 pairs; non-negative so they read the same in pg_locks (oid).
    return zlib.crc32(value.encode("utf-8")) & 0x7FFFFFFF


class PostgresLeaderLock:
    """`pg_try_advisory_lock` held on a dedicated connection, keyed by the database schema."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.conn: Connection | None = None
        self.keys = (_key("tempo.scheduler"), 0)
        self.description = "verrou consultatif PostgreSQL"

    def acquire(self) -> bool:
        """Try the advisory lock once."""
        if self.conn is not None:
            return self.held()
        conn = self.engine.connect()
        try:
            schema = conn.execute(text("SELECT current_schema()")).scalar_one()
            # Per schema, so separate Tempo instances (or test runs) on one database don't clash.
            self.keys = (_key("tempo.scheduler"), _key(str(schema)))
            got = conn.execute(
                text("SELECT pg_try_advisory_lock(CAST(:a AS integer), CAST(:b AS integer))"),
                {"a": self.keys[0], "b": self.keys[1]},
            ).scalar_one()
            conn.commit()  # the lock belongs to the session, not to this transaction
        except SQLAlchemyError:
            conn.invalidate()
            conn.close()
            raise
        if not got:
            conn.close()
            return False
        self.conn = conn
        return True

    def held(self) -> bool:
        """Check on the dedicated connection that the server still counts the lock as ours."""
        if self.conn is None:
            return False
        try:
            count = self.conn.execute(
                text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
                    " AND pid = pg_backend_pid() AND granted AND objsubid = 2"
                    " AND classid::int8 = :a AND objid::int8 = :b"
                ),
                {"a": self.keys[0], "b": self.keys[1]},
            ).scalar_one()
            self.conn.commit()
        except SQLAlchemyError:
            log.warning("Connexion du verrou d'ordonnanceur perdue.")
            self.release()
            return False
        return bool(count)

    def release(self) -> None:
        """Close the dedicated connection: the server drops the lock with its session."""
        conn, self.conn = self.conn, None
        if conn is None:
            return
        # Unlock explicitly first: the server notices a closed connection a moment later, and a
        # standby (or the next `tempo scheduler` after a SIGTERM) would find the lock still held.
        with contextlib.suppress(SQLAlchemyError):
            conn.execute(
                text("SELECT pg_advisory_unlock(CAST(:a AS integer), CAST(:b AS integer))"),
                {"a": self.keys[0], "b": self.keys[1]},
            )
            conn.commit()
        # Invalidating closes the DBAPI connection instead of pooling it with the lock held.
        conn.invalidate()
        conn.close()


class FileLeaderLock:
    """An exclusive `flock` on a file beside the SQLite database (one machine, like SQLite)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.fd: int | None = None
        self.description = f"verrou de fichier {path}"

    def acquire(self) -> bool:
        """Try the file lock once."""
        if self.fd is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())  # for people wondering who leads
        self.fd = fd
        return True

    def held(self) -> bool:
        """A flock lasts as long as its file descriptor."""
        return self.fd is not None

    def release(self) -> None:
        """Close the file: the kernel drops the lock."""
        fd, self.fd = self.fd, None
        if fd is not None:
            os.close(fd)


def leader_lock(engine: Engine, instance_dir: Path) -> LeaderLock:
    """The leader lock suited to the database: advisory lock or file lock."""
    if engine.dialect.name == "postgresql":
        return PostgresLeaderLock(engine)
    if engine.dialect.name == "sqlite":
        database = engine.url.database
        if database and database != ":memory:":
            return FileLeaderLock(Path(f"{database}.scheduler.lock"))
        return FileLeaderLock(instance_dir / "scheduler.lock")
    raise RuntimeError(f"no scheduler leader lock for {engine.dialect.name}")


# --- the persisted job store ------------------------------------------------------------------


class CalendarJobStore(SQLAlchemyJobStore):
    """APScheduler's SQLAlchemy store on the app's engine, writing like the rest of Tempo."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine=engine, tablename=JOBS_TABLE)

    def add_job(self, job: Any) -> None:
        """Insert a job (queued with the process's other SQLite writers)."""
        with core_write(self.engine):
            super().add_job(job)

    def update_job(self, job: Any) -> None:
        """Update a job."""
        with core_write(self.engine):
            super().update_job(job)

    def remove_job(self, job_id: str) -> None:
        """Delete a job."""
        with core_write(self.engine):
            super().remove_job(job_id)

    def remove_all_jobs(self) -> None:
        """Delete every job."""
        with core_write(self.engine):
            super().remove_all_jobs()

    def shutdown(self) -> None:
        """Keep the engine: it is the application's, and outlives the scheduler."""


# --- the scheduler ----------------------------------------------------------------------------

# The scheduler leading in this process: persisted jobs name a function, not an object, so the
# job function finds the leader here. The lock allows one leader per database; one per process
# is what Tempo runs (a server or `tempo scheduler`), and the registry refuses a second.
_leader: DayScheduler | None = None
_leader_guard = threading.Lock()


def replan(_cohort_id: int | None = None, **_changes: object) -> None:
    """Re-plan now if this process leads (receiver of the calendar signals, see `tempo.app`).

    A leader in another process sees the change at its next sync (`SCHEDULER_SYNC_SECONDS`).
    """
    leader = _leader
    if leader is not None:
        leader.tick()


def day_job_id(cohort_id: int, action: DayAction) -> str:
    """The stable id of the job that applies `action` to a cohort (one per day and kind)."""
    return f"{DAY_JOB_PREFIX}{cohort_id}:{action.day}:{action.kind}"


def fire_day_job(cohort_id: int, day: int, kind: str) -> None:
    """A day job's call (`tempo.jobs.run_day_job`): the leader applies what the cohort owes."""
    leader = _leader
    if leader is None:
        log.warning("Tâche du jour %s (%s) sans ordonnanceur meneur : ignorée.", day, kind)
        return
    leader.fire(cohort_id)


def scheduler_class(async_mode: str) -> type[BaseScheduler]:
    """GeventScheduler under gevent (`tempo serve`), else a background thread."""
    if async_mode == "gevent":
        from apscheduler.schedulers.gevent import GeventScheduler

        return GeventScheduler
    return BackgroundScheduler


class DayScheduler:
    """One process's part of the 10-day clock: leader election, catch-up and the day jobs."""

    def __init__(self, app: Flask, emit: Emit | None = None) -> None:
        self.app = app
        self.publish = emit or publish.publish  # the scheduler process passes the queue's
        self.retry_seconds = float(app.config["SCHEDULER_RETRY_SECONDS"])
        self.sync_seconds = float(app.config["SCHEDULER_SYNC_SECONDS"])
        with app.app_context():
            self.engine: Engine = db.engine
        self.lock = leader_lock(self.engine, Path(app.instance_path))
        self.aps: BaseScheduler | None = None
        self.leader = False
        self._standby_logged = False
        self._stopping = False
        # Serialises election, catch-up and jobs in this process, so events leave in order.
        self._mutex = threading.RLock()

    def now(self) -> datetime:
        """The app's clock (tests inject `CLOCK`)."""
        clock = self.app.config.get("CLOCK")
        return clock() if clock else utcnow()

    # -- life cycle

    def start(self, paused: bool = False) -> None:
        """Start APScheduler with the election and sync jobs (paused: jobs wait, for tests)."""
        cls = scheduler_class(self.app.config["ASYNC_MODE"])
        self.aps = cls(
            timezone=UTC,
            # A day job runs however late it is (the server was busy or down): its effect is
            # idempotent, and skipping it would leave a day locked.
            job_defaults={"misfire_grace_time": None, "coalesce": True, "max_instances": 1},
        )
        self.aps.add_job(
            self.elect,
            "interval",
            seconds=self.retry_seconds,
            id=LEADER_JOB,
            next_run_time=datetime.now(UTC),
        )
        self.aps.add_job(self._sync_job, "interval", seconds=self.sync_seconds, id=SYNC_JOB)
        for job_id, (work, interval_key) in PERIODIC_JOBS.items():
            self.aps.add_job(
                self.run_periodic,
                "interval",
                seconds=float(self.app.config[interval_key]),
                id=job_id,
                args=(work,),
            )
        self.aps.start(paused=paused)

    def stop(self) -> None:
        """Give the leadership up and stop APScheduler."""
        with self._mutex:
            self._stopping = True
            # Detach the persisted store first: after shutdown, APScheduler's loop makes one
            # last pass over due jobs, which must neither touch nor drop the calendar's jobs.
            self._step_down()
        if self.aps is not None and self.aps.running:
            self.aps.remove_all_jobs()
            self.aps.shutdown(wait=True)

    # -- leadership

    def elect(self) -> bool:
        """Take the leader lock if free (or check it is still ours); True when leading."""
        with self._mutex:
            if self._stopping:
                return False
            if self.leader:
                if self.lock.held():
                    return True
                log.warning("Ordonnanceur : verrou perdu, passage en attente.")
                self._step_down()
                return False
            try:
                got = self.lock.acquire()
            except SQLAlchemyError as exc:
                log.warning("Ordonnanceur : base de données injoignable (%s), nouvel essai.", exc)
                return False
            if not got:
                if not self._standby_logged:
                    log.info(
                        "Ordonnanceur : en attente (un autre processus mène ; %s).",
                        self.lock.description,
                    )
                    self._standby_logged = True
                return False
            self._lead()
            return True

    def _lead(self) -> None:
        global _leader
        with _leader_guard:
            if _leader is not None and _leader is not self:
                self.lock.release()
                raise RuntimeError("another DayScheduler already leads in this process")
            _leader = self
        self.leader = True
        self._standby_logged = False
        if self.aps is not None:
            self.aps.add_jobstore(CalendarJobStore(self.engine), STORE)
        log.info("Ordonnanceur : meneur (%s).", self.lock.description)
        self.tick()

    def _step_down(self) -> None:
        global _leader
        self.leader = False
        with _leader_guard:
            if _leader is self:
                _leader = None
        if self.aps is not None:
            with contextlib.suppress(KeyError):
                self.aps.remove_jobstore(STORE)
        self.lock.release()

    # -- work

    def run_periodic(self, work: Periodic, now: datetime | None = None) -> bool:
        """Run one periodic job's function if this process leads; True if it ran."""
        if not self.leader or self._stopping:
            return False
        # Not under the mutex: a slow mail server must not hold the calendar's jobs back.
        try:
            out = work(self.app, now or self.now())
        except Exception:
            log.exception("Ordonnanceur : la tâche %s a échoué.", work.__name__)
            return True
        if isinstance(out, dict):
            self._send(out)
        return True

    def _sync_job(self) -> None:
        if self.leader:
            self.tick()

    def tick(self, now: datetime | None = None) -> list[Applied]:
        """Catch up and re-plan: apply everything due by `now`, then schedule what is to come."""
        with self._mutex:
            if not self.leader:
                return []
            at = now or self.now()
            applied: list[Applied] = []
            with self.app.app_context():
                try:
                    for cohort_id in calendar.clock_running_cohorts(db.session()):
                        try:
                            done, out = calendar.apply_due(db.session(), cohort_id, at)
                        except Exception:
                            # One broken cohort must not hold the others' days back.
                            log.exception("Cohorte %s : rattrapage impossible.", cohort_id)
                            continue
                        self._send(out)
                        applied.extend(done)
                    wanted = calendar.upcoming(db.session(), at)
                finally:
                    db.session.remove()
            for item in applied:
                _log_applied(item, at)
            self._plan(wanted)
            return applied

    def fire(self, cohort_id: int, now: datetime | None = None) -> list[Applied]:
        """A day job's work: apply what this cohort's calendar owes by `now`."""
        with self._mutex:
            if not self.leader:
                return []
            at = now or self.now()
            with self.app.app_context():
                try:
                    applied, out = calendar.apply_due(db.session(), cohort_id, at)
                finally:
                    db.session.remove()
                self._send(out)
            for item in applied:
                _log_applied(item, at)
            return applied

    def jobs(self) -> list[Any]:
        """The persisted day jobs, earliest first (empty when not leading)."""
        if self.aps is None or not self.leader:
            return []
        jobs = [j for j in self.aps.get_jobs(jobstore=STORE) if j.id.startswith(DAY_JOB_PREFIX)]
        return sorted(jobs, key=lambda j: (j.next_run_time, j.id))

    def _send(self, broadcasts: Broadcasts) -> None:
        if not broadcasts:
            return
        try:
            self.publish(broadcasts)
        except Exception:
            # The change is committed; phones still get it on their next sync.
            log.exception("Ordonnanceur : diffusion impossible.")

    def _plan(self, wanted: list[tuple[int, DayAction]]) -> None:
        """Make the persisted day jobs exactly the calendar's upcoming actions."""
        if self.aps is None:
            return
        targets = {day_job_id(cohort_id, a): (cohort_id, a) for cohort_id, a in wanted}
        current = {j.id: j for j in self.aps.get_jobs(jobstore=STORE)}
        for job_id in current.keys() - targets.keys():
            if job_id.startswith(DAY_JOB_PREFIX):
                with contextlib.suppress(JobLookupError):
                    self.aps.remove_job(job_id, jobstore=STORE)
        for job_id, (cohort_id, action) in targets.items():
            job = current.get(job_id)
            # Kept only if it calls today's function: a job saved by an older version names
            # "tempo.scheduler:run_day_job" (still importable, so it loads) and is rewritten
            # here on the leader's first tick. One whose function no longer imports is dropped
            # by APScheduler when loaded (logged, not raised) and re-added here.
            if job is not None and job.next_run_time == action.at and job.func_ref == DAY_JOB_REF:
                continue
            verb = "ouverture" if action.kind == UNLOCK else "clôture"
            self.aps.add_job(
                run_day_job,
                "date",
                run_date=action.at,
                args=(cohort_id, action.day, action.kind),
                id=job_id,
                name=f"cohorte {cohort_id} : {verb} du jour {action.day}",
                jobstore=STORE,
                replace_existing=True,
            )


def _log_applied(item: Applied, now: datetime) -> None:
    verb = "ouvert" if item.action.kind == UNLOCK else "clos"
    late = (now - item.action.at).total_seconds()
    log.info(
        "Cohorte %s : jour %s %s (prévu %s, %s s plus tard).",
        item.cohort_id,
        item.action.day,
        verb,
        item.action.at.isoformat(),
        round(late),
    )
