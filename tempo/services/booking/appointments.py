"""Appointment booking: counsellors' availability, players' bookings, attendance, reminders.

Slots are computed by the pure `tempo.engine.slots` from each counsellor's plan; the slots a
player is offered are those of their cohort's counsellors. A slot is never given twice: the
booking table has a partial unique index on (counsellor, start) over live bookings, so two
players clicking at the same instant get one booking and one clear refusal with the next free
slots, on SQLite and PostgreSQL alike. Each public function that writes owns its transaction.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from icalendar import Alarm, Calendar, Event, vCalAddress, vText
from markupsafe import escape
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tempo.engine import slots as engine
from tempo.engine.team import LOCKED, Game
from tempo.infra.transactions import lock_row, write_transaction
from tempo.missions.appointment import AppointmentParams
from tempo.models import (
    Availability,
    AvailabilityException,
    AvailabilityRule,
    Booking,
    BookingStatus,
    Cohort,
    MissionProgress,
    Player,
    Role,
    StaffAccount,
    Team,
)
from tempo.services.content.games import cohort_game
from tempo.services.errors import ServiceError
from tempo.services.events import Broadcasts, for_player
from tempo.services.mail.outbox import Attachment, cancel_email, queue_email
from tempo.services.play import actions as play
from tempo.services.play.actions import team_state
from tempo.services.play.teamlog import record_event

log = logging.getLogger("tempo.booking")

ManageUrl = Callable[[str], str]

NEXT_SLOTS = 6
WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
LIMITS = {
    "slot_minutes": (10, 240),
    "buffer_minutes": (0, 120),
    "notice_hours": (0, 24 * 14),
    "horizon_days": (1, 120),
}


class BookingError(ServiceError):
    """A refused booking operation: a stable code, a French message, and free slots to offer."""

    def __init__(self, code: str, message: str, slots: Sequence[OfferedSlot] = ()) -> None:
        super().__init__(code, message)
        self.slots = list(slots)


class FormError(BookingError):
    """Refused availability settings: French messages by field name."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("invalid_form", "; ".join(errors.values()))
        self.errors = errors


# --- French labels -------------------------------------------------------------------------


def day_label(day: date) -> str:
    """« mardi 7 avril »."""
    return format_date(day, "EEEE d MMMM", locale="fr_FR")


def when_label(instant: datetime, tz: str) -> str:
    """« mardi 7 avril à 09:30 » on the wall clock of `tz`."""
    return format_datetime(instant, "EEEE d MMMM 'à' HH:mm", tzinfo=ZoneInfo(tz), locale="fr_FR")


def hour_label(instant: datetime, tz: str) -> str:
    """« 09:30 » on the wall clock of `tz`."""
    return instant.astimezone(ZoneInfo(tz)).strftime("%H:%M")


# --- availability ----------------------------------------------------------------------------


def settings_of(session: Session, staff_id: int, timezone: str = "Europe/Paris") -> Availability:
    """A counsellor's booking settings (defaults, not yet saved, if never set)."""
    found = session.get(Availability, staff_id)
    if found is not None:
        return found
    return Availability(
        staff_id=staff_id,
        slot_minutes=30,
        buffer_minutes=0,
        notice_hours=24,
        horizon_days=28,
        place="",
        timezone=timezone,
    )


def rules_of(session: Session, staff_id: int) -> list[AvailabilityRule]:
    """A counsellor's weekly hours, Monday first."""
    return list(
        session.scalars(
            select(AvailabilityRule)
            .where(AvailabilityRule.staff_id == staff_id)
            .order_by(AvailabilityRule.weekday, AvailabilityRule.start)
        )
    )


def exceptions_of(
    session: Session, staff_id: int, since: date | None = None
) -> list[AvailabilityException]:
    """A counsellor's dated exceptions, earliest first (from `since` if given)."""
    query = select(AvailabilityException).where(AvailabilityException.staff_id == staff_id)
    if since is not None:
        query = query.where(AvailabilityException.day >= since)
    return list(
        session.scalars(query.order_by(AvailabilityException.day, AvailabilityException.start))
    )


def agenda_of(session: Session, staff_id: int, timezone: str = "Europe/Paris") -> engine.Agenda:
    """The engine's view of a counsellor's availability."""
    settings = settings_of(session, staff_id, timezone)
    return engine.Agenda(
        rules=tuple(
            engine.WeeklyRule(r.weekday, r.start, r.end, r.place)
            for r in rules_of(session, staff_id)
        ),
        exceptions=tuple(
            engine.DateException(e.day, e.closed, e.start, e.end, e.place)
            for e in exceptions_of(session, staff_id)
        ),
        slot_minutes=settings.slot_minutes,
        buffer_minutes=settings.buffer_minutes,
        notice_hours=settings.notice_hours,
        horizon_days=settings.horizon_days,
        timezone=settings.timezone,
        default_place=settings.place,
    )


