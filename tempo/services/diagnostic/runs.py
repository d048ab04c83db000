"""The self-diagnostic: runs saved answer by answer, results, history, and the diagnostic mission.

A player has at most one open run; answering its last question finishes it, stores its scores,
and — when a diagnostic mission is open for the player's team — performs that mission's
`completed` action through the play service, so teammates see it live. The mission completes
once every player of the team who is not marked absent has completed it: the flow runs on its
own page, without the game's socket, so "present" here is the counsellor's roll call rather
than the phones connected at that instant.

Answers belong to the player: these functions take the player whose data they read, and the
web layer decides who may ask (the player themself, or their cohort's counsellors).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from tempo.engine.diagnostic import Flow, Step, changes
from tempo.engine.team import DONE, LOCKED
from tempo.infra.transactions import lock_row, write_transaction
from tempo.missions.diagnostic import DiagnosticParams
from tempo.models import (
    Cohort,
    DiagnosticAnswer,
    DiagnosticSession,
    Player,
    ScenarioVersion,
    Team,
)
from tempo.scenarios.schema import Offer, ScaleOption
from tempo.services.content import games
from tempo.services.content.games import VersionCache
from tempo.services.errors import ServiceError
from tempo.services.play import actions as play

LEVEL_LABELS = {
    "high": _l("Prioritaire"),
    "medium": _l("À creuser"),
    "low": _l("Ça va plutôt bien"),
    "none": _l("Sans réponse"),
}


class DiagnosticError(ServiceError):
    """A refusal with a stable code and a French message for the player."""


# --- content ---------------------------------------------------------------------------------


def _parse_flow(version: ScenarioVersion) -> tuple[Flow, dict[str, Offer]]:
    frozen = version.content
    offers = {o["id"]: Offer.model_validate(o) for o in frozen.get("offers", [])}
    return Flow.from_frozen(frozen["diagnostic"]), offers


# Versions are immutable: parse each one's diagnostic and offers once per process.
_flows: VersionCache[tuple[Flow, dict[str, Offer]]] = VersionCache(_parse_flow)


def _content_of(version: ScenarioVersion) -> tuple[Flow, dict[str, Offer]]:
    return _flows.get(version)


def flow_for(version: ScenarioVersion) -> Flow:
    """The diagnostic flow frozen in a scenario version."""
    return _content_of(version)[0]


def _version(session: Session, version_id: int) -> ScenarioVersion:
    version = session.get(ScenarioVersion, version_id)
    if version is None:
        raise DiagnosticError("unknown_scenario", "Le contenu de ce diagnostic est introuvable.")
    return version


# --- runs ------------------------------------------------------------------------------------


def open_run(session: Session, player: Player) -> DiagnosticSession | None:
    """The player's unfinished run, if any."""
    return session.scalar(
        select(DiagnosticSession)
        .where(DiagnosticSession.player_id == player.id, DiagnosticSession.finished_at.is_(None))
        .order_by(DiagnosticSession.id.desc())
        .limit(1)
    )


def finished_runs(session: Session, player: Player) -> list[DiagnosticSession]:
    """The player's finished runs, oldest first."""
    return list(
        session.scalars(
            select(DiagnosticSession)
            .where(
                DiagnosticSession.player_id == player.id,
                DiagnosticSession.finished_at.is_not(None),
            )
            .order_by(DiagnosticSession.finished_at, DiagnosticSession.id)
        )
    )


def answers_of(run: DiagnosticSession) -> dict[str, str]:
    """A run's answers by question id."""
    return {a.question_id: a.value for a in run.answers}


def _lock_player(session: Session, player_id: int) -> Player:
    # Two tabs of the same player must not open two runs (PostgreSQL: row lock; SQLite: the
    # single write lock already serialises writers).
    found = lock_row(session, Player, Player.id == player_id)
    if found is None:
        raise DiagnosticError("unknown_player", "Joueur inconnu : rejoins ton équipe.")
    return found


def start(session: Session, player: Player, now: datetime) -> DiagnosticSession:
    """The player's open run, or a new one on their cohort's content (idempotent)."""
    player_id = player.id
    with write_transaction(session):
        me = _lock_player(session, player_id)
        run = open_run(session, me)
        if run is None:
            run = DiagnosticSession(
                player_id=me.id,
                scenario_version_id=me.team.cohort.scenario_version_id,
                started_at=now,
                updated_at=now,
                scores={},
            )
            session.add(run)
            session.flush()
        run_id = run.id
    found = session.get(DiagnosticSession, run_id)
    assert found is not None
    return found


def resume_point(session: Session, player: Player) -> str | None:
    """The question the player resumes at (None when they have no open run)."""
    run = open_run(session, player)
    if run is None:
        return None
    flow = flow_for(_version(session, run.scenario_version_id))
    return flow.next_unanswered(answers_of(run))


