"""Staff accounts: creation, passwords (argon2), console sessions and the login rate limit.

Sessions live in the database (`StaffSession`): the browser's cookie holds only a random token
whose SHA-256 is stored. Logging out, deactivating an account or resetting its password deletes
its sessions, and expiry (idle timeout and absolute lifetime) is decided here, not by the cookie.

Failed logins are kept in the database (`LoginFailure`) for a few minutes, keyed by e-mail and
client address, so the limit holds across several server processes.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any, TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tempo.infra.transactions import queue_on, write_transaction
from tempo.models import LoginFailure, Role, StaffAccount, StaffSession
from tempo.services.errors import ServiceError

_hasher = PasswordHasher()
T = TypeVar("T")

MIN_PASSWORD_LENGTH = 12
# A session's last_seen_at is written at most this often (a console page load is not a write).
TOUCH_EVERY = timedelta(minutes=1)

WRONG_CREDENTIALS = "Adresse e-mail ou mot de passe incorrect."
ACCOUNT_DISABLED = "Ce compte est désactivé. Demandez à un administrateur de le réactiver."


class StaffError(ServiceError):
    """A refused account operation, with a French message."""


# The most used passwords (French and international lists), compared without case after removing
# the digits and symbols people add to reach a length rule (« Azerty123456! » is « azerty »).
COMMON_PASSWORDS = frozenset(
    {
        "password",
        "motdepasse",
        "azerty",
        "azertyuiop",
        "qwerty",
        "qwertyuiop",
        "qwertz",
        "abc",
        "abcdef",
        "abcdefgh",
        "iloveyou",
        "jetaime",
        "soleil",
        "doudou",
        "loulou",
        "chouchou",
        "nicolas",
        "camille",
        "marseille",
        "paris",
        "bonjour",
        "coucou",
        "football",
        "foot",
        "psg",
        "om",
        "olympique",
        "princesse",
        "chocolat",
        "dragon",
        "monkey",
        "master",
        "letmein",
        "welcome",
        "bienvenue",
        "admin",
        "administrateur",
        "administrator",
        "root",
        "login",
        "connexion",
        "secret",
        "tempo",
        "mission",
        "missionlocale",
        "missionslocales",
        "conseiller",
        "conseillere",
        "jeunesse",
        "changeme",
        "motdepassemotdepasse",
        "passwordpassword",
        "azertyazerty",
        "qwertyqwerty",
        "sunshine",
        "shadow",
        "superman",
        "batman",
        "trustno",
        "baseball",
        "starwars",
        "pokemon",
        "minecraft",
        "liverpool",
        "arsenal",
        "chelsea",
        "barcelona",
        "hello",
        "hellohello",
        "bonjourbonjour",
        "jesuislameilleure",
        "jesuisleboss",
        "toto",
        "tototo",
        "titi",
        "aaaaaaaaaaaa",
    }
)


def password_problem(password: str, email: str = "") -> str | None:
    """Why a staff password is refused (French), or None when it is acceptable.

    At least 12 characters; not one of the most common passwords (digits and symbols added
    around it do not help); not containing the e-mail address's name part.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Le mot de passe doit contenir au moins {MIN_PASSWORD_LENGTH} caractères."
    folded = password.lower()
    letters = "".join(c for c in folded if c.isalpha())
    if folded in COMMON_PASSWORDS or letters in COMMON_PASSWORDS or len(set(folded)) < 4:
        return (
            "Ce mot de passe fait partie des plus courants : choisissez-en un autre, par exemple "
            "une phrase de quelques mots sans rapport entre eux."
        )
    local = normalise_email(email).partition("@")[0]
    parts = {local, *local.replace("-", ".").replace("_", ".").split(".")}
    if any(len(part) >= 4 and part in folded for part in parts):
        return "Le mot de passe ne doit pas contenir votre adresse e-mail ou votre nom."
    return None


def _check_password(password: str, email: str = "") -> None:
    problem = password_problem(password, email)
    if problem is not None:
        code = "password_too_short" if len(password) < MIN_PASSWORD_LENGTH else "password_weak"
        raise StaffError(code, problem)


def normalise_email(email: str) -> str:
    """E-mail addresses compare without case and surrounding spaces."""
    return email.strip().lower()


