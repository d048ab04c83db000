"""Staff accounts: counsellors, authors and administrators."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

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
