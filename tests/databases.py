"""Which database a test's Tempo instance uses: SQLite (default) or PostgreSQL.

`TEMPO_TEST_DATABASE=postgresql` runs the suite on the PostgreSQL server of
`TEMPO_TEST_POSTGRES_URL` (default 127.0.0.1:5432, database `test`). A Tempo instance is named
by its instance folder, as on SQLite (whose file lives there): every app, CLI command or server
process of one test on the same folder reaches the same data, here a schema of its own, created
empty on first use (like a fresh SQLite file) and dropped when the test ends. The schema is
chosen with `search_path` in the connection URL, so subprocesses get it through
TEMPO_DATABASE_URL; `application_name` carries the schema name too, so the clean-up can end the
connections a test left open (an app it never disposed, a server it killed) before dropping it.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
import uuid
from functools import cache
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, inspect, make_url, text
from sqlalchemy.exc import OperationalError

from tempo.infra import db as schema
from tempo.infra.transactions import configure_sqlite
from tests.settings import test_database, test_postgres_url

BACKEND = test_database()
ON_POSTGRES = BACKEND == "postgresql"

# A run's schemas share a random prefix: concurrent runs (other developers, xdist workers) and
# leftovers of an interrupted run never meet.
_RUN = f"tt_{uuid.uuid4().hex[:8]}"
_by_folder: dict[Path, str] = {}
_created: list[str] = []
_sqlite_test = False  # the running test is marked `sqlite`: about SQLite itself


def postgres_url(schema: str) -> str:
    """The test server's URL with `schema` as the only search path.

    Commits do not wait for the disk (synchronous_commit off): a crash of the test server may
    lose its last test's writes, which nobody keeps anyway.
    """
    url = make_url(test_postgres_url()).update_query_dict(
        {"options": f"-csearch_path={schema} -csynchronous_commit=off", "application_name": schema}
    )
    return url.render_as_string(hide_password=False)


def new_schema() -> str:
    """Create an empty schema (dropped at the end of the test) and return its name."""
    name = f"{_RUN}_{uuid.uuid4().hex[:12]}"
    try:
        with _admin().begin() as conn:
            conn.execute(text("SET LOCAL synchronous_commit = off"))
            conn.execute(text(f'CREATE SCHEMA "{name}"'))
    except OperationalError as exc:  # the CI machine must have PostgreSQL: never skip
        pytest.fail(f"PostgreSQL is unreachable at {test_postgres_url()}: {exc}", pytrace=False)
    _created.append(name)
    return name


def database_url(instance_dir: Path) -> str | None:
    """TEMPO_DATABASE_URL for an instance in `instance_dir`: None on SQLite (its own file)."""
    if not ON_POSTGRES or _sqlite_test:
        return None
    folder = Path(instance_dir).resolve()
    if folder not in _by_folder:
        _by_folder[folder] = new_schema()
    return postgres_url(_by_folder[folder])


def instance_url(instance_dir: Path) -> str:
    """The URL of the database an instance in `instance_dir` uses, to open it from a test."""
    return database_url(instance_dir) or f"sqlite:///{Path(instance_dir) / 'tempo.sqlite3'}"


def start_test(sqlite: bool) -> None:
    """Note whether the test about to run is marked `sqlite` (SQLite in both passes)."""
    global _sqlite_test
    _sqlite_test = sqlite


def sqlite_files(folder: Path) -> list[Path]:
    """SQLite databases under `folder`: on a PostgreSQL run, a test that left one was not on it."""
    return sorted(folder.rglob("*.sqlite3"))


def drop_test_schemas() -> None:
    """Drop the schemas made since the last call, ending the connections still on them."""
    names = list(_created)
    _created.clear()
    _by_folder.clear()
    if not names:
        return
    with _admin().begin() as conn:
        conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE application_name = ANY(:names) AND pid <> pg_backend_pid()"
            ),
            {"names": names},
        )
        # Fail rather than hang if something still holds a lock in one of them; a test
        # database needs no flush to disk before the next test goes on.
        conn.execute(text("SET LOCAL lock_timeout = '20s'"))
        conn.execute(text("SET LOCAL synchronous_commit = off"))
        for name in names:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))


def instance_tables(instance_dir: Path) -> set[str]:
    """The tables in an instance's database (none if its SQLite file was never created)."""
    if not ON_POSTGRES and not (Path(instance_dir) / "tempo.sqlite3").exists():
        return set()
    engine = create_engine(instance_url(instance_dir))
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


@cache
def _admin() -> Engine:
    """One connection to the test server for the whole run, to create and drop schemas."""
    return create_engine(test_postgres_url(), pool_size=1, pool_pre_ping=True)


def seed_sqlite(instance_dir: Path) -> None:
    """Give a SQLite instance a copy of an empty database already migrated to head.

    Migrating costs ~0.1 s of CPU a test; the copy a few ms. The template is migrated once per
    process by the same revisions and pragmas as an app's, so `schema.upgrade` afterwards finds
    nothing to do. Nothing happens on a PostgreSQL run (the instance's schema is empty).
    """
    if database_url(instance_dir) is not None:
        return
    target = Path(instance_dir) / "tempo.sqlite3"
    if target.exists():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_sqlite_template(), target)


@cache
def _sqlite_template() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="tempo-test-template-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    path = folder / "tempo.sqlite3"
    engine = create_engine(f"sqlite:///{path}")
    configure_sqlite(engine, 5000)
    schema.upgrade(engine)
    engine.dispose()  # the last connection closed: the WAL is checkpointed into the file
    return path
