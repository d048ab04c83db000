"""The `tempo` command: serve, scheduler, db, validate, demo, day, cohort, user, qr, kit, export."""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click
from flask import Flask

from tempo import create_app
from tempo.config import Config
from tempo.models import Cohort, utcnow

if TYPE_CHECKING:
    from tempo.models import Cohort
    from tempo.scheduler import DayScheduler
    from tempo.services.events import Broadcasts

SCHEDULER_MODES = ("inprocess", "off")
STATUS_LABELS = {
    "scheduled": "programmée",
    "running": "en cours",
    "paused": "en pause",
    "finished": "terminée",
}


def _app(**overrides: object) -> Flask:
    cfg = dataclasses.replace(Config.from_env(), **overrides)  # type: ignore[arg-type]
    return create_app(cfg)


@click.group(help="Tempo : l'aventure en équipe pour découvrir sa Mission Locale.")
def cli() -> None:
    """The root command group."""


@cli.command(help="Démarre le serveur Tempo (mode production, gevent).")
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
    app = _app(**overrides)
    cfg: Config = app.config["TEMPO_CONFIG"]
    if worker:
        _require_current_schema(app)
    else:
        _ensure_schema(app)
    clock = None
    if cfg.SCHEDULER == "inprocess" and not worker:
        from tempo.scheduler import DayScheduler

        _log_scheduler()
        clock = DayScheduler(app)
        clock.start()
    # Teams with a phone here when a stop began: told who is left once the sockets are closed.
    stopping: list[int] = []
    _stop_on_signals(cfg.ASYNC_MODE, lambda: _stop_gevent_server(app, stopping))
    shape = ", processus serveur sans ordonnanceur" if worker else ""
    click.echo(f"Tempo écoute sur http://{cfg.HOST}:{cfg.PORT} (mode {cfg.ASYNC_MODE}{shape}).")
    try:
        _run_server(app, cfg)
    finally:
        _shutdown(app, clock, stopping)
    click.echo("Tempo arrêté.")


# Seconds a stopping server gives its requests in flight before closing them.
STOP_SECONDS = 5.0


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
    from tempo.extensions import db
    from tempo.infra import db as schema

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
    from tempo.extensions import socketio
    from tempo.realtime.presence import EXTENSION

    server = socketio.wsgi_server
    if server is None or server.closed:
        return
    server.close()  # the listening socket: the load balancer sends new phones elsewhere
    stopping.extend(app.extensions[EXTENSION].local_teams())
    # Closing each socket tells the phones to reconnect; the disconnect handlers it starts may
    # be cut short by the stop below, so `_shutdown` tells these teams who is left.
    socketio.server.eio.disconnect()
    socketio.server.shutdown()
    server.stop(timeout=STOP_SECONDS)


def _run_server(app: Flask, cfg: Config) -> None:
    from tempo.extensions import socketio

    # SIGTERM or Ctrl-C in threading mode interrupts the server: it has stopped serving.
    with contextlib.suppress(KeyboardInterrupt):
        socketio.run(app, host=cfg.HOST, port=cfg.PORT, log_output=False)


def _shutdown(app: Flask, clock: DayScheduler | None, stopping: list[int]) -> None:
    """Release what the server holds: the leader lock, shared presence, database connections."""
    from tempo.extensions import db
    from tempo.realtime.play import announce_presence
    from tempo.realtime.presence import EXTENSION, close_presence

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


@cli.command(help="Lance l'ordonnanceur du calendrier comme processus à part (plusieurs serveurs).")
def scheduler() -> None:
    """Run the 10-day clock on its own until SIGTERM or Ctrl-C (one leader among all processes)."""
    from tempo.scheduler import DayScheduler, external_emitter

    app = _app()
    _log_scheduler()
    emit = external_emitter(app)
    if emit is None:
        click.echo(
            "Attention : sans file de messages (TEMPO_MESSAGE_QUEUE), l'ordonnanceur ne peut pas "
            "prévenir en direct les téléphones connectés aux serveurs ; ils verront les jours "
            "ouverts en rechargeant la page.",
            err=True,
        )
    clock = DayScheduler(app, emit) if emit else DayScheduler(app)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    clock.start()
    click.echo("Ordonnanceur démarré (Ctrl-C pour l'arrêter).", err=True)
    stop.wait()
    clock.stop()
    click.echo("Ordonnanceur arrêté.", err=True)


