"""The calendar by hand: `tempo day` and `tempo cohort` (the console calls the same services)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import click

from tempo.cli.shared import announce, cohort_by_slug, make_app
from tempo.extensions import db as sqla
from tempo.models import utcnow
from tempo.services.calendar import days as calendar

STATUS_LABELS = {
    "scheduled": "programmée",
    "running": "en cours",
    "paused": "en pause",
    "finished": "terminée",
}


def _calendar_call(action: str, slug: str, number: int = 0) -> None:
    app = make_app()
    with app.app_context():
        cohort = cohort_by_slug(slug)
        session, now = sqla.session(), utcnow()
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
    announce(app, broadcasts)


@click.group(help="Les jours de jeu d'une cohorte (calendrier, ouverture anticipée).")
def day() -> None:
    """Game-day commands."""


@day.command("list", help="Affiche le calendrier d'une cohorte : dates, heures, état des jours.")
@click.argument("cohort_slug", metavar="COHORTE")
def day_list(cohort_slug: str) -> None:
    """Print the cohort's calendar in its local time."""
    app = make_app()
    with app.app_context():
        cohort = cohort_by_slug(cohort_slug)
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


@click.group(help="Mettre une cohorte en pause ou la relancer.")
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
