"""Staff accounts: counsellors, authors and administrators."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tempo.models.base import Base, str_enum, utcnow


class Role(enum.StrEnum):
    """What a staff account may do."""

    COUNSELLOR = "counsellor"
    AUTHOR = "author"
    ADMIN = "admin"


class StaffAccount(Base):
    """A person who animates cohorts or writes content; the password is an argon2 hash."""

    __tablename__ = "staff_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[Role] = mapped_column(str_enum(Role))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]


class StaffSession(Base):
    """A signed-in console session; the browser holds a random token, the database its hash.

    Kept server-side so that logging out, deactivating an account or resetting its password
    ends its sessions at once, and so that expiry does not depend on what the browser sends.
    """

    __tablename__ = "staff_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    staff_id: Mapped[int] = mapped_column(
        ForeignKey("staff_account.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    ip: Mapped[str | None] = mapped_column(String(64))

    account: Mapped[StaffAccount] = relationship()


class LoginFailure(Base):
    """A failed console login, kept a few minutes for the per e-mail and address rate limit."""

    __tablename__ = "login_failure"
    __table_args__ = (Index("ix_login_failure_email_ip_at", "email", "ip", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    ip: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(index=True)