def _ensure_schema(app: Flask) -> None:
    from tempo.extensions import db
    from tempo.infra import db as schema

    with app.app_context():
        schema.upgrade(db.engine)


@cli.group(help="Base de données (migrations Alembic).")
def db() -> None:
    """Database commands."""


@db.command("upgrade", help="Applique les migrations jusqu'à la dernière version.")
@click.option("--revision", default="head", show_default=True, help="Révision cible.")
def db_upgrade(revision: str) -> None:
    """Apply migrations."""
    from tempo.extensions import db as sqla
    from tempo.infra import db as schema

    app = _app()
    with app.app_context():
        schema.upgrade(sqla.engine, revision)
        url = sqla.engine.url.render_as_string(hide_password=True)
    click.echo(f"Base de données à jour ({url}).")


@cli.command(help="Vérifie le contenu (offres, diagnostic, scénarios) et liste chaque erreur.")
@click.argument("path", required=False, type=click.Path(path_type=Path))
def validate(path: Path | None) -> None:
    """Validate a content folder (or one scenario folder); exit 1 on any error."""
    from tempo.scenarios import content_root_for, load_content

    target = path or Config.from_env().CONTENT_DIR
    if not target.exists():
        click.echo(f"Dossier introuvable : {target}", err=True)
        sys.exit(2)
    root, only = content_root_for(target)
    result = load_content(root, only=only)
    if result.errors:
        for error in result.errors:
            click.echo(str(error))
        click.echo(f"{len(result.errors)} erreur(s) dans {root}.", err=True)
        sys.exit(1)
    assert result.content is not None
    for slug, scenario in result.content.scenarios.items():
        missions = sum(len(d.missions) for d in scenario.days)
        click.echo(f"Scénario {slug} : {len(scenario.days)} jours, {missions} missions.")
    click.echo(
        f"Contenu valide : {len(result.content.offers)} offres, "
        f"{len(result.content.diagnostic.families)} familles de diagnostic."
    )


@cli.command(help="Crée (une seule fois) la cohorte de démonstration « demo » sur Tempo 2050.")
@click.option("--reset-password", is_flag=True, help="Génère un nouveau mot de passe conseiller.")
def demo(reset_password: bool) -> None:
    """Create the demo cohort idempotently and print how to open it."""
    from tempo.extensions import db as sqla
    from tempo.infra import db as schema
    from tempo.services.content.demo import ensure_demo
    from tempo.services.content.publishing import ContentInvalid, load_valid_content

    app = _app()
    cfg: Config = app.config["TEMPO_CONFIG"]
    try:
        content = load_valid_content(cfg.CONTENT_DIR)
    except ContentInvalid as exc:
        click.echo("Le contenu contient des erreurs ; rien n'a été créé :", err=True)
        for line in exc.errors:
            click.echo(f"  {line}", err=True)
        sys.exit(1)
    with app.app_context():
        schema.upgrade(sqla.engine)
        result = ensure_demo(sqla.session, content, utcnow(), reset_password=reset_password)
        sqla.session.commit()
        cohort = result.cohort
        base = cfg.public_url
        click.echo(
            f"Cohorte « {cohort.name} » ({cohort.slug}) "
            + ("créée." if result.created else "déjà présente.")
        )
        click.echo(f"Accueil : {base}/")
        for team in cohort.teams:
            click.echo(
                f"Équipe {team.name} : code {team.join_code} — {base}/rejoindre/{team.join_code}"
            )
        click.echo(f"Console des conseillers : {base}/console/connexion")
        click.echo(f"Compte conseiller : {result.counsellor.email}")
        if result.password:
            click.echo(f"Mot de passe : {result.password}")
        else:
            click.echo("Mot de passe : inchangé (tempo demo --reset-password pour en créer un).")


