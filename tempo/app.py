"""The application factory's body (see `tempo.create_app`)."""

from __future__ import annotations

import os
import secrets
from typing import Any

from flask import Flask, has_request_context, request
from werkzeug.middleware.proxy_fix import ProxyFix

from tempo import throttle
from tempo.config import PROJECT_ROOT, Config, check_secret_key
from tempo.extensions import babel, compress, csrf, db, socketio, socketio_internals
from tempo.infra.transactions import configure_sqlite
from tempo.realtime import owners as socket_owners
from tempo.realtime import publish
from tempo.realtime.path import route_socketio_path
from tempo.realtime.presence import EXTENSION, make_presence
from tempo.realtime.sessions import ConnectionSessions

# Imported before any init_app: their @socketio.on handlers are then kept by the extension and
# bound to every app it initialises (handlers declared after init_app bind to one server only).
from tempo.realtime import play as _play_namespace  # isort: skip
from tempo.realtime import console as _console_namespace  # noqa: F401  isort: skip


def build_app(config: Config | dict[str, Any] | None = None) -> Flask:
    """Create and configure a Tempo application."""
    if isinstance(config, dict):
        cfg = Config.from_env()
        cfg.extra.update(config)
    else:
        cfg = config or Config.from_env()
    app = Flask(
        "tempo",
        instance_path=str(cfg.INSTANCE_DIR),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.from_mapping(cfg.flask_settings())
    app.config["TEMPO_CONFIG"] = cfg
    cfg.INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    if not app.config["TESTING"]:
        # An example or short key lets anyone forge sessions and QR tokens: refuse to start.
        check_secret_key(app.config.get("SECRET_KEY"))
    app.config["SECRET_KEY"] = app.config.get("SECRET_KEY") or _instance_secret(cfg)
    app.config.setdefault(
        "SQLALCHEMY_ENGINE_OPTIONS", _engine_options(app.config["SQLALCHEMY_DATABASE_URI"])
    )

    app.session_interface = ConnectionSessions()
    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine, int(app.config["SQLITE_BUSY_TIMEOUT_MS"]))
    babel.init_app(app, locale_selector=_locale)
    csrf.init_app(app)
    compress.init_app(app)
    throttle.init_app(app)
    _bind_socketio(app, cfg)
    route_socketio_path(app)
    app.extensions[EXTENSION] = make_presence(
        app.config, on_lost=lambda teams: _play_namespace.announce_presence(app, teams)
    )
    app.extensions[socket_owners.EXTENSION] = socket_owners.make_owners(app.config)
    if cfg.TRUSTED_PROXIES > 0:
        # Outermost, so Socket.IO requests (Origin checks) see the proxy's view too. Each hop
        # appends to X-Forwarded-For; trusting exactly N hops means a client cannot forge its
        # address for the login rate limit by sending the header itself.
        n = cfg.TRUSTED_PROXIES
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]

    from tempo.web import register_blueprints

    register_blueprints(app)
    _connect_signals()

    return app


def _connect_signals() -> None:
    """Services announce calendar changes; the scheduler leading in this process re-plans.

    Blinker keeps one connection per receiver, so building several apps connects it once.
    """
    from tempo import scheduler
    from tempo.infra import signals

    signals.calendar_changed.connect(scheduler.replan)
    # A new cohort's first day gets its job now rather than at the next sync.
    signals.cohort_created.connect(scheduler.replan)


def _bind_socketio(app: Flask, cfg: Config) -> None:
    """Bind the module-global Socket.IO extension to `app` with exactly this app's options.

    Flask-SocketIO keeps the options of every `init_app` call (its `server_options` dict), the
    message-queue client manager included: without this reset, an app built after one with a
    queue would publish on the previous app's Redis channel. Handlers stay registered (they were
    declared before any `init_app`, see the imports above).
    """
    publish.local.pace_cohort_ai(float(app.config["COHORT_AI_SECONDS"]))
    internals = socketio_internals()
    internals.server_options = {}
    internals.manage_session = True
    socketio.init_app(
        app,
        async_mode=app.config["ASYNC_MODE"],
        message_queue=app.config.get("MESSAGE_QUEUE") or None,
        channel=app.config["MESSAGE_QUEUE_CHANNEL"],
        ping_interval=app.config["PING_INTERVAL_SECONDS"],
        ping_timeout=app.config["PING_TIMEOUT_SECONDS"],
        # With a public URL, only pages from it may open sockets; without one, Engine.IO's
        # default same-origin check (Origin must match Host) lets phones on a LAN address in.
        # None is Engine.IO's own default; the stub's keyword types leave it out.
        cors_allowed_origins=[cfg.PUBLIC_URL.rstrip("/")] if cfg.PUBLIC_URL else None,  # type: ignore[arg-type]
    )


def _locale() -> str:
    # French first; other catalogues can be added under translations/ and picked here.
    supported = ["fr"]
    if not has_request_context():  # CLI commands and background jobs: the default language
        return "fr"
    return request.accept_languages.best_match(supported) or "fr"


def _instance_secret(cfg: Config) -> str:
    """A secret key kept in the instance folder, so sessions survive restarts on one machine."""
    path = cfg.INSTANCE_DIR / "secret_key"
    if not path.exists():
        # Several workers may start at once on one instance folder: each writes a candidate and
        # links it into place, which succeeds for one only, so they all read the same key.
        candidate = path.with_name(f"secret_key.{os.getpid()}.tmp")
        candidate.write_text(secrets.token_urlsafe(48), encoding="utf-8")
        candidate.chmod(0o600)
        try:
            os.link(candidate, path)
        except FileExistsError:
            pass
        finally:
            candidate.unlink()
    return path.read_text(encoding="utf-8").strip()


def _engine_options(url: str) -> dict[str, Any]:
    if url.startswith("sqlite"):
        # One connection per thread/greenlet; check_same_thread off because Flask-SocketIO
        # handlers may run on another thread than the one that opened the connection.
        return {"connect_args": {"check_same_thread": False, "timeout": 30}}
    return {"pool_pre_ping": True}
