"""Who is connected, per team, in this server process."""

from __future__ import annotations

import threading
from collections import defaultdict


class Presence:
    """Socket ids of connected players, per team; a player may have several tabs or phones."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_team: dict[int, dict[str, int]] = defaultdict(dict)
        self._team_of: dict[str, int] = {}

    def add(self, team_id: int, sid: str, player_id: int) -> None:
        """Record a connection."""
        with self._lock:
            self._by_team[team_id][sid] = player_id
            self._team_of[sid] = team_id

    def remove(self, sid: str) -> int | None:
        """Forget a connection; return its team id."""
        with self._lock:
            team_id = self._team_of.pop(sid, None)
            if team_id is not None:
                self._by_team[team_id].pop(sid, None)
            return team_id

    def online(self, team_id: int) -> list[int]:
        """Connected player ids of a team, in joining order (ids grow with joins)."""
        with self._lock:
            return sorted(set(self._by_team.get(team_id, {}).values()))

    def team_of(self, sid: str) -> int | None:
        """The team whose room a socket id joined."""
        with self._lock:
            return self._team_of.get(sid)

    def player_of(self, sid: str) -> int | None:
        """The player behind a socket id."""
        with self._lock:
            team_id = self._team_of.get(sid)
            return None if team_id is None else self._by_team[team_id].get(sid)


presence = Presence()