@cli.command(help="Génère le QR code d'une balise ou d'une équipe d'une cohorte (PNG ou SVG).")
@click.argument("cohort_slug", metavar="COHORTE")
@click.option(
    "--checkpoint", "checkpoint_id", help="Identifiant de la balise (ex. cp-d06-mediatheque)."
)
@click.option("--team", "team_name", help="Nom de l'équipe (son QR d'inscription).")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    required=True,
    help="Fichier à écrire : .png ou .svg.",
)
def qr(cohort_slug: str, checkpoint_id: str | None, team_name: str | None, output: Path) -> None:
    """Render a checkpoint's or a team's QR code to a PNG or SVG file."""
    from sqlalchemy import select

    from tempo.extensions import db as sqla
    from tempo.models import Cohort
    from tempo.services.content import games
    from tempo.services.play import checkpoints
    from tempo.services.play import qr as qr_images

    if (checkpoint_id is None) == (team_name is None):
        raise click.UsageError("Indiquez soit --checkpoint soit --team.")
    if output.suffix.lower() not in {".png", ".svg"}:
        raise click.UsageError("Le fichier doit se terminer par .png ou .svg.")
    app = _app()
    cfg: Config = app.config["TEMPO_CONFIG"]
    with app.app_context():
        cohort = sqla.session.scalar(select(Cohort).where(Cohort.slug == cohort_slug))
        if cohort is None:
            raise click.ClickException(f"Cohorte inconnue : {cohort_slug}")
        secret = app.config["SECRET_KEY"]
        if checkpoint_id is not None:
            game = games.game_for(cohort.scenario_version)
            if checkpoint_id not in checkpoints.checkpoints(game):
                known = ", ".join(sorted(checkpoints.checkpoints(game)))
                raise click.ClickException(f"Balise inconnue : {checkpoint_id} (balises : {known})")
            url = f"{cfg.public_url}/q/{checkpoints.sign(secret, cohort.id, checkpoint_id)}"
            label = f"code à taper : {checkpoints.short_code(secret, cohort.id, checkpoint_id)}"
        else:
            team = next((t for t in cohort.teams if t.name == team_name), None)
            if team is None:
                names = ", ".join(t.name for t in cohort.teams)
                raise click.ClickException(f"Équipe inconnue : {team_name} (équipes : {names})")
            url = f"{cfg.public_url}/rejoindre/{team.join_code}"
            label = f"code d'équipe : {team.join_code}"
    data = qr_images.svg(url) if output.suffix.lower() == ".svg" else qr_images.png(url)
    output.write_bytes(data)
    click.echo(f"{output} écrit — {url} ({label})")


def _cohort(slug: str) -> Cohort:
    """The cohort with this slug (in an app context), or a French error listing the known ones."""
    from sqlalchemy import inspect, select

    from tempo.extensions import db as sqla

    if not inspect(sqla.engine).has_table("cohort"):
        raise click.ClickException(
            "La base de données n'est pas encore créée : lancez « tempo db upgrade » "
            "(ou « tempo demo » pour la cohorte de démonstration)."
        )
    cohort = sqla.session.scalar(select(Cohort).where(Cohort.slug == slug))
    if cohort is None:
        known = sqla.session.scalars(select(Cohort.slug).order_by(Cohort.slug)).all()
        listing = (
            f"cohortes existantes : {', '.join(known)}"
            if known
            else "aucune cohorte n'existe ; « tempo demo » crée la cohorte de démonstration"
        )
        raise click.ClickException(f"Cohorte inconnue : {slug} ({listing}).")
    return cohort


@cli.command(
    help="Génère le kit d'impression d'une cohorte en un PDF A4 : affiches d'inscription des "
    "équipes, cartes personnelles des joueurs, fiche de pose et affiches des balises QR."
)
@click.argument("cohort_slug", metavar="COHORTE")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="Fichier PDF à écrire (ex. kit-demo.pdf).",
)
def kit(cohort_slug: str, output: Path) -> None:
    """Write a cohort's print kit to a PDF file."""
    from tempo.extensions import db as sqla
    from tempo.services.documents import printkit

    if output.suffix.lower() != ".pdf":
        raise click.UsageError("Le fichier doit se terminer par .pdf.")
    app = _app()
    cfg: Config = app.config["TEMPO_CONFIG"]
    with app.app_context():
        cohort = _cohort(cohort_slug)
        data = printkit.kit_data(
            sqla.session,
            cohort,
            secret=app.config["SECRET_KEY"],
            public_url=cfg.public_url,
            now=utcnow(),
        )
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(printkit.render_kit(data))
    cards = sum(len(t.cards) for t in data.teams)
    click.echo(
        f"{output} écrit : {len(data.teams)} affiche(s) d'équipe, {cards} carte(s) "
        f"personnelle(s), {len(data.checkpoints)} balise(s) QR. Les codes ouvrent {cfg.public_url}."
    )
    if printkit.is_local(cfg.public_url):
        click.echo(
            f"Attention : {cfg.public_url} ne s'ouvre pas depuis un téléphone. Définissez "
            "TEMPO_PUBLIC_URL (l'adresse publique de Tempo) puis régénérez le kit.",
            err=True,
        )


