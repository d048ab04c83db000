"""The versioned team events a service returns for its adapter to publish (docs/protocol.md).

Services never send anything themselves: they commit, then return `{team id: [event, …]}` and the
adapter (web route, socket handler, scheduler, command) hands it to `tempo.realtime.publish`.
"""

from __future__ import annotations

from typing import Any

#: Events to send, team by team, each team's in version order.
Broadcasts = dict[int, list[dict[str, Any]]]

#: The key marking an event for one player only (its value: the player's id): not versioned,
#: not in the team's log, sent as `player.event` to that player's room and nowhere else (an
#: appointment reminder must not tell the teammates who has an appointment, or when).
PLAYER_ONLY = "_player_only"


def for_player(player_id: int, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
    """An event for one player's phones only (see `PLAYER_ONLY`)."""
    return {PLAYER_ONLY: player_id, "type": kind, **payload}


def merge(into: Broadcasts, more: Broadcasts) -> Broadcasts:
    """Append `more`'s events to `into`, team by team, keeping their order."""
    for team_id, events in more.items():
        into.setdefault(team_id, []).extend(events)
    return into
