"""Presence: the same behaviour in memory and in Redis; Redis shares it between processes.

The Redis tests use the server of TEMPO_TEST_REDIS_URL (127.0.0.1:6379, or a throwaway one where
nothing listens there: tests/services_fallback.py; they fail, never skip, without it), each under
a key prefix of its own that is deleted afterwards.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis

from tempo.realtime.presence import MemoryPresence, Presence, RedisPresence, make_presence
from tests.services_fallback import redis_url

REDIS_URL = redis_url()  # the machine's, or the run's throwaway one


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A key prefix no other test uses; every key under it is deleted afterwards."""
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as exc:
        pytest.fail(f"Redis is unreachable at {REDIS_URL}: {exc}", pytrace=False)
    prefix = f"tempo-test:{uuid.uuid4().hex}:presence:"
    yield prefix
    keys = list(client.scan_iter(f"{prefix}*"))
    if keys:
        client.delete(*keys)
    client.close()


Factory = Callable[..., Any]


@pytest.fixture
def processes(redis_prefix: str) -> Iterator[Factory]:
    """Builds RedisPresence objects standing for server processes (heartbeat driven by hand)."""
    made: list[RedisPresence] = []

    def build(**kw: Any) -> RedisPresence:
        p = RedisPresence(REDIS_URL, redis_prefix, heartbeat=False, **kw)
        made.append(p)
        return p

    yield build
    for p in made:
        p.close()
        p.redis.close()


@pytest.fixture(params=["memory", "redis"])
def presence(request: pytest.FixtureRequest) -> Presence:
    """Each implementation in turn."""
    if request.param == "memory":
        return MemoryPresence()
    return request.getfixturevalue("processes")()  # type: ignore[no-any-return]


def test_connections_by_team_and_player(presence: Presence) -> None:
    """Online lists per team, several sockets per player, lookups by socket id."""
    presence.add(1, "s1", 10)
    presence.add(1, "s2", 11)
    presence.add(1, "s3", 10)  # Alice's second tab
    presence.add(2, "s4", 20)
    assert presence.online(1) == [10, 11]
    assert presence.online(2) == [20]
    assert presence.online(3) == []
    assert (presence.team_of("s2"), presence.player_of("s2")) == (1, 11)
    assert presence.team_of("nope") is None and presence.player_of("nope") is None

    assert presence.remove("s1") == 1
    assert presence.online(1) == [10, 11]  # her other tab is still open
    assert presence.remove("s3") == 1
    assert presence.online(1) == [11]
    assert presence.remove("s3") is None  # a repeated disconnect changes nothing
    assert presence.player_of("s3") is None


def test_pinned_players_count_present_without_a_socket(presence: Presence) -> None:
    """A play-test's simulated teammates (`pin`) are online beside the sockets, until unpinned."""
    presence.add(1, "s1", 10)
    presence.pin(1, [12, 11])
    assert presence.online(1) == [10, 11, 12]
    assert presence.online(2) == []
    presence.pin(1, [11])
    assert presence.online(1) == [10, 11]
    presence.pin(1, [])
    assert presence.online(1) == [10]


def test_close_forgets_this_process(presence: Presence) -> None:
    """Closing (shutting down) empties the lists of this process's sockets."""
    presence.add(1, "s1", 10)
    presence.add(2, "s2", 20)
    presence.close()
    assert presence.online(1) == [] and presence.online(2) == []
    assert presence.team_of("s1") is None


def test_two_processes_share_online_lists(processes: Factory) -> None:
    """A teammate connected to another process is online here too (split-clue deals over both)."""
    a, b = processes(), processes()
    a.add(1, "sa", 10)
    b.add(1, "sb", 11)
    b.add(2, "sc", 20)
    assert a.online(1) == b.online(1) == [10, 11]
    assert a.online(2) == [20]
    # Socket lookups stay with the process holding the socket.
    assert a.player_of("sb") is None and b.player_of("sb") == 11
    b.remove("sb")
    assert a.online(1) == [10]


def test_a_dead_process_drops_out_and_is_reaped_once(processes: Factory) -> None:
    """Once a process's heartbeat key expired its sockets stop counting; one survivor reports."""
    lost_a: list[list[int]] = []
    lost_c: list[list[int]] = []
    a = processes(on_lost=lost_a.append)
    c = processes(on_lost=lost_c.append)
    b = processes()
    a.add(1, "sa", 10)
    b.add(1, "sb", 11)
    b.add(2, "sb2", 21)
    assert a.online(1) == [10, 11]

    # b is SIGKILLed: no close(), and its heartbeat key runs out (deleted here rather than
    # waited for, which is what the TTL does).
    b.redis.delete(b._process_key(b.process))
    assert a.online(1) == [10]  # filtered at once, before any reaping
    assert a.online(2) == []

    assert a.reap() == [1, 2]
    assert c.reap() == []  # already purged: the teams are told once
    assert lost_a == [[1, 2]] and lost_c == []
    assert not a.redis.exists(a._sockets_key(b.process))
    assert a.redis.hkeys(a._team_key(1)) == [b"sa"]


def test_a_process_whose_heartbeat_lapsed_writes_its_sockets_back(processes: Factory) -> None:
    """A stalled (not dead) process, reaped by another, writes its sockets back on its next beat."""
    restored: list[list[int]] = []
    a = processes()
    b = processes(on_lost=restored.append)
    b.add(1, "sb", 11)
    b.redis.delete(b._process_key(b.process))
    assert a.reap() == [1]
    assert a.online(1) == []
    b.beat()
    assert a.online(1) == [11]
    assert restored == [[1]]


def test_heartbeat_keeps_a_process_alive(processes: Factory) -> None:
    """A beating process is never reaped, and its key expires on its own (a TTL is set)."""
    a, b = processes(ttl_seconds=5), processes()
    a.add(1, "sa", 10)
    a.beat()
    assert b.reap() == []
    ttl = a.redis.pttl(a._process_key(a.process))
    assert 0 < ttl <= 5000


def test_make_presence_picks_redis_with_a_redis_queue(redis_prefix: str) -> None:
    """Shared presence with a Redis message queue, keyed by the installation's channel."""
    settings = {
        "MESSAGE_QUEUE": REDIS_URL,
        "MESSAGE_QUEUE_CHANNEL": "tempo-test-x",
        "PRESENCE_TTL_SECONDS": 3,
    }
    shared = make_presence(settings)
    assert isinstance(shared, RedisPresence)
    assert shared.prefix == "tempo:tempo-test-x:presence:"
    assert shared.ttl_ms == 3000
    shared.redis.close()
    assert isinstance(make_presence({**settings, "MESSAGE_QUEUE": None}), MemoryPresence)
