"""/healthz: what a load balancer or a monitoring probe asks each server process."""

from __future__ import annotations

import uuid
from pathlib import Path

from tempo import create_app
from tempo.realtime.presence import EXTENSION
from tests.conftest import make_config
from tests.services_fallback import redis_url


def _health(tmp_path: Path, queue: str | None) -> tuple[int, object]:
    app = create_app(
        make_config(tmp_path, MESSAGE_QUEUE=queue, MESSAGE_QUEUE_CHANNEL=uuid.uuid4().hex)
    )
    response = app.test_client().get("/healthz")
    presence = app.extensions[EXTENSION]
    if presence.shared:
        presence.redis.close()
    return response.status_code, response.get_json()


def test_health_is_ok_with_the_database_and_redis(tmp_path: Path) -> None:
    """Embedded shape: the database answers. Scale-out shape: Redis answers too."""
    assert _health(tmp_path / "a", None) == (200, {"status": "ok"})
    assert _health(tmp_path / "b", redis_url()) == (200, {"status": "ok"})


def test_health_fails_when_a_worker_cannot_reach_redis(tmp_path: Path) -> None:
    """A worker cut off from Redis says so (503), so monitoring catches a broken scale-out."""
    assert _health(tmp_path, "redis://127.0.0.1:1/0") == (
        503,
        {"status": "error", "problem": "redis"},
    )
