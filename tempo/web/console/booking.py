"""Counsellors' side of appointments: availability, « mes rendez-vous », a cohort's bookings."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from tempo.extensions import db
from tempo.infra.clock import now
from tempo.models import Booking, Role
from tempo.realtime.publish import publish
from tempo.services.booking import appointments as service
from tempo.services.cohorts.state import cohort_state
from tempo.web.auth import no_store, staff_required
from tempo.web.console.common import COHORT_SECTIONS, NAV, cohort_or_404, me

bp = Blueprint("console_booking", __name__, url_prefix="/console")
bp.after_request(no_store)

COHORT_SECTIONS.append(("console_booking.cohort", _l("Rendez-vous")))
NAV.update(
    {
        "console_booking.mine": "appointments",
        "console_booking.availability": "appointments",
        "console_booking.cohort": "cohorts",
    }
)

WEEKDAY_LABELS = [
    _l("lundi"),
    _l("mardi"),
    _l("mercredi"),
    _l("jeudi"),
    _l("vendredi"),
    _l("samedi"),
    _l("dimanche"),
]
STATUS_LABELS = {
    "booked": _l("à venir"),
    "to_mark": _l("à pointer"),
    "attended": _l("venu·e"),
    "missed": _l("absent·e"),
    "cancelled": _l("annulé"),
    "none": _l("pas de rendez-vous"),
}


def _tz() -> str:
    return str(current_app.config["TIMEZONE"])


def _view(b: Any) -> dict[str, Any]:
    """A booking for the console's tables."""
    at = now()
    status = b.status.value
    if status == "booked" and b.starts_at < at:
        status = "to_mark"
    return {
        "booking": b,
        "when": service.when_label(b.starts_at, b.timezone),
        "end": service.hour_label(b.ends_at, b.timezone),
        "status": status,
        "status_label": STATUS_LABELS[status],
        "can_mark": b.status.value != "cancelled" and b.starts_at <= at,
    }


@bp.app_context_processor
def _labels() -> dict[str, Any]:
    return {"booking_view": _view}


# --- mes rendez-vous ---------------------------------------------------------------------------


@bp.get("/rendez-vous")
@staff_required(Role.COUNSELLOR)
def mine() -> ResponseReturnValue:
    """The signed-in counsellor's appointments: upcoming first, then to mark, then past."""
    agenda = service.staff_agenda(db.session(), me().id, now())
    return render_template(
        "console/bookings_mine.html",
        upcoming=[_view(b) for b in agenda.upcoming],
        to_mark=[_view(b) for b in agenda.to_mark],
        past=[_view(b) for b in agenda.past],
    )


def _safe_back(target: str | None) -> str:
    if target and target.startswith("/console/") and "//" not in target:
        return target
    return url_for("console_booking.mine")


@bp.post("/rendez-vous/<int:booking_id>/presence")
@staff_required(Role.COUNSELLOR)
def mark(booking_id: int) -> ResponseReturnValue:
    """Mark an appointment attended or missed (counsellors of its cohort, or its counsellor)."""
    raw = request.form.get("attended")
    if raw not in {"1", "0"}:
        abort(400)
    back = _safe_back(request.form.get("next"))
    try:
        out = service.mark(db.session(), me(), booking_id, raw == "1", now())
    except service.BookingError as exc:
        if exc.code == "not_found":
            abort(404)
        flash(exc.message)
        return redirect(back)
    publish(out)
    found = db.session.get(Booking, booking_id)
    name = found.player.pseudonym if found else ""
    if raw == "1":
        flash(_("%(name)s est venu·e : son équipe le fête sur ses téléphones.", name=name))
    else:
        flash(_("Rendez-vous de %(name)s noté comme manqué.", name=name))
    return redirect(back)


# --- a cohort's bookings -----------------------------------------------------------------------


@bp.get("/cohortes/<slug>/rendez-vous")
@staff_required(Role.COUNSELLOR)
def cohort(slug: str) -> ResponseReturnValue:
    """Every player of the cohort and their appointment: upcoming first."""
    found = cohort_or_404(slug)
    at = now()
    rows = service.cohort_rows(db.session(), found, at)
    counsellors = service.counsellors_of(db.session(), found)
    free = service.offered(db.session(), found, at)
    return render_template(
        "console/bookings_cohort.html",
        cohort=found,
        rows=[{"row": r, "view": _view(r.booking) if r.booking else None} for r in rows],
        booked=sum(1 for r in rows if r.booking is not None),
        counsellors=counsellors,
        free=len(free),
        next_free=[s.to_json() for s in free[:8]],
        state=cohort_state(found, at),
        section="console_booking.cohort",
        labels=STATUS_LABELS,
    )


