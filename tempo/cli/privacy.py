"""Retention: `tempo purge` (the scheduler runs the same purge every day)."""

from __future__ import annotations

import click

from tempo.cli.shared import announce, make_app
from tempo.infra.clock import now
from tempo.jobs import run_purge


@click.command(
    "purge",
    help="Supprime les données arrivées au bout de leur durée de conservation "
    "(TEMPO_RETENTION_* ; sinon : chaque jour). --dry-run compte sans rien supprimer.",
)
@click.option("--dry-run", is_flag=True, help="Affiche ce qui serait supprimé, sans rien changer.")
def purge(dry_run: bool) -> None:
    """Delete (or count) what outlived its retention, as the scheduler's daily job does."""
    app = make_app()
    with app.app_context():
        at = now()
    done = run_purge(app, at, dry_run)
    click.echo("À supprimer :" if dry_run else "Supprimé :")
    for line in done.lines():
        click.echo(f"  {line}")
    if dry_run:
        click.echo("Simulation : rien n'a été supprimé.")
    else:
        announce(app, done.broadcasts)
