"""Shared fixtures: an app on a fresh database, SQLite and PostgreSQL engines, a CLI environment.

Apps, CLI commands and server processes run on SQLite, or on PostgreSQL with
TEMPO_TEST_DATABASE=postgresql (see tests/databases.py): `make_config` and `cli_env` pick the
database, so a test built on them runs on both without knowing it.

The run's tiers come from markers set here by directory (see `pytest_collection_modifyitems`):
`browser` (tests/e2e and whatever drives Chromium), `scaleout` (tests/scaleout), `postgres`
(reaches the PostgreSQL server), plus `slow` set by hand on the tests that take over ~5 s.
Where the machine has no PostgreSQL or Redis, tests/services_fallback.py starts throwaway ones.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Engine, create_engine
from sqlalchemy.orm import Session

from tempo import create_app
from tempo.config import PROJECT_ROOT, Config
from tempo.extensions import db
from tempo.infra import db as schema
from tempo.scheduler import DayScheduler
from tests import databases, services_fallback
from tests.mailserver import SmtpServer

CONTENT_DIR = PROJECT_ROOT / "content"
TESTS_DIR = Path(__file__).resolve().parent
_THROWAWAY = pytest.StashKey[list[services_fallback.Throwaway]]()


def pytest_configure(config: pytest.Config) -> None:
    """Start a throwaway PostgreSQL / Redis where the machine has none (never on CI).

    Only the process that starts the run does it: xdist workers inherit the URLs through the
    environment, so they share one server of each.
    """
    if hasattr(config, "workerinput"):
        return

    def say(line: str) -> None:
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(line)
        else:
            print(line)

    config.stash[_THROWAWAY] = services_fallback.ensure_services(say)


def pytest_unconfigure(config: pytest.Config) -> None:
    services_fallback.stop_services(config.stash.get(_THROWAWAY, []))


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by these markers
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the tiers by where a test lives and what it uses, rather than test by test."""
    for item in items:
        path = item.path.resolve()
        where = path.relative_to(TESTS_DIR).parts[0] if path.is_relative_to(TESTS_DIR) else ""
        if where == "e2e":
            item.add_marker(pytest.mark.browser)
        if where == "scaleout":
            item.add_marker(pytest.mark.scaleout)
        params: dict[str, Any] = getattr(getattr(item, "callspec", None), "params", {})
        uses_postgres = (
            where == "scaleout"
            or params.get("engine") == "postgresql"
            or "pg_engine" in getattr(item, "fixturenames", ())
            or (databases.ON_POSTGRES and item.get_closest_marker("sqlite") is None)
        )
        if uses_postgres:
            item.add_marker(pytest.mark.postgres)


GENEROUS_LIMIT = "10000 per minute"


def make_config(tmp_path: Path, **overrides: object) -> Config:
    """A test configuration isolated in `tmp_path` (never the developer's instance folder).

    Its database is the instance's SQLite file, or on a PostgreSQL run the instance's own schema
    (the same one for every app a test makes on the same folder), unless DATABASE_URL is given.
    """
    cfg = Config(
        SECRET_KEY="test-secret",
        INSTANCE_DIR=tmp_path / "instance",
        CONTENT_DIR=CONTENT_DIR,
        TESTING=True,
    )
    # Forms are tested for CSRF on purpose in tests/web/test_csrf.py; elsewhere it is noise.
    cfg.extra["WTF_CSRF_ENABLED"] = False
    # Tests join, rejoin and log in many times from 127.0.0.1: generous limits, still enforced
    # (tests/web/test_throttle.py sets the real ones).
    cfg.RATE_CODE_FAILURES = cfg.RATE_JOINS = GENEROUS_LIMIT
    cfg.RATE_LOGIN_IP = cfg.RATE_LOGIN_ACCOUNT = GENEROUS_LIMIT
    # `cohort.ai` at once: a paced one is sent by a background task that would outlive the test
    # that caused it, and read a database already dropped (tests/realtime/test_cohort_ai.py
    # sets its own pace).
    cfg.COHORT_AI_SECONDS = 0
    for key, value in overrides.items():
        setattr(cfg, key, value)
    if "DATABASE_URL" not in overrides:
        cfg.DATABASE_URL = databases.database_url(cfg.INSTANCE_DIR)
    return cfg


def cli_env(monkeypatch: pytest.MonkeyPatch, instance_dir: Path, **settings: str) -> dict[str, str]:
    """Point `tempo` commands (CliRunner or subprocess) at a test instance; return its TEMPO_*.

    TEMPO_DATABASE_URL is the instance's schema on a PostgreSQL run, and unset on SQLite (the
    file in the instance folder). `settings` are extra TEMPO_* values, without the prefix.
    """
    values = {"INSTANCE_DIR": str(instance_dir), "CONTENT_DIR": str(CONTENT_DIR), **settings}
    url = databases.database_url(instance_dir)
    if url is None:
        monkeypatch.delenv("TEMPO_DATABASE_URL", raising=False)
    else:
        values["DATABASE_URL"] = url
    for key, value in values.items():
        monkeypatch.setenv(f"TEMPO_{key}", value)
    return {f"TEMPO_{key}": value for key, value in values.items()}


