"""Who is connected, per team: in this process, or shared by every server process through Redis.

Two implementations of one interface (`Presence`):

- `MemoryPresence` (the embedded single-process shape): dictionaries in this process.
- `RedisPresence` (the scale-out shape, chosen when `TEMPO_MESSAGE_QUEUE` is a Redis URL): every
  server process writes its sockets into one Redis hash per team (field: socket id, value:
  `player|process`), and keeps a heartbeat key per process alive (`PRESENCE_TTL_SECONDS`). A team's
  online list counts only the entries of processes whose heartbeat key still exists, so the
  sockets of a killed process drop out within that TTL; the first process to notice a dead one
  purges its entries and reports the teams concerned (`on_lost`) so their phones are told.

A socket's events are always handled by the process that holds it, so `team_of` and `player_of`
(used on every action) are answered from this process's memory in both implementations; only
`online` (the team's list, which split-clue dealing also uses) reads the shared state.

The application's presence lives in `app.extensions["tempo.presence"]`; `presence` below is a
proxy to the current application's, so handlers and views keep one import.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import uuid
from collections import defaultdict
from collections.abc import Callable
from typing import Any, Protocol, cast

from flask import current_app
from werkzeug.local import LocalProxy

log = logging.getLogger("tempo.presence")

EXTENSION = "tempo.presence"

OnLost = Callable[[list[int]], None]


class Presence(Protocol):
    """Socket ids of connected players, per team; a player may have several tabs or phones."""

    shared: bool  # whether other server processes see this process's connections

    def add(self, team_id: int, sid: str, player_id: int) -> None:
        """Record a connection."""

    def remove(self, sid: str) -> int | None:
        """Forget a connection; return its team id."""

    def online(self, team_id: int) -> list[int]:
        """Connected player ids of a team, in joining order (ids grow with joins)."""

    def pin(self, team_id: int, player_ids: list[int]) -> None:
        """Count these players present without a socket (a studio play-test's simulated
        teammates), until `pin` is called again for the team (an empty list unpins)."""

    def team_of(self, sid: str) -> int | None:
        """The team whose room a socket id (of this process) joined."""

    def player_of(self, sid: str) -> int | None:
        """The player behind a socket id (of this process)."""

    def local_teams(self) -> list[int]:
        """Teams with a connection in this process."""

    def ping(self) -> None:
        """Raise if the shared store is unreachable."""

    def close(self) -> list[int]:
        """Forget every connection of this process (shutting down); return the teams concerned."""


class _LocalSockets:
    """The sockets of this process: sid -> (team, player)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_team: dict[int, dict[str, int]] = defaultdict(dict)
        self._team_of: dict[str, int] = {}

    def add(self, team_id: int, sid: str, player_id: int) -> None:
        with self._lock:
            self._by_team[team_id][sid] = player_id
            self._team_of[sid] = team_id

    def remove(self, sid: str) -> int | None:
        with self._lock:
            team_id = self._team_of.pop(sid, None)
            if team_id is not None:
                sockets = self._by_team[team_id]
                sockets.pop(sid, None)
                if not sockets:
                    del self._by_team[team_id]
            return team_id

    def players(self, team_id: int) -> list[int]:
        with self._lock:
            return sorted(set(self._by_team.get(team_id, {}).values()))

    def team_of(self, sid: str) -> int | None:
        with self._lock:
            return self._team_of.get(sid)

    def player_of(self, sid: str) -> int | None:
        with self._lock:
            team_id = self._team_of.get(sid)
            return None if team_id is None else self._by_team[team_id].get(sid)

    def entries(self) -> list[tuple[str, int, int]]:
        """(sid, team, player) of every socket."""
        with self._lock:
            return [
                (sid, team_id, player_id)
                for team_id, sockets in self._by_team.items()
                for sid, player_id in sockets.items()
            ]

    def teams(self) -> list[int]:
        with self._lock:
            return sorted(self._by_team)

    def clear(self) -> list[int]:
        with self._lock:
            teams = sorted(self._by_team)
            self._by_team.clear()
            self._team_of.clear()
            return teams


# A socket lives in one process: whichever backend shares the online lists, only this
# process knows its own sockets.
class _ThisProcess:
    """Lookups of the sockets connected to this process."""

    _local: _LocalSockets

    def team_of(self, sid: str) -> int | None:
        """The team whose room a socket id of this process joined."""
        return self._local.team_of(sid)

    def player_of(self, sid: str) -> int | None:
        """The player behind a socket id of this process."""
        return self._local.player_of(sid)

    def local_teams(self) -> list[int]:
        """Teams with a connection in this process."""
        return self._local.teams()


