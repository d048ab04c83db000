"""Live play: load a team, run the engine, persist the result, return versioned events.

Each public function owns its transaction (tempo/transactions.py). Writers on one team are
serialised: on PostgreSQL by locking the team row, on SQLite by its single write lock.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tempo.engine.progress import playable_days
from tempo.engine.team import DONE, Game, MissionRecord, Result, TeamState
from tempo.markup import render
from tempo.missions import registry
from tempo.missions.base import Action, MissionContext
from tempo.models import (
    ClientAction,
    MissionProgress,
    MissionStatus,
    Player,
    ScenarioVersion,
    ShardEntry,
    Team,
    TeamEvent,
    UnlockedOffer,
    WrongAttempt,
)
from tempo.transactions import write_transaction

MAX_REPLAY = 200


@dataclass(frozen=True)
class Limits:
    """Wrong answers allowed per player and per team within a sliding window."""

    per_player: int = 10
    per_team: int = 10
    window_seconds: int = 60


DEFAULT_LIMITS = Limits()


@dataclass
class Reply:
    """What a client's action gets back, and the events to broadcast to its team."""

    ok: bool
    version: int
    error: dict[str, Any] | None = None
    events: list[dict[str, Any]] = field(default_factory=list)
    duplicate: bool = False

    def ack(self) -> dict[str, Any]:
        """The acknowledgement payload sent to the acting client."""
        body: dict[str, Any] = {"ok": self.ok, "version": self.version}
        if self.error:
            body["error"] = self.error
        if self.duplicate:
            body["duplicate"] = True
        return body


class PlayError(Exception):
    """A refusal before any game logic ran (unknown player, absent…), with a French message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


_games: dict[int, Game] = {}
_games_lock = threading.Lock()


def game_for(version: ScenarioVersion) -> Game:
    """The parsed game of a scenario version (parsed once per process: versions are immutable)."""
    game = _games.get(version.id)
    if game is None:
        with _games_lock:
            game = _games.get(version.id)
            if game is None:
                game = Game.from_frozen(version.content)
                _games[version.id] = game
    return game


def _lock_team(session: Session, team_id: int) -> Team:
    team = session.scalar(
        select(Team)
        .where(Team.id == team_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if team is None:
        raise PlayError("unknown_team", "Cette équipe n'existe plus.")
    return team


def team_state(session: Session, team: Team, now: datetime) -> TeamState:
    """The engine's view of a team, read from the database."""
    cohort = team.cohort
    opened = playable_days(cohort.clocks(), now, cohort.status.value)
    rows = session.scalars(select(MissionProgress).where(MissionProgress.team_id == team.id))
    missions = {
        row.mission_id: MissionRecord(
            status=row.status.value,
            state=dict(row.state),
            hints_used=row.hints_used,
            completed_by=str(row.completed_by_id) if row.completed_by_id else None,
        )
        for row in rows
    }
    offers = tuple(
        session.scalars(
            select(UnlockedOffer.offer_id)
            .where(UnlockedOffer.team_id == team.id)
            .order_by(UnlockedOffer.id)
        )
    )
    return TeamState(
        version=team.version,
        shards=team.shards,
        ai_strength=team.ai_strength,
        flags=dict(team.flags),
        missions=missions,
        offers=offers,
        open_days=frozenset(opened),
    )


def _persist(
    session: Session,
    team: Team,
    old: TeamState,
    result: Result,
    player_id: int | None,
    client_action_id: str | None,
    now: datetime,
    game: Game,
) -> list[dict[str, Any]]:
    """Write the engine's result; return the events with their versions."""
    new = result.state
    for mission_id in result.changed:
        record = new.missions[mission_id]
        row = session.scalar(
            select(MissionProgress).where(
                MissionProgress.team_id == team.id, MissionProgress.mission_id == mission_id
            )
        )
        if row is None:
            row = MissionProgress(team_id=team.id, mission_id=mission_id, started_at=now)
            session.add(row)
        row.status = MissionStatus(record.status)
        row.state = record.state
        row.hints_used = record.hints_used
        if result.wrong:
            row.wrong_attempts = (row.wrong_attempts or 0) + 1
        if record.status == DONE and row.completed_at is None:
            row.completed_at = now
            row.completed_by_id = player_id
    for offer_id in new.offers[len(old.offers) :]:
        mission_id = next((e["mission"] for e in result.events if e.get("offer") == offer_id), "")
        session.add(
            UnlockedOffer(
                team_id=team.id, offer_id=offer_id, mission_id=mission_id, unlocked_at=now
            )
        )
    shard_delta = new.shards - team.shards
    if shard_delta:
        mission_id = next(iter(result.changed), None)
        reason = "hint" if shard_delta < 0 else "mission"
        session.add(
            ShardEntry(
                team_id=team.id,
                player_id=player_id,
                mission_id=mission_id,
                amount=shard_delta,
                reason=reason,
                created_at=now,
            )
        )
    versioned = []
    version = team.version
    for event in result.events:
        version += 1
        payload = {k: v for k, v in event.items() if k != "type"}
        if isinstance(payload.get("by"), str) and payload["by"].isdigit():
            payload["by"] = int(payload["by"])  # the engine names players by string ids
        if event["type"] == "hint.bought":
            payload["text_html"] = str(render(event["text"]))
        if event["type"] == "offer.unlocked":
            payload["details"] = game.offers[event["offer"]].model_dump(mode="json")
        session.add(
            TeamEvent(
                team_id=team.id,
                version=version,
                type=event["type"],
                payload=payload,
                player_id=player_id,
                client_action_id=client_action_id,
                created_at=now,
            )
        )
        versioned.append({"version": version, "type": event["type"], **payload})
    team.version = version
    team.shards = new.shards
    team.ai_strength = new.ai_strength
    team.flags = dict(new.flags)
    return versioned


