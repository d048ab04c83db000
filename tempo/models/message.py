"""Counsellors' messages to the phones (and hints they send), kept with who has read them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tempo.models.base import Base, utcnow


class Message(Base):
    """A message from the console: to a whole cohort (`team_id` null), a team, or one player."""

    __tablename__ = "message"
    __table_args__ = (Index("ix_message_cohort_created", "cohort_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"))
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("team.id", ondelete="CASCADE"), index=True
    )
    player_id: Mapped[int | None] = mapped_column(
        ForeignKey("player.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_account.id", ondelete="SET NULL")
    )
    # The author's name as the players read it, kept if the account is renamed or removed.
    author_name: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    reads: Mapped[list[MessageRead]] = relationship(
        back_populates="message", cascade="all, delete-orphan", order_by="MessageRead.read_at"
    )


class MessageRead(Base):
    """A player has opened their inbox with this message in it (once per player)."""

    __tablename__ = "message_read"
    __table_args__ = (UniqueConstraint("message_id", "player_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("message.id", ondelete="CASCADE"))
    player_id: Mapped[int] = mapped_column(ForeignKey("player.id", ondelete="CASCADE"), index=True)
    read_at: Mapped[datetime] = mapped_column(default=utcnow)

    message: Mapped[Message] = relationship(back_populates="reads")
