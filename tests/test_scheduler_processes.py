"""The 10-day clock across real processes.

- Two `tempo scheduler` processes on one database (SQLite file, real PostgreSQL): one leads, the
  other waits; killing the leader hands over; every day's effect happens once.
- `tempo serve` (gevent) runs the clock in-process: a day missed while it was down opens once at
  start, not again after a restart; with a Redis message queue, `tempo day unlock` from another
  process reaches a phone connected to the server.
"""

from __future__ import annotations

import os
import queue
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import socketio
from sqlalchemy import Engine, create_engine, func, select, update
from sqlalchemy.orm import Session

from tempo.models import CohortDay, Team, TeamEvent, utcnow
from tests import factories
from tests.conftest import CONTENT_DIR
from tests.databases import database_url, instance_url
from tests.scheduler_kit import database_url as engine_url
from tests.services_fallback import redis_url

# Scheduler and server processes that fail over and restart: out of the fast tier.
pytestmark = pytest.mark.slow

REDIS_URL = redis_url()
WAIT = 60  # seconds before a process that never says what it should is a failure


class Process:
    """A `tempo` subprocess whose output lines are collected as they come."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-u", "-m", "tempo.launcher", *args],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        self.seen = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            with self.seen:
                self.lines.append(line.rstrip())
                self.seen.notify_all()

    def said(self, text: str) -> bool:
        """Whether a line so far contains `text`."""
        with self.seen:
            return any(text in line for line in self.lines)

    def wait_for(self, text: str, timeout: float = WAIT) -> bool:
        """Wait until a line contains `text` (False if the process ends or time runs out)."""
        deadline = time.monotonic() + timeout
        with self.seen:
            while not any(text in line for line in self.lines):
                left = deadline - time.monotonic()
                if left <= 0 or self.proc.poll() is not None:
                    return any(text in line for line in self.lines)
                self.seen.wait(min(left, 0.5))
        return True

    def stop(self) -> int:
        """SIGTERM, then wait; the exit code."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        return self.proc.wait()

    def output(self) -> str:
        """Everything printed so far."""
        with self.seen:
            return "\n".join(self.lines)


def base_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of a Tempo process isolated in `tmp_path`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEMPO_")}
    env.update(
        PYTHONPATH=str(Path(__file__).resolve().parent.parent),
        TEMPO_INSTANCE_DIR=str(tmp_path / "instance"),
        TEMPO_CONTENT_DIR=str(CONTENT_DIR),
        TEMPO_SCHEDULER_RETRY_SECONDS="0.5",
        **extra,
    )
    if "TEMPO_DATABASE_URL" not in env:
        url = database_url(tmp_path / "instance")  # its schema on a PostgreSQL run
        if url is not None:
            env["TEMPO_DATABASE_URL"] = url
    return env


def day_events(engine: Engine) -> dict[int, list[tuple[str, int]]]:
    """(type, day) of every team's day events, by team."""
    with Session(engine) as session:
        rows = session.scalars(
            select(TeamEvent).where(TeamEvent.type.like("day.%")).order_by(TeamEvent.version)
        ).all()
        out: dict[int, list[tuple[str, int]]] = {}
        for row in rows:
            out.setdefault(row.team_id, []).append((row.type, row.payload["day"]))
        return out


@pytest.fixture
def processes() -> Iterator[list[Process]]:
    """Processes a test starts, all stopped at the end."""
    started: list[Process] = []
    yield started
    for p in started:
        p.stop()


