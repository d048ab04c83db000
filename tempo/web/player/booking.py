"""Players' appointment booking: the slot picker's JSON API and the manage link's pages.

The phone books from the appointment mission (static/js/booking.js) through the JSON routes
under /jouer/rendez-vous. The confirmation's link, /rdv/<token>, works without signing in (from
an e-mail or a calendar on another device): it shows the appointment, its invitation, and lets
the player move it or cancel it after a confirmation page.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from tempo.engine.slots import by_local_day
from tempo.extensions import db
from tempo.infra.clock import now
from tempo.models import Booking, BookingStatus, Player
from tempo.realtime.presence import presence
from tempo.realtime.publish import publish
from tempo.services.booking import appointments as service
from tempo.services.content.games import cohort_game
from tempo.web.player.common import current_player
from tempo.web.urls import public_url

bp = Blueprint("booking", __name__)

DAYS, MAX_DAYS = 7, 120  # days of slots sent to the phone by default, and at most


def manage_url(token: str) -> str:
    """The absolute manage link of a booking (e-mails, invitations, the confirmation)."""
    return public_url(url_for("booking.manage", token=token))


def _bring(found: Booking) -> list[str]:
    return service.bring_list(cohort_game(found.cohort), found.mission_id)


def booking_json(found: Booking) -> dict[str, Any]:
    """A booking as the phone shows it."""
    tz = found.timezone
    return {
        "id": found.id,
        "status": found.status.value,
        "start": found.starts_at.isoformat(),
        "end": found.ends_at.isoformat(),
        "when": service.when_label(found.starts_at, tz),
        "time": service.hour_label(found.starts_at, tz),
        "end_time": service.hour_label(found.ends_at, tz),
        "counsellor": found.counsellor.display_name,
        "place": found.place,
        "bring": _bring(found),
        "manage_url": manage_url(found.token),
        "ics_url": url_for("booking.player_invitation"),
    }


def _slots_json(slots: list[service.OfferedSlot]) -> list[dict[str, Any]]:
    return [s.to_json() for s in slots]


def _error(exc: service.BookingError) -> ResponseReturnValue:
    body: dict[str, Any] = {"ok": False, "error": {"code": exc.code, "message": exc.message}}
    if exc.code == "slot_taken":
        body["slots"] = _slots_json(exc.slots)
    status = {"slot_taken": 409, "already_booked": 409, "not_found": 404}.get(exc.code, 400)
    return body, status


def _signed_out() -> ResponseReturnValue:
    message = _("Rejoins d'abord ton équipe.")
    return {"ok": False, "error": {"code": "unknown_player", "message": message}}, 401


@bp.get("/jouer/rendez-vous")
def status() -> ResponseReturnValue:
    """The player's appointment (or last one) and the free slots to choose from."""
    player = current_player()
    if player is None:
        return _signed_out()
    at = now()
    upcoming = service.upcoming_booking(db.session(), player.id)
    last = upcoming or service.latest_booking(db.session(), player.id)
    cohort = player.team.cohort
    game = cohort_game(cohort)
    mission_id = service.appointment_mission(db.session(), game, player.team, at)
    if upcoming is not None:
        publish(service.recover_mission(db.session(), upcoming, now()))
    # A week of slots at a time: phones are often on prepaid data.
    raw_days = request.args.get("jours", "")
    days = min(int(raw_days), MAX_DAYS) if raw_days.isdigit() and raw_days != "0" else DAYS
    slots, more = service.first_days(
        service.offered(db.session(), cohort, at) if mission_id else [], days
    )
    return {
        "ok": True,
        "open": mission_id is not None,
        "booking": booking_json(upcoming) if upcoming else None,
        "last": booking_json(last) if last and not upcoming else None,
        "slots": _slots_json(slots),
        "more": more,
        "days": days,
        "bring": service.bring_list(game, mission_id) if mission_id else [],
        # A studio play-test has no counsellor and so no slot: its panel simulates the booking.
        "simulated": cohort.sandbox_owner_id is not None,
    }


def _slot_from_request() -> object:
    return (request.get_json(silent=True) or {}).get("slot")


@bp.post("/jouer/rendez-vous")
def book() -> ResponseReturnValue:
    """Book a slot; a slot just taken by someone else gets 409 with the next free slots."""
    player = current_player()
    if player is None:
        return _signed_out()
    try:
        made = service.book(
            db.session(),
            player.id,
            _slot_from_request(),
            now(),
            manage_url,
            presence.online(player.team_id),
        )
    except service.BookingError as exc:
        return _error(exc)
    publish(made.events)
    return {"ok": True, "created": made.created, "booking": booking_json(made.booking)}


@bp.post("/jouer/rendez-vous/deplacer")
def move() -> ResponseReturnValue:
    """Move the player's upcoming appointment to another free slot."""
    player = current_player()
    if player is None:
        return _signed_out()
    upcoming = service.upcoming_booking(db.session(), player.id)
    if upcoming is None:
        message = _("Tu n'as pas de rendez-vous à venir.")
        return {"ok": False, "error": {"code": "not_upcoming", "message": message}}, 404
    try:
        moved = service.move(db.session(), upcoming.id, _slot_from_request(), now(), manage_url)
    except service.BookingError as exc:
        return _error(exc)
    return {"ok": True, "booking": booking_json(moved)}


