"""The review queue: every proof waiting for a counsellor, across the cohort's days.

The dashboard's grid shows the latest open day only; a proof sent for an earlier day (the
evening before the next day's automatic unlock, say) waits here until someone reviews it, with
the dashboard's own review (`dashboard.review_proof`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tempo.models import Cohort, MissionProgress, Player
from tempo.services.cohorts.alerts import proofs_submitted, waited
from tempo.services.content.games import game_for


@dataclass(frozen=True)
class PendingProof:
    """One proof waiting for review, and what the counsellor needs to judge it."""

    team_id: int
    team: str
    mission_id: str
    mission: str
    day: int
    player: str | None  # the sender's pseudonym
    photo: str | None
    text: str | None
    since: datetime | None  # when it was sent

    def waited(self, now: datetime) -> str:
        """How long it has waited, in French."""
        return waited(self.since, now)


def pending_proofs(session: Session, cohort: Cohort) -> list[PendingProof]:
    """Every pending proof of the cohort, of any day (open or closed), oldest first."""
    game = game_for(cohort.scenario_version)
    teams = {t.id: t for t in cohort.teams}
    rows = session.scalars(
        select(MissionProgress)
        .where(MissionProgress.team_id.in_(list(teams)))
        .order_by(MissionProgress.id)
    ).all()
    pending = []
    for row in rows:
        if row.mission_id not in game.missions:
            continue
        summary = game.console_summary(row.mission_id, row.state or {})
        if summary.pending:
            pending.append((row, summary))
    if not pending:
        return []
    sent = proofs_submitted(session, list(teams))
    senders = {
        str(by)
        for row, _ in pending
        if isinstance(by := (row.state.get("submission") or {}).get("by"), str)
    }
    names = {
        str(p.id): p.pseudonym
        for p in session.scalars(
            select(Player).where(Player.id.in_([int(s) for s in senders if s.isdigit()]))
        )
    }
    out = [
        PendingProof(
            team_id=row.team_id,
            team=teams[row.team_id].name,
            mission_id=row.mission_id,
            mission=game.missions[row.mission_id].title,
            day=game.day_of[row.mission_id],
            player=names.get(str((row.state.get("submission") or {}).get("by"))),
            photo=summary.photo,
            text=summary.text,
            since=sent.get((row.team_id, row.mission_id)),
        )
        for row, summary in pending
    ]
    # Oldest first; a proof whose sending was not recorded goes last, by day.
    return sorted(out, key=lambda p: (p.since is None, p.since or datetime.max, p.day, p.team_id))


def pending_count(session: Session, cohort: Cohort) -> int:
    """How many proofs wait for review (the dashboard's badge)."""
    return len(pending_proofs(session, cohort))
