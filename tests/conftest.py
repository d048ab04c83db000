"""Shared fixtures: an app on a fresh database, SQLite and PostgreSQL engines, a CLI runner."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from tempo import create_app
from tempo import db as schema
from tempo.config import PROJECT_ROOT, Config, test_postgres_url
from tempo.extensions import db
from tests.mailserver import SmtpServer

CONTENT_DIR = PROJECT_ROOT / "content"


def make_config(tmp_path: Path, **overrides: object) -> Config:
    """A test configuration isolated in `tmp_path` (never the developer's instance folder)."""
    cfg = Config(
        SECRET_KEY="test-secret",
        INSTANCE_DIR=tmp_path / "instance",
        CONTENT_DIR=CONTENT_DIR,
        TESTING=True,
    )
    # Forms are tested for CSRF on purpose in tests/web/test_csrf.py; elsewhere it is noise.
    cfg.extra["WTF_CSRF_ENABLED"] = False
    for key, value in overrides.items():
        setattr(cfg, key, value)
    return cfg


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Argon2 at its cheapest in tests: real parameters cost ~0.3 s a hash on this machine."""
    from argon2 import PasswordHasher, profiles

    from tempo.services import staff

    monkeypatch.setattr(staff, "_hasher", PasswordHasher.from_parameters(profiles.CHEAPEST))
    staff._dummy_hash.cache_clear()
    yield
    staff._dummy_hash.cache_clear()


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    """An application on a migrated SQLite database in a temporary folder."""
    application = create_app(make_config(tmp_path))
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
def client(app: Flask):  # type: ignore[no-untyped-def]
    """A Flask test client."""
    return app.test_client()


def _postgres_engine(schema_name: str) -> Engine:
    url = test_postgres_url()
    admin = create_engine(url)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema_name}"'))
    except OperationalError as exc:  # pragma: no cover - the CI machine must have PostgreSQL
        pytest.fail(f"PostgreSQL is unreachable at {url}: {exc}", pytrace=False)
    finally:
        admin.dispose()
    return create_engine(url, connect_args={"options": f"-csearch_path={schema_name}"})


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A migrated database engine, once on SQLite (file, WAL) and once on real PostgreSQL."""
    if request.param == "sqlite":
        app = create_app(make_config(tmp_path))
        with app.app_context():
            eng = db.engine
            schema.upgrade(eng)
            yield eng
            eng.dispose()
        return
    schema_name = f"tempo_test_{uuid.uuid4().hex[:12]}"
    eng = _postgres_engine(schema_name)
    schema.upgrade(eng)
    try:
        yield eng
    finally:
        eng.dispose()
        admin = create_engine(test_postgres_url())
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema_name}" CASCADE'))
        admin.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session on the parametrised engine, closed after the test."""
    with Session(engine) as s:
        yield s


class Demo:
    """The demo cohort created in a test app: ids and codes of its two teams."""

    def __init__(self, app: Flask) -> None:
        from tempo.models import utcnow
        from tempo.services.content import load_valid_content
        from tempo.services.demo import ensure_demo

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
        from tempo.services.players import join_team

        with self.app.app_context():
            return join_team(
                db.session, self.team_ids[team], pseudonym, utcnow()
            ).player.rejoin_code


@pytest.fixture
def demo(app: Flask) -> Demo:
    """The demo cohort ("Tempo 2050", two teams, day 1 open) in the test app."""
    return Demo(app)
