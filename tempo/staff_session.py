"""Who is signed in to the console, for the adapters that serve staff (web pages and sockets).

The browser keeps one key, `session["staff_token"]`, a random token whose session lives in the
database (see `tempo.services.staff.accounts`). Shared by `tempo.web` and `tempo.realtime`, so the
socket handlers do not import the web blueprints.
"""

from __future__ import annotations

from datetime import timedelta
from typing import cast

from flask import current_app, g, session

from tempo.extensions import db
from tempo.infra.clock import now
from tempo.models import StaffAccount
from tempo.services.staff import accounts as staff_service

SESSION_KEY = "staff_token"


def policy() -> staff_service.Policy:
    """Session lifetimes and the login rate limit, from the configuration."""
    cfg = current_app.config
    return staff_service.Policy(
        lifetime=timedelta(hours=float(cfg["STAFF_SESSION_HOURS"])),
        idle=timedelta(minutes=float(cfg["STAFF_IDLE_MINUTES"])),
        max_failures=int(cfg["STAFF_LOGIN_MAX_FAILURES"]),
        failure_window=timedelta(minutes=float(cfg["STAFF_LOGIN_WINDOW_MINUTES"])),
    )


def current_staff() -> StaffAccount | None:
    """The signed-in, active staff member of this request (HTTP or Socket.IO), if any."""
    if "staff" in g:
        return cast(StaffAccount | None, g.staff)
    account = None
    token = session.get(SESSION_KEY)
    if isinstance(token, str):
        resumed = staff_service.resume(db.session(), token, now(), policy())
        account = resumed.account
        if account is None:
            session.pop(SESSION_KEY, None)
            g.staff_expired = resumed.expired
    g.staff = account
    return account
