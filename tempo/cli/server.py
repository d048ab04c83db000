"""`tempo serve` (the production server) and `tempo scheduler` (the 10-day clock on its own)."""

from __future__ import annotations

import contextlib
import logging
import signal
import sys
import threading
from collections.abc import Callable
from typing import Any

import click
from flask import Flask

from tempo.cli.shared import make_app, require_strong_secret
from tempo.config import Config
from tempo.extensions import db, socketio, socketio_internals
from tempo.infra import db as schema
from tempo.infra import direct_send
from tempo.infra.checkpoint import WalCheckpointer
from tempo.launcher import freeze_startup_objects
from tempo.realtime import publish
from tempo.realtime.play import announce_presence
from tempo.realtime.presence import EXTENSION, close_presence
from tempo.realtime.watch import start_watch
from tempo.scheduler import DayScheduler

SCHEDULER_MODES = ("inprocess", "off")
# Seconds a stopping server gives its requests in flight before closing them.
STOP_SECONDS = 5.0


@click.command(help="Démarre le serveur Tempo (mode production, gevent).")
@click.option("--host", default=None, help="Adresse d'écoute (défaut : TEMPO_HOST ou 127.0.0.1).")
@click.option("--port", default=None, type=int, help="Port (défaut : TEMPO_PORT ou 5000).")
@click.option(
    "--worker",
    is_flag=True,
    help=(
        "Un processus serveur parmi plusieurs (un par cœur, derrière nginx) : exige "
        "TEMPO_MESSAGE_QUEUE (Redis), ne lance pas l'ordonnanceur (« tempo scheduler » à part) "
        "et n'applique pas les migrations (« tempo db upgrade » avant)."
    ),
)
def serve(host: str | None, port: int | None, worker: bool) -> None:
    """Start the production server; SIGTERM or Ctrl-C stops it cleanly (exit status 0)."""
    base = Config.from_env()
    require_strong_secret(base)  # even with TEMPO_TESTING set: this is a real server
    overrides: dict[str, object] = {"ASYNC_MODE": base.SERVER_MODE}
    if host:
        overrides["HOST"] = host
    if port:
        overrides["PORT"] = port
    if base.SCHEDULER not in SCHEDULER_MODES:
        raise click.UsageError(
            f"TEMPO_SCHEDULER vaut « {base.SCHEDULER} » : choisissez inprocess ou off."
        )
    if worker:
        _check_worker_settings(base)
    app = make_app(**overrides)
    cfg: Config = app.config["TEMPO_CONFIG"]
    if worker:
        _require_current_schema(app)
    else:
        _ensure_schema(app)
    clock = None
    if cfg.SCHEDULER == "inprocess" and not worker:
        _log_scheduler()
        clock = DayScheduler(app)
        clock.start()
    # Without a message queue, the events a `tempo` command records reach phones through here.
    watch = None if worker else start_watch(app)
    with app.app_context():
        checkpointer = WalCheckpointer.for_engine(db.engine)
    if checkpointer is not None:
        checkpointer.start()
    # Teams with a phone here when a stop began: told who is left once the sockets are closed.
    stopping: list[int] = []
    _stop_on_signals(cfg.ASYNC_MODE, lambda: _stop_gevent_server(app, stopping))
    if cfg.ASYNC_MODE == "gevent":
        direct_send.install()
    shape = ", processus serveur sans ordonnanceur" if worker else ""
    click.echo(f"Tempo écoute sur http://{cfg.HOST}:{cfg.PORT} (mode {cfg.ASYNC_MODE}{shape}).")
    freeze_startup_objects()
    try:
        _run_server(app, cfg)
    finally:
        if watch is not None:
            watch.stop()
        if checkpointer is not None:
            checkpointer.stop()
        _shutdown(app, clock, stopping)
    click.echo("Tempo arrêté.")


def _check_worker_settings(cfg: Config) -> None:
    """A worker shares phones with other processes: it needs Redis, and PostgreSQL is advised."""
    queue = cfg.MESSAGE_QUEUE or ""
    if not queue.startswith(("redis://", "rediss://")):
        raise click.UsageError(
            "tempo serve --worker exige une file de messages Redis : définissez "
            "TEMPO_MESSAGE_QUEUE=redis://127.0.0.1:6379/0 (la même pour tous les processus "
            "serveurs et « tempo scheduler »). Sans elle, les coéquipiers connectés à deux "
            "processus différents ne se verraient pas. Pour un seul processus, lancez "
            "« tempo serve » sans --worker."
        )
    if not (cfg.DATABASE_URL or "").startswith("postgresql"):
        click.echo(
            "Attention : plusieurs processus serveurs sur SQLite se bloquent les uns les autres ; "
            "définissez TEMPO_DATABASE_URL=postgresql+psycopg://… (voir docs/deploy.md).",
            err=True,
        )


