"""Mission states that depend on who is present (split-clue fragments), kept when presence changes.

The dealing itself is pure (`Game.regroup`, tempo/missions/split_clue.py); this module persists
its result in the missions' state, so a reload or a server restart finds the same fragments with
the same players. No event and no team version: phones ask again for the open mission's view
whenever the online list changes (docs/protocol.md, "Split-clue fragments").
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tempo.engine.team import Game, Result
from tempo.infra.transactions import lock_row, write_transaction
from tempo.missions.base import MissionContext
from tempo.models import MissionProgress, MissionStatus, Team
from tempo.services.content.games import cohort_game
from tempo.services.play.actions import team_state


def _regrouped(session: Session, game: Game, team: Team, ctx: MissionContext) -> Result:
    return game.regroup(team_state(session, team, ctx.now), ctx)


def regroup(session: Session, team_id: int, present: Sequence[int], now: datetime) -> set[str]:
    """Deal again what depends on the players present; the missions whose state changed."""
    team = session.get(Team, team_id)
    if team is None:
        return set()
    game = cohort_game(team.cohort)
    if not any(t.dealt_by_presence for t in game.types.values()):
        return set()  # most scenarios and days: nothing to read, nothing to lock
    ctx = MissionContext(now=now, present_players=tuple(str(p) for p in present))
    if not _regrouped(session, game, team, ctx).changed:
        return set()  # every connection checks; only a change takes the team's write lock
    with write_transaction(session):
        locked = lock_row(session, Team, Team.id == team_id)
        if locked is None:
            return set()
        result = _regrouped(session, game, locked, ctx)
        rows = {
            row.mission_id: row
            for row in session.scalars(
                select(MissionProgress).where(
                    MissionProgress.team_id == team_id,
                    MissionProgress.mission_id.in_(result.changed),
                )
            )
        }
        for mission_id in result.changed:
            record = result.state.missions[mission_id]
            row = rows.get(mission_id)
            if row is None:
                session.add(
                    MissionProgress(
                        team_id=team_id,
                        mission_id=mission_id,
                        status=MissionStatus(record.status),
                        state=record.state,
                    )
                )
            else:
                row.state = record.state
    return result.changed
