"""SQLite's WAL checkpoints, moved out of the request path of a serving process.

In WAL mode SQLite copies the log back into the database (a checkpoint) from inside the commit
that makes the log pass 1 000 pages, and that commit then waits for two fsyncs. Under gevent
the commit runs on the event loop's thread: every phone of the server waited with it (10-16 ms,
about one commit in ninety, a bit more than once a second with 600 phones; docs/benchmarks.md,
« Quieter servers, a quieter generator »). `tempo serve` therefore lets a thread of its own,
outside the event loop, checkpoint every half second, and a commit checkpoints itself only
past `AUTOCHECKPOINT_PAGES` (tempo.infra.transactions): a safety net should the thread fall
behind, and the bound of the log for `tempo` commands.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from typing import Any, NamedTuple

from sqlalchemy.engine import Engine

log = logging.getLogger("tempo.checkpoint")

#: How often the checkpointing thread copies the log back.
EVERY_SECONDS = 0.5


class Checkpoint(NamedTuple):
    """What `PRAGMA wal_checkpoint(PASSIVE)` reports: busy, pages in the log, pages copied."""

    busy: int
    log_pages: int
    copied: int


def _native() -> tuple[Callable[[Callable[[], None]], Any], Callable[[float], None]]:
    """A way to start an OS thread and to sleep in it, even when gevent patched `threading`
    (a greenlet would run on the event loop's thread, which is what this module avoids)."""
    from gevent import monkey

    if monkey.is_module_patched("threading"):
        start_new_thread = monkey.get_original("_thread", "start_new_thread")
        sleep = monkey.get_original("time", "sleep")
        return (lambda run: start_new_thread(run, ())), sleep

    def start(run: Callable[[], None]) -> Any:
        thread = threading.Thread(target=run, name="tempo-checkpoint", daemon=True)
        thread.start()
        return thread

    return start, time.sleep


class WalCheckpointer:
    """Checkpoints one SQLite database every `every` seconds from an OS thread of its own."""

    def __init__(self, path: str, every: float = EVERY_SECONDS, busy_timeout_ms: int = 5000):
        self.path = path
        self.every = every
        self.busy_timeout_ms = busy_timeout_ms
        self.last: Checkpoint | None = None
        self._stopped = False

    @classmethod
    def for_engine(cls, engine: Engine, every: float = EVERY_SECONDS) -> WalCheckpointer | None:
        """The checkpointer of an engine's database file; None for anything but a SQLite file."""
        database = engine.url.database
        if engine.dialect.name != "sqlite" or not database or database == ":memory:":
            return None
        return cls(database, every)

    def checkpoint(self, connection: sqlite3.Connection) -> Checkpoint:
        """Copy what the log holds back into the database, without waiting for anyone."""
        busy, log_pages, copied = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        self.last = Checkpoint(busy, log_pages, copied)
        return self.last

    def start(self) -> None:
        """Run until `stop`, on an OS thread (a daemon: it never holds the process up)."""
        start_thread, sleep = _native()

        def run() -> None:
            # The thread's own connection: SQLite releases the GIL while it copies and syncs.
            connection = sqlite3.connect(self.path, check_same_thread=False)
            connection.execute(f"PRAGMA busy_timeout={self.busy_timeout_ms}")
            try:
                while not self._stopped:
                    sleep(self.every)
                    try:
                        self.checkpoint(connection)
                    except sqlite3.Error:  # a locked or vanished file: try again next time
                        log.exception("the WAL checkpoint failed")
            finally:
                connection.close()

        start_thread(run)

    def stop(self) -> None:
        """End the thread at its next wake-up."""
        self._stopped = True