@bp.post("/jouer/rendez-vous/annuler")
def cancel() -> ResponseReturnValue:
    """Cancel the player's upcoming appointment (the phone asked for confirmation first)."""
    player = current_player()
    if player is None:
        return _signed_out()
    upcoming = service.upcoming_booking(db.session(), player.id)
    if upcoming is not None:
        service.cancel(db.session(), upcoming.id, now())
    return {"ok": True, "booking": None}


def _ics(found: Booking) -> Response:
    data = service.invitation(found, _bring(found), manage_url(found.token), now())
    return Response(
        data,
        mimetype="text/calendar",
        headers={
            "Content-Disposition": 'attachment; filename="rendez-vous-mission-locale.ics"',
            "Cache-Control": "private, no-store",
        },
    )


@bp.get("/jouer/rendez-vous/invitation.ics")
def player_invitation() -> ResponseReturnValue:
    """The signed-in player's upcoming appointment as an .ics file."""
    player = current_player()
    found = service.upcoming_booking(db.session(), player.id) if player else None
    if found is None:
        abort(404)
    return _ics(found)


# --- the manage link (no sign-in) -------------------------------------------------------------


def _by_token(token: str) -> Booking:
    found = service.booking_by_token(db.session(), token)
    if found is None:
        abort(404)
    return found


def _no_store(response: Response) -> Response:
    # The link is a bearer token: keep its pages out of shared caches and referrers.
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.get("/rdv/<token>")
def manage(token: str) -> ResponseReturnValue:
    """The appointment behind a manage link: details, invitation, move, cancel."""
    found = _by_token(token)
    return _no_store(
        Response(
            render_template(
                "booking/manage.html",
                booking=found,
                info=booking_json(found),
                upcoming=found.status is BookingStatus.BOOKED and found.starts_at > now(),
            )
        )
    )


@bp.get("/rdv/<token>/invitation.ics")
def invitation(token: str) -> ResponseReturnValue:
    """The appointment as an .ics file, from the manage link."""
    found = _by_token(token)
    if found.status is BookingStatus.CANCELLED:
        abort(404)
    return _ics(found)


@bp.route("/rdv/<token>/annuler", methods=["GET", "POST"])
def cancel_link(token: str) -> ResponseReturnValue:
    """Ask for confirmation (GET), then cancel (POST)."""
    found = _by_token(token)
    if request.method == "POST":
        if service.cancel(db.session(), found.id, now()):
            flash(_("Ton rendez-vous est annulé. Merci d'avoir prévenu !"))
        return redirect(url_for("booking.manage", token=token))
    if found.status is not BookingStatus.BOOKED:
        return redirect(url_for("booking.manage", token=token))
    return _no_store(
        Response(render_template("booking/cancel.html", booking=found, info=booking_json(found)))
    )


def _days(slots: list[service.OfferedSlot], tz: str) -> list[dict[str, Any]]:
    return [
        {"label": service.day_label(day), "slots": group} for day, group in by_local_day(slots, tz)
    ]


@bp.route("/rdv/<token>/deplacer", methods=["GET", "POST"])
def move_link(token: str) -> ResponseReturnValue:
    """Pick another slot for the appointment (a plain form: works without JavaScript)."""
    found = _by_token(token)
    if found.status is not BookingStatus.BOOKED:
        return redirect(url_for("booking.manage", token=token))
    error = None
    slots: list[service.OfferedSlot] | None = None
    if request.method == "POST":
        try:
            service.move(db.session(), found.id, request.form.get("slot"), now(), manage_url)
        except service.BookingError as exc:
            error = exc.message
            slots = exc.slots or None
        else:
            flash(_("Ton rendez-vous est déplacé. Pense à mettre à jour ton agenda."))
            return redirect(url_for("booking.manage", token=token))
    if slots is None:
        slots = service.offered(db.session(), found.cohort, now(), skip=found.id)
    limit = now() + timedelta(days=60)
    return _no_store(
        Response(
            render_template(
                "booking/move.html",
                booking=found,
                info=booking_json(found),
                days=_days([s for s in slots if s.start < limit], found.timezone),
                error=error,
            ),
            status=409 if error else 200,
        )
    )


@bp.app_context_processor
def _banner_context() -> dict[str, Any]:
    return {"upcoming_appointment": upcoming_appointment}


def upcoming_appointment(player: Player) -> dict[str, Any] | None:
    """The player page's banner: the upcoming appointment, and whether it is close."""
    found = service.upcoming_booking(db.session(), player.id)
    if found is None:
        return None
    info = booking_json(found)
    left = found.starts_at - now()
    info["soon"] = (
        "hour" if left <= timedelta(hours=1) else "day" if left <= timedelta(hours=24) else None
    )
    return info
