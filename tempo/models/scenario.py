"""Scenario versions (frozen copies of the content a cohort runs on) and the studio's drafts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tempo.models.base import Base, utcnow
from tempo.models.staff import StaffAccount


class ScenarioVersion(Base):
    """A published, immutable snapshot of a scenario with the offers and diagnostic it uses.

    `number` counts the versions of one slug (1, 2, 3…) whatever the author's `version:` text
    (`label`); `files` keeps the YAML sources (path under the scenario folder → text) for the
    diff against the previous version and for copying into a draft (absent before the studio).
    """

    __tablename__ = "scenario_version"
    __table_args__ = (
        UniqueConstraint("slug", "content_hash"),
        UniqueConstraint("slug", "number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), index=True)
    label: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    content_hash: Mapped[str] = mapped_column(String(64))
    content: Mapped[dict[str, Any]]
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    number: Mapped[int | None]
    changelog: Mapped[str | None] = mapped_column(String(300))
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_account.id", ondelete="SET NULL")
    )
    files: Mapped[dict[str, Any] | None]

    author: Mapped[StaffAccount | None] = relationship()


class CurrentVersion(Base):
    """The version of a scenario new cohorts start from: the last published, or a rollback."""

    __tablename__ = "scenario_current"

    slug: Mapped[str] = mapped_column(String(64), primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("scenario_version.id", ondelete="CASCADE"))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)

    version: Mapped[ScenarioVersion] = relationship()


class ScenarioDraft(Base):
    """An author's scenario in the studio: its current files (path → YAML text)."""

    __tablename__ = "scenario_draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(
        ForeignKey("staff_account.id", ondelete="CASCADE"), index=True
    )
    slug: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    files: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    owner: Mapped[StaffAccount] = relationship()


class DraftRevision(Base):
    """One save of a draft's files, to look back at or restore."""

    __tablename__ = "scenario_draft_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(
        ForeignKey("scenario_draft.id", ondelete="CASCADE"), index=True
    )
    saved_at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    files: Mapped[dict[str, Any]]


class ScenarioPatch(Base):
    """A correction of texts and accepted answers applied to the cohorts running a version.

    The patched content is frozen as a new version (`patched_version`, numbered like any
    other); the cohorts that ran `base_version` were moved to it. `details` keeps what changed
    (French lines, shown on the cohorts' dashboards) and which cohorts were moved.
    """

    __tablename__ = "scenario_patch"

    id: Mapped[int] = mapped_column(primary_key=True)
    base_version_id: Mapped[int] = mapped_column(
        ForeignKey("scenario_version.id", ondelete="CASCADE"), index=True
    )
    patched_version_id: Mapped[int] = mapped_column(
        ForeignKey("scenario_version.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_account.id", ondelete="SET NULL")
    )
    applied_at: Mapped[datetime] = mapped_column(default=utcnow)
    # {"changes": [French lines], "cohorts": [ids of the cohorts moved to the patched version]}
    details: Mapped[dict[str, Any]]

    author: Mapped[StaffAccount | None] = relationship()
    base_version: Mapped[ScenarioVersion] = relationship(foreign_keys=[base_version_id])
    patched_version: Mapped[ScenarioVersion] = relationship(foreign_keys=[patched_version_id])
