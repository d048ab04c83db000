"""Reading a team's situation: its cohort, open days and mission statuses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tempo.engine.progress import DayClock, mission_statuses, open_days
from tempo.models import CohortStatus, MissionProgress, MissionStatus, Team
from tempo.services.codes import ALPHABET


@dataclass
class TeamOverview:
    """What a team's page shows: the current day, its missions and the team's tallies."""

    team: Team
    scenario: dict[str, Any]
    current_day: dict[str, Any] | None
    missions: list[dict[str, Any]]
    offers: list[dict[str, Any]]


def normalise_code(raw: str) -> str:
    """Upper-case, without spaces or dashes, as people type codes."""
    return "".join(ch for ch in raw.upper() if ch in ALPHABET)


def team_by_code(session: Session, raw_code: str) -> Team | None:
    """The team whose join code this is, if any."""
    code = normalise_code(raw_code)
    if not code:
        return None
    return session.scalar(select(Team).where(Team.join_code == code))


def overview(session: Session, team: Team, now: datetime) -> TeamOverview:
    """The team's current day and the status of each of its missions."""
    cohort = team.cohort
    frozen = cohort.scenario_version.content
    scenario = frozen["scenario"]
    clocks = [DayClock(d.number, d.unlock_at, d.unlocked_at) for d in cohort.days]
    opened = open_days(clocks, now, running=cohort.status == CohortStatus.RUNNING)
    done = session.scalars(
        select(MissionProgress.mission_id).where(
            MissionProgress.team_id == team.id, MissionProgress.status == MissionStatus.DONE
        )
    ).all()
    specs = [(d["day"], m["id"], m["requires"]) for d in scenario["days"] for m in d["missions"]]
    statuses = mission_statuses(specs, opened, done)
    current = max(opened) if opened else None
    day = next((d for d in scenario["days"] if d["day"] == current), None)
    missions = [
        {
            "id": m["id"],
            "title": m["title"],
            "type": m["type"],
            "status": statuses[m["id"]],
            "reward": m["reward"],
        }
        for m in (day["missions"] if day else [])
    ]
    titles = {o["id"]: o for o in frozen["offers"]}
    offers = [titles[u.offer_id] for u in team.offers if u.offer_id in titles]
    return TeamOverview(team, scenario, day, missions, offers)
