"""A cohort's calendar: which real date is each game day, its hours, and replanning."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from tempo.extensions import db
from tempo.infra.clock import now
from tempo.models import Cohort, Role
from tempo.services.cohorts import admin as cohort_service
from tempo.services.cohorts.state import hhmm, local
from tempo.web.auth import staff_required
from tempo.web.console.common import bp, cohort_or_404, fr_datetime
from tempo.web.params import bounded_int


def _calendar_rows(found: Cohort, at: datetime) -> list[dict[str, Any]]:
    tz = found.timezone
    scenario_days = {d["day"]: d for d in found.scenario_version.content["scenario"]["days"]}
    rows = []
    for day in found.days:
        planned = scenario_days.get(day.number, {})
        if day.closed_at is not None:
            state = _("Terminé")
        elif day.unlocked_at is not None:
            state = _("Ouvert depuis le %(when)s", when=fr_datetime(day.unlocked_at))
        elif day.unlock_at <= at:
            state = _("Ouverture en attente")
        else:
            state = _("À venir")
        rows.append(
            {
                "day": day,
                "title": planned.get("title", ""),
                "weekend": planned.get("weekend", False),
                "unlock": hhmm(day.unlock_at, tz),
                "recap": hhmm(day.recap_at, tz),
                "state": state,
                "date_locked": day.unlocked_at is not None or day.closed_at is not None,
                "recap_locked": day.closed_at is not None,
            }
        )
    return rows


def _parse_calendar(found: Cohort) -> tuple[list[cohort_service.DayChange], dict[int, str]]:
    tz = found.timezone
    changes: list[cohort_service.DayChange] = []
    problems: dict[int, str] = {}
    for day in found.days:
        n = day.number
        raw = {k: request.form.get(f"day-{n}-{k}") for k in ("date", "unlock", "recap")}
        if all(v is None for v in raw.values()):
            continue
        try:
            when = date.fromisoformat(raw["date"]) if raw["date"] else day.date
            unlock = time.fromisoformat(raw["unlock"]) if raw["unlock"] else None
            recap = time.fromisoformat(raw["recap"]) if raw["recap"] else None
        except ValueError:
            problems[n] = _("Jour %(n)s : date ou heure illisible.", n=n)
            continue
        changes.append(
            cohort_service.DayChange(
                number=n,
                date=when,
                unlock=(unlock or local(day.unlock_at, tz).time()).replace(second=0),
                recap=(recap or local(day.recap_at, tz).time()).replace(second=0),
            )
        )
    return changes, problems


@bp.route("/cohortes/<slug>/calendrier", methods=["GET", "POST"])
@staff_required(Role.COUNSELLOR)
def calendar(slug: str) -> ResponseReturnValue:
    """Which real date is each game day, with its unlock and recap hours; editable."""
    found = cohort_or_404(slug)
    problems: dict[int, str] = {}
    submitted: dict[str, str] = {}
    if request.method == "POST":
        submitted = {k: v for k, v in request.form.items() if k.startswith("day-")}
        changes, problems = _parse_calendar(found)
        if not problems:
            try:
                moved = cohort_service.update_calendar(db.session(), found.id, changes, now())
            except cohort_service.CalendarError as exc:
                problems = exc.problems
            except cohort_service.CohortError as exc:
                problems = {0: str(exc)}
            else:
                _flash_moved(moved)
                return redirect(url_for("console.calendar", slug=slug))
        db.session.refresh(found)
    return _render_calendar(found, problems, submitted)


def _flash_moved(moved: list[int]) -> None:
    if moved:
        days = ", ".join(str(n) for n in moved)
        flash(_("Calendrier enregistré : jour(s) %(days)s modifié(s).", days=days))
    else:
        flash(_("Aucun changement : le calendrier est inchangé."))


def _render_calendar(
    found: Cohort,
    problems: dict[int, str],
    submitted: dict[str, str],
    replan_error: str | None = None,
) -> ResponseReturnValue:
    rows = _calendar_rows(found, now())
    return render_template(
        "console/calendar.html",
        cohort=found,
        rows=rows,
        problems=problems,
        submitted=submitted,
        replan_error=replan_error,
        replannable=[r["day"].number for r in rows if not r["date_locked"]],
        timezone_label=cohort_service.TIMEZONES.get(found.timezone, found.timezone),
        section="console.calendar",
    ), (400 if problems or replan_error else 200)


@bp.post("/cohortes/<slug>/calendrier/replanifier")
@staff_required(Role.COUNSELLOR)
def replan(slug: str) -> ResponseReturnValue:
    """Put one day on a new date and chain the following days after it."""
    found = cohort_or_404(slug)
    raw_day = request.form.get("first", "")
    try:
        new_date = date.fromisoformat(request.form.get("date", ""))
    except ValueError:
        return _render_calendar(found, {}, {}, _("Indiquez la nouvelle date du jour choisi."))
    first = bounded_int(raw_day)
    if first is None:
        return _render_calendar(found, {}, {}, _("Choisissez le jour à partir duquel replanifier."))
    try:
        moved = cohort_service.replan_from(db.session(), found.id, first, new_date, now())
    except cohort_service.CalendarError as exc:
        db.session.refresh(found)
        return _render_calendar(found, {}, {}, str(exc))
    except cohort_service.CohortError as exc:
        db.session.refresh(found)
        return _render_calendar(found, {}, {}, str(exc))
    _flash_moved(moved)
    return redirect(url_for("console.calendar", slug=slug))
