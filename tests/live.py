"""A real `tempo serve` process for tests that need the production server mode."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from tests.databases import database_url

# Seconds for `tempo serve` to answer: a few when idle, much more on a 2-core machine running
# the suite on both cores beside Chromium (as tests/scaleout/cluster.py allows its processes).
START_WAIT = 90.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LiveServer:
    """A running `tempo serve` with the demo cohort."""

    url: str
    env: dict[str, str]
    team_codes: list[str]
    process: subprocess.Popen[str]

    def tempo(self, *args: str) -> str:
        """Run a `tempo` command against the same instance folder; return its output."""
        done = subprocess.run(
            [sys.executable, "-m", "tempo.launcher", *args],
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout


def start_server(instance: Path, settings: Mapping[str, str] | None = None) -> LiveServer:
    """Create the demo cohort with `tempo demo`, then start `tempo serve` (gevent).

    The database is the instance's: its SQLite file, or its schema on a PostgreSQL run.
    `settings`: extra TEMPO_* variables for this server (thresholds a test shortens).
    """
    port = _free_port()
    env = {**os.environ, "TEMPO_INSTANCE_DIR": str(instance), "TEMPO_PORT": str(port)}
    env.update(settings or {})
    url = database_url(instance)  # the instance's PostgreSQL schema on a PostgreSQL run
    if url is None:
        env.pop("TEMPO_DATABASE_URL", None)
    else:
        env["TEMPO_DATABASE_URL"] = url
    demo = subprocess.run(
        [sys.executable, "-m", "tempo.launcher", "demo"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    codes = re.findall(r"code ([A-Z0-9]{6})", demo.stdout)
    proc = subprocess.Popen(
        [sys.executable, "-m", "tempo.launcher", "serve"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_WAIT
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url + "/healthz", timeout=1)
            return LiveServer(url, env, codes, proc)
        except OSError:
            if proc.poll() is not None:
                output = proc.stdout.read() if proc.stdout else ""
                raise RuntimeError(f"tempo serve exited: {output}") from None
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"tempo serve did not answer within {START_WAIT:.0f} s")


def stop_server(server: LiveServer) -> None:
    """Stop the server process."""
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
