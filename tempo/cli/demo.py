"""`tempo demo`: the demonstration cohort, created once."""

from __future__ import annotations

import sys

import click

from tempo.cli.shared import make_app
from tempo.config import Config
from tempo.extensions import db as sqla
from tempo.infra import db as schema
from tempo.models import utcnow
from tempo.services.content.demo import ensure_demo
from tempo.services.content.publishing import ContentInvalid, load_valid_content


@click.command(help="Crée (une seule fois) la cohorte de démonstration « demo » sur Tempo 2050.")
@click.option("--reset-password", is_flag=True, help="Génère un nouveau mot de passe conseiller.")
def demo(reset_password: bool) -> None:
    """Create the demo cohort idempotently and print how to open it."""
    app = make_app()
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
        result = ensure_demo(sqla.session(), content, utcnow(), reset_password=reset_password)
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
