"""Where a cohort is in its ten days, in one short French sentence for the console's headers."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask_babel import format_date
from flask_babel import gettext as _

from tempo.models import Cohort, CohortStatus


def local(instant: datetime, tz: str) -> datetime:
    """An instant on the wall clock of timezone `tz`."""
    return instant.astimezone(ZoneInfo(tz))


def hhmm(instant: datetime, tz: str) -> str:
    """The local hour of an instant, « 09:30 »."""
    return local(instant, tz).strftime("%H:%M")


def long_date(value: date) -> str:
    """« lundi 23 mars 2026 », in the request's language."""
    return format_date(value, "EEEE d MMMM yyyy")


def cohort_state(cohort: Cohort, at: datetime) -> str:
    """Where the cohort is, in a short French sentence."""
    tz = cohort.timezone
    if cohort.status is CohortStatus.FINISHED:
        return _("Terminée")
    open_days = [d for d in cohort.days if d.unlocked_at and not d.closed_at]
    pause = _(" (en pause)") if cohort.status is CohortStatus.PAUSED else ""
    if len(open_days) == 1:
        return (
            _(
                "Jour %(n)s ouvert, bilan à %(hour)s",
                n=open_days[0].number,
                hour=hhmm(open_days[0].recap_at, tz),
            )
            + pause
        )
    if open_days:
        # Days opened early by a counsellor run side by side until their own recap hours.
        numbers = [str(d.number) for d in open_days]
        first_recap = min(open_days, key=lambda d: d.recap_at)
        return (
            _(
                "Jours %(days)s et %(last)s ouverts, prochain bilan (jour %(n)s) %(when)s",
                days=", ".join(numbers[:-1]),
                last=numbers[-1],
                n=first_recap.number,
                when=_(
                    "le %(date)s à %(hour)s",
                    date=long_date(local(first_recap.recap_at, tz).date()),
                    hour=hhmm(first_recap.recap_at, tz),
                ),
            )
            + pause
        )
    upcoming = next((d for d in cohort.days if d.unlocked_at is None), None)
    if upcoming is None:
        return _("Tous les jours de jeu sont passés") + pause
    when = local(upcoming.unlock_at, tz)
    sentence = _(
        "Jour %(n)s le %(date)s à %(hour)s",
        n=upcoming.number,
        date=long_date(when.date()),
        hour=when.strftime("%H:%M"),
    )
    if upcoming.unlock_at <= at:
        sentence += _(" (ouverture en attente)")
    return sentence + pause
