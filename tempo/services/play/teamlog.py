"""The team log: the versioned events every change of a team's data appends, and its row lock.

Every write to a team outside a play action takes `lock_team` first and appends its events with
`record_event`, so that versions stay contiguous; `events_since` replays them to a phone.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tempo.infra.transactions import lock_row
from tempo.models import Team, TeamEvent

# Beyond this many missed events a phone gets a snapshot instead of a replay.
MAX_REPLAY = 200
_event = TeamEvent.__table__


def events_since(session: Session, team: Team, version: int) -> list[dict[str, Any]] | None:
    """The events after `version`, contiguous, or None when a snapshot is needed instead."""
    if version >= team.version:
        return []
    if version < 0 or team.version - version > MAX_REPLAY:
        return None
    rows = session.execute(
        select(_event.c.version, _event.c.type, _event.c.payload)
        .where(_event.c.team_id == team.id, _event.c.version > version)
        .order_by(_event.c.version)
    ).all()
    if [r.version for r in rows] != list(range(version + 1, team.version + 1)):
        return None
    return [{"version": r.version, "type": r.type, **r.payload} for r in rows]


def lock_team(session: Session, team_id: int) -> Team | None:
    """Lock a team's row for the current write transaction and read it afresh.

    Whatever changes a team's data outside a play action takes this lock first, in the order
    an action takes its locks (the team, then its rows): on PostgreSQL, a write that locks a
    player or a mission row before the team deadlocks against actions, and one that reads the
    team's version without the lock gives two events the same version.
    """
    return lock_row(session, Team, Team.id == team_id)


def record_event(
    session: Session,
    team: Team,
    kind: str,
    payload: dict[str, Any],
    now: datetime,
    player_id: int | None = None,
) -> dict[str, Any]:
    """Append one versioned event outside an action (a player joined, a day unlocked…).

    The caller holds the team's row lock (`lock_team`, or a SELECT … FOR UPDATE of its own).
    """
    team.version += 1
    session.add(
        TeamEvent(
            team_id=team.id,
            version=team.version,
            type=kind,
            payload=payload,
            player_id=player_id,
            created_at=now,
        )
    )
    return {"version": team.version, "type": kind, **payload}