@pytest.fixture(autouse=True)
def _test_databases(request: pytest.FixtureRequest) -> Iterator[None]:
    """Drop the PostgreSQL schemas a test used (after every other fixture is torn down).

    On a PostgreSQL run, a test that still made a SQLite database (a hard-coded path, an
    environment without `cli_env`) fails here, unless it is marked `sqlite`.
    """
    on_sqlite = request.node.get_closest_marker("sqlite") is not None
    watched: Path | None = None
    if databases.ON_POSTGRES and not on_sqlite and "tmp_path" in request.fixturenames:
        watched = request.getfixturevalue("tmp_path")  # the test asks for it anyway
    databases.start_test(sqlite=on_sqlite)
    yield
    databases.start_test(sqlite=False)
    databases.drop_test_schemas()
    if watched is not None:
        left = databases.sqlite_files(watched)
        if left:
            pytest.fail(
                f"PostgreSQL run, yet this test made SQLite databases: {[str(p) for p in left]}."
                " Build apps with make_config / the app fixture, commands with cli_env, servers"
                " with tests/live.py, open databases with tests.databases.instance_url; or mark"
                " the test @pytest.mark.sqlite if it is about SQLite itself.",
                pytrace=False,
            )


@pytest.fixture(autouse=True, scope="session")
def _content_parsed_once() -> Iterator[None]:
    """`load_valid_content` parses the content folder's YAML on every call (~0.3 s of CPU).

    Hundreds of tests load the same, unchanged folder: they get the result parsed for the same
    files (paths, sizes, modification times) earlier in this process, as the console already
    does with `current_content`. A folder a test copied or edited is parsed again.
    """
    from tempo.services.content import publishing as content

    original = content.load_content
    parsed: dict[Path, tuple[object, Any]] = {}

    def load_once(root: Path, **options: Any) -> Any:
        if options:
            return original(root, **options)
        folder = Path(root).resolve()
        fingerprint = content._fingerprint(folder)
        known = parsed.get(folder)
        if known is None or known[0] != fingerprint:
            known = parsed[folder] = (fingerprint, original(root))
        return known[1]

    content.load_content = load_once  # type: ignore[assignment]
    yield
    content.load_content = original  # type: ignore[assignment]


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Argon2 at its cheapest in tests: real parameters cost ~0.3 s a hash on this machine."""
    from argon2 import PasswordHasher, profiles

    from tempo.services.staff import accounts as staff

    monkeypatch.setattr(staff, "_hasher", PasswordHasher.from_parameters(profiles.CHEAPEST))
    staff._dummy_hash.cache_clear()
    yield
    staff._dummy_hash.cache_clear()


@pytest.fixture(autouse=True)
def _fresh_content_caches() -> None:
    """Forget what was derived from scenario versions before each test.

    Versions never change in one database, so Tempo derives each one's game, diagnostic and
    recap index once per process; but every test has a database of its own where version 1 is
    whatever that test published, and an earlier test in the same (xdist worker) process would
    answer for it.
    """
    from tempo.services.content import games

    games.forget_all()


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    """An application on a freshly migrated database (SQLite file or PostgreSQL schema)."""
    config = make_config(tmp_path)
    databases.seed_sqlite(config.INSTANCE_DIR)  # a migrated copy: upgrade finds nothing to do
    application = create_app(config)
    with application.app_context():
        schema.upgrade(db.engine)
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A real SMTP server on loopback; configure apps with SMTP_HOST/SMTP_PORT to use it."""
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def schedulers() -> Iterator[list[DayScheduler]]:
    """Day schedulers a test starts; all stopped afterwards (leadership released)."""
    started: list[DayScheduler] = []
    yield started
    for s in started:
        s.stop()


@pytest.fixture
def client(app: Flask):  # type: ignore[no-untyped-def]
    """A Flask test client."""
    return app.test_client()


# On a PostgreSQL run the SQLite side is the SQLite pass's job: each runs once per pass.
ENGINES = ["postgresql"] if databases.ON_POSTGRES else ["sqlite", "postgresql"]


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A migrated database engine, on SQLite (file, WAL) and on real PostgreSQL."""
    if request.param == "sqlite":
        app = create_app(make_config(tmp_path))
        with app.app_context():
            eng = db.engine
            schema.upgrade(eng)
            yield eng
            eng.dispose()
        return
    eng = create_engine(databases.postgres_url(databases.new_schema()))
    schema.upgrade(eng)
    try:
        yield eng
    finally:
        eng.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session on the parametrised engine, closed after the test."""
    with Session(engine) as s:
        yield s


class Demo:
    """The demo cohort created in a test app: ids and codes of its two teams."""

    def __init__(self, app: Flask) -> None:
        from tempo.models import utcnow
        from tempo.services.content.demo import ensure_demo
        from tempo.services.content.publishing import load_valid_content

        with app.app_context():
            result = ensure_demo(db.session, load_valid_content(CONTENT_DIR), utcnow())
            db.session.commit()
            self.cohort_id = result.cohort.id
            self.team_ids = [t.id for t in result.cohort.teams]
            self.codes = [t.join_code for t in result.cohort.teams]
            self.names = [t.name for t in result.cohort.teams]
        self.app = app

    def join(self, team: int, pseudonym: str) -> str:
        """Add a player to team number `team` (0 or 1); return their rejoin code."""
        from tempo.models import utcnow
        from tempo.services.play.players import join_team

        with self.app.app_context():
            return join_team(
                db.session, self.team_ids[team], pseudonym, utcnow()
            ).player.rejoin_code


@pytest.fixture
def demo(app: Flask) -> Demo:
    """The demo cohort ("Tempo 2050", two teams, day 1 open) in the test app."""
    return Demo(app)