def create_staff(
    session: Session, email: str, display_name: str, role: Role, password: str
) -> StaffAccount:
    """Create an account; the e-mail is unique (case-insensitive) and the password hashed."""
    email = normalise_email(email)
    local, _, domain = email.partition("@")
    if not local or "." not in domain or " " in email or len(email) > 254:
        raise StaffError("invalid_email", f"Adresse e-mail invalide : {email!r}")
    _check_password(password, email)
    if session.scalar(select(StaffAccount).where(func.lower(StaffAccount.email) == email)):
        raise StaffError("email_taken", f"Un compte existe déjà pour {email}.")
    account = StaffAccount(
        email=email,
        display_name=display_name.strip()[:120] or email,
        role=role,
        password_hash=_hasher.hash(password),
    )
    try:
        with session.begin_nested():
            session.add(account)
    except IntegrityError:
        # On PostgreSQL a concurrent transaction may create the same address after our check
        # (SQLite's single writer cannot); the unique key waits for it and refuses ours.
        if session.scalar(select(StaffAccount.id).where(StaffAccount.email == email)) is None:
            raise
        raise StaffError("email_taken", f"Un compte existe déjà pour {email}.") from None
    return account


def set_password(account: StaffAccount, password: str) -> None:
    """Replace an account's password."""
    _check_password(password, account.email)
    account.password_hash = _hasher.hash(password)


