"""Appointments: counsellors' availability (weekly plan, exceptions) and players' bookings."""

from __future__ import annotations

import enum
from datetime import date, datetime, time
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tempo.models.base import Base, str_enum, utcnow

if TYPE_CHECKING:
    from tempo.models.cohort import Cohort
    from tempo.models.staff import StaffAccount
    from tempo.models.team import Player


class Availability(Base):
    """A counsellor's booking settings: slot length, buffer, notice, horizon, usual place."""

    __tablename__ = "availability"

    staff_id: Mapped[int] = mapped_column(
        ForeignKey("staff_account.id", ondelete="CASCADE"), primary_key=True
    )
    slot_minutes: Mapped[int] = mapped_column(default=30)
    buffer_minutes: Mapped[int] = mapped_column(default=0)
    notice_hours: Mapped[int] = mapped_column(default=24)
    horizon_days: Mapped[int] = mapped_column(default=28)
    place: Mapped[str] = mapped_column(String(200), default="")
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Paris")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class AvailabilityRule(Base):
    """Weekly open hours of a counsellor: a weekday (0 = Monday), local start and end, a place."""

    __tablename__ = "availability_rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(
        ForeignKey("staff_account.id", ondelete="CASCADE"), index=True
    )
    weekday: Mapped[int]
    start: Mapped[time]
    end: Mapped[time]
    place: Mapped[str] = mapped_column(String(200), default="")


class AvailabilityException(Base):
    """A date that differs from the weekly plan: closed (all day or some hours), or extra hours."""

    __tablename__ = "availability_exception"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(
        ForeignKey("staff_account.id", ondelete="CASCADE"), index=True
    )
    day: Mapped[date]
    closed: Mapped[bool]
    start: Mapped[time | None]
    end: Mapped[time | None]
    place: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(String(200), default="")


class BookingStatus(enum.StrEnum):
    """Where an appointment is: booked, then attended or missed; or cancelled."""

    BOOKED = "booked"
    CANCELLED = "cancelled"
    ATTENDED = "attended"
    MISSED = "missed"


# Partial unique indexes: the database itself refuses a second live booking of one counsellor's
# slot, and a second upcoming booking for one player, however close together two requests come.
_LIVE = text("status != 'cancelled'")
_UPCOMING = text("status = 'booked'")


class Booking(Base):
    """A player's real appointment with a counsellor; `token` opens its manage page unsigned-in."""

    __tablename__ = "booking"
    __table_args__ = (
        Index(
            "uq_booking_staff_slot",
            "staff_id",
            "starts_at",
            unique=True,
            sqlite_where=_LIVE,
            postgresql_where=_LIVE,
        ),
        Index(
            "uq_booking_player_upcoming",
            "player_id",
            unique=True,
            sqlite_where=_UPCOMING,
            postgresql_where=_UPCOMING,
        ),
        Index("ix_booking_status_starts_at", "status", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    player_id: Mapped[int] = mapped_column(ForeignKey("player.id", ondelete="CASCADE"), index=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    staff_id: Mapped[int] = mapped_column(
        ForeignKey("staff_account.id", ondelete="CASCADE"), index=True
    )
    mission_id: Mapped[str] = mapped_column(String(64))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Paris")
    place: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[BookingStatus] = mapped_column(
        str_enum(BookingStatus), default=BookingStatus.BOOKED
    )
    token: Mapped[str] = mapped_column(String(64), unique=True)
    moves: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When the current slot was chosen (booking or last move): reminders only make sense after.
    booked_at: Mapped[datetime] = mapped_column(default=utcnow)
    cancelled_at: Mapped[datetime | None]
    reminded_day_at: Mapped[datetime | None]
    reminded_hour_at: Mapped[datetime | None]
    marked_at: Mapped[datetime | None]
    marked_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_account.id", ondelete="SET NULL")
    )

    player: Mapped[Player] = relationship()
    cohort: Mapped[Cohort] = relationship()
    counsellor: Mapped[StaffAccount] = relationship(foreign_keys=[staff_id])