def _require_current_schema(app: Flask) -> None:
    """Workers never migrate (several starting at once would race): the schema must be current."""
    with app.app_context():
        behind = schema.pending(db.engine)
    if behind:
        click.echo(
            "La base de données n'est pas à jour : lancez « tempo db upgrade » une fois, "
            "puis démarrez les processus serveurs.",
            err=True,
        )
        sys.exit(1)


def _stop_on_signals(async_mode: str, stop_gevent: Callable[[], None]) -> None:
    """SIGTERM (systemd, docker) and Ctrl-C stop the server cleanly instead of killing it."""
    if async_mode == "gevent":
        import gevent

        # gevent runs the handler in a greenlet of its own, outside the signal frame.
        for sig in (signal.SIGTERM, signal.SIGINT):
            gevent.signal_handler(sig, stop_gevent)
        return

    def interrupt(*_: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)


def _stop_gevent_server(app: Flask, stopping: list[int]) -> None:
    """Stop accepting, close every socket (phones reconnect elsewhere), then stop the server."""
    internals = socketio_internals()
    server = internals.wsgi_server
    if server is None or server.closed:
        return
    server.close()  # the listening socket: the load balancer sends new phones elsewhere
    stopping.extend(app.extensions[EXTENSION].local_teams())
    # Closing each socket tells the phones to reconnect; the disconnect handlers it starts may
    # be cut short by the stop below, so `_shutdown` tells these teams who is left.
    internals.server.eio.disconnect()
    internals.server.shutdown()
    server.stop(timeout=STOP_SECONDS)


def _run_server(app: Flask, cfg: Config) -> None:
    # SIGTERM or Ctrl-C in threading mode interrupts the server: it has stopped serving.
    with contextlib.suppress(KeyboardInterrupt):
        options: dict[str, Any] = {}
        if cfg.ASYNC_MODE == "gevent":
            from tempo.infra.http_server import NoDelayHandler  # gevent, imported when serving

            options["handler_class"] = NoDelayHandler
        socketio.run(app, host=cfg.HOST, port=cfg.PORT, log_output=False, **options)


def _shutdown(app: Flask, clock: DayScheduler | None, stopping: list[int]) -> None:
    """Release what the server holds: the leader lock, shared presence, database connections."""
    if clock is not None:
        clock.stop()
    presence = app.extensions[EXTENSION]
    # Sockets still listed (in Redis) would count as online until their heartbeat expired.
    teams = sorted(set(close_presence(presence)) | set(stopping))
    if teams and presence.shared:
        try:
            announce_presence(app, teams)
        except Exception:
            logging.getLogger("tempo").exception("Présence : annonce impossible à l'arrêt.")
    with app.app_context():
        db.engine.dispose()


def _log_scheduler() -> None:
    """Print the scheduler's messages (leader, standby, days opened and closed) on stderr."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%Y-%m-%d %H:%M:%S"))
    logger = logging.getLogger("tempo.scheduler")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)


def _ensure_schema(app: Flask) -> None:
    with app.app_context():
        schema.upgrade(db.engine)


@click.command(
    help="Lance l'ordonnanceur du calendrier comme processus à part (plusieurs serveurs)."
)
def scheduler() -> None:
    """Run the 10-day clock on its own until SIGTERM or Ctrl-C (one leader among all processes)."""
    require_strong_secret(Config.from_env())  # it signs the links of the e-mails it sends
    app = make_app()
    _log_scheduler()
    publisher = publish.external(app)
    if publisher is None:
        click.echo(
            "Sans file de messages (TEMPO_MESSAGE_QUEUE), l'ordonnanceur enregistre ses "
            "changements et c'est « tempo serve » qui les envoie aux téléphones (d'ici une à deux "
            "secondes) ; des processus « tempo serve --worker » exigent une file de messages.",
            err=True,
        )
    clock = DayScheduler(app, publisher.publish) if publisher else DayScheduler(app)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    clock.start()
    click.echo("Ordonnanceur démarré (Ctrl-C pour l'arrêter).", err=True)
    stop.wait()
    clock.stop()
    click.echo("Ordonnanceur arrêté.", err=True)