class MemoryPresence(_ThisProcess):
    """Presence kept in this process only: right when one process serves every phone."""

    shared = False

    def __init__(self) -> None:
        self._local = _LocalSockets()
        self._pinned: dict[int, frozenset[int]] = {}

    def add(self, team_id: int, sid: str, player_id: int) -> None:
        """Record a connection."""
        self._local.add(team_id, sid, player_id)

    def pin(self, team_id: int, player_ids: list[int]) -> None:
        """Count these players present without a socket (see `Presence.pin`)."""
        if player_ids:
            self._pinned[team_id] = frozenset(player_ids)
        else:
            self._pinned.pop(team_id, None)

    def remove(self, sid: str) -> int | None:
        """Forget a connection; return its team id."""
        return self._local.remove(sid)

    def online(self, team_id: int) -> list[int]:
        """Connected player ids of a team, in joining order (ids grow with joins)."""
        pinned = self._pinned.get(team_id)
        players = self._local.players(team_id)
        return sorted(pinned.union(players)) if pinned else players

    def ping(self) -> None:
        """Nothing to reach."""

    def close(self) -> list[int]:
        """Forget every connection; no other process shares this presence, so none to tell."""
        self._local.clear()
        return []


# One round trip for a team's online list: the hash's entries whose process is alive. (The
# process keys are read by name inside the script; Tempo runs on one Redis, not a cluster.)
_ONLINE_SCRIPT = """
local entries = redis.call('HGETALL', KEYS[1])
local alive = {}
local out = {}
for i = 1, #entries, 2 do
  local value = entries[i + 1]
  local sep = string.find(value, '|', 1, true)
  if sep then
    local process = string.sub(value, sep + 1)
    local ok = alive[process]
    if ok == nil then
      ok = redis.call('EXISTS', ARGV[1] .. process) == 1
      alive[process] = ok
    end
    if ok then
      table.insert(out, string.sub(value, 1, sep - 1))
    end
  end
end
for _, pinned in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  table.insert(out, pinned)
end
return out
"""


