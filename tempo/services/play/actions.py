"""Live play: load a team, run the engine, persist the result, return versioned events.

Each public function owns its transaction (tempo/transactions.py). Writers on one team are
serialised: on PostgreSQL by locking the team row, on SQLite by its single write lock.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import (
    Integer,
    String,
    Table,
    and_,
    bindparam,
    cast,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

from tempo.engine.progress import CLOCK_RUNS
from tempo.engine.progress import PAUSED as PAUSED_STATUS
from tempo.engine.team import DONE, Game, MissionRecord, Result, TeamState, pause_refusal
from tempo.engine.team import PAUSED as ENGINE_PAUSED
from tempo.infra.markup import render
from tempo.infra.prepared import PreparedSqlite
from tempo.infra.transactions import core_write_transaction
from tempo.missions import registry
from tempo.missions.base import Action, MissionContext
from tempo.models import (
    Base,
    ClientAction,
    Cohort,
    CohortDay,
    CohortStatus,
    MissionProgress,
    MissionStatus,
    Player,
    ShardEntry,
    Team,
    TeamEvent,
    UnlockedOffer,
    WrongAttempt,
)
from tempo.services.content.games import cached, version_game
from tempo.services.errors import ServiceError


@dataclass(frozen=True)
class Limits:
    """Wrong answers allowed per player and per team within a sliding window, and how long a
    team's vote lasts (dialogues and quizzes in `decision: vote` mode)."""

    per_player: int = 10
    per_team: int = 10
    window_seconds: int = 60
    vote_seconds: int = 60


DEFAULT_LIMITS = Limits()


class Change(NamedTuple):
    """What an action changed: its game, the team's state before it and after it."""

    game: Game
    before: TeamState
    after: TeamState


@dataclass
class Reply:
    """What a client's action gets back, and the events to broadcast to its team."""

    ok: bool
    version: int
    error: dict[str, Any] | None = None
    events: list[dict[str, Any]] = field(default_factory=list)
    duplicate: bool = False
    team_id: int | None = None  # the team the action was applied to (where to broadcast)
    cohort_id: int | None = None  # its cohort (whose dashboards mirror the events)
    # The game and the team's state before and right after the events: the `mission.view`
    # pushes that follow them are drawn from it rather than read again from the database.
    after: Change | None = field(default=None, repr=False, compare=False)

    def ack(self) -> dict[str, Any]:
        """The acknowledgement payload sent to the acting client."""
        body: dict[str, Any] = {"ok": self.ok, "version": self.version}
        if self.error:
            body["error"] = self.error
        if self.duplicate:
            body["duplicate"] = True
        return body


class PlayError(ServiceError):
    """A refusal before any game logic ran (unknown player, absent…), with a French message."""


# Action ids share one column (a team's ids are unique). A phone's ids are at most 64 letters,
# digits, `-` or `_` (a UUID is); ids the server makes start with `~`, which a phone's never
# holds, so a phone cannot claim in advance the id of a counsellor's review or a booking.
_CLIENT_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
SERVER_PREFIX = "~"


class ServerActionId(str):
    """An action id made by the server (`server_action_id`); never built from a phone's input."""


def server_action_id(*parts: object) -> ServerActionId:
    """The id of an action the server sends for its own reasons (a review, a booking…)."""
    return ServerActionId((SERVER_PREFIX + "-".join(str(p) for p in parts))[:64])


def _checked_id(action_id: str) -> str:
    if isinstance(action_id, ServerActionId) or _CLIENT_ID.fullmatch(action_id or ""):
        return str(action_id)
    raise PlayError("invalid_action", "Action sans identifiant valide.")


# Live play runs a dozen statements per action; through the ORM each costs several times what
# it costs through SQLAlchemy Core (measured with `tempo bench`, docs/benchmarks.md), so the
# action path reads and writes these tables with Core. Other readers keep using the models.
def _table(model: type[Base]) -> Table:
    """The model's Core table."""
    table = model.__table__
    # Declarative mapping types `__table__` as any FromClause; a model mapped here has a Table.
    assert isinstance(table, Table)
    return table