@cli.command(
    "export",
    help="Exporte le suivi d'une cohorte : deux fichiers CSV (joueurs, équipes) pour un tableur, "
    "ou le bilan PDF avec la progression des équipes et des offres.",
)
@click.argument("cohort_slug", metavar="COHORTE")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "pdf"]),
    default="csv",
    show_default=True,
    help="csv : joueurs.csv et equipes.csv (UTF-8, séparateur « ; ») ; pdf : bilan A4.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    required=True,
    help="csv : dossier qui recevra joueurs.csv et equipes.csv (créé s'il manque) ; "
    "pdf : fichier .pdf.",
)
def export(cohort_slug: str, fmt: str, output: Path) -> None:
    """Write a cohort's CSV exports to a folder, or its PDF report to a file."""
    from tempo.extensions import db as sqla
    from tempo.services.documents import exports

    if fmt == "pdf" and output.suffix.lower() != ".pdf":
        raise click.UsageError("Le fichier doit se terminer par .pdf.")
    if fmt == "csv" and output.is_file():
        raise click.UsageError(f"{output} est un fichier : indiquez un dossier pour les CSV.")
    app = _app()
    with app.app_context():
        stats = exports.cohort_stats(sqla.session, _cohort(cohort_slug), utcnow())
    if fmt == "pdf":
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(exports.report_pdf(stats))
        click.echo(f"{output} écrit : bilan de {len(stats.teams)} équipe(s).")
        return
    output.mkdir(parents=True, exist_ok=True)
    (output / exports.PLAYERS_FILE).write_bytes(exports.players_csv(stats))
    (output / exports.TEAMS_FILE).write_bytes(exports.teams_csv(stats))
    click.echo(
        f"{output / exports.PLAYERS_FILE} écrit ({len(stats.players)} joueur(s)) ; "
        f"{output / exports.TEAMS_FILE} écrit ({len(stats.teams)} équipe(s))."
    )


@cli.group(help="Comptes de l'équipe (conseillers, auteurs, administrateurs).")
def user() -> None:
    """Staff account commands."""


@user.command(
    "create", help="Crée un compte de la console (par exemple le premier administrateur)."
)
@click.option("--email", required=True, help="Adresse e-mail, l'identifiant de connexion.")
@click.option("--name", required=True, help="Nom affiché dans la console.")
@click.option(
    "--role",
    required=True,
    type=click.Choice(["admin", "counsellor", "author"]),
    help="admin (tout, et les comptes), counsellor (ses cohortes), author (les scénarios).",
)
@click.option(
    "--password",
    default=None,
    help="Mot de passe (10 caractères minimum) ; sans cette option, demandé deux fois, masqué.",
)
def user_create(email: str, name: str, role: str, password: str | None) -> None:
    """Create a staff account; prompt twice for a hidden password when none is given."""
    from tempo.extensions import db as sqla
    from tempo.infra import db as schema
    from tempo.models import Role
    from tempo.services.staff.accounts import StaffError, add_account

    if password is None:
        password = click.prompt(
            "Mot de passe",
            hide_input=True,
            confirmation_prompt="Mot de passe (encore une fois)",
        )
    app = _app()
    with app.app_context():
        schema.upgrade(sqla.engine)
        try:
            account = add_account(sqla.session, email, name, Role(role), password)
        except StaffError as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(f"Compte créé : {account.display_name} <{account.email}> ({role}).")
        click.echo("Connexion : /console/connexion")


# --- the calendar by hand (the console calls the same services) -------------------------------


def _announce(app: Flask, broadcasts: Broadcasts) -> None:
    """Tell connected phones through the message queue, or say that they will see it later."""
    from tempo.realtime import publish

    if not broadcasts:
        return
    publisher = publish.external(app)
    if publisher is None:
        click.echo(
            "Sans file de messages (TEMPO_MESSAGE_QUEUE), les téléphones déjà connectés ne sont "
            "pas prévenus en direct : ils verront le changement en rechargeant la page ou à leur "
            "prochaine reconnexion. Pour les prévenir tout de suite, utilisez la console."
        )
        return
    publisher.publish(broadcasts)
    click.echo(f"Téléphones prévenus en direct ({len(broadcasts)} équipe(s)).")


