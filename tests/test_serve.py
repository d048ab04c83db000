"""`tempo serve` in its production mode (gevent) answers HTTP and Socket.IO on 127.0.0.1."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A real `tempo serve` process on a free port, stopped after the test."""
    port = _free_port()
    env = {**os.environ, "TEMPO_INSTANCE_DIR": str(tmp_path / "instance"), "TEMPO_PORT": str(port)}
    env.pop("TEMPO_DATABASE_URL", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "tempo.launcher", "serve"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1)
            break
        except OSError:
            if proc.poll() is not None:
                pytest.fail(f"tempo serve exited: {proc.stdout.read() if proc.stdout else ''}")
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("tempo serve did not answer within 30 s")
    yield base
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def test_home_page_answers(server: str) -> None:
    """The home page is served by the production server."""
    with urllib.request.urlopen(server + "/", timeout=5) as response:
        assert response.status == 200
        assert "Bienvenue dans Tempo" in response.read().decode("utf-8")


def test_socketio_endpoint_is_mounted(server: str) -> None:
    """The Engine.IO handshake answers, so phones can open their real-time channel."""
    with urllib.request.urlopen(server + "/socket.io/?EIO=4&transport=polling", timeout=5) as r:
        body = r.read().decode("utf-8")
    assert body.startswith("0{") and '"sid"' in body