#: What the action path runs its statements on: the action's own connection (`_run`,
#: `read_for_view`), or a session (readers outside an action, such as `team_state`).
Executor = Session | Connection | PreparedSqlite

_team = _table(Team)
_cohort = _table(Cohort)
_day = _table(CohortDay)
_progress = _table(MissionProgress)
_offer = _table(UnlockedOffer)
_shard = _table(ShardEntry)
_wrong = _table(WrongAttempt)
_client_action = _table(ClientAction)
_event = _table(TeamEvent)
_player = _table(Player)

# The days players may open (`tempo.engine.progress.playable_days`, the rule's one statement in
# Python) are asked of the database as numbers: reading every day's clock to decide in Python
# cost each action and each `view` three times the statement itself. A paused cohort has none
# (decided in Python). tests/services/test_open_days.py checks both agree.
_OPEN_BY_HAND = _day.c.unlocked_at.is_not(None)
# Equalities, not IN: an IN list is re-rendered at each execution (SQLAlchemy's expanding bind).
_CLOCK_RUNS = or_(*(_cohort.c.status == CohortStatus(status) for status in sorted(CLOCK_RUNS)))
_PLAYABLE_DAY = or_(_OPEN_BY_HAND, and_(_CLOCK_RUNS, _day.c.unlock_at <= bindparam("now")))
_OPEN_DAYS = (
    select(_day.c.number)
    .join(_cohort, _day.c.cohort_id == _cohort.c.id)
    .where(_day.c.cohort_id == bindparam("cohort_id"), _PLAYABLE_DAY)
)


class _comma_joined(FunctionElement[str]):
    """The values of a column as one text, `a,b,c`: SQLAlchemy's own `aggregate_strings` binds
    its separator as a parameter rendered again into the SQL at every execution, a tenth of
    the cost of the statements that read a team (measured); this one writes it in the SQL."""

    type = String()
    inherit_cache = True


@compiles(_comma_joined)  # SQLite's, and the default (str() of a statement)
def _group_concat(element: _comma_joined, compiler: Any, **kw: Any) -> str:
    return f"group_concat({compiler.process(element.clauses, **kw)}, ',')"


@compiles(_comma_joined, "postgresql")
def _string_agg(element: _comma_joined, compiler: Any, **kw: Any) -> str:
    return f"string_agg({compiler.process(element.clauses, **kw)}, ',')"


def _listed(column: Any, *where: Any) -> Any:
    """A correlated subquery: the column's values as one text, `a,b,c` (ids are slugs)."""
    return select(_comma_joined(cast(column, String))).where(*where).scalar_subquery()


# One statement reads the acting player's team with what an action or a phone's `view` needs
# of its cohort, its open days included.
_TEAM_COLUMNS = (
    _team.c.id,
    _team.c.cohort_id,
    _team.c.version,
    _team.c.shards,
    _team.c.ai_strength,
    _team.c.flags,
    _cohort.c.status,
    _cohort.c.scenario_version_id,
    _player.c.last_seen_at,
    _listed(_day.c.number, _day.c.cohort_id == _team.c.cohort_id, _PLAYABLE_DAY).label("days"),
)


def _team_of_player(*columns: Any) -> Any:
    return (
        select(*_TEAM_COLUMNS, *columns)
        .select_from(_player)
        .join(_team, _player.c.team_id == _team.c.id)
        .join(_cohort, _team.c.cohort_id == _cohort.c.id)
        .where(_player.c.id == bindparam("player_id"))
    )