@dataclass(frozen=True)
class Screen:
    """One question as the player sees it, with the progress and where « back » leads."""

    run_id: int
    step: Step
    options: tuple[ScaleOption, ...]
    value: str | None
    position: int
    total: int
    estimate: bool
    previous: str | None
    family_count: int
    answered: int


def screen(session: Session, player: Player, question_id: str) -> Screen:
    """A question of the player's open run; refused when it is not on their path yet."""
    run = open_run(session, player)
    if run is None:
        raise DiagnosticError("no_run", "Tu n'as pas de diagnostic en cours.")
    flow = flow_for(_version(session, run.scenario_version_id))
    answers = answers_of(run)
    if question_id not in flow.steps or not flow.reachable(answers, question_id):
        raise DiagnosticError("not_reachable", "Cette question n'est pas encore sur ton parcours.")
    step = flow.steps[question_id]
    position, total, estimate = flow.progress(answers, question_id)
    return Screen(
        run_id=run.id,
        step=step,
        options=tuple(step.scale.options),
        value=answers.get(question_id),
        position=position,
        total=total,
        estimate=estimate,
        previous=flow.before(answers, question_id),
        family_count=len(flow.families),
        answered=sum(1 for q in flow.path(answers) if q in answers),
    )


@dataclass
class Answered:
    """What an answer led to: the next question, or the finished run and the team's events."""

    next_question: str | None
    finished_run: int | None = None
    team_id: int | None = None
    events: list[dict[str, Any]] = field(default_factory=list)


def _open_diagnostic_mission(session: Session, team: Team, now: datetime) -> str | None:
    """The diagnostic mission open for the team now (closing before start), if any."""
    game = games.cohort_game(team.cohort)
    state = play.team_state(session, team, now)
    found: list[tuple[int, str]] = []
    for mission_id, params in game.params.items():
        if isinstance(params, DiagnosticParams) and game.status(state, mission_id) != LOCKED:
            found.append((0 if params.moment == "closing" else 1, mission_id))
    return min(found)[1] if found else None


def answer(
    session: Session, player: Player, question_id: str, value: str, now: datetime
) -> Answered:
    """Save one answer (or change it); the answer completing the path finishes the run."""
    player_id = player.id
    with write_transaction(session):
        me = _lock_player(session, player_id)
        run = open_run(session, me)
        if run is None:
            raise DiagnosticError(
                "no_run", "Ce diagnostic est déjà terminé : tu peux en commencer un nouveau."
            )
        flow = flow_for(_version(session, run.scenario_version_id))
        answers = answers_of(run)
        if question_id not in flow.steps or not flow.reachable(answers, question_id):
            raise DiagnosticError(
                "not_reachable", "Cette question n'est pas encore sur ton parcours."
            )
        if flow.option(question_id, value) is None:
            raise DiagnosticError(
                "invalid_answer", "Choisis une des réponses proposées pour continuer."
            )
        row = next((a for a in run.answers if a.question_id == question_id), None)
        if row is None:
            run.answers.append(
                DiagnosticAnswer(question_id=question_id, value=value, answered_at=now)
            )
        else:
            row.value, row.answered_at = value, now
        run.updated_at = now
        answers[question_id] = value
        result = Answered(next_question=flow.after(answers, question_id), team_id=me.team_id)
        if flow.complete(answers):
            run.finished_at = now
            run.scores = flow.scores(answers)
            run.mission_id = _open_diagnostic_mission(session, me.team, now)
            result = Answered(next_question=None, finished_run=run.id, team_id=me.team_id)
        mission_id = run.mission_id
    if result.finished_run is not None and mission_id is not None:
        reply = _complete(session, player_id, result.finished_run, mission_id, now)
        result.events = reply.events
    return result


def _present(session: Session, team_id: int, acting: int | None = None) -> list[int]:
    ids = session.scalars(
        select(Player.id).where(Player.team_id == team_id, Player.absent.is_(False))
    ).all()
    return sorted({*ids, *([acting] if acting is not None else [])})


def _complete(
    session: Session, player_id: int, run_id: int, mission_id: str, now: datetime
) -> play.Reply:
    team_id = session.scalar(select(Player.team_id).where(Player.id == player_id))
    present = _present(session, team_id or 0, player_id)
    # One client action id per run: a retried finish is applied once; a mission the team has
    # already completed answers `already_done`, and the run still counts for the player.
    return play.perform_as(
        session,
        player_id,
        play.server_action_id("diagnostic", run_id),
        mission_id,
        "completed",
        {},
        now,
        present,
    )


