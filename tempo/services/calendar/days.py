"""The game clock as use cases: unlock and close game days, pause and resume a cohort.

The scheduler (tempo/scheduler.py) and the counsellor (console, `tempo day` / `tempo cohort`)
call the same functions. Each public function owns its transaction and returns the versioned
team events to broadcast, as `{team id: [event, …]}` — empty when it changed nothing, so a second
call (a double-fired job, a catch-up after a restart, a counsellor clicking twice) is harmless.

Writers are serialised like live play: the cohort row, its days and its teams are locked
(SELECT … FOR UPDATE on PostgreSQL, the single write lock on SQLite), cohort first, then days,
then teams by id — play actions lock only their team, so the two never deadlock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from tempo.engine import progress
from tempo.engine.progress import CLOCK_RUNS, CLOSE, UNLOCK, DayAction
from tempo.infra import signals
from tempo.infra.transactions import lock_row, lock_rows, write_transaction
from tempo.models import Cohort, CohortDay, CohortStatus, Team
from tempo.services.errors import ServiceError
from tempo.services.events import Broadcasts, merge
from tempo.services.play.snapshot import day_patch
from tempo.services.play.teamlog import record_event
from tempo.services.recaps import produce as recaps


class CalendarError(ServiceError):
    """A refused calendar operation, with a stable code and a French message."""


def closable_days(cohort: Cohort, now: datetime) -> list[int]:
    """Days open (recorded or by their hour) and not closed yet: a counsellor may close them."""
    opened = progress.playable_days(cohort.clocks(), now, cohort.status.value)
    return [
        d.number
        for d in cohort.days
        if d.closed_at is None and (d.unlocked_at is not None or d.number in opened)
    ]


def next_to_close(cohort: Cohort) -> CohortDay | None:
    """The first day of the cohort not closed yet, if any."""
    return next((d for d in cohort.days if d.closed_at is None), None)


@dataclass(frozen=True)
class Applied:
    """A calendar action the clock applied to a cohort (for logs and tests)."""

    cohort_id: int
    action: DayAction


# --- reading --------------------------------------------------------------------------------


def due_actions(cohort: Cohort, now: datetime) -> list[DayAction]:
    """Unlocks and closes whose time has passed by `now` and that are not done yet (catch-up)."""
    return progress.due_actions(cohort.clocks(), cohort.status.value, now)


def upcoming(session: Session, now: datetime) -> list[tuple[int, DayAction]]:
    """Every unlock and close still to come after `now`, for cohorts whose clock runs."""
    cohorts = session.scalars(
        select(Cohort)
        .where(
            Cohort.status.in_([CohortStatus(s) for s in CLOCK_RUNS]),
            Cohort.sandbox_owner_id.is_(None),  # a play-test's days move by its author's hand
        )
        .options(selectinload(Cohort.days))
        .order_by(Cohort.id)
    ).all()
    return [
        (c.id, action)
        for c in cohorts
        for action in progress.upcoming_actions(c.clocks(), c.status.value, now)
    ]


def clock_running_cohorts(session: Session) -> list[int]:
    """Ids of the cohorts whose calendar runs by itself (scheduled or running)."""
    return list(
        session.scalars(
            select(Cohort.id)
            .where(
                Cohort.status.in_([CohortStatus(s) for s in CLOCK_RUNS]),
                Cohort.sandbox_owner_id.is_(None),
            )
            .order_by(Cohort.id)
        )
    )


def day_title(cohort: Cohort, number: int) -> str:
    """The title of game day `number` in the cohort's frozen scenario version."""
    days = cohort.scenario_version.content["scenario"]["days"]
    return str(next((d.get("title", "") for d in days if d.get("day") == number), ""))


# --- writing --------------------------------------------------------------------------------


def _lock_cohort(session: Session, cohort_id: int) -> Cohort:
    cohort = lock_row(session, Cohort, Cohort.id == cohort_id)
    if cohort is None:
        raise CalendarError("unknown_cohort", "Cette cohorte n'existe pas.")
    lock_rows(session, CohortDay, CohortDay.cohort_id == cohort_id)
    return cohort


def _lock_teams(session: Session, cohort_id: int) -> list[Team]:
    return lock_rows(session, Team, Team.cohort_id == cohort_id, order_by=Team.id)


def _day(cohort: Cohort, number: int) -> CohortDay:
    day = next((d for d in cohort.days if d.number == number), None)
    if day is None:
        last = len(cohort.days)
        raise CalendarError(
            "unknown_day",
            f"Le jour {number} n'existe pas : cette cohorte compte les jours 1 à {last}.",
        )
    return day


def _to_every_team(
    session: Session, teams: list[Team], kind: str, payload: dict[str, Any], now: datetime
) -> Broadcasts:
    return {team.id: [record_event(session, team, kind, dict(payload), now)] for team in teams}


def _unlock(
    session: Session, cohort: Cohort, day: CohortDay, teams: list[Team], now: datetime
) -> Broadcasts:
    if day.unlocked_at is not None:
        return {}
    day.unlocked_at = now
    if cohort.status == CohortStatus.SCHEDULED:
        # A cohort starts when its first day opens.
        cohort.status = CohortStatus.RUNNING
    payload = {"day": day.number, "title": day_title(cohort, day.number)}
    session.flush()  # the team states read below see the day open
    # Each team's phones add the day's cards from the event itself (no snapshot to fetch).
    return {
        team.id: [
            record_event(
                session,
                team,
                "day.unlocked",
                {**payload, **day_patch(session, team, day.number, now)},
                now,
            )
        ]
        for team in teams
    }


