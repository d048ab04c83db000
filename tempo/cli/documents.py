"""What a cohort prints or exports: `tempo qr`, `tempo kit` and `tempo export`."""

from __future__ import annotations

from pathlib import Path

import click
from sqlalchemy import select

from tempo.cli.shared import cohort_by_slug, make_app
from tempo.config import Config
from tempo.extensions import db as sqla
from tempo.models import Cohort, utcnow
from tempo.services.content import games
from tempo.services.documents import exports, printkit
from tempo.services.play import checkpoints
from tempo.services.play import qr as qr_images


@click.command(help="Génère le QR code d'une balise ou d'une équipe d'une cohorte (PNG ou SVG).")
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
    if (checkpoint_id is None) == (team_name is None):
        raise click.UsageError("Indiquez soit --checkpoint soit --team.")
    if output.suffix.lower() not in {".png", ".svg"}:
        raise click.UsageError("Le fichier doit se terminer par .png ou .svg.")
    app = make_app()
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


@click.command(
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
    if output.suffix.lower() != ".pdf":
        raise click.UsageError("Le fichier doit se terminer par .pdf.")
    app = make_app()
    cfg: Config = app.config["TEMPO_CONFIG"]
    with app.app_context():
        cohort = cohort_by_slug(cohort_slug)
        data = printkit.kit_data(
            sqla.session(),
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


@click.command(
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
    if fmt == "pdf" and output.suffix.lower() != ".pdf":
        raise click.UsageError("Le fichier doit se terminer par .pdf.")
    if fmt == "csv" and output.is_file():
        raise click.UsageError(f"{output} est un fichier : indiquez un dossier pour les CSV.")
    app = make_app()
    with app.app_context():
        stats = exports.cohort_stats(sqla.session(), cohort_by_slug(cohort_slug), utcnow())
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
