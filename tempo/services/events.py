"""The versioned team events a service returns for its adapter to publish (docs/protocol.md).

Services never send anything themselves: they commit, then return `{team id: [event, …]}` and the
adapter (web route, socket handler, scheduler, command) hands it to `tempo.realtime.publish`.
"""

from __future__ import annotations

from typing import Any

#: Events to send, team by team, each team's in version order.
Broadcasts = dict[int, list[dict[str, Any]]]


def merge(into: Broadcasts, more: Broadcasts) -> Broadcasts:
    """Append `more`'s events to `into`, team by team, keeping their order."""
    for team_id, events in more.items():
        into.setdefault(team_id, []).extend(events)
    return into
