"""Creating cohorts on a frozen scenario version, with their calendar and teams."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from tempo.engine.calendar import build_calendar
from tempo.models import Cohort, CohortDay, ScenarioVersion, StaffAccount, Team
from tempo.services.codes import new_code

MIN_TEAM, MAX_TEAM = 6, 12


class CohortError(ValueError):
    """A refused cohort operation, with a French message."""


def create_cohort(
    session: Session,
    version: ScenarioVersion,
    *,
    slug: str,
    name: str,
    start: date,
    team_names: Sequence[str],
    counsellors: Sequence[StaffAccount] = (),
    weekends_played: bool = True,
    timezone: str = "Europe/Paris",
    capacity: int = MAX_TEAM,
) -> Cohort:
    """A cohort with its 10-day calendar (from the scenario's hours) and its teams."""
    if session.scalar(select(Cohort).where(Cohort.slug == slug)) is not None:
        raise CohortError(f"Une cohorte utilise déjà l'identifiant « {slug} ».")
    if not MIN_TEAM <= capacity <= MAX_TEAM:
        raise CohortError(f"Une équipe compte de {MIN_TEAM} à {MAX_TEAM} places.")
    if len(set(team_names)) != len(team_names) or not team_names:
        raise CohortError("Chaque équipe doit avoir un nom, différent des autres.")
    scenario = version.content["scenario"]
    cohort = Cohort(
        slug=slug,
        name=name,
        scenario_version=version,
        start_date=start,
        timezone=timezone,
        weekends_played=weekends_played,
        counsellors=list(counsellors),
    )
    hours = [(d["unlock_at"], d["recap_at"]) for d in scenario["days"]]
    for plan in build_calendar(start, hours, weekends_played, timezone):
        cohort.days.append(
            CohortDay(
                number=plan.number,
                date=plan.date,
                unlock_at=plan.unlock_at,
                recap_at=plan.recap_at,
            )
        )
    strength = int(scenario["meta"]["ai"]["strength"])
    for team_name in team_names:
        cohort.teams.append(
            Team(
                name=team_name,
                join_code=new_code(session, Team.join_code, 6),
                capacity=capacity,
                ai_strength=strength,
            )
        )
    session.add(cohort)
    session.flush()
    return cohort
