"""`tempo serve` in its production mode (gevent) answers HTTP and Socket.IO on 127.0.0.1."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.live import LiveServer, start_server, stop_server


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    """A real `tempo serve` process on a free port, stopped after the test."""
    live = start_server(tmp_path / "instance")
    yield live
    stop_server(live)


def test_home_page_answers(server: LiveServer) -> None:
    """The home page is served by the production server."""
    with urllib.request.urlopen(server.url + "/", timeout=5) as response:
        assert response.status == 200
        assert "Bienvenue dans Tempo" in response.read().decode("utf-8")


def test_socketio_endpoint_is_mounted(server: LiveServer) -> None:
    """The Engine.IO handshake answers, so phones can open their real-time channel."""
    with urllib.request.urlopen(server.url + "/socket.io/?EIO=4&transport=polling", timeout=5) as r:
        body = r.read().decode("utf-8")
    assert body.startswith("0{") and '"sid"' in body
