"""`tempo db`: the database's Alembic migrations."""

from __future__ import annotations

import click

from tempo.cli.shared import make_app
from tempo.extensions import db as sqla
from tempo.infra import db as schema


@click.group(help="Base de données (migrations Alembic).")
def db() -> None:
    """Database commands."""


@db.command("upgrade", help="Applique les migrations jusqu'à la dernière version.")
@click.option("--revision", default="head", show_default=True, help="Révision cible.")
def db_upgrade(revision: str) -> None:
    """Apply migrations."""
    app = make_app()
    with app.app_context():
        schema.upgrade(sqla.engine, revision)
        url = sqla.engine.url.render_as_string(hide_password=True)
    click.echo(f"Base de données à jour ({url}).")