_READ_TEAM = _team_of_player()
# The same, locking the team row (PostgreSQL: FOR UPDATE OF team only, never the shared cohort
# row). There, the reply to a retried action, the team's offers, its missions and its wrong
# answers are read by statements of their own: a subquery here would see the snapshot taken
# before waiting for the lock, and miss what the writer before us just committed. SQLite reads
# them along (`_LOCK_TEAM_SQLITE`).
_LOCK_TEAM = _READ_TEAM.with_for_update(of=_team)
_PREVIOUS_REPLY = select(_client_action.c.reply).where(
    _client_action.c.team_id == bindparam("team_id"),
    _client_action.c.client_action_id == bindparam("client_action_id"),
)
_PROGRESS = select(
    _progress.c.id,
    _progress.c.mission_id,
    _progress.c.status,
    _progress.c.state,
    _progress.c.hints_used,
    _progress.c.wrong_attempts,
    _progress.c.started_at,
    _progress.c.completed_at,
    _progress.c.completed_by_id,
).where(_progress.c.team_id == bindparam("team_id"))
_OFFERS = (
    select(_offer.c.offer_id).where(_offer.c.team_id == bindparam("team_id")).order_by(_offer.c.id)
)


class ProgressRow(NamedTuple):
    """What an action reads of one mission_progress row, to rebuild the team's state and to
    update the row in place."""

    id: int
    mission_id: str
    status: str
    state: dict[str, Any]
    hints_used: int
    wrong_attempts: int
    started: bool
    completed: bool
    completed_by_id: int | None


# The same rows as one JSON text, for the SQLite lock statement below (the fields in
# ProgressRow's order; its times only as « is it set »).
_PROGRESS_JSON = (
    select(
        func.json_group_array(
            func.json_array(
                _progress.c.id,
                _progress.c.mission_id,
                _progress.c.status,
                func.json(_progress.c.state),
                _progress.c.hints_used,
                _progress.c.wrong_attempts,
                _progress.c.started_at.is_not(None),
                _progress.c.completed_at.is_not(None),
                _progress.c.completed_by_id,
            )
        )
    )
    .where(_progress.c.team_id == _team.c.id)
    .scalar_subquery()
)


def _nth_recent_wrong(column: Any, prefix: str, of: Any = None) -> Any:
    # The n-th most recent mistake (n = the limit) in the window, if there are that many, of
    # `of` (by default the `<prefix>_id` parameter).
    return (
        select(_wrong.c.at)
        .where(
            column == (bindparam(f"{prefix}_id") if of is None else of),
            _wrong.c.at > bindparam("since"),
        )
        .order_by(_wrong.c.at.desc())
        .offset(bindparam(f"{prefix}_skip", type_=Integer))
        .limit(1)
        .scalar_subquery()
    )


# Player first, then team, in one statement, one row read however high the limits are.
_RECENT_WRONG = select(
    _nth_recent_wrong(_wrong.c.player_id, "player"), _nth_recent_wrong(_wrong.c.team_id, "team")
)
# SQLite's BEGIN IMMEDIATE takes the write lock before the team is read: one statement reads
# all an action needs to decide (its team, a replayed reply, the offers, the missions' rows,
# the wrong answers in the window) where PostgreSQL runs five: each statement has a cost of its
# own beyond SQLite's work, even on the cursor (docs/benchmarks.md, « Quieter servers… »).
_LOCK_TEAM_SQLITE = _team_of_player(
    select(_client_action.c.reply)
    .where(
        _client_action.c.team_id == _team.c.id,
        _client_action.c.client_action_id == bindparam("client_action_id"),
    )
    .scalar_subquery()
    .label("previous"),
    _listed(_offer.c.offer_id, _offer.c.team_id == _team.c.id).label("offers"),
    _PROGRESS_JSON.label("progress"),
    _nth_recent_wrong(_wrong.c.player_id, "player").label("wrong_player"),
    _nth_recent_wrong(_wrong.c.team_id, "team", of=_team.c.id).label("wrong_team"),
)
# Statements built once: building them costs more than running them (write-side SET clauses
# follow the keys of the parameters).
_INSERT_PROGRESS = insert(_progress)
_UPDATE_PROGRESS = update(_progress).where(_progress.c.id == bindparam("progress_id"))
_INSERT_OFFER = insert(_offer)
_INSERT_SHARDS = insert(_shard)
_INSERT_EVENTS = insert(_event)
_UPDATE_TEAM = update(_team).where(_team.c.id == bindparam("team_pk"))
_INSERT_WRONG = insert(_wrong)
_INSERT_CLIENT_ACTION = insert(_client_action)
_TOUCH_PLAYER = update(_player).where(_player.c.id == bindparam("player_pk"))