def _calendar_call(action: str, slug: str, number: int = 0) -> None:
    from tempo.extensions import db as sqla
    from tempo.services.calendar import days as calendar

    app = _app()
    with app.app_context():
        cohort = _cohort(slug)
        session, now = sqla.session, utcnow()
        try:
            if action == "unlock":
                broadcasts = calendar.unlock_day(session, cohort.id, number, now)
            elif action == "pause":
                broadcasts = calendar.pause_cohort(session, cohort.id, now)
            else:
                broadcasts = calendar.resume_cohort(session, cohort.id, now)
        except calendar.CalendarError as exc:
            raise click.ClickException(exc.message) from exc
        name = cohort.name
        teams = len(cohort.teams)
    if action == "unlock":
        click.echo(
            f"Jour {number} ouvert pour les {teams} équipe(s) de « {name} »."
            if broadcasts
            else f"Le jour {number} de « {name} » était déjà ouvert : rien n'a changé."
        )
    elif action == "pause":
        click.echo(
            f"« {name} » est en pause : les téléphones affichent la pause."
            if broadcasts
            else f"« {name} » était déjà en pause."
        )
    else:
        click.echo(f"« {name} » a repris." if broadcasts else f"« {name} » n'était pas en pause.")
    _announce(app, broadcasts)


@cli.group(help="Les jours de jeu d'une cohorte (calendrier, ouverture anticipée).")
def day() -> None:
    """Game-day commands."""


@day.command("list", help="Affiche le calendrier d'une cohorte : dates, heures, état des jours.")
@click.argument("cohort_slug", metavar="COHORTE")
def day_list(cohort_slug: str) -> None:
    """Print the cohort's calendar in its local time."""
    from zoneinfo import ZoneInfo

    app = _app()
    with app.app_context():
        cohort = _cohort(cohort_slug)
        tz = ZoneInfo(cohort.timezone)
        status = STATUS_LABELS.get(cohort.status.value, cohort.status.value)
        click.echo(f"« {cohort.name} » ({cohort.slug}) — {status}, fuseau {cohort.timezone}")
        for d in cohort.days:
            unlock = d.unlock_at.astimezone(tz).strftime("%H:%M")
            recap = d.recap_at.astimezone(tz).strftime("%H:%M")
            state = "à venir"
            if d.unlocked_at is not None:
                state = "ouvert le " + d.unlocked_at.astimezone(tz).strftime("%d/%m à %H:%M")
            if d.closed_at is not None:
                state += ", clos le " + d.closed_at.astimezone(tz).strftime("%d/%m à %H:%M")
            click.echo(
                f"Jour {d.number:>2} — {d.date.strftime('%d/%m/%Y')} — "
                f"ouverture {unlock}, bilan {recap} — {state}"
            )


@day.command("unlock", help="Ouvre tout de suite le jour N d'une cohorte (une seule fois).")
@click.argument("cohort_slug", metavar="COHORTE")
@click.argument("number", metavar="N", type=click.IntRange(1, 99))
def day_unlock(cohort_slug: str, number: int) -> None:
    """Unlock game day N now (idempotent)."""
    _calendar_call("unlock", cohort_slug, number)


@cli.group(help="Mettre une cohorte en pause ou la relancer.")
def cohort() -> None:
    """Cohort commands."""


@cohort.command("pause", help="Met la cohorte en pause : plus de jeu, le calendrier attend.")
@click.argument("cohort_slug", metavar="COHORTE")
def cohort_pause(cohort_slug: str) -> None:
    """Pause a cohort."""
    _calendar_call("pause", cohort_slug)


@cohort.command(
    "resume", help="Relance la cohorte ; les jours dont l'heure est passée s'ouvrent aussitôt."
)
@click.argument("cohort_slug", metavar="COHORTE")
def cohort_resume(cohort_slug: str) -> None:
    """Resume a paused cohort (and catch its calendar up)."""
    _calendar_call("resume", cohort_slug)


