"""The appointment's invitation (.ics) and e-mails: confirmation, reminders, cancellation."""

from __future__ import annotations

import email
from datetime import UTC, datetime, timedelta
from email.policy import default
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from icalendar import Calendar
from sqlalchemy import select

from tempo import create_app
from tempo.extensions import db
from tempo.infra import db as schema
from tempo.infra.transactions import write_transaction
from tempo.models import MailStatus, OutboundEmail, Player
from tempo.services.booking import appointments as booking
from tempo.services.content.games import cohort_game
from tempo.services.mail.outbox import deliver_due
from tempo.services.play.players import join_team
from tests.booking_kit import NOW, PLACE, Setup, demo_ready, manage_url
from tests.conftest import make_config
from tests.mailserver import SmtpServer

PARIS = ZoneInfo("Europe/Paris")
BRING = ["Ta pièce d'identité", "Ta carte Vitale (ou attestation)", "Ton CV"]


def _player(setup: Setup, name: str, mail: str | None) -> int:
    player = join_team(db.session, setup.team_ids[0], name, NOW).player
    if mail:
        with write_transaction(db.session):
            row = db.session.get(Player, player.id)
            assert row is not None
            row.email, row.email_consent = mail, True
    return player.id


def _slot_on(local: datetime) -> booking.OfferedSlot:
    """The offered slot starting at a Paris wall-clock time."""
    cohort = db.session.get(Player, _any_player()).team.cohort  # type: ignore[union-attr]
    wanted = local.replace(tzinfo=PARIS).astimezone(UTC)
    return next(s for s in booking.offered(db.session, cohort, NOW) if s.start == wanted)


def _any_player() -> int:
    found = db.session.scalar(select(Player.id).limit(1))
    assert found is not None
    return found


def _transitions(vtimezone: object) -> list[tuple[datetime, timedelta]]:
    """Every (local instant, offset after it) a VTIMEZONE defines, from DTSTART and RDATEs."""
    found = []
    for part in vtimezone.subcomponents:  # type: ignore[attr-defined]
        offset = part.decoded("tzoffsetto")
        starts = [part.decoded("dtstart")]
        rdates = part.get("rdate", [])
        for rdate in rdates if isinstance(rdates, list) else [rdates]:
            starts += [p.dt for p in rdate.dts]
        found += [(s.replace(tzinfo=None), offset) for s in starts]
    return sorted(found)


def _instant_by_vtimezone(cal: Calendar, local: datetime) -> datetime:
    """What a calendar app that only reads the embedded VTIMEZONE computes for `local`."""
    (vtz,) = cal.walk("VTIMEZONE")
    offset = [o for at, o in _transitions(vtz) if at <= local][-1]
    return (local - offset).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("local", "utc_hour"),
    [
        (datetime(2026, 3, 27, 9, 30), 8),  # Friday, winter time (UTC+1)
        (datetime(2026, 3, 30, 9, 30), 7),  # Monday after the change, summer time (UTC+2)
    ],
)
def test_the_invitation_has_the_right_time_in_paris(
    app: Flask, local: datetime, utc_hour: int
) -> None:
    """The .ics parses, starts at 09:30 Paris (TZID + VTIMEZONE), with place, organiser, bring."""
    with app.app_context():
        setup = demo_ready(db.session)
        ana = _player(setup, "Ana", None)
        slot = _slot_on(local)
        made = booking.book(db.session, ana, slot.id, NOW, manage_url).booking
        data = booking.invitation(made, BRING, manage_url(made.token), NOW)
    cal = Calendar.from_ical(data)
    (event,) = cal.walk("VEVENT")
    start = event.decoded("dtstart")
    assert event["dtstart"].params["TZID"] == "Europe/Paris"
    assert start == datetime(local.year, local.month, local.day, utc_hour, 30, tzinfo=UTC)
    assert start.astimezone(PARIS).strftime("%H:%M") == "09:30"
    assert event.decoded("dtend") - start == timedelta(minutes=30)
    # A calendar app that knows no zone names still gets the same instant from the VTIMEZONE.
    assert _instant_by_vtimezone(cal, local) == start
    assert str(event["location"]) == PLACE
    assert event["organizer"].params["CN"] == "Inès Ferrand (démo)"
    assert str(event["organizer"]).startswith("mailto:")
    description = str(event["description"])
    assert all(item in description for item in BRING)
    assert manage_url(made.token) in description
    assert str(event["summary"]).startswith("Rendez-vous Mission Locale")
    assert cal.walk("VALARM")[0].decoded("trigger") == timedelta(hours=-1)


def test_confirmation_and_reminders_are_queued_for_a_consenting_player(app: Flask) -> None:
    """Booked three days ahead: confirmation now (with the .ics), reminders at T-24h and T-1h."""
    with app.app_context():
        setup = demo_ready(db.session)
        ana = _player(setup, "Ana", "ana@example.org")
        slot = _slot_on(datetime(2026, 3, 26, 10, 0))
        made = booking.book(db.session, ana, slot.id, NOW, manage_url).booking
        rows = db.session.scalars(select(OutboundEmail).order_by(OutboundEmail.id)).all()
        assert [r.key for r in rows] == [
            f"booking:{made.id}:0:confirm",
            f"booking:{made.id}:0:remind-day",
            f"booking:{made.id}:0:remind-hour",
        ]
        confirm, day, hour = rows
        assert {r.to_address for r in rows} == {"ana@example.org"}
        assert confirm.next_attempt_at == NOW
        assert day.next_attempt_at == slot.start - timedelta(hours=24)
        assert hour.next_attempt_at == slot.start - timedelta(hours=1)
        assert [a.filename for a in confirm.attachments] == ["rendez-vous.ics"]
        assert "jeudi 26 mars à 10:00" in confirm.subject
        assert manage_url(made.token) in confirm.text_body
        cohort = made.cohort
        bring = booking.bring_list(cohort_game(cohort), setup.mission_id)
        assert bring and all(item in confirm.text_body for item in bring)
        assert "demain à 10:00" in day.subject and "dans une heure" in hour.subject