# A player's last visit (the exports' « dernière visite ») is written by their actions at most
# this often: a player acting every few seconds would otherwise add a write to each action.
TOUCH_EVERY = timedelta(minutes=1)

# What a phone is told when it acts or opens a mission while its cohort is paused (every day is
# closed then, and « pas encore disponible » would be misleading): the engine's refusal.
PAUSED = (ENGINE_PAUSED.code, ENGINE_PAUSED.message)


def _game_of_version(db: Executor, version_id: int) -> Game:
    game = cached(version_id)
    if game is not None:
        return game
    # Within an action's transaction, read on its connection: a session of its own would begin
    # a second transaction, which on SQLite would wait for the write lock this one holds.
    bind = db.connection if isinstance(db, PreparedSqlite) else db
    with nullcontext(bind) if isinstance(bind, Session) else Session(bind=bind) as session:
        game = version_game(session, version_id)
    if game is None:
        raise PlayError("unknown_scenario", "Le scénario de cette promotion est introuvable.")
    return game


def _open_days(db: Executor, cohort_id: int, status: CohortStatus, now: datetime) -> frozenset[int]:
    if CohortStatus(status).value == PAUSED_STATUS:
        return frozenset()
    return frozenset(db.scalars(_OPEN_DAYS, {"cohort_id": cohort_id, "now": now}))


def _split(listed: str | None) -> list[str]:
    """The values of a `_listed` column."""
    return listed.split(",") if listed else []


def _open_days_of(team: Any) -> frozenset[int]:
    """The open days read along with a team row (`days`), none while its cohort is paused."""
    if CohortStatus(team.status).value == PAUSED_STATUS:
        return frozenset()
    return frozenset(int(day) for day in _split(team.days))


Progress = tuple[dict[str, MissionRecord], dict[str, ProgressRow]]


def _progress_of(db: Executor, team_id: int) -> Progress:
    """The team's mission records, and their rows (to update them in place)."""
    return _records(
        ProgressRow(
            row.id,
            row.mission_id,
            MissionStatus(row.status).value,
            row.state,
            row.hints_used,
            row.wrong_attempts,
            row.started_at is not None,
            row.completed_at is not None,
            row.completed_by_id,
        )
        for row in db.execute(_PROGRESS, {"team_id": team_id})
    )


def _progress_in(listed: str | None) -> Progress:
    """The same, from the JSON text `_PROGRESS_JSON` reads along with the team."""
    return _records(ProgressRow(*fields) for fields in json.loads(listed or "[]"))


def _records(rows: Iterable[ProgressRow]) -> Progress:
    by_mission = {row.mission_id: row for row in rows}
    records = {
        mission_id: MissionRecord(
            status=row.status,  # a value already, whichever way the row was read
            state=dict(row.state or {}),
            hints_used=row.hints_used,
            completed_by=str(row.completed_by_id) if row.completed_by_id else None,
        )
        for mission_id, row in by_mission.items()
    }
    return records, by_mission


def _offers_of(db: Executor, team_id: int) -> tuple[str, ...]:
    return tuple(db.scalars(_OFFERS, {"team_id": team_id}))


def team_state(session: Session, team: Team, now: datetime) -> TeamState:
    """The engine's view of a team, read from the database."""
    cohort = team.cohort
    state, _rows = _read_state(
        session, team.id, cohort.id, cohort.status, team.version, team.shards,
        team.ai_strength, team.flags, now,
    )  # fmt: skip
    return state


