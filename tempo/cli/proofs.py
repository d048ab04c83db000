"""Stored proof photos: `tempo proofs sweep`."""

from __future__ import annotations

import click

from tempo.cli.shared import make_app
from tempo.extensions import db as sqla
from tempo.infra.clock import now
from tempo.services.play.proofs import photo_folder, sweep_orphans


@click.group(help="Les photos de preuve enregistrées.")
def proofs() -> None:
    """Proof photo commands."""


@proofs.command(
    "sweep",
    help="Supprime les photos qu'aucune preuve n'utilise (refusées, remplacées, renvoyées ; "
    "sinon : toutes les heures).",
)
def proofs_sweep() -> None:
    """Delete the stored photos no proof needs, as the scheduler's job does."""
    app = make_app()
    with app.app_context():
        removed = sweep_orphans(
            sqla.session(), photo_folder(app.config["TEMPO_CONFIG"].INSTANCE_DIR), now()
        )
    click.echo(f"{len(removed)} photo(s) inutilisée(s) supprimée(s).")
