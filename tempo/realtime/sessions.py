"""The web session of a Socket.IO connection: its cookie is verified once, not on every event."""

from __future__ import annotations

from flask import Flask, Request
from flask.sessions import SecureCookieSessionInterface, SessionMixin


class ConnectionSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, reusing a Socket.IO connection's copy for its events."""

    def open_session(self, app: Flask, request: Request) -> SessionMixin | None:  # type: ignore[override]
        """The connection's session for a Socket.IO event, else the cookie's."""
        # Flask-SocketIO (manage_session) runs each event in a request context built on the
        # connection's WSGI environ, then puts its own copy of the session in place, kept in
        # the environ as "saved_session": checking the cookie's signature again for every event
        # of every phone would be thrown away. Without that copy, the cookie is read as usual.
        saved = request.environ.get("saved_session")
        if isinstance(saved, SessionMixin):
            return saved
        return super().open_session(app, request)