def check_password(account: StaffAccount, password: str) -> bool:
    """True when `password` is the account's password."""
    try:
        return _hasher.verify(account.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def generate_password() -> str:
    """A random password to hand over once (about 14 readable characters)."""
    return secrets.token_urlsafe(11)


# --- accounts, as administrators manage them --------------------------------------------------


def add_account(
    session: Session, email: str, display_name: str, role: Role, password: str
) -> StaffAccount:
    """Create an account in its own transaction."""
    with write_transaction(session):
        account = create_staff(session, email, display_name, role, password)
    return account


def accounts(session: Session) -> list[StaffAccount]:
    """Every account, active first, then by name."""
    return list(
        session.scalars(
            select(StaffAccount).order_by(
                StaffAccount.active.desc(), func.lower(StaffAccount.display_name)
            )
        )
    )


def _account(session: Session, account_id: int) -> StaffAccount:
    account = session.get(StaffAccount, account_id)
    if account is None:
        raise StaffError("unknown_account", "Ce compte n'existe pas.")
    return account


def set_active(session: Session, account_id: int, active: bool, by: StaffAccount) -> StaffAccount:
    """Deactivate (ending its sessions) or reactivate an account; nobody deactivates themselves."""
    with write_transaction(session):
        account = _account(session, account_id)
        if not active and account.id == by.id:
            raise StaffError("own_account", "Vous ne pouvez pas désactiver votre propre compte.")
        account.active = active
        if not active:
            session.execute(delete(StaffSession).where(StaffSession.staff_id == account.id))
    return account


def reset_password(session: Session, account_id: int, password: str) -> StaffAccount:
    """Give an account a new password and end its open sessions."""
    with write_transaction(session):
        account = _account(session, account_id)
        set_password(account, password)
        session.execute(delete(StaffSession).where(StaffSession.staff_id == account.id))
    return account


# --- logging in ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Policy:
    """How long sessions last and how many failed logins are tolerated."""

    lifetime: timedelta = timedelta(hours=8)
    idle: timedelta = timedelta(minutes=60)
    max_failures: int = 5
    failure_window: timedelta = timedelta(minutes=5)


@dataclass
class Login:
    """The outcome of a login attempt: a session token, or a French error."""

    token: str | None = None
    account: StaffAccount | None = None
    error: str | None = None
    retry_after: timedelta | None = None


@cache
def _dummy_hash() -> str:
    return _hasher.hash(secrets.token_urlsafe(16))


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _wait_message(wait: timedelta) -> str:
    minutes = max(1, math.ceil(wait.total_seconds() / 60))
    unit = "minute" if minutes == 1 else "minutes"
    return (
        "Trop de tentatives de connexion échouées. "
        f"Pour protéger ce compte, réessayez dans {minutes} {unit}."
    )


def _direct(work: Callable[[], T]) -> T:
    return work()


def login(
    session: Session,
    email: str,
    password: str,
    ip: str,
    now: datetime,
    policy: Policy,
    run: Callable[[Callable[[], Any]], Any] = _direct,
) -> Login:
    """Check credentials under the rate limit; on success open a session and return its token.

    A wrong e-mail and a wrong password get the same message and take the same time, so the
    form does not reveal which addresses have an account. Argon2 (~0.3 s of CPU) runs through
    `run`: the web passes `tempo.infra.offload.run_blocking`, so under gevent it runs on a
    worker thread and the other phones keep being served.
    """
    email = normalise_email(email)[:254]
    ip = ip[:64]
    with write_transaction(session):
        # Parallel guesses for one pair wait for each other, so each sees the failures before it.
        queue_on(session, "login", email, ip)
        since = now - policy.failure_window
        recent = list(
            session.scalars(
                select(LoginFailure.at)
                .where(LoginFailure.email == email, LoginFailure.ip == ip, LoginFailure.at > since)
                .order_by(LoginFailure.at)
            )
        )
        if len(recent) >= policy.max_failures:
            # Blocked until the oldest failure that still counts leaves the window.
            wait = recent[-policy.max_failures] + policy.failure_window - now
            return Login(error=_wait_message(wait), retry_after=wait)
        account = session.scalar(
            select(StaffAccount).where(func.lower(StaffAccount.email) == email)
        )
        if account is None:
            dummy = StaffAccount(password_hash=str(run(_dummy_hash)))
            run(lambda: check_password(dummy, password))
            ok = False
        else:
            found = account
            ok = bool(run(lambda: check_password(found, password)))
        if not ok or account is None:
            session.execute(delete(LoginFailure).where(LoginFailure.at <= since))
            session.add(LoginFailure(email=email, ip=ip, at=now))
            return Login(error=WRONG_CREDENTIALS)
        session.execute(
            delete(LoginFailure).where(LoginFailure.email == email, LoginFailure.ip == ip)
        )
        if not account.active:
            return Login(error=ACCOUNT_DISABLED)
        if _hasher.check_needs_rehash(account.password_hash):
            account.password_hash = str(run(lambda: _hasher.hash(password)))
        account.last_login_at = now
        # Sessions nobody came back to would otherwise stay in the table forever.
        session.execute(
            delete(StaffSession).where(
                (StaffSession.last_seen_at <= now - policy.idle)
                | (StaffSession.created_at <= now - policy.lifetime)
            )
        )
        token = secrets.token_urlsafe(32)
        session.add(
            StaffSession(
                token_hash=_token_hash(token),
                staff_id=account.id,
                created_at=now,
                last_seen_at=now,
                ip=ip,
            )
        )
    return Login(token=token, account=account)


@dataclass
class Resumed:
    """The account behind a session token, or why there is none (`expired`)."""

    account: StaffAccount | None
    expired: bool = False


def resume(session: Session, token: str, now: datetime, policy: Policy) -> Resumed:
    """The active account of a session token, ending the session when it has expired."""
    row = session.scalar(select(StaffSession).where(StaffSession.token_hash == _token_hash(token)))
    if row is None:
        return Resumed(None)
    too_old = now - row.created_at >= policy.lifetime
    idle = now - row.last_seen_at >= policy.idle
    if too_old or idle or not row.account.active:
        with write_transaction(session):
            session.execute(delete(StaffSession).where(StaffSession.id == row.id))
        return Resumed(None, expired=too_old or idle)
    if now - row.last_seen_at >= TOUCH_EVERY:
        session_id = row.id
        with write_transaction(session):
            fresh = session.get(StaffSession, session_id)
            if fresh is not None:
                fresh.last_seen_at = now
        row = session.get(StaffSession, session_id) or row
    return Resumed(row.account)


def logout(session: Session, token: str) -> None:
    """End the session of this token (nothing happens for an unknown token)."""
    with write_transaction(session):
        session.execute(delete(StaffSession).where(StaffSession.token_hash == _token_hash(token)))


def change_own_password(
    session: Session, account_id: int, current: str, new: str, keep_token: str
) -> None:
    """Change one's own password (knowing the current one); other sessions end, this one stays."""
    with write_transaction(session):
        account = _account(session, account_id)
        if not check_password(account, current):
            raise StaffError("wrong_password", "Le mot de passe actuel est incorrect.")
        set_password(account, new)
        session.execute(
            delete(StaffSession).where(
                StaffSession.staff_id == account.id,
                StaffSession.token_hash != _token_hash(keep_token),
            )
        )
