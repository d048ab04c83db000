"""Statements run on SQLite's DBAPI cursor (tempo.infra.prepared) read and write what
SQLAlchemy's Connection would, in the caller's transaction."""

from __future__ import annotations

import enum
import gc
import weakref
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    create_engine,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from tempo.infra.prepared import PreparedSqlite
from tempo.infra.transactions import configure_sqlite
from tempo.models import utcnow
from tempo.models.base import UTCDateTime, str_enum

# About SQLite itself: these tests make a SQLite file on a PostgreSQL pass too.
pytestmark = pytest.mark.sqlite


class Mood(enum.StrEnum):
    CALM = "calm"
    BUSY = "busy"


metadata = MetaData()
note = Table(
    "note",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("body", String(50), nullable=False, unique=True),
    Column("mood", str_enum(Mood), nullable=False, default=Mood.CALM),
    Column("data", JSON, nullable=False, default=dict),
    Column("done", Boolean, nullable=False, default=False),
    Column("at", UTCDateTime(), nullable=False, default=utcnow),
    Column("edited_at", UTCDateTime(), onupdate=utcnow),
)
INSERT = insert(note)
UPDATE = update(note).where(note.c.id == bindparam("note_id"))
READ = select(note, func.length(note.c.body).label("size")).where(note.c.body == bindparam("body"))
ALL = select(note.c.body).order_by(note.c.body)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    """A SQLite file configured as Tempo's, holding the `note` table."""
    engine = create_engine(f"sqlite:///{tmp_path / 'tempo.sqlite3'}")
    configure_sqlite(engine, 5000)
    metadata.create_all(engine)
    yield engine
    engine.dispose()


def _both(engine: Engine, statement: Any, params: dict[str, Any]) -> tuple[Any, Any]:
    with engine.connect() as connection:
        expected = connection.execute(statement, params).one()
        got = PreparedSqlite(connection).execute(statement, params).one()
    return expected, got


def test_rows_read_as_the_connection_reads_them(engine: Engine) -> None:
    """Enum, JSON, boolean, time zone and labels: the same values, by the same names."""
    now = utcnow()
    with engine.begin() as connection:
        values = {"body": "é", "mood": Mood.BUSY, "data": {"k": [1, "é"]}, "done": True}
        connection.execute(INSERT, {**values, "at": now})
    expected, got = _both(engine, READ, {"body": "é"})
    with engine.connect() as connection:
        assert PreparedSqlite(connection)._shape(READ, {"body": "é"}) is not None  # the cursor's
    assert got == tuple(expected) and got._fields == tuple(expected._fields)
    assert got.mood is Mood.BUSY and got.data == {"k": [1, "é"]} and got.done is True
    assert got.at == now and got.at.tzinfo is not None and got.size == 1


def test_inserts_take_the_columns_python_defaults(engine: Engine) -> None:
    """Columns left out get their defaults (scalar and callable), one set or many."""
    before = utcnow()
    with engine.begin() as connection:
        prepared = PreparedSqlite(connection)
        prepared.execute(INSERT, {"body": "one"})
        prepared.execute(INSERT, [{"body": "two", "done": True}, {"body": "three", "done": False}])
    with engine.connect() as connection:
        rows = {r.body: r for r in connection.execute(select(note))}
    assert set(rows) == {"one", "two", "three"}
    assert rows["one"].mood is Mood.CALM and rows["one"].data == {} and rows["one"].done is False
    assert rows["two"].done is True and rows["three"].done is False
    assert all(r.at >= before and r.edited_at is None for r in rows.values())


def test_updates_take_onupdate_defaults_and_where_parameters(engine: Engine) -> None:
    """An update sets what it is given and the columns' `onupdate`, on the row it names."""
    with engine.begin() as connection:
        connection.execute(INSERT, [{"body": "a"}, {"body": "b"}])
    with engine.begin() as connection:
        note_id = connection.scalar(select(note.c.id).where(note.c.body == "a"))
        PreparedSqlite(connection).execute(UPDATE, {"note_id": note_id, "data": {"x": 1}})
    with engine.connect() as connection:
        rows = {r.body: r for r in connection.execute(select(note))}
    assert rows["a"].data == {"x": 1} and rows["a"].edited_at is not None
    assert rows["b"].data == {} and rows["b"].edited_at is None


