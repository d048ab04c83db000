"""The app factory binds the process-wide Socket.IO extension to exactly each new app's settings."""

from __future__ import annotations

import uuid
from pathlib import Path

import socketio as python_socketio

from tempo import create_app
from tempo.extensions import socketio
from tempo.realtime.presence import EXTENSION, MemoryPresence, RedisPresence
from tests.conftest import make_config
from tests.services_fallback import redis_url

REDIS_URL = redis_url()


def test_a_later_app_does_not_inherit_an_earlier_apps_message_queue(tmp_path: Path) -> None:
    """Queue, channel and presence follow each app built in the process, in any order."""
    first_channel = f"tempo-test-{uuid.uuid4().hex}"
    queued = create_app(
        make_config(tmp_path / "a", MESSAGE_QUEUE=REDIS_URL, MESSAGE_QUEUE_CHANNEL=first_channel)
    )
    manager = socketio.server.manager
    assert isinstance(manager, python_socketio.RedisManager)
    assert manager.channel == first_channel
    assert isinstance(queued.extensions[EXTENSION], RedisPresence)

    plain = create_app(make_config(tmp_path / "b"))
    # Before the fix the Redis manager of the first app stayed: this app published on its channel.
    assert not isinstance(socketio.server.manager, python_socketio.PubSubManager)
    assert isinstance(plain.extensions[EXTENSION], MemoryPresence)
    assert plain.extensions["socketio"] is socketio

    second_channel = f"tempo-test-{uuid.uuid4().hex}"
    create_app(
        make_config(tmp_path / "c", MESSAGE_QUEUE=REDIS_URL, MESSAGE_QUEUE_CHANNEL=second_channel)
    )
    assert socketio.server.manager.channel == second_channel
    # Handlers declared before the first init_app are bound to every app's server.
    assert "/play" in socketio.server.handlers and "/console" in socketio.server.handlers

    create_app(make_config(tmp_path / "d"))
    assert not isinstance(socketio.server.manager, python_socketio.PubSubManager)
    queued.extensions[EXTENSION].redis.close()


def test_each_app_has_its_own_presence(tmp_path: Path) -> None:
    """Two apps in one process (two simulated servers) do not see each other's sockets."""
    one = create_app(make_config(tmp_path / "a"))
    two = create_app(make_config(tmp_path / "b"))
    one.extensions[EXTENSION].add(1, "sid-1", 10)
    assert one.extensions[EXTENSION].online(1) == [10]
    assert two.extensions[EXTENSION].online(1) == []
