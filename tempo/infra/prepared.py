"""Core statements run straight on SQLite's DBAPI cursor, for the path that runs a handful of
them at every player action (tempo.services.play.actions).

`Connection.execute` spends more Python on a statement than SQLite spends running it: an
execution context, event dispatch, a cursor result and its metadata, about 50-90 µs per
statement against 10-40 µs in SQLite (docs/benchmarks.md, « A slimmer statement path »). Under
gevent that time is the event loop's, so every phone of the server waits through it. Here each
statement is compiled once by SQLAlchemy itself (same SQL, same bind and result processors, same
Python-side column defaults) and then run on the transaction's own DBAPI cursor, so it is still
part of the caller's transaction. A statement this path cannot run as SQLAlchemy would (expanding
or literal parameters, RETURNING, ambiguous column names, a schema translation) goes through the
Connection instead: the choice is made once per statement shape and kept.
"""

from __future__ import annotations

import sqlite3
from collections import namedtuple
from collections.abc import Callable, Iterator, Mapping, MutableMapping, Sequence
from typing import Any, NamedTuple

from sqlalchemy import exc
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.dml import UpdateBase
from sqlalchemy.sql.expression import Executable

Params = Mapping[str, Any]


class _DefaultContext:
    """What a Python-side column default may read, as SQLAlchemy's execution context offers it."""

    __slots__ = ("current_column", "current_parameters")

    def __init__(self, parameters: MutableMapping[str, Any], column: Any) -> None:
        self.current_parameters = parameters
        self.current_column = column


class _Default(NamedTuple):
    key: str
    column: Any
    value: Any
    scalar: bool


class _Bind(NamedTuple):
    """Where one bound parameter's value comes from (SQLCompiler.construct_params's rules)."""

    key: str
    name: str
    required: bool
    param: Any  # the BindParameter: its value (or callable) when the caller gives none


class _Statement(NamedTuple):
    """One statement shape, compiled once: its SQL and how to turn parameters into arguments."""

    sql: str
    binds: tuple[_Bind, ...]
    positions: tuple[tuple[str, Callable[[Any], Any] | None], ...]
    defaults: tuple[_Default, ...]
    row: Any  # the namedtuple class of its rows, None for a statement without rows
    results: tuple[Callable[[Any], Any] | None, ...]

    def arguments(self, params: Params) -> list[Any]:
        """The positional arguments of one execution, processed as SQLAlchemy would."""
        # What construct_params does for a statement compiled on its own (no cache key to
        # match, no post-compile step), without its generality: about half its time.
        values: dict[str, Any] = {}
        for key, name, required, param in self.binds:
            if key in params:
                values[name] = params[key]
            elif name in params:
                values[name] = params[name]
            elif required:
                raise exc.InvalidRequestError(
                    f"A value is required for bind parameter {key!r}", code="cd3x"
                )
            else:
                values[name] = param.effective_value if param.callable else param.value
        for default in self.defaults:
            if default.scalar:
                values[default.key] = default.value
            else:
                values[default.key] = default.value(_DefaultContext(values, default.column))
        return [
            values[name] if proc is None else proc(values[name]) for name, proc in self.positions
        ]

    def rows(self, raw: list[tuple[Any, ...]]) -> list[Any]:
        """Rows as named tuples, each value through its column type's result processor."""
        results, make = self.results, self.row._make
        return [
            make([v if proc is None else proc(v) for proc, v in zip(results, row, strict=True)])
            for row in raw
        ]


Shapes = dict[tuple[int, frozenset[str]], tuple[Executable, "_Statement | None"]]
#: Where a dialect keeps its statement shapes (its bind processors depend on its engine's
#: settings), each with its statement: an id is matched only while that statement is alive
#: there. On the dialect itself, so that they go with it (a compiled statement refers to its
#: dialect: a weak-keyed table would keep every dialect alive).
_SHAPES_ATTRIBUTE = "_tempo_prepared_shapes"
#: The statements of the action path are module constants; anything beyond this many shapes
#: would be statements built on the fly, which are compiled afresh rather than kept forever.
MAX_SHAPES = 256


