"""Short write transactions that are safe with concurrent writers on SQLite and PostgreSQL.

SQLite allows one writer at a time. Reads run in ordinary deferred transactions (WAL lets them
run beside a writer); a write transaction starts with BEGIN IMMEDIATE, so it takes the write
lock before reading what it will change, and within one process writers also queue on a lock:
under gevent a greenlet waiting in SQLite's busy handler would stall every other greenlet.
PostgreSQL needs neither: services lock the rows they change (SELECT … FOR UPDATE).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import event, select, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

_local = threading.local()
_Row = TypeVar("_Row")
_sqlite_writer = threading.RLock()
#: Pages the WAL may hold before a commit checkpoints it (SQLite's default is 1 000).
AUTOCHECKPOINT_PAGES = 10_000


def configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    """WAL, a busy timeout, foreign keys, and BEGIN IMMEDIATE for write transactions."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # `tempo serve` checkpoints from a thread of its own (tempo.infra.checkpoint); a commit
        # checkpoints itself only past this many pages, when that thread fell behind.
        cursor.execute(f"PRAGMA wal_autocheckpoint={AUTOCHECKPOINT_PAGES}")
        # Deleted rows are overwritten with zeros, not left in free pages (erasure, purge).
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # Straight on the DBAPI connection: through `exec_driver_sql` this one word cost about
        # as much as a player action's statements (tempo.infra.prepared).
        begin = "BEGIN IMMEDIATE" if getattr(_local, "writing", False) else "BEGIN"
        conn.connection.dbapi_connection.execute(begin)


@contextmanager
def write_transaction(session: Session) -> Iterator[None]:
    """One short write transaction, committed on success and rolled back on error."""
    sqlite = session.get_bind().dialect.name == "sqlite"
    # End any read transaction the caller opened, so this one begins as a write.
    session.rollback()
    if sqlite:
        _sqlite_writer.acquire()
    _local.writing = True
    try:
        yield
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        _local.writing = False
        if sqlite:
            _sqlite_writer.release()


@contextmanager
def core_write_transaction(session: Session) -> Iterator[Connection]:
    """`write_transaction` for Core statements only, on a connection of the session's engine:
    the Session's own begin and commit bookkeeping cost about as much as two statements, which
    a path running a dozen of them on every player action (tempo.services.play.actions) saves."""
    engine = session.get_bind()
    assert isinstance(engine, Engine)
    # End any read transaction the caller opened, as `write_transaction` does.
    session.rollback()
    with core_write(engine), engine.begin() as connection:
        yield connection


@contextmanager
def core_write(bind: Engine | Connection) -> Iterator[None]:
    """Queue a write made outside a Session (e.g. APScheduler's job store) with the others.

    On SQLite it takes the process's writer lock and makes the next BEGIN an IMMEDIATE one, as
    `write_transaction` does; elsewhere it does nothing.
    """
    if bind.dialect.name != "sqlite":
        yield
        return
    with _sqlite_writer:
        previous = getattr(_local, "writing", False)
        _local.writing = True
        try:
            yield
        finally:
            _local.writing = previous


def queue_on(session: Session, *key: str) -> None:
    """Within a write transaction: run after any other one that queued on the same key.

    For a check that must see every earlier write of its kind (a count under a limit, say).
    SQLite's single writer already runs write transactions one at a time; on PostgreSQL this
    takes a transaction-level advisory lock (one bigint: apart from the scheduler's int4 pairs),
    released at commit or rollback.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    digest = hashlib.blake2b("\x1f".join(("tempo", *key)).encode(), digest_size=8).digest()
    session.execute(
        text("SELECT pg_advisory_xact_lock(:key)"),
        {"key": int.from_bytes(digest, "big", signed=True)},
    )


def lock_row(session: Session, model: type[_Row], *where: Any) -> _Row | None:
    """The one row matching `where`, locked for this write transaction and read afresh.

    PostgreSQL takes a row lock (SELECT … FOR UPDATE), so concurrent writers of the same row
    queue; SQLite ignores FOR UPDATE, its write transactions being serialised already. Read
    afresh (populate_existing) so that a value loaded before the lock is never trusted.
    """
    return session.scalar(
        select(model).where(*where).with_for_update().execution_options(populate_existing=True)
    )


def lock_rows(session: Session, model: type[_Row], *where: Any, order_by: Any = None) -> list[_Row]:
    """Every row matching `where`, locked and read afresh (in `order_by`'s order: lock order)."""
    query = select(model).where(*where).with_for_update().execution_options(populate_existing=True)
    if order_by is not None:
        query = query.order_by(order_by)
    return list(session.scalars(query))