def test_two_scheduler_processes_one_leader_and_failover(
    engine: Engine, tmp_path: Path, processes: list[Process]
) -> None:
    """Two `tempo scheduler`: one leads and catches up once; kill it, the other takes over."""
    with Session(engine) as session:
        cohort = factories.cohort(session)  # March 2026: all 20 actions are long due
        session.commit()
        teams = [t.id for t in cohort.teams]
    url = engine_url(engine)
    pair = [
        Process(["scheduler"], base_env(tmp_path / name, TEMPO_DATABASE_URL=url))
        for name in ("a", "b")
    ]
    processes.extend(pair)
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if any(p.said("meneur") for p in pair) and any(p.said("en attente") for p in pair):
            break
        time.sleep(0.1)
    leaders = [p for p in pair if p.said("meneur")]
    standbys = [p for p in pair if p.said("en attente")]
    assert len(leaders) == 1 and len(standbys) == 1, [p.output() for p in pair]
    leader, standby = leaders[0], standbys[0]
    assert leader.wait_for("jour 10 clos"), leader.output()
    assert "TEMPO_MESSAGE_QUEUE" in leader.output()  # warned: no queue, no live push

    expected = [(kind, n) for n in range(1, 11) for kind in ("day.unlocked", "day.closed")]
    assert day_events(engine) == {team: expected for team in teams}

    leader.proc.kill()  # a crash: the lock goes with the process (file closed / session ended)
    leader.proc.wait()
    assert standby.wait_for("meneur"), standby.output()
    assert "jour 1 ouvert" not in standby.output()
    assert day_events(engine) == {team: expected for team in teams}
    assert standby.stop() == 0
    assert "Ordonnanceur arrêté." in standby.output()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(env: dict[str, str], port: int) -> Process:
    server = Process(["serve"], env)
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return server
        except OSError:
            if server.proc.poll() is not None:
                break
            time.sleep(0.2)
    server.stop()
    pytest.fail(f"tempo serve did not start: {server.output()}")


def test_serve_runs_the_clock_and_the_cli_reaches_phones_through_redis(
    tmp_path: Path, processes: list[Process]
) -> None:
    """Catch-up at start, once across a restart; `tempo day unlock` reaches a phone via Redis."""
    port = _free_port()
    env = base_env(
        tmp_path,
        TEMPO_PORT=str(port),
        TEMPO_MESSAGE_QUEUE=REDIS_URL,
        # A channel of its own: other test runs may share this Redis.
        TEMPO_MESSAGE_QUEUE_CHANNEL=f"tempo-test-{uuid.uuid4().hex}",
    )
    demo = subprocess.run(
        [sys.executable, "-m", "tempo.launcher", "demo"], env=env, capture_output=True, text=True
    )
    assert demo.returncode == 0, demo.stderr
    engine = create_engine(instance_url(tmp_path / "instance"))
    # While no server ran, day 2's hour passed (moved into the past here) and a player joined.
    with Session(engine) as session:
        session.execute(
            update(CohortDay)
            .where(CohortDay.number == 2)
            .values(unlock_at=utcnow() - timedelta(minutes=5))
        )
        session.commit()
        from tempo.services.play.players import join_team

        team_id = session.scalars(select(Team.id).order_by(Team.id)).first()
        assert team_id is not None
        code = join_team(session, team_id, "Alice", utcnow()).player.rejoin_code
    teams = 2

    server = _serve(env, port)
    processes.append(server)
    assert server.wait_for("jour 2 ouvert"), server.output()
    assert "meneur" in server.output()
    unlocked = [e for e in day_events(engine)[team_id] if e[0] == "day.unlocked"]
    assert unlocked == [("day.unlocked", 2)]  # day 1 was opened by `tempo demo`

    received: queue.Queue[dict[str, Any]] = queue.Queue()
    phone = socketio.Client()
    phone.on("team.event", received.put, namespace="/play")
    phone.connect(
        f"http://127.0.0.1:{port}",
        namespaces=["/play"],
        auth={"rejoin": code},
        transports=["websocket"],
    )
    try:
        cli = subprocess.run(
            [sys.executable, "-m", "tempo.launcher", "day", "unlock", "demo", "3"],
            env=env,
            capture_output=True,
            text=True,
        )
        assert cli.returncode == 0, cli.stderr
        assert "Téléphones prévenus en direct" in cli.stdout
        event = received.get(timeout=WAIT)
        assert (event["type"], event["day"]) == ("day.unlocked", 3)
    finally:
        phone.disconnect()

    # A restart catches nothing up twice.
    assert server.stop() in (0, -15)
    server = _serve(env, port)
    processes.append(server)
    assert server.wait_for("meneur"), server.output()
    assert server.stop() in (0, -15)
    with Session(engine) as session:
        count = session.scalar(
            select(func.count()).select_from(TeamEvent).where(TeamEvent.type == "day.unlocked")
        )
    assert count == 2 * teams  # day 2 (catch-up) and day 3 (counsellor), once per team
    engine.dispose()
