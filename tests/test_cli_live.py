"""A `tempo` command's day changes reach the phones already connected to `tempo serve`, live.

Embedded default (SQLite, no message queue): the server's watcher (tempo.realtime.watch) finds
the events the command recorded. With TEMPO_MESSAGE_QUEUE: the command publishes through Redis.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.live import LiveServer, start_server, stop_server
from tests.test_day_one_live import Phone

pytestmark = pytest.mark.slow

WAIT = 8.0  # seconds: the watcher looks every second, the machine may be busy


def _received(phone: Phone, kind: str) -> dict[str, Any]:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        with phone.lock:
            found = [e for e in phone.events if e.get("type") == kind]
        if found:
            return found[0]
        time.sleep(0.1)
    raise AssertionError(f"no {kind} within {WAIT} s; got {[e['type'] for e in phone.events]}")


def _day_and_recap_reach(server: LiveServer) -> None:
    phone = Phone(server, server.team_codes[0], "Lina")
    try:
        version = phone.call("state", {})["version"]
        out = server.tempo("day", "unlock", "demo", "2")
        assert "Jour 2 ouvert" in out
        unlocked = _received(phone, "day.unlocked")
        assert unlocked["day"] == 2 and unlocked["version"] > version
        assert unlocked["missions"], unlocked  # the day's cards come with the event
        server.tempo("recap", "demo", "--day", "1")
        ready = _received(phone, "recap.ready")
        assert ready["day"] == 1
        # Each once, in version order: nothing was sent twice.
        with phone.lock:
            versions = [e["version"] for e in phone.events]
        assert versions == sorted(set(versions))
    finally:
        phone.sio.disconnect()


@pytest.fixture
def embedded(tmp_path: Path) -> Iterator[LiveServer]:
    """`tempo serve` on the embedded default: SQLite, no message queue."""
    live = start_server(tmp_path / "instance", {"TEMPO_MESSAGE_QUEUE": ""})
    yield live
    stop_server(live)


def test_commands_reach_open_phones_without_a_message_queue(embedded: LiveServer) -> None:
    _day_and_recap_reach(embedded)


def test_commands_reach_open_phones_through_the_message_queue(tmp_path: Path) -> None:
    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379/0"
    try:
        redis.Redis.from_url(url).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    settings = {
        "TEMPO_MESSAGE_QUEUE": url,
        "TEMPO_MESSAGE_QUEUE_CHANNEL": f"tempo-test-{uuid.uuid4().hex[:8]}",
        "TEMPO_EVENT_WATCH_SECONDS": "0",  # only the queue can carry the events here
    }
    live = start_server(tmp_path / "instance", settings)
    try:
        _day_and_recap_reach(live)
    finally:
        stop_server(live)