@cli.command(help="Mesure Tempo en jeu réel face au transport Socket.IO nu (même charge).")
@click.option(
    "-n",
    "--players",
    default=600,
    show_default=True,
    type=click.IntRange(1),
    help="Nombre de joueurs simulés (équipes de 12).",
)
@click.option(
    "-p",
    "--period",
    default=5.0,
    show_default=True,
    type=click.FloatRange(0.1),
    help="Chaque joueur agit toutes les P secondes.",
)
@click.option(
    "-d",
    "--duration",
    default=20.0,
    show_default=True,
    type=click.FloatRange(1),
    help="Durée mesurée du jeu, en secondes (après l'échauffement).",
)
@click.option(
    "--warmup",
    default=None,
    type=click.FloatRange(0),
    help="Échauffement non mesuré, en secondes (défaut : une période).",
)
@click.option(
    "--reconnect-rate",
    default=0.05,
    show_default=True,
    type=click.FloatRange(0, 1),
    help="Part des joueurs qui se déconnectent puis se reconnectent une fois.",
)
@click.option(
    "--knee",
    is_flag=True,
    help="Cherche le coude : augmente N (300, 600, 900…) tant que le p99 reste sous 250 ms.",
)
@click.option(
    "--knee-steps",
    default="300,600,900,1200,1500,1800",
    show_default=True,
    help="Valeurs de N essayées par --knee, séparées par des virgules.",
)
@click.option(
    "--other",
    is_flag=True,
    help="Mesure aussi le premier chargement de la page joueur (Chromium sans écran).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default=None,
    help="Fichier Markdown des résultats (défaut : docs/benchmarks.md du projet).",
)
@click.option("--no-write", is_flag=True, help="N'écrit aucun fichier, affiche seulement.")
def bench(
    players: int,
    period: float,
    duration: float,
    warmup: float | None,
    reconnect_rate: float,
    knee: bool,
    knee_steps: str,
    other: bool,
    output: Path | None,
    no_write: bool,
) -> None:
    """Benchmark Tempo against the bare transport; print the table and the ratio line."""
    from tempo.bench import report
    from tempo.bench import run as bench_run
    from tempo.bench.load import Plan
    from tempo.config import PROJECT_ROOT

    plan = Plan(
        players=players,
        period=period,
        duration=duration,
        warmup=period if warmup is None else warmup,
        reconnect_rate=reconnect_rate,
    )
    target = output or PROJECT_ROOT / "docs" / "benchmarks.md"
    sections: dict[str, str] = {}

    def log(line: str) -> None:
        click.echo(line, err=True)

    if knee:
        try:
            steps = [int(x) for x in knee_steps.split(",") if x.strip()]
        except ValueError:
            raise click.UsageError("--knee-steps : des nombres séparés par des virgules.") from None
        results, best = bench_run.knee(plan, steps, log)
        for stats in results:
            click.echo(
                f"N={stats.plan.players} p99={stats.pct(99):.0f} ms "
                f"livrés={report.floor2(stats.delivered_pct)} %"
            )
        click.echo(f"Coude (p99 < 250 ms) : {best if best is not None else 'aucun'} joueurs.")
        sections["knee"] = bench_run.knee_markdown(results, best, report.machine())
        if not no_write:
            bench_run.write_doc(target, sections)
            click.echo(f"Résultats écrits dans {target}.")
        return

    result = bench_run.compare(plan, log)
    if other:
        from tempo.bench import pageload

        log("Premier chargement de la page joueur (Chromium sans écran)…")
        sections["other"] = pageload.other_costs_markdown(pageload.measure(log))
    click.echo(report.terminal_table(result.tempo, result.bare))
    sections["latest"] = bench_run.latest_markdown(result)
    if not no_write:
        history = report.history_row(result.tempo, result.bare, result.machine)
        bench_run.write_doc(target, sections, history)
        click.echo(f"Résultats écrits dans {target}.")
    click.echo(report.ratio_line(result.tempo, result.bare))


# --- the mail outbox --------------------------------------------------------------------------


@cli.group(help="Les courriels en attente (récaps, rendez-vous, rappels).")
def mail() -> None:
    """Mail outbox commands."""


@mail.command("deliver", help="Envoie tout de suite les courriels dus (sinon : toutes les 30 s).")
def mail_deliver() -> None:
    """Send the due messages now, as the scheduler's job does."""
    from tempo.infra.clock import now
    from tempo.services.mail.outbox import deliver_due

    app = _app()
    with app.app_context():
        report = deliver_due(app, now(), limit=10_000)
    target = app.config.get("SMTP_HOST") or f"{app.instance_path}/outbox/"
    click.echo(
        f"{len(report.sent)} courriel(s) envoyé(s) ({target}), "
        f"{len(report.retried)} à réessayer, {len(report.failed)} abandonné(s)."
    )
    for key in report.retried + report.failed:
        click.echo(f"  non envoyé : {key}")