def _retry_after(
    session: Session, team_id: int, player_id: int, now: datetime, limits: Limits
) -> int | None:
    """Seconds to wait when the player or the team has used up its wrong answers."""
    since = now - timedelta(seconds=limits.window_seconds)
    for column, value, limit in (
        (WrongAttempt.player_id, player_id, limits.per_player),
        (WrongAttempt.team_id, team_id, limits.per_team),
    ):
        recent = session.scalars(
            select(WrongAttempt.at)
            .where(column == value, WrongAttempt.at > since)
            .order_by(WrongAttempt.at.desc())
            .limit(limit)
        ).all()
        if len(recent) >= limit:
            oldest = recent[-1]
            # The oldest counted mistake leaves the window after this many seconds.
            return max(1, math.ceil((oldest - since).total_seconds()))
    return None


def _error(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"code": code, "message": message, **extra}


def perform(
    session: Session,
    player: Player,
    client_action_id: str,
    mission_id: str,
    kind: str,
    data: dict[str, Any],
    now: datetime,
    present: Sequence[int] = (),
    limits: Limits = DEFAULT_LIMITS,
) -> Reply:
    """Apply one player action on one mission, exactly once for its client id."""
    return _run(
        session,
        player,
        client_action_id,
        now,
        lambda game, state: _play(
            session, game, state, player, mission_id, kind, data, now, present, limits
        ),
    )


def buy_hint(
    session: Session,
    player: Player,
    client_action_id: str,
    mission_id: str,
    index: int,
    now: datetime,
) -> Reply:
    """Spend the team's shards on a mission's next hint, exactly once for its client id."""
    return _run(
        session,
        player,
        client_action_id,
        now,
        lambda game, state: (game.buy_hint(state, mission_id, index, str(player.id)), None),
    )


def _play(
    session: Session,
    game: Game,
    state: TeamState,
    player: Player,
    mission_id: str,
    kind: str,
    data: dict[str, Any],
    now: datetime,
    present: Sequence[int],
    limits: Limits,
) -> tuple[Result, dict[str, Any] | None]:
    mission = game.missions.get(mission_id)
    mission_type = registry.get(mission.type) if mission else None
    if mission_type is not None and kind in mission_type.guesses:
        wait = _retry_after(session, player.team_id, player.id, now, limits)
        if wait is not None:
            return Result(state), _error(
                "rate_limited",
                f"Trop de mauvaises réponses d'affilée. Réessayez dans {wait} secondes.",
                retry_after=wait,
            )
    ctx = MissionContext(now=now, present_players=tuple(str(p) for p in present))
    result = game.play(state, mission_id, Action(kind=kind, player=str(player.id), data=data), ctx)
    if result.wrong:
        session.add(
            WrongAttempt(team_id=player.team_id, player_id=player.id, mission_id=mission_id, at=now)
        )
    return result, None


def _run(
    session: Session,
    player: Player,
    client_action_id: str,
    now: datetime,
    step: Any,
) -> Reply:
    if not client_action_id or len(client_action_id) > 64:
        raise PlayError("invalid_action", "Action sans identifiant valide.")
    with write_transaction(session):
        team = _lock_team(session, player.team_id)
        previous = session.scalar(
            select(ClientAction).where(
                ClientAction.team_id == team.id,
                ClientAction.client_action_id == client_action_id,
            )
        )
        if previous is not None:
            stored = dict(previous.reply)
            return Reply(
                ok=bool(stored.get("ok")),
                version=team.version,
                error=stored.get("error"),
                duplicate=True,
            )
        game = game_for(team.cohort.scenario_version)
        state = team_state(session, team, now)
        result, refusal = step(game, state)
        if refusal is None and result.error is not None:
            refusal = _error(result.error.code, result.error.message)
        events: list[dict[str, Any]] = []
        if result.events:
            events = _persist(session, team, state, result, player.id, client_action_id, now, game)
        ok = refusal is None or result.wrong
        reply = Reply(
            ok=ok and not result.wrong, version=team.version, error=refusal, events=events
        )
        session.add(
            ClientAction(
                team_id=team.id,
                client_action_id=client_action_id,
                player_id=player.id,
                reply=reply.ack(),
                created_at=now,
            )
        )
        player.last_seen_at = now
    return reply


def events_since(session: Session, team: Team, version: int) -> list[dict[str, Any]] | None:
    """The events after `version`, contiguous, or None when a snapshot is needed instead."""
    if version >= team.version:
        return []
    if version < 0 or team.version - version > MAX_REPLAY:
        return None
    rows = session.scalars(
        select(TeamEvent)
        .where(TeamEvent.team_id == team.id, TeamEvent.version > version)
        .order_by(TeamEvent.version)
    ).all()
    if [r.version for r in rows] != list(range(version + 1, team.version + 1)):
        return None
    return [{"version": r.version, "type": r.type, **r.payload} for r in rows]


def record_event(
    session: Session,
    team: Team,
    kind: str,
    payload: dict[str, Any],
    now: datetime,
    player_id: int | None = None,
) -> dict[str, Any]:
    """Append one versioned event outside an action (a player joined, a day unlocked…)."""
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


def wrong_count(session: Session, team_id: int) -> int:
    """Wrong answers a team has given (for dashboards and tests)."""
    return int(
        session.scalar(
            select(func.count()).select_from(WrongAttempt).where(WrongAttempt.team_id == team_id)
        )
        or 0
    )
