"""The `tempo` command: serve, db, validate, demo."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import click
from flask import Flask

from tempo import create_app
from tempo.config import Config
from tempo.models import utcnow


def _app(**overrides: object) -> Flask:
    cfg = dataclasses.replace(Config.from_env(), **overrides)  # type: ignore[arg-type]
    return create_app(cfg)


@click.group(help="Tempo : l'aventure en équipe pour découvrir sa Mission Locale.")
def cli() -> None:
    """The root command group."""


@cli.command(help="Démarre le serveur Tempo (mode production, gevent).")
@click.option("--host", default=None, help="Adresse d'écoute (défaut : TEMPO_HOST ou 127.0.0.1).")
@click.option("--port", default=None, type=int, help="Port (défaut : TEMPO_PORT ou 5000).")
def serve(host: str | None, port: int | None) -> None:
    """Start the production server on the configured host and port."""
    from tempo.extensions import socketio

    base = Config.from_env()
    overrides: dict[str, object] = {"ASYNC_MODE": base.SERVER_MODE}
    if host:
        overrides["HOST"] = host
    if port:
        overrides["PORT"] = port
    app = _app(**overrides)
    cfg: Config = app.config["TEMPO_CONFIG"]
    _ensure_schema(app)
    click.echo(f"Tempo écoute sur http://{cfg.HOST}:{cfg.PORT} (mode {cfg.ASYNC_MODE}).")
    socketio.run(app, host=cfg.HOST, port=cfg.PORT, log_output=False)


def _ensure_schema(app: Flask) -> None:
    from tempo import db as schema
    from tempo.extensions import db

    with app.app_context():
        schema.upgrade(db.engine)


@cli.group(help="Base de données (migrations Alembic).")
def db() -> None:
    """Database commands."""


@db.command("upgrade", help="Applique les migrations jusqu'à la dernière version.")
@click.option("--revision", default="head", show_default=True, help="Révision cible.")
def db_upgrade(revision: str) -> None:
    """Apply migrations."""
    from tempo import db as schema
    from tempo.extensions import db as sqla

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
    from tempo import db as schema
    from tempo.extensions import db as sqla
    from tempo.services.content import ContentInvalid, load_valid_content
    from tempo.services.demo import ensure_demo

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
    from tempo.services import checkpoints, play
    from tempo.services import qr as qr_images

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
            game = play.game_for(cohort.scenario_version)
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
