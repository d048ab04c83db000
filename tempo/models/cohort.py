"""Cohorts: one run of a frozen scenario version, its counsellors and its 10-day calendar."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Column, ForeignKey, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tempo.engine.progress import DayClock
from tempo.models.base import Base, str_enum, utcnow

if TYPE_CHECKING:
    from tempo.models.scenario import ScenarioVersion
    from tempo.models.staff import StaffAccount
    from tempo.models.team import Team


class CohortStatus(enum.StrEnum):
    """Where a cohort is in its run."""

    SCHEDULED = "scheduled"
    RUNNING = "running"
    PAUSED = "paused"
    FINISHED = "finished"


cohort_counsellor = Table(
    "cohort_counsellor",
    Base.metadata,
    Column("cohort_id", ForeignKey("cohort.id", ondelete="CASCADE"), primary_key=True),
    Column("staff_id", ForeignKey("staff_account.id", ondelete="CASCADE"), primary_key=True),
)


class Cohort(Base):
    """A group of teams playing one scenario version over ten game days."""

    __tablename__ = "cohort"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    scenario_version_id: Mapped[int] = mapped_column(ForeignKey("scenario_version.id"))
    start_date: Mapped[date]
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Paris")
    weekends_played: Mapped[bool] = mapped_column(default=True)
    status: Mapped[CohortStatus] = mapped_column(
        str_enum(CohortStatus), default=CohortStatus.SCHEDULED
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A studio play-test (« essai »): the author who owns it. Such a cohort is private to its
    # author: no listing, dashboard, export, alert, projector, scheduler job or counsellor sees it.
    sandbox_owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_account.id", ondelete="CASCADE"), index=True
    )

    scenario_version: Mapped[ScenarioVersion] = relationship()
    # Ordered: without ORDER BY, PostgreSQL lists them in whatever order its join produces.
    counsellors: Mapped[list[StaffAccount]] = relationship(
        secondary=cohort_counsellor, order_by="StaffAccount.display_name"
    )
    days: Mapped[list[CohortDay]] = relationship(
        back_populates="cohort", order_by="CohortDay.number", cascade="all, delete-orphan"
    )
    teams: Mapped[list[Team]] = relationship(
        back_populates="cohort", order_by="Team.id", cascade="all, delete-orphan"
    )

    def clocks(self) -> list[DayClock]:
        """The engine's view of the calendar: scheduled instants and what already happened."""
        return [
            DayClock(d.number, d.unlock_at, d.unlocked_at, d.recap_at, d.closed_at)
            for d in self.days
        ]


class CohortDay(Base):
    """Game day N of a cohort: its real date, unlock and recap times, and what happened."""

    __tablename__ = "cohort_day"
    __table_args__ = (UniqueConstraint("cohort_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"))
    number: Mapped[int]
    date: Mapped[date]
    unlock_at: Mapped[datetime]
    recap_at: Mapped[datetime]
    unlocked_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]

    cohort: Mapped[Cohort] = relationship(back_populates="days")


class DismissedAlert(Base):
    """A dashboard alert a counsellor dismissed, for every counsellor of the cohort.

    The key names the situation (team, mission, and what grew: a count, an instant), so the
    same alert stays dismissed across reloads while a worse or different one shows again.
    """

    __tablename__ = "dismissed_alert"
    __table_args__ = (UniqueConstraint("cohort_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(200))
    dismissed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_account.id", ondelete="SET NULL")
    )
    dismissed_at: Mapped[datetime] = mapped_column(default=utcnow)