def read_for_view(session: Session, player_id: int, now: datetime) -> tuple[Game, TeamState] | None:
    """The game and the state of a player's team for drawing mission views (a phone's `view`),
    or None for a player who no longer exists. Three statements, no ORM object loaded; the
    team's offers are left out (`offers` is empty): a mission's view never reads them."""
    db = session.connection()
    team = db.execute(_READ_TEAM, {"player_id": player_id, "now": now}).first()
    if team is None:
        return None
    game = _game_of_version(session, team.scenario_version_id)
    state, _rows = _read_state(
        db, team.id, team.cohort_id, team.status, team.version, team.shards,
        team.ai_strength, team.flags, now, offers=(), open_days=_open_days_of(team),
    )  # fmt: skip
    return game, state


def _read_state(
    db: Executor,
    team_id: int,
    cohort_id: int,
    status: CohortStatus,
    version: int,
    shards: int,
    ai_strength: int,
    flags: dict[str, Any],
    now: datetime,
    offers: tuple[str, ...] | None = None,
    open_days: frozenset[int] | None = None,
    progress: Progress | None = None,
) -> tuple[TeamState, dict[str, ProgressRow]]:
    # One reading for the ORM's team (team_state) and the action path's Core row (_run).
    # `offers`, `open_days` and `progress` when the caller read them along with the team (else
    # read here).
    missions, rows = _progress_of(db, team_id) if progress is None else progress
    state = TeamState(
        version=version,
        shards=shards,
        ai_strength=ai_strength,
        flags=dict(flags),
        missions=missions,
        offers=_offers_of(db, team_id) if offers is None else offers,
        open_days=_open_days(db, cohort_id, status, now) if open_days is None else open_days,
        paused=status == CohortStatus.PAUSED,
    )
    return state, rows


def _persist(
    db: Executor,
    team: Any,
    old: TeamState,
    result: Result,
    player_id: int | None,
    client_action_id: str | None,
    now: datetime,
    game: Game,
    rows: dict[str, ProgressRow],
) -> list[dict[str, Any]]:
    """Write the engine's result (`team` is the locked row); return the versioned events."""
    new = result.state
    for mission_id in result.changed:
        record = new.missions[mission_id]
        row = rows.get(mission_id)  # read with the state, in this transaction
        values: dict[str, Any] = {
            "status": MissionStatus(record.status),
            "state": record.state,
            "hints_used": record.hints_used,
        }
        if row is None:
            values.update(
                team_id=team.id,
                mission_id=mission_id,
                started_at=now,
                wrong_attempts=1 if result.wrong else 0,
            )
            if record.status == DONE:
                values.update(completed_at=now, completed_by_id=player_id)
            db.execute(_INSERT_PROGRESS, values)
            continue
        if result.wrong:
            values["wrong_attempts"] = (row.wrong_attempts or 0) + 1
        if not row.started:  # a row written before any play, by a re-deal (regroup.py)
            values["started_at"] = now
        if record.status == DONE and not row.completed:
            values.update(completed_at=now, completed_by_id=player_id)
        db.execute(_UPDATE_PROGRESS, {"progress_id": row.id, **values})
    for offer_id in new.offers[len(old.offers) :]:
        mission_id = next((e["mission"] for e in result.events if e.get("offer") == offer_id), "")
        db.execute(
            _INSERT_OFFER,
            {
                "team_id": team.id,
                "offer_id": offer_id,
                "mission_id": mission_id,
                "unlocked_at": now,
            },
        )
    shard_delta = new.shards - team.shards
    if shard_delta:
        shard_mission = next(iter(result.changed), None)
        reason = "hint" if shard_delta < 0 else "mission"
        db.execute(
            _INSERT_SHARDS,
            {
                "team_id": team.id,
                "player_id": player_id,
                "mission_id": shard_mission,
                "amount": shard_delta,
                "reason": reason,
                "created_at": now,
            },
        )
    versioned = []
    rows_out: list[dict[str, Any]] = []
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
        rows_out.append(
            {
                "team_id": team.id,
                "version": version,
                "type": event["type"],
                "payload": payload,
                "player_id": player_id,
                "client_action_id": client_action_id,
                "created_at": now,
            }
        )
        versioned.append({"version": version, "type": event["type"], **payload})
    if rows_out:
        db.execute(_INSERT_EVENTS, rows_out)
    db.execute(
        _UPDATE_TEAM,
        {
            "team_pk": team.id,
            "version": version,
            "shards": new.shards,
            "ai_strength": new.ai_strength,
            "flags": dict(new.flags),
        },
    )
    return versioned


