"""Fixtures of the scale-out tests: real PostgreSQL and Redis on loopback, never skipped."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from sqlalchemy import Engine, create_engine, text

from tempo import db as schema
from tempo.config import test_postgres_url
from tests.conftest import _postgres_engine
from tests.scaleout.cluster import Cluster
from tests.scheduler_kit import database_url

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def pg_engine() -> Iterator[Engine]:
    """A migrated schema of its own on the PostgreSQL server (the test fails if it is down)."""
    name = f"tempo_scale_{uuid.uuid4().hex[:12]}"
    engine = _postgres_engine(name)
    schema.upgrade(engine)
    try:
        yield engine
    finally:
        engine.dispose()
        admin = create_engine(test_postgres_url())
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
        admin.dispose()


@pytest.fixture
def redis_channel() -> Iterator[str]:
    """A message-queue channel of its own on the Redis server (the test fails if it is down)."""
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as exc:
        pytest.fail(f"Redis is unreachable at {REDIS_URL}: {exc}", pytrace=False)
    channel = f"tempo-test-{uuid.uuid4().hex}"
    yield channel
    keys = list(client.scan_iter(f"tempo:{channel}:*"))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.fixture
def cluster(pg_engine: Engine, redis_channel: str, tmp_path: Path) -> Iterator[Cluster]:
    """The demo cohort on the installation; the test starts the processes it needs."""
    installation = Cluster(
        engine=pg_engine,
        database_url=database_url(pg_engine),
        redis_url=REDIS_URL,
        channel=redis_channel,
        tmp=tmp_path,
    )
    installation.create_demo()
    try:
        yield installation
    finally:
        installation.stop()