def _bounded(errors: dict[str, str], name: str, raw: str, label: str) -> int:
    low, high = LIMITS[name]
    text = (raw or "").strip()
    if not text.isdigit() or not low <= int(text) <= high:
        errors[name] = f"{label} : un nombre entier de {low} à {high}."
        return low
    return int(text)


def save_settings(
    session: Session, staff_id: int, form: dict[str, str], timezone: str = "Europe/Paris"
) -> Availability:
    """Save slot length, buffer, notice, horizon and usual place (raises FormError)."""
    errors: dict[str, str] = {}
    values = {
        "slot_minutes": _bounded(errors, "slot_minutes", form.get("slot_minutes", ""), "Durée"),
        "buffer_minutes": _bounded(
            errors, "buffer_minutes", form.get("buffer_minutes", ""), "Pause entre deux rendez-vous"
        ),
        "notice_hours": _bounded(
            errors, "notice_hours", form.get("notice_hours", ""), "Délai de prévenance"
        ),
        "horizon_days": _bounded(
            errors, "horizon_days", form.get("horizon_days", ""), "Réservable jusqu'à"
        ),
    }
    place = " ".join(form.get("place", "").split())
    if len(place) > 200:
        errors["place"] = "Le lieu tient en 200 caractères au plus."
    if errors:
        raise FormError(errors)
    with write_transaction(session):
        found = session.get(Availability, staff_id)
        if found is None:
            found = Availability(staff_id=staff_id, timezone=timezone)
            session.add(found)
        for key, value in values.items():
            setattr(found, key, value)
        found.place = place
        found.updated_at = datetime.now(UTC)
    return found


def _hours(errors: dict[str, str], form: dict[str, str], required: bool) -> tuple[Any, Any]:
    raw_start, raw_end = form.get("start", "").strip(), form.get("end", "").strip()
    if not raw_start and not raw_end and not required:
        return None, None
    try:
        start = time.fromisoformat(raw_start).replace(second=0, microsecond=0)
    except ValueError:
        errors["start"] = "Heure de début illisible (par exemple 09:00)."
        return None, None
    try:
        end = time.fromisoformat(raw_end).replace(second=0, microsecond=0)
    except ValueError:
        errors["end"] = "Heure de fin illisible (par exemple 12:00)."
        return None, None
    if end <= start:
        errors["end"] = "L'heure de fin doit venir après l'heure de début."
    return start, end


def add_rule(session: Session, staff_id: int, form: dict[str, str]) -> AvailabilityRule:
    """Add weekly open hours (raises FormError; refuses hours overlapping the same weekday's)."""
    errors: dict[str, str] = {}
    raw_day = form.get("weekday", "")
    weekday = int(raw_day) if raw_day.isdigit() and int(raw_day) < 7 else -1
    if weekday < 0:
        errors["weekday"] = "Choisissez un jour de la semaine."
    start, end = _hours(errors, form, required=True)
    place = " ".join(form.get("place", "").split())[:200]
    if not errors:
        for other in rules_of(session, staff_id):
            if other.weekday == weekday and other.start < end and start < other.end:
                errors["start"] = (
                    f"Ces horaires chevauchent ceux du {WEEKDAYS[weekday]} "
                    f"({other.start:%H:%M}–{other.end:%H:%M})."
                )
    if errors:
        raise FormError(errors)
    with write_transaction(session):
        rule = AvailabilityRule(
            staff_id=staff_id, weekday=weekday, start=start, end=end, place=place
        )
        session.add(rule)
    return rule


# A counsellor's own availability row: either kind has a `staff_id`.
_OwnRow = TypeVar("_OwnRow", AvailabilityRule, AvailabilityException)


def _delete_own(
    session: Session,
    model: type[_OwnRow],
    staff_id: int,
    row_id: int,
) -> bool:
    with write_transaction(session):
        row = session.get(model, row_id)
        if row is None or row.staff_id != staff_id:
            return False
        session.delete(row)
    return True


def delete_rule(session: Session, staff_id: int, rule_id: int) -> bool:
    """Remove one of this counsellor's weekly hours; False if it is not theirs."""
    return _delete_own(session, AvailabilityRule, staff_id, rule_id)


