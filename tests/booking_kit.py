"""Helpers for booking tests: the demo cohort with its appointment mission open and slots."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tempo.engine.team import DONE
from tempo.models import Cohort, MissionProgress, MissionStatus, StaffAccount
from tempo.services.booking import appointments as booking
from tempo.services.content.demo import ensure_demo
from tempo.services.content.games import cohort_game
from tempo.services.content.publishing import load_valid_content
from tests.conftest import CONTENT_DIR

# Monday 23 March 2026, 09:00 in Paris (winter time); summer time starts on Sunday 29 March.
NOW = datetime(2026, 3, 23, 8, 0, tzinfo=UTC)
PLACE = "Mission Locale de Tours, 2 rue Nationale"


def manage_url(token: str) -> str:
    """The manage link the web layer would build."""
    return f"http://tempo.test/rdv/{token}"


@dataclass
class Setup:
    """The demo cohort ready for booking: ids of the cohort, counsellor, teams and mission."""

    cohort_id: int
    staff_id: int
    team_ids: list[int]
    mission_id: str


def appointment_mission_id(cohort: Cohort) -> str:
    """The scenario's appointment mission."""
    game = cohort_game(cohort)
    return next(m for m, mission in game.missions.items() if mission.type == "appointment")


def open_appointment(session: Session, cohort: Cohort, now: datetime = NOW) -> str:
    """Open every day up to the appointment's and mark what it requires done, for every team."""
    game = cohort_game(cohort)
    mission_id = appointment_mission_id(cohort)
    for day in cohort.days:
        if day.number <= game.day_of[mission_id] and day.unlocked_at is None:
            day.unlocked_at = now
    for team in cohort.teams:
        for required in game.missions[mission_id].requires:
            row = session.scalar(
                select(MissionProgress).where(
                    MissionProgress.team_id == team.id, MissionProgress.mission_id == required
                )
            )
            if row is None:
                session.add(
                    MissionProgress(
                        team_id=team.id,
                        mission_id=required,
                        status=MissionStatus(DONE),
                        state={},
                        started_at=now,
                        completed_at=now,
                    )
                )
    session.flush()
    return mission_id


def weekday_mornings(session: Session, staff_id: int, **settings: str) -> None:
    """Monday to Friday 09:00–12:00 in 30-minute slots, no notice, at PLACE."""
    form = {
        "slot_minutes": "30",
        "buffer_minutes": "0",
        "notice_hours": "0",
        "horizon_days": "28",
        "place": PLACE,
    }
    form.update(settings)
    booking.save_settings(session, staff_id, form)
    for weekday in range(5):
        booking.add_rule(
            session, staff_id, {"weekday": str(weekday), "start": "09:00", "end": "12:00"}
        )


def demo_ready(session: Session, now: datetime = NOW) -> Setup:
    """The demo cohort with day 9's appointment open and its counsellor's weekday mornings."""
    result = ensure_demo(session, load_valid_content(CONTENT_DIR), now)
    mission_id = open_appointment(session, result.cohort, now)
    session.commit()
    setup = Setup(
        cohort_id=result.cohort.id,
        staff_id=result.counsellor.id,
        team_ids=[t.id for t in result.cohort.teams],
        mission_id=mission_id,
    )
    weekday_mornings(session, setup.staff_id)
    return setup


def counsellor(session: Session, staff_id: int) -> StaffAccount:
    """A staff account by id."""
    found = session.get(StaffAccount, staff_id)
    assert found is not None
    return found
