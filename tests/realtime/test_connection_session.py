"""A phone's socket events reuse its connection's session instead of re-reading the cookie."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.sessions import SecureCookieSessionInterface

from tests.conftest import Demo
from tests.realtime.helpers import call, connect


def test_events_of_a_connection_do_not_verify_the_cookie_again(
    app: Flask, demo: Demo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each event used to check the session cookie's signature, then throw the result away."""
    phone = connect(app, demo.join(0, "Alice"))
    assert call(phone, "state", {})["ok"] is True  # the connection's copy exists from here on
    reads: list[str] = []
    cookie_read = SecureCookieSessionInterface.open_session

    def counted(self: SecureCookieSessionInterface, *args: object) -> object:
        reads.append("cookie")
        return cookie_read(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(SecureCookieSessionInterface, "open_session", counted)
    for _ in range(3):
        assert call(phone, "state", {})["ok"] is True
        assert call(phone, "inbox", {})["ok"] is True
    assert reads == []
    # An HTTP request still reads its cookie.
    app.test_client().get("/")
    assert reads == ["cookie"]