# --- availability ------------------------------------------------------------------------------


def _availability_page(
    errors: dict[str, dict[str, str]] | None = None, **forms: Any
) -> ResponseReturnValue:
    account = me()
    at = now()
    settings = service.settings_of(db.session(), account.id, _tz())
    tz = settings.timezone
    today = at.astimezone(ZoneInfo(tz)).date()
    preview = service.preview(db.session(), account.id, at, _tz())
    return render_template(
        "console/availability.html",
        settings=settings,
        rules=service.rules_of(db.session(), account.id),
        exceptions=service.exceptions_of(db.session(), account.id, since=today),
        weekdays=WEEKDAY_LABELS,
        preview=[
            {
                "day": service.day_label(s.start.astimezone(ZoneInfo(tz)).date()),
                "time": service.hour_label(s.start, tz),
            }
            for s in preview[:12]
        ],
        preview_count=len(preview),
        errors=errors or {},
        forms=forms,
        today=today.isoformat(),
    ), (400 if errors else 200)


@bp.get("/disponibilites")
@staff_required(Role.COUNSELLOR)
def availability() -> ResponseReturnValue:
    """The counsellor's booking settings, weekly hours and dated exceptions, with a preview."""
    return _availability_page()


def _form() -> dict[str, str]:
    return {k: v[:300] for k, v in request.form.items() if k != "csrf_token"}


@bp.post("/disponibilites/reglages")
@staff_required(Role.COUNSELLOR)
def save_settings() -> ResponseReturnValue:
    """Save slot length, buffer, notice, horizon and usual place."""
    form = _form()
    try:
        service.save_settings(db.session(), me().id, form, _tz())
    except service.FormError as exc:
        db.session.rollback()
        return _availability_page({"settings": exc.errors}, settings=form)
    flash(_("Réglages enregistrés."))
    return redirect(url_for("console_booking.availability"))


@bp.post("/disponibilites/horaires")
@staff_required(Role.COUNSELLOR)
def add_rule() -> ResponseReturnValue:
    """Add weekly open hours."""
    form = _form()
    try:
        service.add_rule(db.session(), me().id, form)
    except service.FormError as exc:
        return _availability_page({"rule": exc.errors}, rule=form)
    flash(_("Horaires ajoutés."))
    return redirect(url_for("console_booking.availability") + "#horaires")


@bp.post("/disponibilites/horaires/<int:rule_id>/supprimer")
@staff_required(Role.COUNSELLOR)
def delete_rule(rule_id: int) -> ResponseReturnValue:
    """Remove weekly open hours (booked appointments stay booked)."""
    if not service.delete_rule(db.session(), me().id, rule_id):
        abort(404)
    flash(_("Horaires supprimés. Les rendez-vous déjà pris sont maintenus."))
    return redirect(url_for("console_booking.availability") + "#horaires")


@bp.post("/disponibilites/exceptions")
@staff_required(Role.COUNSELLOR)
def add_exception() -> ResponseReturnValue:
    """Close a date or open extra hours on it."""
    form = _form()
    tz = service.settings_of(db.session(), me().id, _tz()).timezone
    today = now().astimezone(ZoneInfo(tz)).date()
    try:
        service.add_exception(db.session(), me().id, form, today)
    except service.FormError as exc:
        return _availability_page({"exception": exc.errors}, exception=form)
    flash(_("Exception enregistrée."))
    return redirect(url_for("console_booking.availability") + "#exceptions")


@bp.post("/disponibilites/exceptions/<int:exception_id>/supprimer")
@staff_required(Role.COUNSELLOR)
def delete_exception(exception_id: int) -> ResponseReturnValue:
    """Remove a dated exception."""
    if not service.delete_exception(db.session(), me().id, exception_id):
        abort(404)
    flash(_("Exception supprimée."))
    return redirect(url_for("console_booking.availability") + "#exceptions")
