"""The two servers under test, as subprocesses: `tempo serve` and the bare transport.

CPU time and peak memory are read from /proc (Linux), so the bench needs no extra library.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from tempo.config import Config, child_environment

CHECKOUT = Path(__file__).resolve().parents[2]

# Wrong answers are far more frequent in the bench (every player acts every few seconds) than
# in play; the limit is raised so that the load stays identical to the bare run's. The check
# itself (two indexed queries per guess) still runs.
BENCH_WRONG_LIMIT = 1_000_000
BENCH_RATE = "1000000 per minute"


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _clock_ticks() -> int:
    return int(os.sysconf("SC_CLK_TCK"))


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used (from /proc/PID/stat)."""
    raw = Path(f"/proc/{pid}/stat").read_text()
    # The command name may contain spaces: fields start after its closing parenthesis.
    fields = raw[raw.rindex(")") + 2 :].split()
    utime, stime = int(fields[11]), int(fields[12])
    return (utime + stime) / _clock_ticks()


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident memory (VmHWM), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


@dataclass
class Server:
    """A server subprocess listening on 127.0.0.1:port."""

    name: str
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        """The server's process id (the Python process itself, no shell in between)."""
        return self.process.pid

    def cpu(self) -> float:
        """CPU seconds used so far."""
        return cpu_seconds(self.pid)

    def peak_rss(self) -> float:
        """Peak resident memory so far, MiB."""
        return peak_rss_mb(self.pid)

    def stop(self) -> None:
        """Terminate the process (and kill it if it does not stop)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def _wait_ready(server: Server, timeout: float = 60.0) -> Server:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(
                f"{server.name} s'est arrêté au démarrage :\n{server.log.read_text()[-3000:]}"
            )
        try:
            with urllib.request.urlopen(server.url + "/healthz", timeout=2):
                return server
        except OSError:
            time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"{server.name} ne répond pas après {timeout:.0f} s.")


def _child_env(cfg: Config, instance_dir: Path, port: int) -> dict[str, str]:
    # Only what the bench decides is passed on: the embedded default (SQLite in a temporary
    # instance folder), the production server mode, and the raised wrong-answer limits.
    settings = {
        "INSTANCE_DIR": str(instance_dir),
        "CONTENT_DIR": str(cfg.CONTENT_DIR),
        "TIMEZONE": cfg.TIMEZONE,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "SERVER_MODE": "gevent",
        "WRONG_LIMIT_PLAYER": str(BENCH_WRONG_LIMIT),
        "WRONG_LIMIT_TEAM": str(BENCH_WRONG_LIMIT),
        # Every simulated phone comes from 127.0.0.1: the per-address limits would stop them.
        "RATE_JOINS": BENCH_RATE,
        "RATE_CODE_FAILURES": BENCH_RATE,
    }
    if cfg.SECRET_KEY:
        settings["SECRET_KEY"] = cfg.SECRET_KEY
    return child_environment(settings)


def start_tempo(
    cfg: Config, instance_dir: Path, extra_args: tuple[str, ...] = (), cwd: Path | None = None
) -> Server:
    """`tempo serve` (gevent) on a free port, on the instance folder prepared by the bench;
    `cwd`: another tree of the project, whose server runs instead of this one's."""
    port = free_port()
    log = instance_dir / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "tempo.launcher", "serve", *extra_args],
            env=_child_env(cfg, instance_dir, port),
            cwd=cwd,  # `python -m` imports `tempo` from there first
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    return _wait_ready(Server("tempo serve", f"http://127.0.0.1:{port}", proc, log))


def start_bare(cfg: Config, workdir: Path, direct: bool = False) -> Server:
    """The bare Flask-SocketIO transport (gevent) on a free port; `direct`: writing its
    packets where they are emitted, as `tempo serve` does (tempo.infra.direct_send)."""
    port = free_port()
    log = workdir / "bare.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "tools.bench.bare", "--port", str(port)]
            + (["--direct"] if direct else []),
            env=_child_env(cfg, workdir, port),
            cwd=CHECKOUT,  # `tools` is importable from the checkout's root only
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    return _wait_ready(Server("serveur nu", f"http://127.0.0.1:{port}", proc, log))
