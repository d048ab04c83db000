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


def _quoted(title: str) -> str:
    """« title », or a plain phrase when the title is unknown (never empty quotes)."""
    return f"« {title} »" if title.strip() else "une mission"


def _team_verb(team: str, singular: str, plural: str) -> str:
    # « Les Comètes ont réussi », « L'équipe Nova a réussi ».
    return plural if team.casefold().startswith(("les ", "des ")) else singular


def _player_id(value: Any) -> int | None:
    if isinstance(value, dict):
        value = value.get("id")
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _listing(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " et " + items[-1]


def describe(
    event: Mapping[str, Any],
    team: str,
    players: Mapping[int, str],
    titles: Mapping[str, str],
    offers: Mapping[str, str] | None = None,
    team_id: int | None = None,
) -> str:
    """One team event as a full French sentence for the feed, naming its mission or offer."""
    actor = _player_id(event.get("player")) or _player_id(event.get("by"))
    who = players.get(actor, "") if actor is not None else ""
    if isinstance(event.get("player"), dict):  # player.joined names the newcomer inline
        who = str(event["player"].get("pseudonym") or who)
    who = who or str(event.get("pseudonym") or "")
    raw = str(event.get("mission") or "")
    mission = _quoted(titles.get(raw, raw))
    kind = str(event.get("type"))
    have = _team_verb(team, "a", "ont")
    be = _team_verb(team, "est", "sont")
    by = f" grâce à {who}" if who else ""
    subject = f"{who} ({team})" if who else team
    day = event.get("day")
    day_title = f" « {event['title']} »" if str(event.get("title") or "").strip() else ""
    if kind == "mission.available":
        opened = [_quoted(titles.get(str(m), str(m))) for m in event.get("missions") or []]
        if raw:
            opened = opened or [mission]
        if not opened:
            return f"De nouvelles missions sont disponibles pour {team}."
        are = "est disponible" if len(opened) == 1 else "sont disponibles"
        return f"{_listing(opened)} {are} pour {team}."
    if kind == "offer.unlocked":
        offer_id = str(event.get("offer") or "")
        title = (offers or {}).get(offer_id, "")
        offer = f"l'offre « {title} »" if title.strip() else "une offre de la Mission Locale"
        return f"{team} {have} débloqué {offer}."
    if kind == "hint.bought":
        index = event.get("index")
        hint = f"l'indice {int(index) + 1}" if isinstance(index, int) else "un indice"
        if event.get("given"):
            return f"Un conseiller a offert {hint} de {mission} à {team}."
        cost = event.get("cost")
        price = f" (−{cost} éclats)" if isinstance(cost, int) and cost else ""
        return f"{subject} a acheté {hint} de {mission}{price}."
    if kind == "player.moved":
        left = team_id is not None and event.get("to") != team_id
        verb = "a quitté" if left else "a rejoint"
        return f"{who or 'Un joueur'} {verb} {team} (changement d'équipe)."
    reward = event.get("reward")
    gain = f" (+{reward} éclats)" if isinstance(reward, int) and reward else ""
    sentences = {
        "mission.completed": f"{team} {have} réussi {mission}{by}{gain}.",
        "mission.attempted": f"{subject} s'est trompé·e sur {mission}.",
        "mission.updated": f"{subject} avance sur {mission}.",
        "proof.submitted": f"{subject} a envoyé une preuve pour {mission}.",
        "proof.reviewed": f"La preuve de {team} pour {mission} a été "
        + ("validée." if event.get("accepted") else "refusée."),
        "player.joined": f"{who or 'Un joueur'} a rejoint {team}.",
        "player.absent": f"{who or 'Un joueur'} ({team}) est "
        + ("marqué·e absent·e." if event.get("absent") else "de nouveau présent·e."),
        "mission.reset": f"{mission[0].upper() + mission[1:]} a été réinitialisée pour {team}.",
        "checkpoint.scanned": f"{subject} a scanné un point de passage de {mission}.",
        "day.unlocked": f"Le jour {day}{day_title} est ouvert pour {team}.",
        "day.closed": f"Le jour {day}{day_title} est terminé pour {team}.",
        "recap.ready": f"Le récap du jour {day} est prêt pour {team}.",
        "cohort.paused": f"La cohorte est en pause : {team} {be} en attente.",
        "cohort.resumed": f"La cohorte reprend : {team} {have} repris le jeu.",
        "booking.attended": f"{subject} est venu·e à son rendez-vous.",
        "booking.reminder": f"{subject} a reçu le rappel de son rendez-vous.",
        "player.removed": f"Un joueur a été retiré de {team} par un conseiller ou une conseillère.",
        "team.locked": f"{team} {be} "
        + ("fermée aux nouvelles arrivées." if event.get("locked") else "de nouveau ouverte."),
        "player.erased": f"Les données d'un joueur de {team} ont été effacées.",
    }
    return sentences.get(kind, f"{team} : nouvel événement ({kind}).")


#: The event types the feed puts into words (tests check each one reads as a full sentence).
FEED_TYPES = (
    "mission.available",
    "offer.unlocked",
    "hint.bought",
    "player.moved",
    "mission.completed",
    "mission.attempted",
    "mission.updated",
    "proof.submitted",
    "proof.reviewed",
    "player.joined",
    "player.absent",
    "mission.reset",
    "checkpoint.scanned",
    "day.unlocked",
    "day.closed",
    "recap.ready",
    "cohort.paused",
    "cohort.resumed",
    "booking.attended",
    "booking.reminder",
    "player.removed",
    "team.locked",
    "player.erased",
)


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
    offer_titles = {o_id: o.title for o_id, o in game.offers.items()}
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
            "text": describe(
                {"type": e.type, **e.payload},
                names[e.team_id],
                pseudonyms,
                titles,
                offer_titles,
                e.team_id,
            ),
        }
        for e in recent
    ]
    return {
        "day": day,
        "days": [d.day for d in game.scenario.days],
        "calendar": day_states(cohort, opened),
        "opened": sorted(opened),
        "missions": missions,
        "rows": rows,
        "feed": feed,
        "alerts": cohort_alerts(session, cohort, now, online, limits, states),
        "pending": pending_count(session, cohort),
    }


def day_states(cohort: Cohort, opened: set[int]) -> list[dict[str, Any]]:
    """Every day of the cohort's calendar with its state: `open`, `done` (closed) or
    `upcoming` (with the moment it opens, in UTC), for the day selector."""
    out = []
    for d in sorted(cohort.days, key=lambda d: d.number):
        if d.closed_at is not None:
            state = "done"
        elif d.unlocked_at is not None or d.number in opened:
            state = "open"
        else:
            state = "upcoming"
        out.append({"number": d.number, "state": state, "unlock_at": _as_utc(d.unlock_at)})
    return out


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