def add_exception(
    session: Session, staff_id: int, form: dict[str, str], today: date
) -> AvailabilityException:
    """Close a date (all day or some hours) or open extra hours on it (raises FormError)."""
    errors: dict[str, str] = {}
    try:
        day = date.fromisoformat(form.get("day", "").strip())
    except ValueError:
        errors["day"] = "Indiquez la date concernée."
        day = today
    if "day" not in errors and day < today:
        errors["day"] = "Cette date est passée."
    kind = form.get("kind", "")
    if kind not in {"closed", "extra"}:
        errors["kind"] = "Choisissez « fermé » ou « horaires en plus »."
    start, end = _hours(errors, form, required=kind == "extra")
    if errors:
        raise FormError(errors)
    with write_transaction(session):
        found = AvailabilityException(
            staff_id=staff_id,
            day=day,
            closed=kind == "closed",
            start=start,
            end=end,
            place=" ".join(form.get("place", "").split())[:200],
            note=" ".join(form.get("note", "").split())[:200],
        )
        session.add(found)
    return found


def delete_exception(session: Session, staff_id: int, exception_id: int) -> bool:
    """Remove one of this counsellor's exceptions; False if it is not theirs."""
    return _delete_own(session, AvailabilityException, staff_id, exception_id)


# --- offered slots ----------------------------------------------------------------------------


@dataclass(frozen=True)
class OfferedSlot:
    """A free slot of one counsellor, as players are offered it."""

    staff_id: int
    counsellor: str
    start: datetime
    end: datetime
    place: str
    timezone: str

    @property
    def id(self) -> str:
        """The slot's id sent back by the phone: counsellor and UTC start (seconds)."""
        return slot_id(self.staff_id, self.start)

    def to_json(self) -> dict[str, Any]:
        """The slot for the phone, with French labels on the local wall clock."""
        local = self.start.astimezone(ZoneInfo(self.timezone))
        return {
            "id": self.id,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "day": local.date().isoformat(),
            "day_label": day_label(local.date()),
            "time": local.strftime("%H:%M"),
            "end_time": hour_label(self.end, self.timezone),
            "counsellor": self.counsellor,
            "place": self.place,
        }


def slot_id(staff_id: int, start: datetime) -> str:
    """« 12-1775548800 »: a counsellor and a start instant."""
    return f"{staff_id}-{int(start.timestamp())}"