def test_statements_belong_to_the_callers_transaction(engine: Engine) -> None:
    """A rollback undoes them; what they wrote is read back within the transaction."""
    with engine.connect() as connection:
        with connection.begin() as transaction:
            prepared = PreparedSqlite(connection)
            prepared.execute(INSERT, {"body": "gone"})
            assert prepared.scalars(ALL) == ["gone"]
            transaction.rollback()
        assert connection.execute(ALL).all() == []


def test_errors_are_sqlalchemys(engine: Engine) -> None:
    """A constraint broken on the cursor raises SQLAlchemy's IntegrityError, as callers expect."""
    with engine.begin() as connection:
        PreparedSqlite(connection).execute(INSERT, {"body": "same"})
    with pytest.raises(IntegrityError), engine.begin() as connection:
        PreparedSqlite(connection).execute(INSERT, {"body": "same"})


def test_what_the_cursor_cannot_run_goes_through_the_connection(engine: Engine) -> None:
    """An expanding IN list is rendered per execution by SQLAlchemy: it is handed over."""
    with engine.begin() as connection:
        connection.execute(INSERT, [{"body": "a"}, {"body": "b"}, {"body": "c"}])
    wanted = select(note.c.body).where(note.c.body.in_(bindparam("bodies", expanding=True)))
    with engine.connect() as connection:
        prepared = PreparedSqlite(connection)
        assert prepared._shape(wanted, {"bodies": ["a", "c"]}) is None
        assert sorted(prepared.scalars(wanted, {"bodies": ["a", "c"]})) == ["a", "c"]
        assert prepared.scalars(wanted, {"bodies": ["b"]}) == ["b"]


def test_a_statement_built_anew_is_compiled_anew(engine: Engine) -> None:
    """Shapes are kept per statement object: a new statement never reuses another's SQL."""
    with engine.begin() as connection:
        connection.execute(INSERT, [{"body": "a"}, {"body": "b"}])
    with engine.connect() as connection:
        prepared = PreparedSqlite(connection)
        for body in ("a", "b"):
            statement = select(note.c.body).where(note.c.body == body)
            assert prepared.scalar(statement) == body
        recent = utcnow() - timedelta(minutes=1)
        assert prepared.scalar(select(func.count()).where(note.c.at >= recent)) == 2


def test_shapes_go_with_their_engine(tmp_path: Path) -> None:
    """The compiled statements are kept on the dialect: a dropped engine takes them along
    (the tests alone create hundreds of engines)."""
    engine = create_engine(f"sqlite:///{tmp_path / 'gone.sqlite3'}")
    metadata.create_all(engine)
    with engine.begin() as connection:
        PreparedSqlite(connection).execute(INSERT, {"body": "a"})
    dialect = weakref.ref(engine.dialect)
    engine.dispose()
    del engine, connection
    gc.collect()
    assert dialect() is None


def test_bound_values_and_missing_parameters_follow_sqlalchemy(engine: Engine) -> None:
    """A literal in the statement, a callable bind and a parameter named by its column are
    read as SQLAlchemy would; a missing required one raises SQLAlchemy's own error."""
    with engine.begin() as connection:
        PreparedSqlite(connection).execute(INSERT, {"body": "un"})
    literal = select(note.c.body, bindparam("tag", callable_=lambda: "appelé")).where(
        note.c.done.is_(False), note.c.body != "deux"
    )
    expected, got = _both(engine, literal, {})
    assert got == expected and tuple(got) == ("un", "appelé")
    with engine.connect() as connection, pytest.raises(Exception) as theirs:
        connection.execute(READ, {})
    with engine.connect() as connection, pytest.raises(type(theirs.value)) as ours:
        PreparedSqlite(connection).execute(READ, {})
    assert "A value is required for bind parameter 'body'" in str(ours.value)
