"""Daily recaps and their mail by hand: `tempo recap` and `tempo mail`."""

from __future__ import annotations

import click
from flask import url_for
from sqlalchemy import select

from tempo.cli.shared import announce, cohort_by_slug, make_app
from tempo.config import Config
from tempo.extensions import db as sqla
from tempo.infra.clock import now
from tempo.models import RecapDigest
from tempo.services.calendar import days as calendar
from tempo.services.events import Broadcasts
from tempo.services.mail.outbox import deliver_due
from tempo.services.recaps import mailing as recap_mail
from tempo.services.recaps import produce as recaps
from tempo.web.urls import public_url


@click.command(
    "recap",
    help="Clôture les récaps du jour N d'une cohorte (comme l'ordonnanceur à l'heure du bilan, "
    "une seule fois) et affiche où chaque récap se consulte.",
)
@click.argument("cohort_slug", metavar="COHORTE")
@click.option("--day", "number", required=True, type=click.IntRange(1, 99), help="Le jour N.")
def recap(cohort_slug: str, number: int) -> None:
    """Close day N (if it is not) so its recaps are produced, then print where to see them."""
    app = make_app()
    cfg: Config = app.config["TEMPO_CONFIG"]
    broadcasts: Broadcasts = {}
    with app.app_context():
        cohort = cohort_by_slug(cohort_slug)
        session, at = sqla.session(), now()
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
        cohort = cohort_by_slug(cohort_slug)
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
    announce(app, broadcasts)


@click.group(help="Les courriels en attente (récaps, rendez-vous, rappels).")
def mail() -> None:
    """Mail outbox commands."""


@mail.command("deliver", help="Envoie tout de suite les courriels dus (sinon : toutes les 30 s).")
def mail_deliver() -> None:
    """Send the due messages now, as the scheduler's job does."""
    app = make_app()
    with app.app_context():
        report = deliver_due(app, now(), limit=10_000)
    target = app.config.get("SMTP_HOST") or f"{app.instance_path}/outbox/"
    click.echo(
        f"{len(report.sent)} courriel(s) envoyé(s) ({target}), "
        f"{len(report.retried)} à réessayer, {len(report.failed)} abandonné(s)."
    )
    for key in report.retried + report.failed:
        click.echo(f"  non envoyé : {key}")