def parse_slot_id(raw: object) -> tuple[int, datetime] | None:
    """The counsellor and start of a slot id, or None if malformed."""
    if not isinstance(raw, str) or raw.count("-") != 1:
        return None
    staff, stamp = raw.split("-")
    if not (staff.isdigit() and stamp.isdigit()) or len(stamp) > 12 or len(staff) > 9:
        return None  # beyond what an id or a date can hold (the database would fail)
    try:
        return int(staff), datetime.fromtimestamp(int(stamp), UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _busy(session: Session, staff_id: int, now: datetime, skip: int | None) -> list[engine.Busy]:
    rows = session.execute(
        select(Booking.id, Booking.starts_at, Booking.ends_at).where(
            Booking.staff_id == staff_id,
            Booking.status != BookingStatus.CANCELLED,
            Booking.ends_at > now,
        )
    ).all()
    return [engine.Busy(s, e) for booking_id, s, e in rows if booking_id != skip]


def counsellors_of(session: Session, cohort: Cohort) -> list[StaffAccount]:
    """The active counsellors of a cohort (whose slots its players are offered)."""
    return sorted((c for c in cohort.counsellors if c.active), key=lambda c: c.display_name)


def _slots_of(
    session: Session, staff: StaffAccount, now: datetime, skip: int | None = None
) -> list[OfferedSlot]:
    agenda = agenda_of(session, staff.id)
    return [
        OfferedSlot(staff.id, staff.display_name, s.start, s.end, s.place, agenda.timezone)
        for s in engine.offered_slots(agenda, now, _busy(session, staff.id, now, skip))
    ]


def offered(
    session: Session,
    cohort: Cohort,
    now: datetime,
    limit: int | None = None,
    skip: int | None = None,
) -> list[OfferedSlot]:
    """The free slots of the cohort's counsellors, soonest first (`skip`: a booking being moved)."""
    found = [
        slot
        for staff in counsellors_of(session, cohort)
        for slot in _slots_of(session, staff, now, skip)
    ]
    found.sort(key=lambda s: (s.start, s.counsellor))
    return found[:limit] if limit is not None else found


def first_days(slots: Sequence[OfferedSlot], days: int) -> tuple[list[OfferedSlot], bool]:
    """The slots of the first `days` local dates that have any, and whether more remain."""
    kept: list[OfferedSlot] = []
    seen: set[date] = set()
    for slot in slots:
        day = slot.start.astimezone(ZoneInfo(slot.timezone)).date()
        if day not in seen and len(seen) == days:
            return kept, True
        seen.add(day)
        kept.append(slot)
    return kept, False


def preview(
    session: Session, staff_id: int, now: datetime, timezone: str = "Europe/Paris"
) -> list[engine.Slot]:
    """A counsellor's own free slots, as players of their cohorts are offered them."""
    agenda = agenda_of(session, staff_id, timezone)
    return engine.offered_slots(agenda, now, _busy(session, staff_id, now, None))


# --- bookings ----------------------------------------------------------------------------------


@dataclass
class Booked:
    """A booking made (or found again), and the team events to broadcast."""

    booking: Booking
    created: bool
    events: Broadcasts = field(default_factory=dict)


class _Taken(Exception):
    """The slot is no longer free (seen before inserting)."""


def appointment_mission(session: Session, game: Game, team: Team, now: datetime) -> str | None:
    """The first appointment mission open to the team (available, in progress or done)."""
    state = team_state(session, team, now)
    for mission_id, mission in game.missions.items():
        if mission.type == "appointment" and game.status(state, mission_id) != LOCKED:
            return mission_id
    return None


def bring_list(game: Game, mission_id: str) -> list[str]:
    """What the appointment mission tells players to bring."""
    params = game.params.get(mission_id)
    return list(params.bring) if isinstance(params, AppointmentParams) else []


def upcoming_booking(session: Session, player_id: int) -> Booking | None:
    """The player's upcoming (booked) appointment, if any."""
    return session.scalar(
        select(Booking).where(
            Booking.player_id == player_id, Booking.status == BookingStatus.BOOKED
        )
    )


def latest_booking(session: Session, player_id: int) -> Booking | None:
    """The player's upcoming appointment, else their latest attended or missed one."""
    return upcoming_booking(session, player_id) or session.scalar(
        select(Booking)
        .where(Booking.player_id == player_id, Booking.status != BookingStatus.CANCELLED)
        .order_by(Booking.starts_at.desc())
        .limit(1)
    )


def booking_by_token(session: Session, token: str) -> Booking | None:
    """The booking a manage link opens (any status), or None."""
    if not token or len(token) > 64:
        return None
    return session.scalar(select(Booking).where(Booking.token == token))


def _taken_error(
    session: Session, cohort_id: int, now: datetime, skip: int | None = None
) -> BookingError:
    cohort = session.get(Cohort, cohort_id)
    nxt = offered(session, cohort, now, NEXT_SLOTS, skip) if cohort else []
    message = "Ce créneau vient d'être pris par quelqu'un d'autre. "
    message += (
        "Voici les prochains créneaux libres : choisis-en un autre."
        if nxt
        else "Il n'y a plus de créneau libre pour l'instant : "
        "demande à ton conseiller ou ta conseillère."
    )
    return BookingError("slot_taken", message, nxt)


def book(
    session: Session,
    player_id: int,
    raw_slot: object,
    now: datetime,
    manage_url: ManageUrl,
    present: Iterable[int] = (),
) -> Booked:
    """Book a slot for a player, then tell the team through the mission's `booked` action.

    Idempotent: booking the slot one already holds returns that booking. Raises BookingError
    (`invalid_slot`, `mission_locked`, `already_booked`, `slot_taken` with the next free slots).
    """
    parsed = parse_slot_id(raw_slot)
    if parsed is None:
        raise BookingError("invalid_slot", "Ce créneau n'existe pas. Choisis-en un dans la liste.")
    staff_id, start = parsed
    player = session.get(Player, player_id)
    if player is None:
        raise BookingError("unknown_player", "Joueur inconnu : rejoins ton équipe.")
    cohort_id = player.team.cohort_id
    try:
        with write_transaction(session):
            player = session.get(Player, player_id)
            if player is None:
                raise BookingError("unknown_player", "Joueur inconnu : rejoins ton équipe.")
            team = player.team
            cohort = team.cohort
            game = cohort_game(cohort)
            mission_id = appointment_mission(session, game, team, now)
            if mission_id is None:
                raise BookingError(
                    "mission_locked",
                    "La prise de rendez-vous n'est pas encore ouverte pour ton équipe.",
                )
            held = upcoming_booking(session, player.id)
            if held is not None:
                if held.staff_id == staff_id and held.starts_at == start:
                    return Booked(held, created=False)
                raise BookingError(
                    "already_booked",
                    "Tu as déjà un rendez-vous : déplace-le ou annule-le d'abord.",
                )
            staff = next((c for c in counsellors_of(session, cohort) if c.id == staff_id), None)
            slot = None
            if staff is not None:
                slot = next((s for s in _slots_of(session, staff, now) if s.start == start), None)
            if staff is None or slot is None:
                raise _Taken()
            booking = Booking(
                player_id=player.id,
                cohort_id=cohort.id,
                staff_id=staff_id,
                mission_id=mission_id,
                starts_at=slot.start,
                ends_at=slot.end,
                timezone=slot.timezone,
                place=slot.place,
                status=BookingStatus.BOOKED,
                token=secrets.token_urlsafe(24),
                created_at=now,
                booked_at=now,
            )
            session.add(booking)
            session.flush()  # the unique indexes speak here, under concurrency
            _mail_booked(
                session,
                booking,
                player,
                staff,
                bring_list(game, mission_id),
                manage_url,
                now,
                moved=False,
            )
    except (_Taken, IntegrityError):
        # A concurrent request may have been this player's own double click.
        held = upcoming_booking(session, player_id)
        if held is not None and held.staff_id == staff_id and held.starts_at == start:
            return Booked(held, created=False)
        if held is not None:
            raise BookingError(
                "already_booked", "Tu as déjà un rendez-vous : déplace-le ou annule-le d'abord."
            ) from None
        raise _taken_error(session, cohort_id, now) from None
    events = _perform_booked(session, booking.id, player_id, booking.mission_id, now, present)
    return Booked(booking, created=True, events=events)


def _perform_booked(
    session: Session,
    booking_id: int,
    player_id: int,
    mission_id: str,
    now: datetime,
    present: Iterable[int],
) -> Broadcasts:
    """The mission's `booked` action, once per booking (its client id is the booking's)."""
    # The booking player counts as present even without a connected phone (plain HTTP).
    here = sorted({*present, player_id})
    try:
        reply = play.perform_as(
            session,
            player_id,
            play.server_action_id("booking", booking_id),
            mission_id,
            "booked",
            {},
            now,
            here,
        )
    except play.PlayError as exc:
        log.warning("Réservation %s : action de mission refusée (%s).", booking_id, exc.code)
        return {}
    if reply.error and reply.error.get("code") != "already_done":
        log.warning("Réservation %s : action de mission refusée (%s).", booking_id, reply.error)
    return {reply.team_id: reply.events} if reply.team_id and reply.events else {}


def ensure_mission_booked(session: Session, booking: Booking, now: datetime) -> Broadcasts:
    """Replay the `booked` action if it was lost after the booking committed (idempotent)."""
    return _perform_booked(session, booking.id, booking.player_id, booking.mission_id, now, ())


def recover_mission(session: Session, booking: Booking, now: datetime) -> Broadcasts:
    """Re-send the mission's `booked` action if a crash lost it after the booking committed.

    Nothing is written when the team's mission already counts the player as booked; otherwise
    the replay runs in the action's own transaction (`ensure_mission_booked`).
    """
    state = session.scalar(
        select(MissionProgress.state).where(
            MissionProgress.team_id == booking.player.team_id,
            MissionProgress.mission_id == booking.mission_id,
        )
    )
    if state is not None and str(booking.player_id) in (state.get("booked") or []):
        return {}
    return ensure_mission_booked(session, booking, now)


def cancel(session: Session, booking_id: int, now: datetime) -> bool:
    """Cancel an upcoming appointment, freeing its slot and reminders (False if not upcoming)."""
    with write_transaction(session):
        booking = lock_row(session, Booking, Booking.id == booking_id)
        if booking is None or booking.status is not BookingStatus.BOOKED:
            return False
        booking.status = BookingStatus.CANCELLED
        booking.cancelled_at = now
        _mail_cancelled(session, booking, now)
    return True


def move(
    session: Session, booking_id: int, raw_slot: object, now: datetime, manage_url: ManageUrl
) -> Booking:
    """Move an upcoming appointment to another free slot (same link; reminders re-planned)."""
    parsed = parse_slot_id(raw_slot)
    if parsed is None:
        raise BookingError("invalid_slot", "Ce créneau n'existe pas. Choisis-en un dans la liste.")
    staff_id, start = parsed
    found = session.get(Booking, booking_id)
    if found is None:
        raise BookingError("not_found", "Ce rendez-vous n'existe plus.")
    cohort_id = found.cohort_id
    try:
        with write_transaction(session):
            booking = lock_row(session, Booking, Booking.id == booking_id)
            if booking is None or booking.status is not BookingStatus.BOOKED:
                raise BookingError(
                    "not_upcoming",
                    "Ce rendez-vous n'est plus à venir : il ne peut pas être déplacé.",
                )
            if booking.staff_id == staff_id and booking.starts_at == start:
                return booking
            cohort = booking.cohort
            staff = next((c for c in counsellors_of(session, cohort) if c.id == staff_id), None)
            slot = None
            if staff is not None:
                slot = next(
                    (s for s in _slots_of(session, staff, now, booking.id) if s.start == start),
                    None,
                )
            if staff is None or slot is None:
                raise _Taken()
            _mail_cancel_reminders(session, booking)
            booking.staff_id = staff_id
            booking.starts_at = slot.start
            booking.ends_at = slot.end
            booking.place = slot.place
            booking.timezone = slot.timezone
            booking.moves += 1
            booking.booked_at = now
            booking.reminded_day_at = None
            booking.reminded_hour_at = None
            session.flush()
            game = cohort_game(cohort)
            _mail_booked(
                session,
                booking,
                booking.player,
                staff,
                bring_list(game, booking.mission_id),
                manage_url,
                now,
                moved=True,
            )
    except (_Taken, IntegrityError):
        raise _taken_error(session, cohort_id, now, booking_id) from None
    session.refresh(booking)
    return booking


# --- the counsellor's side --------------------------------------------------------------------


def can_manage(staff: StaffAccount, booking: Booking) -> bool:
    """Administrators, the booked counsellor and the cohort's counsellors may see and mark it."""
    if staff.role is Role.ADMIN or booking.staff_id == staff.id:
        return True
    return any(c.id == staff.id for c in booking.cohort.counsellors)


def mark(
    session: Session, staff: StaffAccount, booking_id: int, attended: bool, now: datetime
) -> Broadcasts:
    """Mark an appointment attended or missed; attendance makes the player's team celebrate."""
    booking = session.get(Booking, booking_id)
    if booking is None or not can_manage(staff, booking):
        raise BookingError("not_found", "Ce rendez-vous n'existe pas.")
    if booking.starts_at > now:
        raise BookingError(
            "not_started",
            "Ce rendez-vous n'a pas encore commencé : pointez-le à partir de son heure.",
        )
    with write_transaction(session):
        booking = lock_row(session, Booking, Booking.id == booking_id)
        assert booking is not None
        if booking.status is BookingStatus.CANCELLED:
            raise BookingError("cancelled", "Ce rendez-vous a été annulé.")
        new = BookingStatus.ATTENDED if attended else BookingStatus.MISSED
        if booking.status is new:
            return {}
        booking.status = new
        booking.marked_at = now
        booking.marked_by_id = staff.id
        if not attended:
            return {}
        player = booking.player
        event = record_event(
            session,
            player.team,
            "booking.attended",
            {"player": player.id, "pseudonym": player.pseudonym},
            now,
            player.id,
        )
        return {player.team_id: [event]}


@dataclass(frozen=True)
class Row:
    """A line of a bookings table: the player, their team, and their appointment (if any)."""

    player: Player
    team: Team
    booking: Booking | None


def cohort_rows(session: Session, cohort: Cohort, now: datetime) -> list[Row]:
    """Every player of the cohort with their appointment: upcoming first, then past, then none."""
    rows = []
    for team in cohort.teams:
        for player in team.players:
            rows.append(Row(player, team, latest_booking(session, player.id)))

    def order(row: Row) -> tuple[int, float, str]:
        b = row.booking
        if b is None:
            return (3, 0.0, row.player.pseudonym.lower())
        if b.status is BookingStatus.BOOKED and b.starts_at >= now:
            return (0, b.starts_at.timestamp(), "")
        if b.status is BookingStatus.BOOKED:
            return (1, b.starts_at.timestamp(), "")  # to mark
        return (2, -b.starts_at.timestamp(), "")

    return sorted(rows, key=order)


@dataclass
class StaffAgenda:
    """A counsellor's own appointments, in three lists."""

    upcoming: list[Booking]
    to_mark: list[Booking]
    past: list[Booking]


def staff_agenda(
    session: Session, staff_id: int, now: datetime, past_limit: int = 50
) -> StaffAgenda:
    """A counsellor's appointments: upcoming (soonest first), to mark, past (latest first)."""
    live = list(
        session.scalars(
            select(Booking)
            .where(Booking.staff_id == staff_id, Booking.status == BookingStatus.BOOKED)
            .order_by(Booking.starts_at)
        )
    )
    past = list(
        session.scalars(
            select(Booking)
            .where(
                Booking.staff_id == staff_id,
                Booking.status.in_([BookingStatus.ATTENDED, BookingStatus.MISSED]),
            )
            .order_by(Booking.starts_at.desc())
            .limit(past_limit)
        )
    )
    return StaffAgenda(
        upcoming=[b for b in live if b.starts_at >= now],
        to_mark=[b for b in live if b.starts_at < now],
        past=past,
    )


@dataclass(frozen=True)
class Attendance:
    """A player's appointment record, for the bilan (punctuality) and the counsellor."""

    status: str | None  # None: never booked; booked, attended, missed or cancelled
    starts_at: datetime | None = None
    counsellor: str | None = None
    place: str | None = None
    moves: int = 0
    cancellations: int = 0

    @property
    def attended(self) -> bool | None:
        """True once attended, False if missed, None while unknown."""
        if self.status == BookingStatus.ATTENDED:
            return True
        if self.status == BookingStatus.MISSED:
            return False
        return None


def attendance_for(session: Session, player_id: int) -> Attendance:
    """The player's appointment: booked or not, attended or missed, moves and cancellations."""
    bookings = list(
        session.scalars(
            select(Booking).where(Booking.player_id == player_id).order_by(Booking.starts_at)
        )
    )
    cancelled = sum(b.status is BookingStatus.CANCELLED for b in bookings)
    moves = sum(b.moves for b in bookings)
    live = [b for b in bookings if b.status is not BookingStatus.CANCELLED]
    current = live[-1] if live else (bookings[-1] if bookings else None)
    if current is None:
        return Attendance(status=None)
    return Attendance(
        status=current.status.value,
        starts_at=current.starts_at,
        counsellor=current.counsellor.display_name,
        place=current.place,
        moves=moves,
        cancellations=cancelled,
    )


# --- reminders ---------------------------------------------------------------------------------


def send_reminders(session: Session, now: datetime) -> Broadcasts:
    """Give the in-app reminders now due (a day and an hour before), each once: events for the
    player's own phones (`for_player`), never versioned team events."""
    out: Broadcasts = {}
    horizon = now + engine.REMINDER_LEAD[engine.DAY_BEFORE]
    with write_transaction(session):
        due = session.scalars(
            select(Booking)
            .where(
                Booking.status == BookingStatus.BOOKED,
                Booking.starts_at > now,
                Booking.starts_at <= horizon,
                (Booking.reminded_day_at.is_(None)) | (Booking.reminded_hour_at.is_(None)),
            )
            .order_by(Booking.starts_at)
            .with_for_update()
        ).all()
        for booking in due:
            sent = [
                kind
                for kind, at in (
                    (engine.DAY_BEFORE, booking.reminded_day_at),
                    (engine.HOUR_BEFORE, booking.reminded_hour_at),
                )
                if at is not None
            ]
            kinds = engine.reminders_due(booking.starts_at, booking.booked_at, now, sent)
            if not kinds:
                continue
            for kind in kinds:  # the earlier ones are dropped unsent: the latest says it all
                if kind == engine.DAY_BEFORE:
                    booking.reminded_day_at = now
                else:
                    booking.reminded_hour_at = now
            player = booking.player
            # To the player's own phones only: their teammates need not know (privacy.md).
            event = for_player(
                player.id, "booking.reminder", {"player": player.id, "when": kinds[-1]}
            )
            out.setdefault(player.team_id, []).append(event)
    return out


# --- the invitation ---------------------------------------------------------------------------


def invitation(booking: Booking, bring: Sequence[str], manage_url: str, now: datetime) -> bytes:
    """The appointment as an iCalendar file (.ics), in its local timezone with its VTIMEZONE."""
    tz = ZoneInfo(booking.timezone)
    counsellor = booking.counsellor
    cal = Calendar()
    cal.add("prodid", "-//Tempo//Mission Locale//FR")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    event = Event()
    # One UID for the appointment's whole life: a moved appointment replaces the old entry.
    event.add("uid", f"tempo-rdv-{booking.id}-{booking.token[:12]}@tempo")
    event.add("sequence", booking.moves)
    event.add("dtstamp", now.astimezone(UTC))
    event.add("dtstart", booking.starts_at.astimezone(tz))
    event.add("dtend", booking.ends_at.astimezone(tz))
    event.add("summary", f"Rendez-vous Mission Locale avec {counsellor.display_name}")
    if booking.place:
        event.add("location", booking.place)
    organizer = vCalAddress(f"mailto:{counsellor.email}")
    organizer.params["cn"] = vText(counsellor.display_name)
    event["organizer"] = organizer
    lines = [
        f"Ton rendez-vous avec {counsellor.display_name}, conseiller·ère de la Mission Locale.",
        f"Quand : {when_label(booking.starts_at, booking.timezone)}.",
    ]
    if booking.place:
        lines.append(f"Où : {booking.place}.")
    if bring:
        lines += ["", "À apporter :", *(f"- {item}" for item in bring)]
    lines += ["", f"Annuler ou déplacer ce rendez-vous : {manage_url}"]
    event.add("description", "\n".join(lines))
    event.add("url", manage_url)
    event.add("status", "CANCELLED" if booking.status is BookingStatus.CANCELLED else "CONFIRMED")
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", "Rendez-vous à la Mission Locale dans une heure")
    alarm.add("trigger", timedelta(hours=-1))
    event.add_component(alarm)
    cal.add_component(_vtimezone(booking.timezone))
    cal.add_component(event)
    return bytes(cal.to_ical())


@lru_cache(maxsize=8)
def _vtimezone(tz: str) -> Any:
    """The VTIMEZONE of a zone, built once per process (building it costs ~20 ms)."""
    probe = Calendar()
    event = Event()
    event.add("dtstart", datetime(2026, 1, 1, tzinfo=ZoneInfo(tz)))
    probe.add_component(event)
    probe.add_missing_timezones()
    return probe.walk("VTIMEZONE")[0]


# --- e-mails ----------------------------------------------------------------------------------


def _mail_key(booking: Booking, what: str) -> str:
    # One set of keys per slot the booking held (moves counts them): moving back to an earlier
    # slot queues fresh reminders instead of meeting the cancelled ones' keys.
    return f"booking:{booking.id}:{booking.moves}:{what}"


def _consented(player: Player) -> bool:
    return bool(player.email and player.email_consent)


def _mail_booked(
    session: Session,
    booking: Booking,
    player: Player,
    counsellor: StaffAccount,
    bring: Sequence[str],
    manage_url: ManageUrl,
    now: datetime,
    moved: bool,
) -> None:
    """Queue the confirmation (with the invitation) and the two reminders, if consented."""
    if not _consented(player):
        return
    assert player.email is not None
    url = manage_url(booking.token)
    when = when_label(booking.starts_at, booking.timezone)
    where = f" — {booking.place}" if booking.place else ""
    items = "".join(f"\n- {item}" for item in bring)
    bring_text = f"\n\nÀ apporter :{items}" if bring else ""
    intro = "Ton rendez-vous est déplacé" if moved else "Ton rendez-vous est réservé"
    text = (
        f"Bonjour {player.pseudonym},\n\n{intro} : {when}{where}, avec "
        f"{counsellor.display_name} (Mission Locale).{bring_text}\n\n"
        f"L'invitation jointe l'ajoute à ton agenda.\nPour l'annuler ou le déplacer : {url}\n"
    )
    html = _html_mail(
        player.pseudonym, f"{intro} : {when}{where}, avec {counsellor.display_name}.", bring, url
    )
    queue_email(
        session,
        key=_mail_key(booking, "confirm"),
        to=player.email,
        subject=f"{intro} : {when}",
        text=text,
        html=html,
        attachments=[
            Attachment(
                filename="rendez-vous.ics",
                content_type="text/calendar",
                data=invitation(booking, bring, url, now),
            )
        ],
        now=now,
    )
    labels = {engine.DAY_BEFORE: "demain", engine.HOUR_BEFORE: "dans une heure"}
    for kind, at in engine.reminder_times(booking.starts_at, booking.booked_at).items():
        if at <= now:
            continue
        hour = hour_label(booking.starts_at, booking.timezone)
        line = (
            f"Rappel : ton rendez-vous à la Mission Locale, c'est {labels[kind]} à {hour}{where}, "
            f"avec {counsellor.display_name}."
        )
        queue_email(
            session,
            key=_mail_key(booking, f"remind-{kind}"),
            to=player.email,
            subject=f"Rappel : rendez-vous {labels[kind]} à {hour}",
            text=(
                f"Bonjour {player.pseudonym},\n\n{line}{bring_text}\n\n"
                f"Un empêchement ? Préviens en annulant ou en déplaçant : {url}\n"
            ),
            html=_html_mail(player.pseudonym, line, bring, url),
            now=now,
            send_after=at,
        )


def _mail_cancel_reminders(session: Session, booking: Booking) -> None:
    """Drop the reminders (and an unsent confirmation) of the booking's current slot."""
    if not _consented(booking.player):
        return
    for what in ("confirm", f"remind-{engine.DAY_BEFORE}", f"remind-{engine.HOUR_BEFORE}"):
        cancel_email(session, _mail_key(booking, what))


def _mail_cancelled(session: Session, booking: Booking, now: datetime) -> None:
    """Drop the reminders and confirm the cancellation by e-mail, if consented."""
    player = booking.player
    if not _consented(player):
        return
    assert player.email is not None
    _mail_cancel_reminders(session, booking)
    when = when_label(booking.starts_at, booking.timezone)
    line = (
        f"Ton rendez-vous du {when} est annulé. Le créneau est libéré pour quelqu'un d'autre : "
        "merci d'avoir prévenu !"
    )
    queue_email(
        session,
        key=_mail_key(booking, "cancelled"),
        to=player.email,
        subject=f"Rendez-vous annulé : {when}",
        text=f"Bonjour {player.pseudonym},\n\n{line}\n\nTu peux en réserver un autre dans Tempo.\n",
        html=_html_mail(player.pseudonym, line, (), None),
        now=now,
    )


def _html_mail(name: str, line: str, bring: Sequence[str], url: str | None) -> str:
    parts = [f"<p>Bonjour {escape(name)},</p>", f"<p>{escape(line)}</p>"]
    if bring:
        parts.append("<p>À apporter :</p><ul>")
        parts += [f"<li>{escape(item)}</li>" for item in bring]
        parts.append("</ul>")
    if url:
        parts.append(f'<p><a href="{escape(url)}">Annuler ou déplacer mon rendez-vous</a></p>')
    return "".join(parts)