def test_cancelling_drops_the_reminders_and_says_so(app: Flask) -> None:
    """Cancel: both reminders cancelled in the outbox, a cancellation message queued."""
    with app.app_context():
        setup = demo_ready(db.session)
        ana = _player(setup, "Ana", "ana@example.org")
        slot = _slot_on(datetime(2026, 3, 26, 10, 0))
        made = booking.book(db.session, ana, slot.id, NOW, manage_url).booking
        booking_id = made.id
        booking.cancel(db.session, booking_id, NOW + timedelta(hours=1))
        status = {
            r.key.rsplit(":", 1)[-1]: r.status for r in db.session.scalars(select(OutboundEmail))
        }
        assert status["remind-day"] is MailStatus.CANCELLED
        assert status["remind-hour"] is MailStatus.CANCELLED
        assert status["cancelled"] is MailStatus.PENDING


def test_moving_replans_the_reminders(app: Flask) -> None:
    """Move: the old slot's reminders are cancelled, the new slot's are queued at its times."""
    with app.app_context():
        setup = demo_ready(db.session)
        ana = _player(setup, "Ana", "ana@example.org")
        first = _slot_on(datetime(2026, 3, 26, 10, 0))
        later = _slot_on(datetime(2026, 3, 31, 11, 0))  # summer time by then
        made = booking.book(db.session, ana, first.id, NOW, manage_url).booking
        booking.move(db.session, made.id, later.id, NOW, manage_url)
        booking.move(db.session, made.id, first.id, NOW, manage_url)  # and back again
        rows = {r.key: r for r in db.session.scalars(select(OutboundEmail))}
        prefix = f"booking:{made.id}"
        assert rows[f"{prefix}:0:remind-day"].status is MailStatus.CANCELLED
        assert rows[f"{prefix}:1:remind-hour"].status is MailStatus.CANCELLED
        assert rows[f"{prefix}:1:remind-hour"].next_attempt_at == later.start - timedelta(hours=1)
        assert later.start.astimezone(PARIS).hour == 11
        back = rows[f"{prefix}:2:remind-day"]
        assert back.status is MailStatus.PENDING
        assert back.next_attempt_at == first.start - timedelta(hours=24)
        assert "déplacé" in rows[f"{prefix}:2:confirm"].subject


def test_no_mail_without_consent_and_no_day_reminder_for_a_late_booking(app: Flask) -> None:
    """No address or no consent: nothing queued. Booked 5 hours ahead: no "tomorrow" e-mail."""
    with app.app_context():
        setup = demo_ready(db.session)
        bob = _player(setup, "Bob", None)
        with write_transaction(db.session):
            row = db.session.get(Player, bob)
            assert row is not None
            row.email, row.email_consent = "bob@example.org", False
        soon = _slot_on(datetime(2026, 3, 23, 11, 0))
        booking.book(db.session, bob, soon.id, NOW, manage_url)
        assert db.session.scalars(select(OutboundEmail)).all() == []
        ana = _player(setup, "Ana", "ana@example.org")
        slot = _slot_on(datetime(2026, 3, 23, 11, 30))
        booking.book(db.session, ana, slot.id, NOW, manage_url)
        keys = [r.key.rsplit(":", 1)[-1] for r in db.session.scalars(select(OutboundEmail))]
        assert keys == ["confirm", "remind-hour"]


def test_the_confirmation_arrives_by_smtp_with_both_parts_and_the_invitation(
    tmp_path: Path, smtp_server: SmtpServer
) -> None:
    """End to end on a real SMTP server: text, HTML and a parseable .ics attachment."""
    app = create_app(make_config(tmp_path, SMTP_HOST="127.0.0.1", SMTP_PORT=smtp_server.port))
    with app.app_context():
        schema.upgrade(db.engine)
        setup = demo_ready(db.session)
        ana = _player(setup, "Ana", "ana@example.org")
        slot = _slot_on(datetime(2026, 3, 26, 10, 0))
        booking.book(db.session, ana, slot.id, NOW, manage_url)
        db.session.remove()
    report = deliver_due(app, NOW)
    assert len(report.sent) == 1  # the reminders wait for their time
    (message,) = smtp_server.messages
    parsed = email.message_from_bytes(message.as_bytes(), policy=default)
    assert parsed["To"] == "ana@example.org"
    assert parsed.get_body(("plain",)) is not None and parsed.get_body(("html",)) is not None
    (ics,) = [p for p in parsed.iter_attachments() if p.get_content_type() == "text/calendar"]
    cal = Calendar.from_ical(ics.get_payload(decode=True))
    assert cal.walk("VEVENT")[0].decoded("dtstart") == slot.start
    report = deliver_due(app, slot.start - timedelta(hours=24))
    assert len(report.sent) == 1
    assert "demain" in smtp_server.messages[-1]["Subject"]
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
