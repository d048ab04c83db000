"""`tempo serve` answers HTTP without Nagle's algorithm (tempo.infra.http_server).

pywsgi writes a response's headers and body separately; with Nagle's algorithm on, the body
waited for the client's delayed acknowledgement, 40 ms on Linux, on every kept-alive request.
"""

from __future__ import annotations

import re
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from gevent import pywsgi

from tempo.cli import server as serve_command
from tempo.config import PROJECT_ROOT, child_environment
from tempo.infra.http_server import NoDelayHandler
from tests.conftest import make_config


def test_each_connection_is_served_without_nagle(monkeypatch: pytest.MonkeyPatch) -> None:
    served: list[socket.socket] = []
    monkeypatch.setattr(pywsgi.WSGIHandler, "handle", lambda self: served.append(self.socket))
    listener = socket.create_server(("127.0.0.1", 0))
    phone = socket.create_connection(listener.getsockname())
    conn, address = listener.accept()
    with listener, phone, conn:
        assert conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 0
        NoDelayHandler(conn, address, server=None).handle()
        assert served == [conn]  # then served as pywsgi serves it
        assert conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1


@pytest.mark.parametrize(("mode", "handler"), [("gevent", NoDelayHandler), ("threading", None)])
def test_tempo_serve_runs_gevent_with_that_handler(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: str, handler: Any
) -> None:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(serve_command.socketio, "run", lambda app, **kw: calls.append(kw))
    cfg = make_config(tmp_path, ASYNC_MODE=mode)
    serve_command._run_server(object(), cfg)  # type: ignore[arg-type]
    assert len(calls) == 1
    assert calls[0].get("handler_class") is handler
    assert (calls[0]["host"], calls[0]["port"]) == (cfg.HOST, cfg.PORT)


@pytest.mark.sqlite  # the bench's world is a SQLite instance of its own, whatever the run
@pytest.mark.slow
def test_the_http_benchmark_times_every_path() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tools.bench.http", "--repeats", "2"],
        env=child_environment({}),
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    for path in ("/healthz", "/jouer", "/static/js/play.js", "/q/<jeton> (scan)"):
        assert re.search(rf"{re.escape(path)} +median +\d+\.\d ms, max +\d+\.\d ms", done.stdout)
