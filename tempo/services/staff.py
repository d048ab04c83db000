"""Staff accounts: creation and password checks (argon2)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tempo.models import Role, StaffAccount

_hasher = PasswordHasher()

MIN_PASSWORD_LENGTH = 10


class StaffError(ValueError):
    """A refused account operation, with a French message."""


def create_staff(
    session: Session, email: str, display_name: str, role: Role, password: str
) -> StaffAccount:
    """Create an account; the e-mail is unique (case-insensitive) and the password hashed."""
    email = email.strip().lower()
    if "@" not in email:
        raise StaffError(f"Adresse e-mail invalide : {email!r}")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise StaffError(
            f"Le mot de passe doit contenir au moins {MIN_PASSWORD_LENGTH} caractères."
        )
    if session.scalar(select(StaffAccount).where(func.lower(StaffAccount.email) == email)):
        raise StaffError(f"Un compte existe déjà pour {email}.")
    account = StaffAccount(
        email=email,
        display_name=display_name.strip() or email,
        role=role,
        password_hash=_hasher.hash(password),
    )
    session.add(account)
    session.flush()
    return account


def set_password(account: StaffAccount, password: str) -> None:
    """Replace an account's password."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise StaffError(
            f"Le mot de passe doit contenir au moins {MIN_PASSWORD_LENGTH} caractères."
        )
    account.password_hash = _hasher.hash(password)


def check_password(account: StaffAccount, password: str) -> bool:
    """True when `password` is the account's password."""
    try:
        return _hasher.verify(account.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
