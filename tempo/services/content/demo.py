"""The demo cohort: "Tempo 2050" with two teams and a counsellor, day 1 open today."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from tempo.models import Cohort, CohortStatus, Role, StaffAccount
from tempo.scenarios import Content
from tempo.services.cohorts.admin import create_cohort
from tempo.services.content.publishing import publish
from tempo.services.staff.accounts import create_staff, set_password

DEMO_SLUG = "demo"
DEMO_SCENARIO = "tempo-2050"
DEMO_EMAIL = "conseillere@demo.tempo"
DEMO_TEAMS = ("Les Comètes", "Les Pionniers")


@dataclass
class DemoResult:
    """What `tempo demo` reports: the cohort, and the password when it was (re)set."""

    cohort: Cohort
    counsellor: StaffAccount
    password: str | None
    created: bool


def ensure_demo(
    session: Session, content: Content, now: datetime, reset_password: bool = False
) -> DemoResult:
    """Create the demo cohort once; later calls return it unchanged (idempotent)."""
    counsellor = session.scalar(select(StaffAccount).where(StaffAccount.email == DEMO_EMAIL))
    password: str | None = None
    if counsellor is None:
        password = secrets.token_urlsafe(9)
        counsellor = create_staff(
            session, DEMO_EMAIL, "Inès Ferrand (démo)", Role.COUNSELLOR, password
        )
    elif reset_password:
        password = secrets.token_urlsafe(9)
        set_password(counsellor, password)
    cohort = session.scalar(select(Cohort).where(Cohort.slug == DEMO_SLUG))
    created = cohort is None
    if cohort is None:
        version = publish(session, content, DEMO_SCENARIO, now)
        today = now.astimezone(ZoneInfo("Europe/Paris")).date()
        cohort = create_cohort(
            session,
            version,
            slug=DEMO_SLUG,
            name="Promo démo — Tempo 2050",
            start=today,
            team_names=DEMO_TEAMS,
            counsellors=[counsellor],
        )
        # The demo starts now: day 1 is open whatever the hour, and stays open until the next
        # day's morning when it is started after day 1's recap hour (the scheduler would
        # otherwise close it at once, recap and all, in front of whoever is trying it).
        cohort.status = CohortStatus.RUNNING
        first = cohort.days[0]
        first.unlocked_at = now
        if first.recap_at <= now:
            later = [d.unlock_at for d in cohort.days[1:]]
            first.recap_at = (
                min(later) - timedelta(minutes=1) if later else now + timedelta(hours=12)
            )
    session.flush()
    return DemoResult(cohort=cohort, counsellor=counsellor, password=password, created=created)