# --- daily recaps by hand ---------------------------------------------------------------------


@cli.command(
    "recap",
    help="Clôture les récaps du jour N d'une cohorte (comme l'ordonnanceur à l'heure du bilan, "
    "une seule fois) et affiche où chaque récap se consulte.",
)
@click.argument("cohort_slug", metavar="COHORTE")
@click.option("--day", "number", required=True, type=click.IntRange(1, 99), help="Le jour N.")
def recap(cohort_slug: str, number: int) -> None:
    """Close day N (if it is not) so its recaps are produced, then print where to see them."""
    from flask import url_for
    from sqlalchemy import select

    from tempo.extensions import db as sqla
    from tempo.infra.clock import now
    from tempo.models import RecapDigest
    from tempo.services.calendar import days as calendar
    from tempo.services.recaps import mailing as recap_mail
    from tempo.services.recaps import produce as recaps
    from tempo.web.play import public_url

    app = _app()
    cfg: Config = app.config["TEMPO_CONFIG"]
    broadcasts: Broadcasts = {}
    with app.app_context():
        cohort = _cohort(cohort_slug)
        session, at = sqla.session, now()
        name, cohort_id = cohort.name, cohort.id
        try:
            # The same service as the scheduler's job and the console: the recaps come from
            # the calendar's close hook, so they exist once whoever closes the day.
            broadcasts = calendar.close_day(session, cohort_id, number, at)
        except calendar.CalendarError as exc:
            raise click.ClickException(exc.message) from exc
        if broadcasts:
            click.echo(f"Jour {number} de « {name} » clôturé : récaps produits.")
        else:
            click.echo(
                f"Le jour {number} de « {name} » était déjà clôturé : ses récaps existent déjà, "
                "rien de nouveau n'est produit."
            )
        digest_id = session.scalar(
            select(RecapDigest.id).where(
                RecapDigest.cohort_id == cohort_id, RecapDigest.day == number
            )
        )
        queued = (
            recap_mail.queue_day(
                session, digest_id, at, recap_mail.links_for(app), recap_mail.card_folder(app)
            )
            if digest_id is not None
            else 0
        )
        cohort = _cohort(cohort_slug)
        days = recaps.digests(session, cohort, number)
        players = recaps.players_by_team(session, cohort_id, number)
        with app.test_request_context(base_url=cfg.public_url):
            page = public_url(url_for("digest.page", slug=cohort.slug, _anchor=f"jour-{number}"))
            journal = public_url(url_for("journal.page", _anchor=f"jour-{number}"))
            click.echo(f"Console des conseillers : {page}")
            for team in days[0].teams if days else ():
                card = public_url(
                    url_for("digest.card", slug=cohort.slug, day=number, team_id=team.team_id)
                )
                click.echo(
                    f"- {team.team_name} : {len(team.missions)} mission(s), "
                    f"+{team.shards_earned} éclat(s), {len(team.offers)} offre(s) — carte : {card}"
                )
                names = players.get(team.team_id, [])
                if names:
                    click.echo(
                        f"  {len(names)} récap(s) de joueur, dans leur journal ({journal}) : "
                        + ", ".join(names)
                    )
    if queued:
        click.echo(
            f"{queued} courriel(s) de récap mis en file d'envoi (joueurs qui l'ont demandé, "
            "conseillers) : l'ordonnanceur les envoie, ou « tempo mail deliver »."
        )
    _announce(app, broadcasts)


# --- the translation catalogue ----------------------------------------------------------------


@cli.command(
    help="Met à jour le catalogue de traduction (translations/) après un changement de texte."
)
@click.option(
    "--check", is_flag=True, help="Vérifie seulement ; code 1 si le catalogue est en retard."
)
def catalogue(check: bool) -> None:
    """Extract every user-facing string and refresh translations/ (or check it is current)."""
    from tempo.infra import catalogue as cat

    if check:
        late = cat.stale()
        for path in late:
            click.echo(f"En retard : {path}")
        if late:
            raise SystemExit(1)
        click.echo("Le catalogue de traduction est à jour.")
        return
    written = cat.update()
    for path in written:
        click.echo(f"Écrit : {path}")
    click.echo(f"{len(cat.extract())} textes dans le catalogue." if written else "Rien à changer.")
