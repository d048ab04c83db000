"""Whose sockets are whose: the socket ids of a player or a staff account, over every process.

A server that must end someone's connections at once (a player moved to another team, a
counsellor deactivated, their password reset, removed from a cohort) looks their socket ids up
here and hands each to `socketio.server.disconnect`, which goes through the message queue to the
process holding the socket when it is another one (python-socketio's pub/sub manager publishes
the disconnection and the owning process carries it out).

- `MemoryOwners` (one process): a dictionary.
- `RedisOwners` (the scale-out shape, the same Redis as the presence): one set per owner. A set
  may keep the ids of a crashed process's sockets until it expires (`TTL_SECONDS`, renewed on
  every connection): disconnecting an id no process holds does nothing, so they are harmless.

Owners are strings: `player:<id>`, `staff:<id>`, `staff:<id>:cohort:<id>` (see `publish`).
"""

from __future__ import annotations

import threading
from collections import defaultdict
from typing import Any, Protocol, cast

from flask import current_app
from werkzeug.local import LocalProxy

EXTENSION = "tempo.owners"
TTL_SECONDS = 2 * 24 * 3600


class Owners(Protocol):
    """Socket ids by owner."""

    def add(self, sid: str, *owners: str) -> None:
        """Record that a socket belongs to these owners."""

    def remove(self, sid: str) -> None:
        """Forget a socket (it disconnected)."""

    def sids(self, owner: str) -> list[str]:
        """The connected sockets of an owner, in every server process."""


class _Local:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.owners_of: dict[str, tuple[str, ...]] = {}


class MemoryOwners:
    """Owners of this process's sockets: right when one process serves every connection."""

    def __init__(self) -> None:
        self._local = _Local()
        self._sids: dict[str, set[str]] = defaultdict(set)

    def add(self, sid: str, *owners: str) -> None:
        """Record that a socket belongs to these owners."""
        with self._local.lock:
            self._local.owners_of[sid] = owners
            for owner in owners:
                self._sids[owner].add(sid)

    def remove(self, sid: str) -> None:
        """Forget a socket."""
        with self._local.lock:
            for owner in self._local.owners_of.pop(sid, ()):
                sids = self._sids.get(owner)
                if sids is not None:
                    sids.discard(sid)
                    if not sids:
                        del self._sids[owner]

    def sids(self, owner: str) -> list[str]:
        """The connected sockets of an owner."""
        with self._local.lock:
            return sorted(self._sids.get(owner, ()))


class RedisOwners:
    """Owners shared by every server process through Redis (see the module's docstring)."""

    def __init__(self, url: str, prefix: str) -> None:
        import redis

        self.redis: Any = redis.Redis.from_url(url)
        self.prefix = prefix
        self._local = _Local()

    def _key(self, owner: str) -> str:
        return f"{self.prefix}{owner}"

    def add(self, sid: str, *owners: str) -> None:
        """Record that a socket belongs to these owners, here and in Redis."""
        with self._local.lock:
            self._local.owners_of[sid] = owners
        pipe = self.redis.pipeline()
        for owner in owners:
            pipe.sadd(self._key(owner), sid)
            pipe.expire(self._key(owner), TTL_SECONDS)
        pipe.execute()

    def remove(self, sid: str) -> None:
        """Forget a socket, here and in Redis."""
        with self._local.lock:
            owners = self._local.owners_of.pop(sid, ())
        if owners:
            pipe = self.redis.pipeline()
            for owner in owners:
                pipe.srem(self._key(owner), sid)
            pipe.execute()

    def sids(self, owner: str) -> list[str]:
        """The sockets of an owner, in every server process."""
        raw = self.redis.smembers(self._key(owner))
        return sorted(v.decode() if isinstance(v, bytes) else str(v) for v in raw)


def make_owners(config: dict[str, Any]) -> Owners:
    """Shared owners when the message queue is Redis (several processes), else in memory."""
    url = config.get("MESSAGE_QUEUE")
    if url and str(url).startswith(("redis://", "rediss://")):
        return RedisOwners(str(url), f"tempo:{config['MESSAGE_QUEUE_CHANNEL']}:owners:")
    return MemoryOwners()


def current_owners() -> Owners:
    """The owners registry of the current application."""
    return cast(Owners, current_app.extensions[EXTENSION])


owners: Owners = cast(Owners, LocalProxy(current_owners))


def player_owner(player_id: int) -> str:
    """The owner key of a player's phones."""
    return f"player:{player_id}"


def staff_owner(staff_id: int, cohort_id: int | None = None) -> str:
    """The owner key of a staff account's consoles (on one cohort's dashboard, if given)."""
    return f"staff:{staff_id}" if cohort_id is None else f"staff:{staff_id}:cohort:{cohort_id}"