def _close(
    session: Session, cohort: Cohort, day: CohortDay, teams: list[Team], now: datetime
) -> Broadcasts:
    if day.closed_at is not None:
        return {}
    day.closed_at = now
    payload = {"day": day.number, "title": day_title(cohort, day.number)}
    out = _to_every_team(session, teams, "day.closed", payload, now)
    return merge(out, after_day_closed(session, cohort, day, teams, now))


def after_day_closed(
    session: Session, cohort: Cohort, day: CohortDay, teams: list[Team], now: datetime
) -> Broadcasts:
    """Work done exactly once when a day closes, inside the closing transaction.

    The daily recaps (issue 5) plug in here: produce each team's and each player's recap of
    `day` with the session (rows written in this transaction exist if and only if the day is
    closed, so each is made once, whoever closed it and however often), append any event that
    announces them with `record_event`, and return those events. Emails are sent after the
    commit by their own retried job, so a failing mail server never rolls a close back.

    `recaps.produce` only reads and inserts rows (a few grouped queries for the whole cohort);
    recap cards are drawn on first fetch and e-mails queued afterwards (`recap_mail`).
    """
    return recaps.produce(session, cohort, day, teams, now)


def _apply(
    session: Session, cohort: Cohort, teams: list[Team], action: DayAction, now: datetime
) -> Broadcasts:
    day = _day(cohort, action.day)
    if action.kind == UNLOCK:
        return _unlock(session, cohort, day, teams, now)
    if action.kind == CLOSE:
        return _close(session, cohort, day, teams, now)
    raise ValueError(f"unknown calendar action {action.kind!r}")


def _calendar_changed(cohort_id: int, days: list[int]) -> None:
    # Sent after the commit, by the counsellor's operations only: the scheduler's receiver
    # re-plans, and `apply_due` (the scheduler's own work) must not call it back.
    signals.calendar_changed.send(cohort_id, days=days)


def unlock_day(session: Session, cohort_id: int, number: int, now: datetime) -> Broadcasts:
    """Open game day `number` now (a counsellor unlocking early); once: a repeat does nothing."""
    with write_transaction(session):
        cohort = _lock_cohort(session, cohort_id)
        day = _day(cohort, number)
        if day.unlocked_at is not None:
            return {}
        if cohort.status == CohortStatus.PAUSED:
            raise CalendarError(
                "cohort_paused", "La cohorte est en pause : relancez-la avant d'ouvrir un jour."
            )
        if cohort.status == CohortStatus.FINISHED:
            raise CalendarError("cohort_finished", "Cette cohorte est terminée.")
        out = _unlock(session, cohort, day, _lock_teams(session, cohort_id), now)
    _calendar_changed(cohort_id, [number])
    return out


def close_day(session: Session, cohort_id: int, number: int, now: datetime) -> Broadcasts:
    """Close game day `number` (its recap moment); once: a repeat does nothing."""
    with write_transaction(session):
        cohort = _lock_cohort(session, cohort_id)
        day = _day(cohort, number)
        if day.closed_at is not None:
            return {}
        opened = progress.playable_days(cohort.clocks(), now, cohort.status.value)
        if day.unlocked_at is None and number not in opened:
            raise CalendarError(
                "day_not_open",
                f"Le jour {number} n'a pas encore été ouvert : il ne peut pas être clôturé.",
            )
        teams = _lock_teams(session, cohort_id)
        # A day open by its hour but not yet recorded (scheduler late or off) is recorded first.
        out = _unlock(session, cohort, day, teams, now)
        merge(out, _close(session, cohort, day, teams, now))
    _calendar_changed(cohort_id, [number])
    return out


def pause_cohort(session: Session, cohort_id: int, now: datetime) -> Broadcasts:
    """Pause the cohort: phones stop play and show the pause; the calendar waits."""
    with write_transaction(session):
        cohort = _lock_cohort(session, cohort_id)
        if cohort.status == CohortStatus.PAUSED:
            return {}
        if cohort.status == CohortStatus.FINISHED:
            raise CalendarError("cohort_finished", "Cette cohorte est terminée.")
        cohort.status = CohortStatus.PAUSED
        out = _to_every_team(session, _lock_teams(session, cohort_id), "cohort.paused", {}, now)
    _calendar_changed(cohort_id, [])
    return out


def resume_cohort(session: Session, cohort_id: int, now: datetime) -> Broadcasts:
    """Resume a paused cohort, and apply at once the unlocks and closes that fell in the pause."""
    with write_transaction(session):
        cohort = _lock_cohort(session, cohort_id)
        if cohort.status != CohortStatus.PAUSED:
            return {}
        cohort.status = CohortStatus.RUNNING
        teams = _lock_teams(session, cohort_id)
        out = _to_every_team(session, teams, "cohort.resumed", {}, now)
        for action in due_actions(cohort, now):
            merge(out, _apply(session, cohort, teams, action, now))
    _calendar_changed(cohort_id, [])
    return out


def apply_due(session: Session, cohort_id: int, now: datetime) -> tuple[list[Applied], Broadcasts]:
    """Apply, in order and in one transaction, everything the cohort's calendar owes by `now`."""
    with write_transaction(session):
        cohort = _lock_cohort(session, cohort_id)
        actions = due_actions(cohort, now)
        if not actions:
            return [], {}
        teams = _lock_teams(session, cohort_id)
        out: Broadcasts = {}
        for action in actions:
            merge(out, _apply(session, cohort, teams, action, now))
        return [Applied(cohort_id, a) for a in actions], out


def catch_up(session: Session, now: datetime) -> tuple[list[Applied], Broadcasts]:
    """Apply what every running cohort's calendar owes by `now` (one transaction per cohort)."""
    applied: list[Applied] = []
    out: Broadcasts = {}
    for cohort_id in clock_running_cohorts(session):
        done, events = apply_due(session, cohort_id, now)
        applied.extend(done)
        merge(out, events)
    return applied, out