def _wrong_window(now: datetime, limits: Limits) -> dict[str, Any]:
    """The parameters of `_nth_recent_wrong`: the window's start and how many to skip."""
    return {
        "since": now - timedelta(seconds=limits.window_seconds),
        "player_skip": limits.per_player - 1,
        "team_skip": limits.per_team - 1,
    }


def _retry_after(
    db: Executor, team: Any, player_id: int, now: datetime, limits: Limits
) -> int | None:
    """Seconds to wait when the player or the team has used up its wrong answers (`team` is the
    locked row: on SQLite it holds the answer already, `wrong_player` and `wrong_team`)."""
    window = _wrong_window(now, limits)
    if "wrong_player" in team._fields:
        found = (team.wrong_player, team.wrong_team)
    else:
        found = db.execute(
            _RECENT_WRONG, {"player_id": player_id, "team_id": team.id, **window}
        ).one()
    for oldest in found:
        if oldest is not None:
            # The oldest counted mistake leaves the window after this many seconds.
            wait: timedelta = oldest - window["since"]
            return max(1, math.ceil(wait.total_seconds()))
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
    return perform_as(
        session, player.id, client_action_id, mission_id, kind, data, now, present, limits
    )


def perform_as(
    session: Session,
    player_id: int,
    client_action_id: str,
    mission_id: str,
    kind: str,
    data: dict[str, Any],
    now: datetime,
    present: Sequence[int] = (),
    limits: Limits = DEFAULT_LIMITS,
) -> Reply:
    """`perform` for a player known by id (a connected phone): the player is read once, in the
    action's transaction, instead of being loaded beforehand."""
    return _run(
        session,
        player_id,
        client_action_id,
        now,
        lambda db, game, state, team: _play(
            db, game, state, player_id, team, mission_id, kind, data, now, present, limits
        ),
        limits,
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
    return buy_hint_as(session, player.id, client_action_id, mission_id, index, now)


def buy_hint_as(
    session: Session,
    player_id: int,
    client_action_id: str,
    mission_id: str,
    index: int,
    now: datetime,
) -> Reply:
    """`buy_hint` for a player known by id (a connected phone), read in the hint's transaction."""
    by = str(player_id)
    return _run(
        session,
        player_id,
        client_action_id,
        now,
        lambda _db, game, state, _team: (game.buy_hint(state, mission_id, index, by), None),
    )


def give_hint(
    session: Session, player: Player, client_action_id: str, mission_id: str, now: datetime
) -> Reply:
    """A counsellor offers a mission's next hint to the player's team (free), once per id."""
    by = str(player.id)

    def step(_db: Executor, game: Game, state: TeamState, _team: Any) -> tuple[Result, None]:
        record = state.missions.get(mission_id)
        index = record.hints_used if record else 0
        return game.buy_hint(state, mission_id, index, by, given=True), None

    return _run(session, player.id, client_action_id, now, step)


def _play(
    db: Executor,
    game: Game,
    state: TeamState,
    player_id: int,
    team: Any,
    mission_id: str,
    kind: str,
    data: dict[str, Any],
    now: datetime,
    present: Sequence[int],
    limits: Limits,
) -> tuple[Result, dict[str, Any] | None]:
    paused = pause_refusal(state, kind)
    if paused is not None:  # before the rate limit: a paused guess is not a guess at all
        return Result(state, error=paused), None
    mission = game.missions.get(mission_id)
    mission_type = registry.get(mission.type) if mission else None
    if mission_type is not None and kind in mission_type.guesses:
        wait = _retry_after(db, team, player_id, now, limits)
        if wait is not None:
            return Result(state), _error(
                "rate_limited",
                f"Trop de mauvaises réponses d'affilée. Réessayez dans {wait} secondes.",
                retry_after=wait,
            )
    ctx = MissionContext(
        now=now,
        present_players=tuple(str(p) for p in present),
        vote_seconds=limits.vote_seconds,
    )
    result = game.play(state, mission_id, Action(kind=kind, player=str(player_id), data=data), ctx)
    if result.wrong:
        db.execute(
            _INSERT_WRONG,
            {"team_id": team.id, "player_id": player_id, "mission_id": mission_id, "at": now},
        )
    return result, None


def _run(
    session: Session,
    player_id: int,
    client_action_id: str,
    now: datetime,
    step: Any,
    limits: Limits = DEFAULT_LIMITS,
) -> Reply:
    client_action_id = _checked_id(client_action_id)
    # Core statements on a connection of their own: the Session would add its ORM bookkeeping
    # to each of the action's statements, and to the transaction.
    with core_write_transaction(session) as connection:
        # On SQLite the statements run on the DBAPI cursor, compiled once (tempo.infra.prepared).
        sqlite = connection.dialect.name == "sqlite"
        db: Connection | PreparedSqlite = PreparedSqlite(connection) if sqlite else connection
        # The player's team, read under the write lock (a player may have been removed).
        params = {"player_id": player_id, "now": now, "client_action_id": client_action_id}
        if sqlite:
            team = db.execute(_LOCK_TEAM_SQLITE, {**params, **_wrong_window(now, limits)}).first()
            if team is None:
                raise PlayError("unknown_player", "Connexion perdue : recharge la page.")
            previous = team.previous
            offers: tuple[str, ...] | None = tuple(_split(team.offers))
            progress: Progress | None = _progress_in(team.progress)
        else:
            team = db.execute(_LOCK_TEAM, params).first()
            if team is None:
                raise PlayError("unknown_player", "Connexion perdue : recharge la page.")
            previous = db.scalar(
                _PREVIOUS_REPLY, {"team_id": team.id, "client_action_id": client_action_id}
            )
            offers = progress = None
        if previous is not None:
            stored = dict(previous)
            return Reply(
                ok=bool(stored.get("ok")),
                version=team.version,
                error=stored.get("error"),
                duplicate=True,
                team_id=team.id,
            )
        game = _game_of_version(db, team.scenario_version_id)
        state, rows = _read_state(
            db, team.id, team.cohort_id, team.status, team.version, team.shards,
            team.ai_strength, team.flags, now, offers, _open_days_of(team), progress,
        )  # fmt: skip
        result, refusal = step(db, game, state, team)
        if refusal is None and result.error is not None:
            refusal = _error(result.error.code, result.error.message)
            if result.error.code == "mission_locked" and state.paused:
                refusal = _error(*PAUSED)
        events: list[dict[str, Any]] = []
        version = team.version
        if result.events:
            events = _persist(db, team, state, result, player_id, client_action_id, now, game, rows)
            version = events[-1]["version"]
        ok = refusal is None or result.wrong
        if not ok and not events:
            # A refusal that changed nothing is not kept: a phone sending refused actions in a
            # loop would grow the table without end, and re-running it is harmless (it is
            # refused again, or applied once if it has become possible, like after a pause).
            return Reply(
                ok=False,
                version=version,
                error=refusal,
                team_id=team.id,
                cohort_id=team.cohort_id,
            )
        reply = Reply(
            ok=ok and not result.wrong,
            version=version,
            error=refusal,
            events=events,
            team_id=team.id,
            cohort_id=team.cohort_id,
            after=Change(game, state, result.state) if events else None,
        )
        db.execute(
            _INSERT_CLIENT_ACTION,
            {
                "team_id": team.id,
                "client_action_id": client_action_id,
                "player_id": player_id,
                "reply": reply.ack(),
                "created_at": now,
            },
        )
        if team.last_seen_at is None or now - team.last_seen_at >= TOUCH_EVERY:
            db.execute(_TOUCH_PLAYER, {"player_pk": player_id, "last_seen_at": now})
    return reply
