"""Fixtures of the scale-out tests: real PostgreSQL and Redis on loopback, never skipped."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from sqlalchemy import Engine, create_engine

from tempo.infra import db as schema
from tests import databases
from tests.scaleout.cluster import Cluster
from tests.scheduler_kit import database_url
from tests.services_fallback import redis_url

REDIS_URL = redis_url()


@pytest.fixture
def pg_engine() -> Iterator[Engine]:
    """A migrated schema of its own on the PostgreSQL server (the test fails if it is down).

    Always PostgreSQL, whichever pass runs: the scale-out shape is PostgreSQL and Redis. The
    schema is dropped after the test with the others (tests/databases.py).
    """
    engine = create_engine(databases.postgres_url(databases.new_schema()))
    schema.upgrade(engine)
    try:
        yield engine
    finally:
        engine.dispose()


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
