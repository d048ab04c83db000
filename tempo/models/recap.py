"""Daily recaps: what each team and each player did on a game day, produced once when it closes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tempo.models.base import Base, utcnow


class RecapDigest(Base):
    """One closed day of a cohort: the counsellors' digest, and whether its e-mails are queued.

    Written with the team and player recaps in the closing transaction; `mailed_at` stays empty
    until the e-mails of that day (players' recaps, counsellors' digest) have been queued, so a
    restart between the close and the queueing still sends them, once.
    """

    __tablename__ = "recap_digest"
    __table_args__ = (UniqueConstraint("cohort_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"))
    day: Mapped[int]
    since: Mapped[datetime | None]
    until: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    mailed_at: Mapped[datetime | None]


class TeamRecap(Base):
    """A team's recap of one game day: missions, shards, offers and tomorrow's teaser."""

    __tablename__ = "team_recap"
    __table_args__ = (UniqueConstraint("team_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    day: Mapped[int]
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PlayerRecap(Base):
    """A player's own part of a day's recap (missions they completed, hints, contributions)."""

    __tablename__ = "player_recap"
    __table_args__ = (UniqueConstraint("player_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    player_id: Mapped[int] = mapped_column(ForeignKey("player.id", ondelete="CASCADE"))
    # The team the player was in when the day closed (a player may move team later).
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"), index=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    day: Mapped[int]
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