class RedisPresence(_ThisProcess):
    """Presence shared by every server process through Redis (see the module's docstring)."""

    shared = True

    def __init__(
        self,
        url: str,
        prefix: str,
        ttl_seconds: float = 10.0,
        on_lost: OnLost | None = None,
        heartbeat: bool = True,
    ) -> None:
        import redis

        self.redis: Any = redis.Redis.from_url(url)
        self.prefix = prefix
        self.process = uuid.uuid4().hex
        self.ttl_ms = max(int(ttl_seconds * 1000), 1000)
        self.on_lost = on_lost
        self._local = _LocalSockets()
        self._heartbeat = heartbeat
        self._started = False
        self._start_lock = threading.Lock()
        self._stop = threading.Event()
        self._online = self.redis.register_script(_ONLINE_SCRIPT)

    # -- keys

    def _team_key(self, team_id: int) -> str:
        return f"{self.prefix}team:{team_id}"

    def _pinned_key(self, team_id: int) -> str:
        return f"{self.prefix}pinned:{team_id}"

    def _process_key(self, process: str) -> str:
        return f"{self.prefix}process:{process}"

    def _sockets_key(self, process: str) -> str:
        # sid -> team of one process's sockets: what to purge when the process is found dead.
        return f"{self.prefix}process:{process}:sockets"

    @property
    def _processes_key(self) -> str:
        return f"{self.prefix}processes"

    # -- the interface

    def add(self, team_id: int, sid: str, player_id: int) -> None:
        """Record a connection, here and in Redis."""
        self._ensure_started()
        self._local.add(team_id, sid, player_id)
        pipe = self.redis.pipeline()
        pipe.hset(self._team_key(team_id), sid, f"{player_id}|{self.process}")
        pipe.hset(self._sockets_key(self.process), sid, team_id)
        pipe.execute()

    def remove(self, sid: str) -> int | None:
        """Forget a connection; return its team id."""
        team_id = self._local.remove(sid)
        if team_id is not None:
            pipe = self.redis.pipeline()
            pipe.hdel(self._team_key(team_id), sid)
            pipe.hdel(self._sockets_key(self.process), sid)
            pipe.execute()
        return team_id

    def online(self, team_id: int) -> list[int]:
        """Connected player ids of a team, over every live server process."""
        raw = self._online(
            keys=[self._team_key(team_id), self._pinned_key(team_id)],
            args=[self._process_key("")],
        )
        return sorted({int(value) for value in raw})

    def pin(self, team_id: int, player_ids: list[int]) -> None:
        """Count these players present without a socket, for every process (`Presence.pin`)."""
        pipe = self.redis.pipeline()
        pipe.delete(self._pinned_key(team_id))
        if player_ids:
            pipe.sadd(self._pinned_key(team_id), *player_ids)
        pipe.execute()

    def ping(self) -> None:
        """Raise if Redis does not answer."""
        self.redis.ping()

    def close(self) -> list[int]:
        """Stop the heartbeat and withdraw this process's sockets from Redis."""
        self._stop.set()
        entries = self._local.entries()
        teams = self._local.clear()
        pipe = self.redis.pipeline()
        for sid, team_id, _player in entries:
            pipe.hdel(self._team_key(team_id), sid)
        pipe.delete(self._sockets_key(self.process), self._process_key(self.process))
        pipe.srem(self._processes_key, self.process)
        pipe.execute()
        return teams

    # -- heartbeat and reaping

    def _ensure_started(self) -> None:
        if self._started:
            return
        with self._start_lock:
            if self._started:
                return
            # The heartbeat key exists before the first entry, so the entry counts at once.
            self.beat()
            if self._heartbeat:
                # A daemon thread; under `tempo serve` gevent has made it a greenlet.
                threading.Thread(target=self._run, name="tempo-presence", daemon=True).start()
            self._started = True

    def _run(self) -> None:
        interval = self.ttl_ms / 3000
        while not self._stop.wait(interval):
            try:
                self.beat()
                self.reap()
            except Exception:
                # Redis unreachable for a moment: entries age out elsewhere, and come back here
                # (beat rewrites them) once it answers again.
                log.exception("Présence : Redis injoignable, nouvel essai.")

    def beat(self) -> None:
        """Renew this process's heartbeat; if it had expired, write this process's sockets back."""
        key = self._process_key(self.process)
        pipe = self.redis.pipeline()
        pipe.set(key, "1", px=self.ttl_ms, get=True)
        pipe.sadd(self._processes_key, self.process)
        previous, _ = pipe.execute()
        if previous is not None or self._stop.is_set():
            return
        # Our key had lapsed (a stall longer than the TTL, or Redis restarted): another process
        # may have purged our entries as a dead process's. Put them back and tell the teams.
        entries = self._local.entries()
        if not entries:
            return
        pipe = self.redis.pipeline()
        for sid, team_id, player_id in entries:
            pipe.hset(self._team_key(team_id), sid, f"{player_id}|{self.process}")
            pipe.hset(self._sockets_key(self.process), sid, team_id)
        pipe.execute()
        self._report(sorted({team_id for _sid, team_id, _player in entries}))

    def reap(self) -> list[int]:
        """Purge the entries of processes whose heartbeat expired; return (and report) the teams."""
        teams: set[int] = set()
        for raw in self.redis.smembers(self._processes_key):
            process = raw.decode() if isinstance(raw, bytes) else str(raw)
            if process == self.process or self.redis.exists(self._process_key(process)):
                continue
            # Whoever removes it from the set purges it: one process reports each death.
            if not self.redis.srem(self._processes_key, process):
                continue
            sockets = self.redis.hgetall(self._sockets_key(process))
            pipe = self.redis.pipeline()
            for sid, team in sockets.items():
                team_id = int(team)
                teams.add(team_id)
                pipe.hdel(self._team_key(team_id), sid)
            pipe.delete(self._sockets_key(process))
            pipe.execute()
            log.info(
                "Présence : processus %s disparu, %s connexions retirées.", process, len(sockets)
            )
        lost = sorted(teams)
        self._report(lost)
        return lost

    def _report(self, teams: list[int]) -> None:
        if teams and self.on_lost is not None:
            try:
                self.on_lost(teams)
            except Exception:
                log.exception("Présence : impossible de prévenir les équipes %s.", teams)


def make_presence(config: dict[str, Any], on_lost: OnLost | None = None) -> Presence:
    """Shared presence when the message queue is Redis (several processes), else in memory."""
    url = config.get("MESSAGE_QUEUE")
    if url and str(url).startswith(("redis://", "rediss://")):
        prefix = f"tempo:{config['MESSAGE_QUEUE_CHANNEL']}:presence:"
        return RedisPresence(
            str(url), prefix, float(config["PRESENCE_TTL_SECONDS"]), on_lost=on_lost
        )
    return MemoryPresence()


def current_presence() -> Presence:
    """The presence of the current application."""
    return cast(Presence, current_app.extensions[EXTENSION])


presence: Presence = cast(Presence, LocalProxy(current_presence))


def close_presence(presence_: Presence) -> list[int]:
    """Close a presence, never failing a shutdown (Redis may already be gone)."""
    with contextlib.suppress(Exception):
        return presence_.close()
    return []
