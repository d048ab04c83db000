"""Finding a team from the code people type or scan."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tempo.models import Team
from tempo.services.play.codes import normalise_code


def team_by_code(session: Session, raw_code: str) -> Team | None:
    """The team whose join code this is, if any."""
    code = normalise_code(raw_code)
    if not code:
        return None
    return session.scalar(select(Team).where(Team.join_code == code))
