"""Behind nginx (TEMPO_TRUSTED_PROXIES): the login rate limit and links see the real client."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask, url_for
from sqlalchemy import select

from tempo import create_app
from tempo.extensions import db
from tempo.infra import db as schema
from tempo.models import LoginFailure, Role
from tests.conftest import make_config
from tests.web.console_kit import PASSWORD, add_staff, email_of, login

NGINX = {"REMOTE_ADDR": "127.0.0.1"}  # every request reaches the worker from the proxy


def _app(tmp_path: Path, hops: int) -> Iterator[Flask]:
    application = create_app(make_config(tmp_path, TRUSTED_PROXIES=hops))
    with application.app_context():
        schema.upgrade(db.engine)
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def proxied(tmp_path: Path) -> Iterator[Flask]:
    """An app told that one proxy (nginx) stands in front of it."""
    yield from _app(tmp_path, 1)


def _from(client_ip: str, forwarded: str | None = None) -> dict[str, object]:
    # nginx appends the address it saw to X-Forwarded-For ($proxy_add_x_forwarded_for).
    chain = f"{forwarded}, {client_ip}" if forwarded else client_ip
    return {"environ_base": NGINX, "headers": {"X-Forwarded-For": chain}}


def _failure_ips(app: Flask) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(LoginFailure.ip).order_by(LoginFailure.id)))


def test_one_attacker_behind_the_proxy_does_not_lock_out_the_counsellor(proxied: Flask) -> None:
    """Failures are counted per real client address, not per proxy address."""
    email = email_of(proxied, add_staff(proxied, Role.COUNSELLOR))
    attacker = proxied.test_client()
    for _ in range(5):
        wrong = login(attacker, email, "mauvais-mot-de-passe", **_from("198.51.100.4"))
        assert wrong.status_code == 401
    assert login(attacker, email, PASSWORD, **_from("198.51.100.4")).status_code == 429
    assert set(_failure_ips(proxied)) == {"198.51.100.4"}
    counsellor = proxied.test_client()
    assert login(counsellor, email, PASSWORD, **_from("203.0.113.7")).status_code == 302


def test_a_client_cannot_forge_its_address_through_the_header(proxied: Flask) -> None:
    """Only the hop nginx appended is trusted: a forged X-Forwarded-For does not reset the limit."""
    email = email_of(proxied, add_staff(proxied, Role.COUNSELLOR))
    attacker = proxied.test_client()
    for n in range(6):
        login(attacker, email, "mauvais-mot-de-passe", **_from("198.51.100.4", f"10.9.9.{n}"))
    assert set(_failure_ips(proxied)) == {"198.51.100.4"}
    assert login(attacker, email, PASSWORD, **_from("198.51.100.4", "10.9.9.99")).status_code == 429


def test_without_trusted_proxies_the_header_is_ignored(app: Flask) -> None:
    """The default (0) serves clients directly: X-Forwarded-For is anyone's to write."""
    email = email_of(app, add_staff(app, Role.COUNSELLOR))
    login(app.test_client(), email, "mauvais-mot-de-passe", **_from("198.51.100.4"))
    assert _failure_ips(app) == ["127.0.0.1"]


def test_links_follow_the_scheme_and_host_nginx_received(proxied: Flask) -> None:
    """TLS ends at nginx: external URLs built by the app are https on the public host."""
    headers = {
        "X-Forwarded-For": "203.0.113.7",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "tempo.ml-exemple.fr",
    }
    seen: dict[str, str] = {}

    @proxied.get("/_test/where")
    def where() -> str:
        from flask import request

        seen.update(url=url_for("main.health", _external=True), ip=request.remote_addr or "")
        return "ok"

    response = proxied.test_client().get("/_test/where", headers=headers, environ_base=NGINX)
    assert response.status_code == 200
    assert seen == {"url": "https://tempo.ml-exemple.fr/healthz", "ip": "203.0.113.7"}
