"""Helpers for console tests: staff accounts, logging in, an adjustable clock, CSRF tokens."""

from __future__ import annotations

import html
import itertools
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tempo import create_app
from tempo.extensions import db
from tempo.infra import db as schema
from tempo.models import Role
from tempo.services.staff.accounts import create_staff
from tests.conftest import make_config

PASSWORD = "mot-de-passe-solide"
START = "2026-03-23"  # a Monday; Paris switches to summer time on Sunday 29 March
_seq = itertools.count(1)


@dataclass
class Clock:
    """A clock tests move by hand; install it with `app.config["CLOCK"] = clock`."""

    now: datetime = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)  # a Friday, before a DST change

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        """Move the clock forward."""
        self.now += timedelta(**delta)


def add_staff(app: Flask, role: Role, name: str | None = None, email: str | None = None) -> int:
    """Create an account with PASSWORD; return its id."""
    n = next(_seq)
    with app.app_context():
        account = create_staff(
            db.session,
            email or f"{role.value}{n}@ml-test.fr",
            name or f"{role.value.title()} {n}",
            role,
            PASSWORD,
        )
        db.session.commit()
        return account.id


def email_of(app: Flask, account_id: int) -> str:
    """The e-mail of an account."""
    from tempo.models import StaffAccount

    with app.app_context():
        return db.session.get(StaffAccount, account_id).email  # type: ignore[union-attr]


def login(client: FlaskClient, email: str, password: str = PASSWORD, **kw: object):  # type: ignore[no-untyped-def]
    """Post the login form."""
    return client.post("/console/connexion", data={"email": email, "password": password}, **kw)


def staff_client(app: Flask, role: Role, name: str | None = None) -> tuple[FlaskClient, int]:
    """A browser logged in as a new account of `role`, and the account id."""
    account_id = add_staff(app, role, name)
    client = app.test_client()
    response = login(client, email_of(app, account_id))
    assert response.status_code == 302, response.get_data(as_text=True)
    return client, account_id


def csrf_app(tmp_path: Path) -> Flask:
    """An app with CSRF protection on, as in production."""
    cfg = make_config(tmp_path)
    cfg.extra["WTF_CSRF_ENABLED"] = True
    app = create_app(cfg)
    with app.app_context():
        schema.upgrade(db.engine)
    return app


def csrf_token(client: FlaskClient, page: str) -> str:
    """The CSRF token of a form on `page`."""
    html = client.get(page).get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, f"no CSRF token on {page}"
    return match.group(1)


def alert(html: str) -> str:
    """The text of the first role="alert" paragraph (the page's error message)."""
    match = re.search(r'class="error" role="alert">([^<]*)<', html)
    assert match, "no error message on the page"
    return match.group(1).replace("&#39;", "'")


def text(response: TestResponse) -> str:
    """A response's HTML with entities decoded, to compare with French text (apostrophes)."""
    return html.unescape(response.get_data(as_text=True))


def form(counsellors: list[int], **overrides: object) -> dict[str, object]:
    """A valid cohort creation form."""
    data: dict[str, object] = {
        "version": "current:tempo-2050",
        "name": "Promo mars — Tours Nord",
        "slug": "",
        "start": START,
        "timezone": "Europe/Paris",
        "weekends_played": "1",
        "teams": "Les Comètes\nLes Pionniers\n\nLes Astres",
        "capacity": "10",
        "counsellors": [str(c) for c in counsellors],
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}
