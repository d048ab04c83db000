"""`tempo user`: the staff's console accounts."""

from __future__ import annotations

import click

from tempo.cli.shared import make_app
from tempo.extensions import db as sqla
from tempo.infra import db as schema
from tempo.models import Role
from tempo.services.staff.accounts import StaffError, add_account


@click.group(help="Comptes de l'équipe (conseillers, auteurs, administrateurs).")
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
    if password is None:
        password = click.prompt(
            "Mot de passe",
            hide_input=True,
            confirmation_prompt="Mot de passe (encore une fois)",
        )
    app = make_app()
    with app.app_context():
        schema.upgrade(sqla.engine)
        try:
            account = add_account(sqla.session(), email, name, Role(role), password)
        except StaffError as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(f"Compte créé : {account.display_name} <{account.email}> ({role}).")
        click.echo("Connexion : /console/connexion")
