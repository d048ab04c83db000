"""Socket ids by owner (a player, a staff account), in memory and shared through Redis."""

from __future__ import annotations

import pytest

from tempo.realtime.owners import MemoryOwners, Owners, RedisOwners, make_owners, staff_owner
from tests.realtime.test_presence import REDIS_URL, redis_prefix  # noqa: F401


def _check(owners: Owners, other: Owners) -> None:
    owners.add("s1", "player:1")
    owners.add("s2", staff_owner(7), staff_owner(7, 3))
    other.add("s3", staff_owner(7), staff_owner(7, 4))  # another process's socket
    assert owners.sids("player:1") == ["s1"]
    assert other.sids(staff_owner(7, 3)) == ["s2"]
    owners.remove("s2")
    owners.remove("s2")  # twice: nothing
    assert owners.sids(staff_owner(7, 3)) == []
    assert owners.sids("nobody") == []


def test_memory_owners() -> None:
    """One process: the same registry answers."""
    owners = MemoryOwners()
    _check(owners, owners)
    assert owners.sids(staff_owner(7)) == ["s3"]


@pytest.mark.usefixtures("redis_prefix")
def test_redis_owners_are_shared(redis_prefix: str) -> None:  # noqa: F811
    """Two processes see each other's sockets through Redis."""
    first, second = RedisOwners(REDIS_URL, redis_prefix), RedisOwners(REDIS_URL, redis_prefix)
    _check(first, second)
    assert first.sids(staff_owner(7)) == ["s3"]
    second.remove("s3")
    assert first.sids(staff_owner(7)) == []


def test_make_owners_follows_the_message_queue() -> None:
    """Redis queue: shared; none: memory."""
    assert isinstance(make_owners({"MESSAGE_QUEUE": None}), MemoryOwners)
    shared = make_owners({"MESSAGE_QUEUE": REDIS_URL, "MESSAGE_QUEUE_CHANNEL": "t"})
    assert isinstance(shared, RedisOwners)
