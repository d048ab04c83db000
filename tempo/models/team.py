"""Teams and everything that changes while they play: players, progress, events, shards, offers."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tempo.models.base import Base, str_enum, utcnow

if TYPE_CHECKING:
    from tempo.models.cohort import Cohort


class Team(Base):
    """A team of 6 to 12 players; `version` grows with every change of its shared state."""

    __tablename__ = "team"
    __table_args__ = (UniqueConstraint("cohort_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    join_code: Mapped[str] = mapped_column(String(16), unique=True)
    capacity: Mapped[int] = mapped_column(default=12)
    # Closed by its counsellor to new arrivals: the join code no longer adds players.
    locked: Mapped[bool] = mapped_column(default=False)
    version: Mapped[int] = mapped_column(default=0)
    shards: Mapped[int] = mapped_column(default=0)
    ai_strength: Mapped[int]
    flags: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    cohort: Mapped[Cohort] = relationship(back_populates="teams")
    players: Mapped[list[Player]] = relationship(
        back_populates="team", order_by="Player.id", cascade="all, delete-orphan"
    )
    progress: Mapped[list[MissionProgress]] = relationship(
        back_populates="team", cascade="all, delete-orphan"
    )
    offers: Mapped[list[UnlockedOffer]] = relationship(
        back_populates="team", order_by="UnlockedOffer.id", cascade="all, delete-orphan"
    )


class Player(Base):
    """A young person, known by a pseudonym; the rejoin code restores them on any phone."""

    __tablename__ = "player"
    __table_args__ = (UniqueConstraint("team_id", "pseudonym"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"), index=True)
    pseudonym: Mapped[str] = mapped_column(String(40))
    first_name: Mapped[str | None] = mapped_column(String(60))
    rejoin_code: Mapped[str] = mapped_column(String(16), unique=True)
    email: Mapped[str | None] = mapped_column(String(254))
    email_consent: Mapped[bool] = mapped_column(default=False)
    # When the player ticked the consent box (kept as the record of their consent).
    email_consent_at: Mapped[datetime | None]
    absent: Mapped[bool] = mapped_column(default=False)
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime | None]

    team: Mapped[Team] = relationship(back_populates="players")


class PlayerSession(Base):
    """A phone signed in as a player; the cookie holds a random token, the database its hash.

    Kept server-side so that « Quitter », a new rejoin code or the player's removal ends the
    sessions at once: a signed cookie alone would stay valid for its whole lifetime.
    """

    __tablename__ = "player_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    player_id: Mapped[int] = mapped_column(ForeignKey("player.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class MissionStatus(enum.StrEnum):
    """A mission's state for one team."""

    LOCKED = "locked"
    AVAILABLE = "available"
    IN_PROGRESS = "in_progress"
    DONE = "done"


class MissionProgress(Base):
    """One team's progress on one mission of its scenario version."""

    __tablename__ = "mission_progress"
    __table_args__ = (UniqueConstraint("team_id", "mission_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))
    mission_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[MissionStatus] = mapped_column(
        str_enum(MissionStatus), default=MissionStatus.LOCKED
    )
    state: Mapped[dict[str, Any]] = mapped_column(default=dict)
    hints_used: Mapped[int] = mapped_column(default=0)
    wrong_attempts: Mapped[int] = mapped_column(default=0)
    started_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    completed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("player.id", ondelete="SET NULL")
    )

    team: Mapped[Team] = relationship(back_populates="progress")


class TeamEvent(Base):
    """The persisted, versioned log of a team's state changes (replayed to reconnecting phones)."""

    __tablename__ = "team_event"
    __table_args__ = (UniqueConstraint("team_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))
    version: Mapped[int]
    type: Mapped[str] = mapped_column(String(48))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    player_id: Mapped[int | None] = mapped_column(ForeignKey("player.id", ondelete="SET NULL"))
    client_action_id: Mapped[str | None] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ClientAction(Base):
    """An action a client sent, by its client-generated id: a retried action is applied once."""

    __tablename__ = "client_action"
    __table_args__ = (UniqueConstraint("team_id", "client_action_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))
    client_action_id: Mapped[str] = mapped_column(String(64))
    player_id: Mapped[int | None] = mapped_column(ForeignKey("player.id", ondelete="SET NULL"))
    reply: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WrongAttempt(Base):
    """A wrong answer, kept for the per-player and per-team rate limits."""

    __tablename__ = "wrong_attempt"
    __table_args__ = (
        Index("ix_wrong_attempt_team_at", "team_id", "at"),
        Index("ix_wrong_attempt_player_at", "player_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))
    player_id: Mapped[int | None] = mapped_column(ForeignKey("player.id", ondelete="CASCADE"))
    mission_id: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]


class ShardEntry(Base):
    """A change of a team's éclats d'avenir: earned by a mission, spent on a hint."""

    __tablename__ = "shard_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"), index=True)
    player_id: Mapped[int | None] = mapped_column(ForeignKey("player.id", ondelete="SET NULL"))
    mission_id: Mapped[str | None] = mapped_column(String(64))
    amount: Mapped[int]
    reason: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class UnlockedOffer(Base):
    """A service offer a team has unlocked, and the mission that revealed it."""

    __tablename__ = "unlocked_offer"
    __table_args__ = (UniqueConstraint("team_id", "offer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))
    offer_id: Mapped[str] = mapped_column(String(64))
    mission_id: Mapped[str] = mapped_column(String(64))
    unlocked_at: Mapped[datetime] = mapped_column(default=utcnow)

    team: Mapped[Team] = relationship(back_populates="offers")
