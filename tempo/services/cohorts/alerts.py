"""The dashboard's alerts: which team needs a counsellor now, and what to do about it.

`alerts` is a pure function of the teams' facts (`TeamFacts`, read by `team_facts`), the time
and the thresholds, so each rule is tested with a `now`. Rules, over every open day's missions:

- **stalled**: a team that has started (one action at least) and has not acted for
  `stall_minutes` while missions are left to play (someone online);
- **wrong answers**: `wrong_count` wrong answers or more on one unfinished mission within
  `wrong_window_minutes`, whatever its day;
- **offline**: every player of a team that played since its latest day opened went offline
  with missions left (no activity for `offline_minutes`);
- **proof**: a proof waiting for review for `proof_minutes` or more;
- **idle** (gentle): players joined but nobody acted `idle_minutes` after the latest day opened.

An empty team never raises anything. Each alert has a key naming its situation; a dismissed key
(stored per cohort, `dismiss`) stays hidden until the key changes: more wrong answers, a new
stall after new activity, a new proof.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tempo.engine.team import AVAILABLE, DONE, IN_PROGRESS, TeamState
from tempo.infra.transactions import write_transaction
from tempo.models import Cohort, DismissedAlert, MissionProgress, TeamEvent, WrongAttempt
from tempo.services.content.games import game_for
from tempo.services.play.actions import team_state

# Team events that show the players doing something (the counsellor's and the clock's do not).
ACTIVITY = frozenset(
    {
        "mission.completed",
        "mission.attempted",
        "mission.updated",
        "hint.bought",
        "proof.submitted",
        "checkpoint.scanned",
    }
)

STALLED = "stalled"
WRONG = "wrong"
OFFLINE = "offline"
PROOF = "proof"
IDLE = "idle"

# What the counsellor can do in one click.
ACT_HINT = "hint"
ACT_REVIEW = "review"
ACT_MESSAGE = "message"


@dataclass(frozen=True)
class Thresholds:
    """When each rule fires (minutes, counts): TEMPO_ALERT_* settings."""

    stall_minutes: float = 20
    wrong_count: int = 4
    wrong_window_minutes: float = 30
    offline_minutes: float = 5
    proof_minutes: float = 10
    idle_minutes: float = 30


@dataclass(frozen=True)
class MissionFacts:
    """One mission of an open day, as one team stands on it."""

    id: str
    title: str
    day: int
    status: str
    pending_since: datetime | None = None  # a proof waiting for review since
    recent_wrong: int = 0  # wrong answers within the window
    total_wrong: int = 0
    next_hint: int | None = None  # index of the first hint the team does not have


@dataclass(frozen=True)
class TeamFacts:
    """What the alert rules need to know of one team."""

    id: int
    name: str
    players: int
    online: int
    last_activity: datetime | None  # the players' latest action, None: never started
    day: int | None  # the latest open day
    day_opened_at: datetime | None  # when it opened
    missions: tuple[MissionFacts, ...] = ()


@dataclass(frozen=True)
class Alert:
    """One alert: what happens, to whom, and the one-click action that helps."""

    key: str
    kind: str
    team_id: int
    team: str
    text: str
    action: str
    mission_id: str | None = None
    hint: int | None = None  # the hint's index for ACT_HINT
    gentle: bool = False

    @property
    def action_label(self) -> str:
        """The button's French label."""
        if self.action == ACT_HINT and self.hint is not None:
            return f"Envoyer l'indice {self.hint + 1}"
        if self.action == ACT_REVIEW:
            return "Valider la preuve"
        return "Envoyer un message"


