"""A scale-out Tempo on loopback: `tempo serve --worker` processes and one `tempo scheduler`.

They share a fresh PostgreSQL schema and a Redis message queue on a channel of their own; the
phones are python-socketio clients over WebSocket, each connected to a chosen worker (what nginx's
sticky upstream does), and moved by hand to another worker when theirs dies.
"""

from __future__ import annotations

import contextlib
import queue
import secrets
import signal
import time
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import socketio
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from tempo.models import CohortDay, Team, utcnow
from tempo.services.content.demo import ensure_demo
from tempo.services.play.players import join_team
from tests.realtime.helpers import content
from tests.test_scheduler_processes import Process, _free_port, base_env

SECRET_KEY = secrets.token_urlsafe(48)

NS = "/play"
WAIT = 30.0  # seconds before something that should happen is a failure
START_WAIT = 90.0  # seconds for the processes to start (slow when the machine is busy)
PRESENCE_TTL = 2.0  # a killed worker's phones leave the online lists within about this


@dataclass
class Worker:
    """A `tempo serve --worker` process."""

    name: str
    port: int
    process: Process

    @property
    def url(self) -> str:
        """Where phones reach it."""
        return f"http://127.0.0.1:{self.port}"

    def kill(self) -> None:
        """SIGKILL: a crash, nothing cleaned up."""
        self.process.proc.send_signal(signal.SIGKILL)
        self.process.proc.wait(timeout=WAIT)

    def terminate(self) -> int:
        """SIGTERM and the exit status (the way systemd stops it)."""
        self.process.proc.send_signal(signal.SIGTERM)
        return self.process.proc.wait(timeout=WAIT)


class Phone:
    """A player's phone: a Socket.IO client on one worker that keeps what it receives."""

    def __init__(self, name: str, code: str) -> None:
        self.name = name
        self.code = code
        self.client: socketio.Client | None = None
        self.events: queue.Queue[dict[str, Any]] = queue.Queue()
        self.presence: queue.Queue[dict[str, Any]] = queue.Queue()
        self.seen: list[dict[str, Any]] = []
        self.version = 0

    def connect(self, worker: Worker) -> Phone:
        """Open /play on `worker` with the personal rejoin code."""
        # No automatic reconnection: a phone whose worker died is moved by the test, as nginx
        # moves it to a live upstream.
        client = socketio.Client(reconnection=False)
        client.on("team.event", self._event, namespace=NS)
        client.on("presence", self.presence.put, namespace=NS)
        client.connect(
            worker.url,
            namespaces=[NS],
            auth={"rejoin": self.code},
            transports=["websocket"],
            wait_timeout=WAIT,
        )
        self.client = client
        return self

    def _event(self, event: dict[str, Any]) -> None:
        self.version = max(self.version, int(event["version"]))
        self.seen.append(event)
        self.events.put(event)

    def call(self, event: str, payload: dict[str, Any]) -> Any:
        """Emit and wait for the acknowledgement."""
        assert self.client is not None
        return self.client.call(event, payload, namespace=NS, timeout=WAIT)

    def act(self, mission: str, kind: str, **data: Any) -> Any:
        """A mission action with a fresh client id."""
        payload = {"id": uuid.uuid4().hex, "mission": mission, "kind": kind, "data": data}
        return self.call("action", payload)

    def event_with(self, version: int) -> dict[str, Any]:
        """Wait for the team event of `version`."""
        return wait_for(self.events, lambda e: e["version"] == version, f"{self.name} v{version}")

    def event_of_type(self, kind: str) -> dict[str, Any]:
        """Wait for the next team event of type `kind`."""
        return wait_for(self.events, lambda e: e["type"] == kind, f"{self.name}: {kind}")

    def presence_where(self, online: Callable[[list[int]], bool], what: str) -> list[int]:
        """Wait for a presence message whose online list passes `online`."""
        found = wait_for(self.presence, lambda p: online(p["online"]), f"{self.name}: {what}")
        return list(found["online"])

    def disconnect(self) -> None:
        """Close the socket if it is open."""
        if self.client is not None and self.client.connected:
            self.client.disconnect()


def wait_for(source: queue.Queue[dict[str, Any]], ok: Callable[[Any], bool], what: str) -> Any:
    """The first item from `source` passing `ok` (earlier ones are dropped); fail after WAIT."""
    deadline = time.monotonic() + WAIT
    seen: list[Any] = []
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            pytest.fail(f"never received {what}; got {seen}")
        try:
            item = source.get(timeout=left)
        except queue.Empty:
            continue
        if ok(item):
            return item
        seen.append(item)