def _compile(statement: Executable, keys: frozenset[str], dialect: Dialect) -> _Statement | None:
    """A statement compiled for these parameter keys; None if only a Connection can run it."""
    column_keys = sorted(keys) if isinstance(statement, UpdateBase) else None
    compiled = statement.compile(dialect=dialect, column_keys=column_keys)  # type: ignore[attr-defined]
    if not isinstance(compiled, SQLCompiler) or not compiled.positional:
        return None
    if (
        compiled.literal_execute_params
        or compiled.post_compile_params
        or compiled.schema_translate_map
        or compiled.effective_returning
        or compiled.escaped_bind_names
        # Parameters the compiler collected itself would be merged by construct_params.
        or (getattr(compiled, "_collect_params", False) and compiled._collected_params)
    ):
        return None
    defaults: list[_Default] = []
    for columns, attribute in (
        (compiled.insert_prefetch, "_default_description_tuple"),
        (compiled.update_prefetch, "_onupdate_description_tuple"),
    ):
        for column in columns:
            arg, is_scalar, is_callable, is_sentinel = getattr(column, attribute)
            if is_sentinel or not (is_scalar or is_callable):
                return None
            # (A DML compiler only knows how its columns' parameters are named.)
            key = compiled._within_exec_param_key_getter(column)
            defaults.append(_Default(key, column, arg, is_scalar))
    row_type: Any = None
    results: tuple[Callable[[Any], Any] | None, ...] = ()
    if compiled._result_columns:
        names = [entry.keyname for entry in compiled._result_columns]
        if len(set(names)) != len(names) or not all(n.isidentifier() for n in names):
            return None
        row_type = namedtuple("Row", names)  # type: ignore[misc,no-redef]  # names known at run time
        results = tuple(
            entry.type._cached_result_processor(dialect, None) for entry in compiled._result_columns
        )
    # (A sequence of processors only serves expanding parameters, which are refused above.)
    processors: Mapping[str, Callable[[Any], Any]] = compiled._bind_processors  # type: ignore[assignment]
    return _Statement(
        sql=compiled.string,
        binds=tuple(
            _Bind(param.key, name, bool(param.required), param)
            for param, name in compiled.bind_names.items()
        ),
        positions=tuple((name, processors.get(name)) for name in compiled.positiontup or ()),
        defaults=tuple(defaults),
        row=row_type,
        results=results,
    )


class Rows:
    """The rows of one statement, read like the few `Result` methods the action path uses."""

    __slots__ = ("_rows",)

    def __init__(self, rows: list[Any]) -> None:
        self._rows = rows

    def first(self) -> Any:
        """The first row, or None."""
        return self._rows[0] if self._rows else None

    def one(self) -> Any:
        """The only row; an error when there is none or more than one."""
        if not self._rows:
            raise exc.NoResultFound("No row was found when one was required.")
        if len(self._rows) > 1:
            raise exc.MultipleResultsFound("Multiple rows were found when one was required.")
        return self._rows[0]

    def scalar(self) -> Any:
        """The first column of the first row, or None."""
        return self._rows[0][0] if self._rows else None

    def scalars(self) -> list[Any]:
        """The first column of every row."""
        return [row[0] for row in self._rows]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._rows)


_NO_ROWS = Rows([])


class PreparedSqlite:
    """A write transaction's SQLite connection that runs Core statements on its DBAPI cursor."""

    def __init__(self, connection: Connection) -> None:
        assert connection.dialect.name == "sqlite"
        self.connection = connection
        self.dialect = connection.dialect
        raw = connection.connection.dbapi_connection
        assert raw is not None
        self._cursor: Any = raw.cursor()
        shapes: Shapes | None = getattr(self.dialect, _SHAPES_ATTRIBUTE, None)
        if shapes is None:
            shapes = {}
            setattr(self.dialect, _SHAPES_ATTRIBUTE, shapes)
        self._shapes = shapes

    def _shape(self, statement: Executable, params: Params) -> _Statement | None:
        keys = frozenset(params)
        key = (id(statement), keys)
        known = self._shapes.get(key)
        if known is not None and known[0] is statement:
            return known[1]
        shape = _compile(statement, keys, self.dialect)
        if len(self._shapes) >= MAX_SHAPES:
            self._shapes.clear()
        self._shapes[key] = (statement, shape)
        return shape

    def execute(
        self, statement: Executable, parameters: Params | Sequence[Params] | None = None
    ) -> Any:
        """Run a statement (a list of parameter sets: executemany); its rows as `Rows`."""
        sets = parameters if isinstance(parameters, list) else None  # as Connection.execute
        first: Params = (sets[0] if sets else {}) if sets is not None else (parameters or {})  # type: ignore[assignment]
        shape = self._shape(statement, first)
        if shape is None:
            return self.connection.execute(statement, parameters)
        arguments: Any = None
        try:
            if sets is not None:
                arguments = [shape.arguments(p) for p in sets]
                self._cursor.executemany(shape.sql, arguments)
                return _NO_ROWS
            arguments = shape.arguments(first)
            self._cursor.execute(shape.sql, arguments)
            if shape.row is None:
                return _NO_ROWS
            return Rows(shape.rows(self._cursor.fetchall()))
        except exc.InvalidRequestError as error:
            # A missing parameter: wrapped with its statement, as the Connection does.
            raise exc.StatementError(str(error), shape.sql, parameters, error) from error
        except sqlite3.Error as error:
            # The same exception classes as through the Connection (IntegrityError…).
            raise exc.DBAPIError.instance(
                shape.sql, arguments, error, sqlite3.Error, dialect=self.dialect
            ) from error

    def scalar(self, statement: Executable, parameters: Params | None = None, /) -> Any:
        """The first column of the first row, or None."""
        return self.execute(statement, parameters).scalar()

    def scalars(self, statement: Executable, parameters: Params | None = None, /) -> list[Any]:
        """The first column of every row."""
        result = self.execute(statement, parameters)
        return list(result.scalars())
