"""Who may be in a team: closing it to new arrivals, removing a player, a new rejoin code.

The counsellor's answers to a team filled by strangers (bots or a leaked join code) and to a lost
rejoin card. The callers close the sockets of the players whose sessions end here
(`tempo.realtime.publish.disconnect_player`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from tempo.infra.transactions import write_transaction
from tempo.models import Cohort, Team
from tempo.services.cohorts.dashboard import DashboardError, player_of, team_of
from tempo.services.events import Broadcasts
from tempo.services.play import sessions
from tempo.services.play.teamlog import lock_team, record_event
from tempo.services.privacy.erasure import Folders, erase_locked, forget_on_disk


def _locked(session: Session, team_id: int) -> Team:
    team = lock_team(session, team_id)
    if team is None:
        raise DashboardError("unknown_team", "Cette équipe n'existe plus.")
    return team


def set_team_locked(
    session: Session, cohort: Cohort, team_id: int, locked: bool, now: datetime
) -> Broadcasts:
    """Close a team to new arrivals (its join code admits nobody) or open it again."""
    team_of(session, cohort, team_id)
    with write_transaction(session):
        team = _locked(session, team_id)
        team.locked = locked
        event = record_event(session, team, "team.locked", {"locked": locked}, now)
    return {team_id: [event]}


@dataclass
class Removed:
    """A removed player (their sockets are to be closed) and the events telling the team."""

    team_id: int
    player_id: int
    pseudonym: str
    broadcasts: Broadcasts


def remove_player(
    session: Session, cohort: Cohort, player_id: int, folders: Folders, now: datetime
) -> Removed:
    """Remove a player from their team: sessions end and their personal data is erased (the
    same erasure as on request); the team keeps the missions, éclats and offers they earned."""
    player = player_of(session, cohort, player_id)
    team_id, pseudonym = player.team_id, player.pseudonym
    with write_transaction(session):
        team = _locked(session, team_id)
        session.refresh(player)
        if player.team_id != team.id:
            raise DashboardError("player_moved", "Ce joueur vient de changer d'équipe : réessayez.")
        erase_locked(session, player, team, folders)
        # No pseudonym in the log: the counsellor who removed them is told by name, not the log.
        event = record_event(session, team, "player.removed", {"player": player_id}, now)
    session.expire_all()
    forget_on_disk(session)
    return Removed(team_id, player_id, pseudonym, {team_id: [event]})


def new_rejoin_code(
    session: Session, cohort: Cohort, player_id: int, now: datetime
) -> tuple[int, str]:
    """A new rejoin code for a player (lost card): every session ends. Returns (team, code)."""
    player = player_of(session, cohort, player_id)
    team_id = player.team_id
    return team_id, sessions.rotate_rejoin_code(session, player_id, now)