def drain(source: queue.Queue[dict[str, Any]]) -> list[dict[str, Any]]:
    """Everything waiting in `source` now."""
    items = []
    while True:
        try:
            items.append(source.get_nowait())
        except queue.Empty:
            return items


@dataclass
class Cluster:
    """Workers, a scheduler and the demo cohort on one PostgreSQL schema and Redis channel."""

    engine: Engine
    database_url: str
    redis_url: str
    channel: str
    tmp: Path
    workers: dict[str, Worker] = field(default_factory=dict)
    others: list[Process] = field(default_factory=list)
    phones: list[Phone] = field(default_factory=list)
    team_ids: list[int] = field(default_factory=list)
    cohort_id: int = 0

    def env(self, name: str, **extra: str) -> dict[str, str]:
        """The environment every process of the installation shares (its own instance folder)."""
        return base_env(
            self.tmp / name,
            TEMPO_DATABASE_URL=self.database_url,
            TEMPO_MESSAGE_QUEUE=self.redis_url,
            TEMPO_MESSAGE_QUEUE_CHANNEL=self.channel,
            # One key for every worker: a session cookie set by one is read by the others (a
            # placeholder or short key would be refused at start).
            TEMPO_SECRET_KEY=SECRET_KEY,
            TEMPO_PRESENCE_TTL_SECONDS=str(PRESENCE_TTL),
            TEMPO_SCHEDULER_SYNC_SECONDS="1",
            # Left at its default on purpose: --worker must not run the clock even so.
            TEMPO_SCHEDULER="inprocess",
            **extra,
        )

    def start(self, *names: str, scheduler: bool = True) -> None:
        """Start workers (and the scheduler) at once, and wait until all of them answer."""
        for name in names:
            port = _free_port()
            process = Process(["serve", "--worker", "--port", str(port)], self.env(name))
            self.workers[name] = Worker(name, port, process)
        sched = None
        if scheduler:
            sched = Process(["scheduler"], self.env("scheduler"))
            self.others.append(sched)
        for name in names:
            self._wait_ready(self.workers[name])
        if sched is not None:
            assert sched.wait_for("meneur", START_WAIT), sched.output()

    def _wait_ready(self, worker: Worker) -> None:
        deadline = time.monotonic() + START_WAIT
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(worker.url + "/healthz", timeout=1)
                return
            except OSError:
                if worker.process.proc.poll() is not None:
                    break
                time.sleep(0.1)
        pytest.fail(f"worker {worker.name} did not start: {worker.process.output()}")

    def stop(self) -> None:
        """Stop every process still running (SIGTERM), then hang up what phones remain."""
        # Servers first: a stopping worker closes its sockets at once, whereas a client hanging
        # up first waits for the server's side of the WebSocket close.
        processes = [w.process for w in self.workers.values()] + self.others
        for process in processes:  # all at once: each takes a second or so to stop
            if process.proc.poll() is None:
                process.proc.terminate()
        for process in processes:
            process.stop()
        for phone in self.phones:
            with contextlib.suppress(Exception):
                phone.disconnect()

    # -- the game's data

    def create_demo(self) -> None:
        """The demo cohort: day 1 opened an hour ago and closes in an hour (unless a test says)."""
        now = utcnow()
        with Session(self.engine) as session:
            result = ensure_demo(session, content(), now)  # the content, loaded once
            session.commit()
            self.cohort_id = result.cohort.id
            self.team_ids = [t.id for t in result.cohort.teams]
        # Hours that do not depend on when the tests run (a day never closes before it opens).
        self.set_day(1, unlock_at=now - timedelta(hours=1), recap_at=now + timedelta(hours=1))

    def set_day(self, number: int, **instants: datetime) -> None:
        """Move a day's unlock (`unlock_at`) or recap, i.e. closing, (`recap_at`) instant."""
        with Session(self.engine) as session:
            session.execute(
                update(CohortDay)
                .where(CohortDay.cohort_id == self.cohort_id, CohortDay.number == number)
                .values(**instants)
            )
            session.commit()

    def join(self, team: int, pseudonym: str) -> tuple[int, str]:
        """A new player in team number `team`: (player id, rejoin code)."""
        with Session(self.engine) as session:
            player = join_team(session, self.team_ids[team], pseudonym, utcnow()).player
            return player.id, player.rejoin_code

    def phone(self, team: int, pseudonym: str) -> tuple[int, Phone]:
        """A player and their (not yet connected) phone."""
        player_id, code = self.join(team, pseudonym)
        phone = Phone(pseudonym, code)
        self.phones.append(phone)
        return player_id, phone

    def team_version(self, team: int) -> int:
        """A team's version in the database."""
        with Session(self.engine) as session:
            version = session.scalar(select(Team.version).where(Team.id == self.team_ids[team]))
            assert version is not None
            return version