def _minutes(delta: timedelta) -> int:
    return int(delta.total_seconds() // 60)


def waited(since: datetime | None, now: datetime) -> str:
    """How long since `since`, in French: « 12 min », « 2 h 05 », « 3 j »."""
    if since is None:
        return "un moment"
    minutes = max(0, _minutes(now - since))
    if minutes < 1:
        return "moins d'une minute"
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 24 * 60:
        return f"{minutes // 60} h {minutes % 60:02d}"
    return f"{minutes // (24 * 60)} j"


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%S")


def _playable(team: TeamFacts) -> list[MissionFacts]:
    """Missions the team can play now (a proof waiting for review is the counsellor's turn)."""
    return [
        m for m in team.missions if m.status in (AVAILABLE, IN_PROGRESS) and m.pending_since is None
    ]


def _helping(playable: Sequence[MissionFacts]) -> tuple[str, str | None, int | None]:
    """A hint for the mission the team is on, if it has one left; else a message."""
    ordered = sorted(playable, key=lambda m: (m.status != IN_PROGRESS, -m.recent_wrong, m.day))
    for m in ordered:
        if m.next_hint is not None:
            return ACT_HINT, m.id, m.next_hint
    return ACT_MESSAGE, None, None


def alerts(
    teams: Sequence[TeamFacts], now: datetime, limits: Thresholds, running: bool = True
) -> list[Alert]:
    """Every alert of the cohort, most urgent kinds first. Pure: time and facts are given.

    `running`: the cohort's clock runs (stall, offline and idle alerts make no sense while it
    is paused, scheduled or finished; wrong answers and proofs still do).
    """
    out: list[Alert] = []
    for team in teams:
        if team.players == 0:
            continue
        playable = _playable(team)
        for m in team.missions:
            if m.pending_since is not None and now - m.pending_since >= timedelta(
                minutes=limits.proof_minutes
            ):
                out.append(
                    Alert(
                        key=f"proof:{team.id}:{m.id}:{_stamp(m.pending_since)}",
                        kind=PROOF,
                        team_id=team.id,
                        team=team.name,
                        text=f"La preuve de {team.name} pour « {m.title} » (jour {m.day}) "
                        f"attend depuis {waited(m.pending_since, now)}.",
                        action=ACT_REVIEW,
                        mission_id=m.id,
                    )
                )
            if m.status != DONE and m.recent_wrong >= limits.wrong_count:
                # The key grows by steps of wrong_count: dismissed, it comes back once the
                # team has failed as many times again.
                step = m.total_wrong // max(limits.wrong_count, 1)
                hint = m.next_hint
                out.append(
                    Alert(
                        key=f"wrong:{team.id}:{m.id}:{step}",
                        kind=WRONG,
                        team_id=team.id,
                        team=team.name,
                        text=f"{team.name} bloque sur « {m.title} » (jour {m.day}) : "
                        f"{m.recent_wrong} mauvaises réponses en "
                        f"{int(limits.wrong_window_minutes)} min.",
                        action=ACT_HINT if hint is not None else ACT_MESSAGE,
                        mission_id=m.id,
                        hint=hint,
                    )
                )
        if not running or not playable:
            continue
        if team.last_activity is None:
            opened = team.day_opened_at
            if opened is not None and now - opened >= timedelta(minutes=limits.idle_minutes):
                out.append(
                    Alert(
                        key=f"idle:{team.id}:{team.day}",
                        kind=IDLE,
                        team_id=team.id,
                        team=team.name,
                        text=f"{team.name} n'a pas encore commencé le jour {team.day} "
                        f"({team.players} joueur(s) inscrit(s)).",
                        action=ACT_MESSAGE,
                        gentle=True,
                    )
                )
            continue
        since = team.last_activity
        if team.online == 0:
            played_today = team.day_opened_at is None or since >= team.day_opened_at
            if played_today and now - since >= timedelta(minutes=limits.offline_minutes):
                out.append(
                    Alert(
                        key=f"offline:{team.id}:{_stamp(since)}",
                        kind=OFFLINE,
                        team_id=team.id,
                        team=team.name,
                        text=f"Tous les joueurs de {team.name} se sont déconnectés "
                        f"(dernière action il y a {waited(since, now)}).",
                        action=ACT_MESSAGE,
                    )
                )
            continue
        # A day that just opened gives the team time, even if it last played yesterday.
        quiet_since = max(since, team.day_opened_at) if team.day_opened_at else since
        if now - quiet_since >= timedelta(minutes=limits.stall_minutes):
            action, mission, hint = _helping(playable)
            out.append(
                Alert(
                    key=f"stalled:{team.id}:{_stamp(since)}",
                    kind=STALLED,
                    team_id=team.id,
                    team=team.name,
                    text=f"{team.name} n'a rien tenté depuis {waited(quiet_since, now)} "
                    f"({len(playable)} mission(s) à jouer).",
                    action=action,
                    mission_id=mission,
                    hint=hint,
                )
            )
    order = {PROOF: 0, WRONG: 1, STALLED: 2, OFFLINE: 3, IDLE: 4}
    return sorted(out, key=lambda a: order[a.kind])


def visible(found: Sequence[Alert], dismissed: Collection[str]) -> list[Alert]:
    """The alerts not dismissed."""
    return [a for a in found if a.key not in dismissed]


def _as_utc(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes: they are stored in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def team_facts(
    session: Session,
    cohort: Cohort,
    now: datetime,
    online: Mapping[int, Sequence[int]],
    window_minutes: float,
    states: Mapping[int, TeamState] | None = None,
) -> list[TeamFacts]:
    """The facts the rules need, for every team of the cohort, read in a few queries.

    `states`: the teams' states if the caller has already read them (the dashboard has).
    """
    game = game_for(cohort.scenario_version)
    teams = sorted(cohort.teams, key=lambda t: t.id)
    ids = [t.id for t in teams]
    opened_at = {d.number: _as_utc(d.unlocked_at) for d in cohort.days if d.unlocked_at}
    progress = {
        (row.team_id, row.mission_id): row
        for row in session.scalars(select(MissionProgress).where(MissionProgress.team_id.in_(ids)))
    }
    activity = dict(
        session.execute(
            select(TeamEvent.team_id, func.max(TeamEvent.created_at))
            .where(TeamEvent.team_id.in_(ids), TeamEvent.type.in_(ACTIVITY))
            .group_by(TeamEvent.team_id)
        ).all()
    )
    recent = dict(
        (((team_id, mission_id), count))
        for team_id, mission_id, count in session.execute(
            select(WrongAttempt.team_id, WrongAttempt.mission_id, func.count())
            .where(
                WrongAttempt.team_id.in_(ids),
                WrongAttempt.at >= now - timedelta(minutes=window_minutes),
            )
            .group_by(WrongAttempt.team_id, WrongAttempt.mission_id)
        )
    )
    submitted = proofs_submitted(session, ids)
    out = []
    for team in teams:
        state = states[team.id] if states and team.id in states else team_state(session, team, now)
        missions = []
        for mission_id, mission in game.missions.items():
            day = game.day_of[mission_id]
            if day not in state.open_days:
                continue
            row = progress.get((team.id, mission_id))
            summary = game.console_summary(mission_id, row.state) if row else None
            used = row.hints_used if row else 0
            missions.append(
                MissionFacts(
                    id=mission_id,
                    title=mission.title,
                    day=day,
                    status=game.status(state, mission_id),
                    pending_since=(
                        submitted.get((team.id, mission_id), now)
                        if summary and summary.pending
                        else None
                    ),
                    recent_wrong=recent.get((team.id, mission_id), 0),
                    total_wrong=row.wrong_attempts if row else 0,
                    next_hint=used if used < len(mission.hints) else None,
                )
            )
        latest = max(state.open_days) if state.open_days else None
        last = activity.get(team.id)
        out.append(
            TeamFacts(
                id=team.id,
                name=team.name,
                players=len(team.players),
                online=len(online.get(team.id, ())),
                last_activity=_as_utc(last) if last else None,
                day=latest,
                day_opened_at=opened_at.get(latest) if latest else None,
                missions=tuple(missions),
            )
        )
    return out


def proofs_submitted(session: Session, team_ids: Sequence[int]) -> dict[tuple[int, str], datetime]:
    """When each team last sent a proof for each mission (its latest `proof.submitted`)."""
    out: dict[tuple[int, str], datetime] = {}
    rows = session.execute(
        select(TeamEvent.team_id, TeamEvent.payload, TeamEvent.created_at)
        .where(TeamEvent.team_id.in_(team_ids), TeamEvent.type == "proof.submitted")
        .order_by(TeamEvent.id)
    )
    for team_id, payload, at in rows:
        mission = (payload or {}).get("mission")
        if isinstance(mission, str):
            out[(team_id, mission)] = _as_utc(at)
    return out


def dismissed(session: Session, cohort: Cohort) -> set[str]:
    """The keys of the cohort's dismissed alerts."""
    return set(
        session.scalars(select(DismissedAlert.key).where(DismissedAlert.cohort_id == cohort.id))
    )


def cohort_alerts(
    session: Session,
    cohort: Cohort,
    now: datetime,
    online: Mapping[int, Sequence[int]],
    limits: Thresholds,
    states: Mapping[int, TeamState] | None = None,
) -> list[Alert]:
    """The cohort's alerts a counsellor has not dismissed."""
    facts = team_facts(session, cohort, now, online, limits.wrong_window_minutes, states)
    running = cohort.status.value == "running"
    return visible(alerts(facts, now, limits, running), dismissed(session, cohort))


def dismiss(
    session: Session, cohort: Cohort, key: str, staff_id: int | None, now: datetime
) -> None:
    """Hide an alert for every counsellor of the cohort until its situation changes."""
    key = key.strip()[:200]
    if not key:
        return
    try:
        with write_transaction(session):
            exists = session.scalar(
                select(DismissedAlert.id).where(
                    DismissedAlert.cohort_id == cohort.id, DismissedAlert.key == key
                )
            )
            if exists is None:
                session.add(
                    DismissedAlert(
                        cohort_id=cohort.id, key=key, dismissed_by_id=staff_id, dismissed_at=now
                    )
                )
    except IntegrityError:  # another counsellor dismissed it at the same instant
        session.rollback()


def thresholds(config: Mapping[str, Any]) -> Thresholds:
    """The thresholds from the application's settings (TEMPO_ALERT_*)."""
    return Thresholds(
        stall_minutes=float(config["ALERT_STALL_MINUTES"]),
        wrong_count=int(config["ALERT_WRONG_COUNT"]),
        wrong_window_minutes=float(config["ALERT_WRONG_WINDOW_MINUTES"]),
        offline_minutes=float(config["ALERT_OFFLINE_MINUTES"]),
        proof_minutes=float(config["ALERT_PROOF_MINUTES"]),
        idle_minutes=float(config["ALERT_IDLE_MINUTES"]),
    )
