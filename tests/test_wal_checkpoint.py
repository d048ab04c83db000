"""`tempo serve` checkpoints SQLite's WAL from a thread of its own, not inside a commit."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

from tempo.infra.checkpoint import WalCheckpointer
from tempo.infra.transactions import AUTOCHECKPOINT_PAGES, configure_sqlite

# About SQLite itself: these tests make SQLite files on a PostgreSQL pass too.
pytestmark = pytest.mark.sqlite


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    """A SQLite file configured as Tempo configures its own, with a table to write to."""
    engine = create_engine(f"sqlite:///{tmp_path / 'tempo.sqlite3'}")
    configure_sqlite(engine, 5000)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE note (body TEXT)"))
    yield engine
    engine.dispose()


def _write(engine: Engine, rows: int) -> None:
    for _ in range(rows):
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO note VALUES (:body)"), {"body": "x" * 2000})


def test_commits_leave_the_checkpoint_to_the_thread(sqlite_engine: Engine) -> None:
    """A commit checkpoints by itself only past AUTOCHECKPOINT_PAGES (SQLite's own is 1 000)."""
    with sqlite_engine.connect() as connection:
        pages = connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar()
    assert pages == AUTOCHECKPOINT_PAGES > 1000


def test_the_thread_copies_the_log_back(sqlite_engine: Engine) -> None:
    """Within a few wake-ups, everything the commits wrote to the log is in the database."""
    checkpointer = WalCheckpointer.for_engine(sqlite_engine, every=0.05)
    assert checkpointer is not None
    _write(sqlite_engine, 50)
    checkpointer.start()
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            last = checkpointer.last
            if last is not None and last.log_pages > 0:
                break
            time.sleep(0.05)
        assert last is not None and last.busy == 0
        assert last.log_pages > 0 and last.copied == last.log_pages
        # Writes go on beside it, and are copied back in turn.
        _write(sqlite_engine, 20)
        time.sleep(0.3)
        assert checkpointer.last is not None and checkpointer.last.copied > 0
    finally:
        checkpointer.stop()


def test_only_a_sqlite_file_gets_a_checkpointer() -> None:
    """In-memory SQLite and PostgreSQL have no log of this kind to copy back."""
    assert WalCheckpointer.for_engine(create_engine("sqlite://")) is None
    postgres = create_engine("postgresql+psycopg://127.0.0.1/test")
    assert WalCheckpointer.for_engine(postgres) is None
