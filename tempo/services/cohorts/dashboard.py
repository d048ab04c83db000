"""The counsellor's live dashboard: the board of a cohort and the counsellor's actions on teams.

Reading functions build plain dictionaries for the template; each writing function owns its
transaction and returns the versioned team events to broadcast, as `{team id: [event, …]}`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from tempo.engine.team import DONE, IN_PROGRESS
from tempo.infra.transactions import write_transaction
from tempo.missions.base import ConsoleSummary
from tempo.models import (
    Cohort,
    MissionProgress,
    MissionStatus,
    Player,
    ShardEntry,
    Team,
    TeamEvent,
    UnlockedOffer,
)
from tempo.services.cohorts.alerts import Thresholds, cohort_alerts
from tempo.services.cohorts.reviews import pending_count
from tempo.services.content.games import game_for
from tempo.services.errors import ServiceError
from tempo.services.events import Broadcasts
from tempo.services.play import proofs
from tempo.services.play.actions import give_hint as give
from tempo.services.play.actions import perform, server_action_id, team_state
from tempo.services.play.teamlog import lock_team, record_event

FEED_SIZE = 30


class DashboardError(ServiceError):
    """A refused counsellor action, with a stable code and a French message."""


def _as_utc(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes: they are stored in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def describe(
    event: Mapping[str, Any], team: str, players: Mapping[int, str], titles: Mapping[str, str]
) -> str:
    """One team event as a French sentence for the feed."""
    actor = event.get("by")
    if isinstance(event.get("player"), dict):  # player.joined names the newcomer inline
        actor = event["player"].get("id")
    elif isinstance(event.get("player"), int):
        actor = event["player"]
    who = players.get(actor, "") if isinstance(actor, int) else ""
    if isinstance(event.get("player"), dict):
        who = str(event["player"].get("pseudonym") or who)
    mission = titles.get(str(event.get("mission", "")), str(event.get("mission", "")))
    kind = event.get("type")
    subject = who or team
    sentences = {
        "mission.completed": f"{subject} ({team}) a terminé « {mission} ».",
        "mission.attempted": f"{subject} ({team}) s'est trompé·e sur « {mission} ».",
        "mission.updated": f"{subject} ({team}) avance sur « {mission} ».",
        "mission.available": f"{team} : « {mission} » est disponible.",
        "hint.bought": f"{subject} ({team}) a acheté un indice pour « {mission} ».",
        "proof.submitted": f"{subject} ({team}) a envoyé une preuve pour « {mission} ».",
        "proof.reviewed": f"Preuve de {team} pour « {mission} » "
        + ("validée." if event.get("accepted") else "refusée."),
        "offer.unlocked": f"{team} a débloqué une offre de la Mission Locale.",
        "player.joined": f"{subject} a rejoint {team}.",
        "player.moved": f"{event.get('pseudonym', '')} a changé d'équipe ({team}).",
        "player.absent": f"{event.get('pseudonym', '')} ({team}) est "
        + ("absent·e." if event.get("absent") else "présent·e."),
        "mission.reset": f"« {mission} » a été réinitialisée pour {team}.",
        "checkpoint.scanned": f"{subject} ({team}) a scanné un point de passage.",
        "day.unlocked": f"Jour {event.get('day')} ouvert pour {team}.",
        "day.closed": f"Jour {event.get('day')} clôturé pour {team}.",
        "recap.ready": f"Récap du jour {event.get('day')} prêt pour {team}.",
        "cohort.paused": f"{team} : la cohorte est en pause.",
        "cohort.resumed": f"{team} : la cohorte reprend.",
        "booking.attended": f"{subject} ({team}) est venu·e à son rendez-vous.",
        "booking.reminder": f"{subject} ({team}) a reçu le rappel de son rendez-vous.",
        "player.erased": f"Les données d'un joueur de {team} ont été effacées.",
    }
    return sentences.get(str(kind), f"{team} : {kind}.")


def board(
    session: Session,
    cohort: Cohort,
    now: datetime,
    online: Mapping[int, Sequence[int]],
    limits: Thresholds,
) -> dict[str, Any]:
    """Everything the dashboard shows: teams × missions of the current day, feed, alerts, and
    how many proofs wait in the review queue (of every day)."""
    game = game_for(cohort.scenario_version)
    teams = sorted(cohort.teams, key=lambda t: t.id)
    states = {t.id: team_state(session, t, now) for t in teams}
    opened = set().union(*(s.open_days for s in states.values())) if states else set()
    current = max(opened) if opened else None
    day = next((d for d in game.scenario.days if d.day == current), None)
    missions = [
        {"id": m.id, "title": m.title, "type": m.type} for m in (day.missions if day else [])
    ]
    titles = {m_id: m.title for m_id, m in game.missions.items()}
    progress = {
        (row.team_id, row.mission_id): row
        for row in session.scalars(
            select(MissionProgress).where(MissionProgress.team_id.in_([t.id for t in teams]))
        )
    }
    pseudonyms = {p.id: p.pseudonym for t in teams for p in t.players}
    rows = []
    for team in teams:
        state = states[team.id]
        cells = []
        for m in missions:
            record = progress.get((team.id, m["id"]))
            status = game.status(state, m["id"])
            summary = game.console_summary(m["id"], record.state) if record else ConsoleSummary()
            cells.append(
                {
                    "mission": m,
                    "status": status,
                    "attempts": record.wrong_attempts if record else 0,
                    "pending": summary.pending,
                    "photo": summary.photo,
                    "text": summary.text,
                }
            )
        rows.append(
            {
                "team": team,
                "cells": cells,
                "online": [pseudonyms.get(p, "?") for p in online.get(team.id, [])],
                "shards": state.shards,
                "offers": len(state.offers),
                "done": sum(1 for c in cells if c["status"] == DONE),
                "in_progress": sum(1 for c in cells if c["status"] == IN_PROGRESS),
            }
        )
    names = {t.id: t.name for t in teams}
    recent = session.scalars(
        select(TeamEvent)
        .where(TeamEvent.team_id.in_(list(names)))
        .order_by(TeamEvent.created_at.desc(), TeamEvent.id.desc())
        .limit(FEED_SIZE)
    ).all()
    feed = [
        {
            "at": _as_utc(e.created_at),
            "text": describe({"type": e.type, **e.payload}, names[e.team_id], pseudonyms, titles),
        }
        for e in recent
    ]
    return {
        "day": day,
        "days": [d.day for d in game.scenario.days],
        "opened": sorted(opened),
        "missions": missions,
        "rows": rows,
        "feed": feed,
        "alerts": cohort_alerts(session, cohort, now, online, limits, states),
        "pending": pending_count(session, cohort),
    }


def team_of(session: Session, cohort: Cohort, team_id: int) -> Team:
    """A team of this cohort, or a refusal."""
    team = session.get(Team, team_id)
    if team is None or team.cohort_id != cohort.id:
        raise DashboardError("unknown_team", "Cette équipe n'appartient pas à la cohorte.")
    return team


def player_of(session: Session, cohort: Cohort, player_id: int) -> Player:
    """A player of this cohort, or a refusal."""
    player = session.get(Player, player_id)
    if player is None or player.team.cohort_id != cohort.id:
        raise DashboardError("unknown_player", "Ce joueur n'appartient pas à la cohorte.")
    return player


def _locked(session: Session, team_id: int) -> Team:
    team = lock_team(session, team_id)
    if team is None:
        raise DashboardError("unknown_team", "Cette équipe n'existe plus.")
    return team


def _actor(session: Session, team: Team, by: Any = None) -> Player:
    """The player a counsellor's action is applied through: `by` (a player id) if still in the
    team, else its first player (the engine's actions go through a team's player)."""
    player = session.get(Player, int(by)) if isinstance(by, str) and by.isdigit() else None
    if player is None or player.team_id != team.id:
        player = team.players[0] if team.players else None
    if player is None:
        raise DashboardError("no_player", "Cette équipe n'a plus de joueur.")
    return player


def give_hint(
    session: Session, cohort: Cohort, team_id: int, mission_id: str, now: datetime
) -> tuple[Broadcasts, int]:
    """Offer a team the next hint of a mission (free: the counsellor gives it); its index."""
    team = team_of(session, cohort, team_id)
    player = _actor(session, team)
    reply = give(
        session, player, server_action_id("give-hint", mission_id, team.version), mission_id, now
    )
    if not reply.ok:
        error = reply.error or {"code": "refused", "message": "Impossible d'envoyer l'indice."}
        raise DashboardError(error.get("code", "refused"), error["message"])
    index = next((int(e["index"]) for e in reply.events if e.get("type") == "hint.bought"), 0)
    return {team.id: reply.events}, index


def review_proof(
    session: Session,
    cohort: Cohort,
    team_id: int,
    mission_id: str,
    accepted: bool,
    comment: str,
    now: datetime,
    photos: Path | None = None,
) -> Broadcasts:
    """Accept or refuse a team's pending proof, with a comment the team sees.

    A refused proof's photo is deleted from `photos` (the folder of stored photos): the team
    sends a new one, and nothing shows a refused proof's photo.
    """
    team = team_of(session, cohort, team_id)
    row = session.scalar(
        select(MissionProgress).where(
            MissionProgress.team_id == team.id, MissionProgress.mission_id == mission_id
        )
    )
    if row is None or row.state.get("status") != "pending":
        raise DashboardError("nothing_to_review", "Aucune preuve n'attend de validation ici.")
    submission = row.state.get("submission") or {}
    photo = submission.get("photo")
    player = _actor(session, team, submission.get("by"))
    action_id = server_action_id("review", mission_id, team.version)
    reply = perform(
        session,
        player,
        action_id,
        mission_id,
        "review",
        {"accepted": accepted, "comment": comment.strip()[:500]},
        now,
    )
    if reply.error and not reply.ok:
        raise DashboardError(reply.error.get("code", "refused"), reply.error["message"])
    if not accepted and photos is not None and isinstance(photo, str):
        proofs.remove_photo(photos, photo)
    return {team.id: reply.events}


def reset_mission(
    session: Session, cohort: Cohort, team_id: int, mission_id: str, now: datetime
) -> Broadcasts:
    """Put a mission back to its start for a team: progress, offers and its reward taken back.

    The éclats it earned are taken back (never below zero: some may have bought hints) and
    KRONOS regains the strength it lost, so that succeeding again is not rewarded twice.
    Missions that needed it are locked again until it is done again (statuses derive from it).
    """
    team = team_of(session, cohort, team_id)
    game = game_for(cohort.scenario_version)
    mission = game.missions.get(mission_id)
    if mission is None:
        raise DashboardError("unknown_mission", "Cette mission n'existe pas.")
    with write_transaction(session):
        locked = _locked(session, team.id)
        before = game.statuses(team_state(session, locked, now))
        done = (
            session.scalar(
                select(MissionProgress.status).where(
                    MissionProgress.team_id == team.id, MissionProgress.mission_id == mission_id
                )
            )
            == MissionStatus.DONE
        )
        session.execute(
            delete(MissionProgress).where(
                MissionProgress.team_id == team.id, MissionProgress.mission_id == mission_id
            )
        )
        session.execute(
            delete(UnlockedOffer).where(
                UnlockedOffer.team_id == team.id, UnlockedOffer.mission_id == mission_id
            )
        )
        if done and mission.reward:
            taken = min(mission.reward, locked.shards)
            locked.shards -= taken
            locked.ai_strength = min(
                game.scenario.meta.ai.strength, locked.ai_strength + mission.reward
            )
            session.add(
                ShardEntry(
                    team_id=locked.id,
                    mission_id=mission_id,
                    amount=-taken,
                    reason="reset",
                    created_at=now,
                )
            )
        session.flush()
        after = game.statuses(team_state(session, locked, now))
        payload = {
            "mission": mission_id,
            "shards": locked.shards,
            "ai_strength": locked.ai_strength,
            # What phones patch: the statuses this reset changed (the mission's own, and the
            # missions that needed it, locked again).
            "statuses": {m: s for m, s in after.items() if s != before[m] or m == mission_id},
        }
        event = record_event(session, locked, "mission.reset", payload, now)
    return {team.id: [event]}


def move_player(
    session: Session, cohort: Cohort, player_id: int, team_id: int, now: datetime
) -> Broadcasts:
    """Move a player to another team of the cohort, if it has room."""
    player = player_of(session, cohort, player_id)
    target = team_of(session, cohort, team_id)
    if player.team_id == target.id:
        raise DashboardError("same_team", "Ce joueur est déjà dans cette équipe.")
    source_id = player.team_id
    with write_transaction(session):
        # Both teams locked (in id order, so two opposite moves cannot deadlock), then the
        # player and the room left read under the locks.
        locked = {t: _locked(session, t) for t in sorted((source_id, target.id))}
        source, target = locked[source_id], locked[target.id]
        session.refresh(player)
        if player.team_id != source.id:
            raise DashboardError("player_moved", "Ce joueur vient de changer d'équipe : réessayez.")
        room = session.scalar(
            select(func.count()).select_from(Player).where(Player.team_id == target.id)
        )
        if (room or 0) >= target.capacity:
            raise DashboardError(
                "team_full", f"L'équipe {target.name} est complète ({target.capacity} places)."
            )
        player.team_id = target.id
        payload = {"player": player.id, "pseudonym": player.pseudonym, "to": target.id}
        out = {
            source.id: [record_event(session, source, "player.moved", dict(payload), now)],
            target.id: [record_event(session, target, "player.moved", dict(payload), now)],
        }
    session.expire_all()
    return out


def set_absent(
    session: Session, cohort: Cohort, player_id: int, absent: bool, now: datetime
) -> Broadcasts:
    """Mark a player absent or present (an absent player is not counted for team missions)."""
    player = player_of(session, cohort, player_id)
    team_id = player.team_id
    with write_transaction(session):
        team = _locked(session, team_id)
        session.refresh(player)
        if player.team_id != team.id:
            raise DashboardError("player_moved", "Ce joueur vient de changer d'équipe : réessayez.")
        player.absent = absent
        event = record_event(
            session,
            team,
            "player.absent",
            {"player": player.id, "pseudonym": player.pseudonym, "absent": absent},
            now,
        )
    return {player.team_id: [event]}


def proof_belongs(session: Session, cohort: Cohort, name: str) -> bool:
    """Whether a stored proof photo was sent by a team of this cohort."""
    rows = session.scalars(
        select(MissionProgress.state)
        .join(Team, Team.id == MissionProgress.team_id)
        .where(Team.cohort_id == cohort.id)
    )
    return any((state.get("submission") or {}).get("photo") == name for state in rows if state)
