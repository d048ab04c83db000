"""Self-diagnostic sessions and answers: they belong to the player, not to the team."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tempo.models.base import Base


class DiagnosticSession(Base):
    """One run of the self-diagnostic by a player; answers are saved one by one.

    `mission_id` names the diagnostic mission the run counted for (set when it is finished
    while such a mission is open for the player's team); `scores` keeps each family's need
    score at the finish, so later results compare with exactly what the player saw.
    """

    __tablename__ = "diagnostic_session"
    __table_args__ = (Index("ix_diagnostic_session_player_finished", "player_id", "finished_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    player_id: Mapped[int] = mapped_column(ForeignKey("player.id", ondelete="CASCADE"))
    scenario_version_id: Mapped[int] = mapped_column(ForeignKey("scenario_version.id"))
    mission_id: Mapped[str | None] = mapped_column(String(64))
    started_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    scores: Mapped[dict[str, Any]] = mapped_column(default=dict)

    answers: Mapped[list[DiagnosticAnswer]] = relationship(
        back_populates="diagnostic", cascade="all, delete-orphan", order_by="DiagnosticAnswer.id"
    )


class DiagnosticAnswer(Base):
    """A player's answer to one question of one diagnostic run (changed in place when redone)."""

    __tablename__ = "diagnostic_answer"
    __table_args__ = (UniqueConstraint("session_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("diagnostic_session.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(String(64))
    value: Mapped[str] = mapped_column(String(64))
    answered_at: Mapped[datetime]

    diagnostic: Mapped[DiagnosticSession] = relationship(back_populates="answers")
