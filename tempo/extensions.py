"""Flask extensions, created without an app and bound in `create_app`."""

from __future__ import annotations

from typing import Any, Protocol, cast

from flask_babel import Babel
from flask_compress import Compress
from flask_socketio import SocketIO
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from tempo.models.base import Base

db = SQLAlchemy(model_class=Base)
socketio = SocketIO()
babel = Babel()
csrf = CSRFProtect()
# Phones on weak networks: pages, scripts and JSON travel compressed (gzip, br or zstd).
compress = Compress()


class SocketIOInternals(Protocol):
    """Flask-SocketIO attributes Tempo resets or stops, left out of its stubs as private."""

    server_options: dict[str, Any]
    manage_session: bool
    server: Any  # python-socketio's Server (untyped)
    wsgi_server: Any  # gevent's WSGIServer under `tempo serve`, else None


def socketio_internals() -> SocketIOInternals:
    """The Socket.IO extension, typed with the internal attributes Tempo relies on."""
    # typeshed's Flask-SocketIO stubs omit these on purpose (the maintainer calls them internal):
    # the cast names every one Tempo touches in this one place.
    return cast(SocketIOInternals, socketio)