def recheck_team(session: Session, team_id: int, now: datetime) -> list[dict[str, Any]]:
    """Complete a team's open diagnostic mission when everyone still present has taken it.

    Called after a counsellor marks a player absent: the last teammate the mission waited for
    may be the one who left.
    """
    team = session.get(Team, team_id)
    if team is None:
        return []
    game = games.cohort_game(team.cohort)
    state = play.team_state(session, team, now)
    present = {str(p) for p in _present(session, team.id)}
    members = {str(p.id) for p in team.players}
    events: list[dict[str, Any]] = []
    for mission_id, params in game.params.items():
        if not isinstance(params, DiagnosticParams):
            continue
        if game.status(state, mission_id) in (LOCKED, DONE):
            continue
        record = state.missions.get(mission_id)
        done = [p for p in (record.state.get("completed_by", []) if record else [])]
        still_here = [p for p in done if p in members]
        if not still_here or not present <= set(done):
            continue
        reply = play.perform_as(
            session,
            int(still_here[0]),
            play.server_action_id("diagnostic-recheck", mission_id, team.version),
            mission_id,
            "completed",
            {},
            now,
            sorted(int(p) for p in present),
        )
        events += reply.events
    return events


# --- results ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class FamilyResult:
    """One family in a run's results: its need score, its change, and the offers it points to."""

    id: str
    title: str
    intro: str | None
    score: int | None
    level: str
    answered: int
    skipped: int
    delta: int | None
    offers: tuple[Offer, ...]

    @property
    def level_label(self) -> str:
        """« Prioritaire », « À creuser », « Ça va plutôt bien » or « Sans réponse »."""
        return str(LEVEL_LABELS[self.level])


@dataclass(frozen=True)
class Results:
    """A finished run's results, families ranked by priority."""

    run_id: int
    player_id: int
    pseudonym: str
    team: str
    cohort: str
    timezone: str
    finished_at: datetime
    families: tuple[FamilyResult, ...]
    number: int  # 1 for the player's first finished run
    previous_at: datetime | None
    mission_id: str | None

    @property
    def priorities(self) -> tuple[FamilyResult, ...]:
        """The families to talk about first: high or medium need, highest first."""
        return tuple(f for f in self.families if f.level in ("high", "medium"))


def results(session: Session, player: Player, run_id: int | None = None) -> Results | None:
    """A finished run of this player (the latest by default); None if there is none.

    A run id that is not one of this player's finished runs gives None, as if it did not exist.
    """
    runs = finished_runs(session, player)
    if not runs:
        return None
    index = len(runs) - 1
    if run_id is not None:
        index = next((i for i, r in enumerate(runs) if r.id == run_id), -1)
        if index < 0:
            return None
    run = runs[index]
    previous = runs[index - 1] if index > 0 else None
    flow, offers = _content_of(_version(session, run.scenario_version_id))
    answers = answers_of(run)
    ranking = flow.ranking(answers)
    current: dict[str, int | None] = {s.family.id: s.score for s in ranking}
    delta = changes(current, previous.scores if previous else {})
    cohort: Cohort = player.team.cohort
    assert run.finished_at is not None
    return Results(
        run_id=run.id,
        player_id=player.id,
        pseudonym=player.pseudonym,
        team=player.team.name,
        cohort=cohort.name,
        timezone=cohort.timezone,
        finished_at=run.finished_at,
        families=tuple(
            FamilyResult(
                id=s.family.id,
                title=s.family.title,
                intro=s.family.intro,
                score=s.score,
                level=s.level,
                answered=s.answered,
                skipped=s.skipped,
                delta=delta.get(s.family.id) if previous else None,
                offers=tuple(offers[o] for o in s.family.offers if o in offers),
            )
            for s in ranking
        ),
        number=index + 1,
        previous_at=previous.finished_at if previous else None,
        mission_id=run.mission_id,
    )


@dataclass(frozen=True)
class Status:
    """Where a player is with the diagnostic (for the player page and the console's list)."""

    in_progress: bool
    answered: int
    finished: int
    last_finished_at: datetime | None
    closing_done: bool


def closing_missions(session: Session, player: Player) -> set[str]:
    """The ids of the scenario's closing diagnostic missions (the adventure's last step)."""
    game = games.cohort_game(player.team.cohort)
    return {
        m
        for m, p in game.params.items()
        if isinstance(p, DiagnosticParams) and p.moment == "closing"
    }


def status(session: Session, player: Player) -> Status:
    """The player's diagnostic status."""
    runs = finished_runs(session, player)
    current = open_run(session, player)
    closing = closing_missions(session, player)
    return Status(
        in_progress=current is not None and bool(current.answers),
        answered=len(current.answers) if current is not None else 0,
        finished=len(runs),
        last_finished_at=runs[-1].finished_at if runs else None,
        closing_done=any(r.mission_id in closing for r in runs),
    )


def cohort_players(session: Session, cohort_id: int) -> list[Player]:
    """Every player of the cohort, team by team, by pseudonym (the counsellors' list)."""
    return list(
        session.scalars(
            select(Player)
            .join(Team, Team.id == Player.team_id)
            .where(Team.cohort_id == cohort_id)
            .order_by(Team.id, Player.pseudonym)
        )
    )


def statuses(session: Session, players: Sequence[Player]) -> dict[int, Status]:
    """The status of several players (a cohort's list)."""
    return {p.id: status(session, p) for p in players}
