"""Booking over HTTP: the phone's JSON API, the manage link without sign-in, the console pages."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from icalendar import Calendar
from sqlalchemy import select

from tempo.extensions import db
from tempo.models import Booking, BookingStatus, Cohort, Role, StaffAccount, TeamEvent
from tempo.services.booking import appointments as booking
from tempo.services.play.players import join_team
from tests.booking_kit import NOW, Setup, demo_ready
from tests.web.console_kit import csrf_app, csrf_token, staff_client, text


@pytest.fixture
def ready(app: Flask) -> Setup:
    """The demo cohort with its appointment open, the app's clock at NOW."""
    app.config["CLOCK"] = lambda: NOW
    app.config["STAFF_IDLE_MINUTES"] = 24 * 60  # tests move the clock past appointments
    with app.app_context():
        return demo_ready(db.session)


def phone(app: Flask, setup: Setup, name: str, team: int = 0) -> tuple[FlaskClient, int]:
    """A phone signed in as a new player of the demo team."""
    with app.app_context():
        player = join_team(db.session, setup.team_ids[team], name, NOW).player
        code, player_id = player.rejoin_code, player.id
    client = app.test_client()
    # The rejoin link asks « C'est bien toi ? »; its form (CSRF-protected) signs the phone in.
    data = {"rejoin": code}
    if app.config.get("WTF_CSRF_ENABLED", True):
        data["csrf_token"] = csrf_token(client, f"/retour/{code}")
    assert client.post("/retour", data=data).status_code == 302
    return client, player_id


def counsellor_of(app: Flask, setup: Setup) -> tuple[FlaskClient, int]:
    """A signed-in counsellor who animates the demo cohort."""
    client, staff_id = staff_client(app, Role.COUNSELLOR, "Karim Conseiller")
    with app.app_context():
        cohort = db.session.get(Cohort, setup.cohort_id)
        account = db.session.get(StaffAccount, staff_id)
        assert cohort is not None and account is not None
        cohort.counsellors.append(account)
        db.session.commit()
    return client, staff_id


def test_a_phone_sees_slots_books_and_gets_its_invitation(app: Flask, ready: Setup) -> None:
    """Slots with French day labels; booking answers the confirmation; the .ics downloads."""
    client, _ = phone(app, ready, "Ana")
    status = client.get("/jouer/rendez-vous").get_json()
    assert status["ok"] and status["open"] and status["booking"] is None
    assert status["simulated"] is False  # a real cohort: real slots
    first = status["slots"][0]
    assert (first["day_label"], first["time"], first["counsellor"]) == (
        "lundi 23 mars",
        "09:00",
        "Inès Ferrand (démo)",
    )
    assert status["bring"]
    # A week of dates with slots at a time (prepaid data); more on request.
    assert len({s["day"] for s in status["slots"]}) == 7 and status["more"] is True
    everything = client.get("/jouer/rendez-vous?jours=60").get_json()
    assert everything["more"] is False and len(everything["slots"]) > len(status["slots"])
    assert everything["slots"][: len(status["slots"])] == status["slots"]
    reply = client.post("/jouer/rendez-vous", json={"slot": first["id"]})
    assert reply.status_code == 200
    made = reply.get_json()["booking"]
    assert made["when"] == "lundi 23 mars à 09:00" and made["manage_url"].startswith("http")
    ics = client.get("/jouer/rendez-vous/invitation.ics")
    assert ics.mimetype == "text/calendar"
    event = Calendar.from_ical(ics.data).walk("VEVENT")[0]
    assert event.decoded("dtstart") == datetime.fromisoformat(first["start"])
    page = text(client.get("/jouer"))
    assert "ton rendez-vous à la Mission Locale, lundi 23 mars à 09:00" in page


def test_the_second_phone_on_a_taken_slot_gets_the_message_and_next_slots(
    app: Flask, ready: Setup
) -> None:
    """409, the French message, and the next free slots, without the taken one."""
    ana, _ = phone(app, ready, "Ana")
    bob, _ = phone(app, ready, "Bob", team=1)
    slot = ana.get("/jouer/rendez-vous").get_json()["slots"][0]["id"]
    assert ana.post("/jouer/rendez-vous", json={"slot": slot}).status_code == 200
    refused = bob.post("/jouer/rendez-vous", json={"slot": slot})
    body = refused.get_json()
    assert refused.status_code == 409
    assert body["error"]["code"] == "slot_taken"
    assert body["error"]["message"].startswith("Ce créneau vient d'être pris")
    assert body["slots"] and slot not in {s["id"] for s in body["slots"]}
    assert bob.post("/jouer/rendez-vous", json={"slot": "n'importe quoi"}).status_code == 400


def test_phone_routes_need_a_player(app: Flask, ready: Setup) -> None:
    """Without a player on this phone: 401 with a French message."""
    anonymous = app.test_client()
    reply = anonymous.get("/jouer/rendez-vous")
    assert reply.status_code == 401 and "Rejoins" in reply.get_json()["error"]["message"]
    assert anonymous.post("/jouer/rendez-vous", json={"slot": "1-2"}).status_code == 401


def test_moving_and_cancelling_from_the_phone(app: Flask, ready: Setup) -> None:
    """Move to another slot, then cancel: the slot is free again and the banner is gone."""
    client, _player_id = phone(app, ready, "Ana")
    slots = client.get("/jouer/rendez-vous").get_json()["slots"]
    client.post("/jouer/rendez-vous", json={"slot": slots[0]["id"]})
    moved = client.post("/jouer/rendez-vous/deplacer", json={"slot": slots[3]["id"]}).get_json()
    assert moved["ok"] and moved["booking"]["time"] == slots[3]["time"]
    assert client.post("/jouer/rendez-vous/annuler", json={}).get_json()["ok"]
    status = client.get("/jouer/rendez-vous").get_json()
    assert status["booking"] is None and slots[3]["id"] in {s["id"] for s in status["slots"]}
    page = text(client.get("/jouer"))
    banner = page[page.index('id="booking-banner"') :]
    banner = banner[: banner.index("</div>")]
    assert " hidden" in banner and "bk-banner__text" not in banner


def _token(app: Flask, player_id: int) -> str:
    with app.app_context():
        found = db.session.scalar(select(Booking).where(Booking.player_id == player_id))
        assert found is not None
        return found.token


def test_the_manage_link_works_without_signing_in(app: Flask, ready: Setup) -> None:
    """Another browser opens the link: details, .ics; cancelling asks first, then cancels."""
    client, player_id = phone(app, ready, "Ana")
    slot = client.get("/jouer/rendez-vous").get_json()["slots"][2]
    client.post("/jouer/rendez-vous", json={"slot": slot["id"]})
    token = _token(app, player_id)
    other = app.test_client()
    page = other.get(f"/rdv/{token}")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "private, no-store"
    body = text(page)
    assert "lundi 23 mars à 10:00" in body and "Inès Ferrand (démo)" in body
    assert "Une pièce d'identité" in body
    assert other.get(f"/rdv/{token}/invitation.ics").mimetype == "text/calendar"
    confirm = text(other.get(f"/rdv/{token}/annuler"))
    assert "Annuler ce rendez-vous ?" in confirm
    with app.app_context():
        assert booking.upcoming_booking(db.session, player_id) is not None  # asking changed nothing
    done = other.post(f"/rdv/{token}/annuler", follow_redirects=True)
    assert "Rendez-vous annulé" in text(done)
    with app.app_context():
        assert booking.upcoming_booking(db.session, player_id) is None
    assert other.get("/rdv/pas-un-vrai-jeton").status_code == 404


def test_moving_through_the_manage_link(app: Flask, ready: Setup) -> None:
    """The move page lists free slots by day; a taken slot says so and offers others."""
    ana, ana_id = phone(app, ready, "Ana")
    bob, _ = phone(app, ready, "Bob")
    slots = ana.get("/jouer/rendez-vous").get_json()["slots"]
    ana.post("/jouer/rendez-vous", json={"slot": slots[0]["id"]})
    bob.post("/jouer/rendez-vous", json={"slot": slots[1]["id"]})
    token = _token(app, ana_id)
    visitor = app.test_client()
    page = text(visitor.get(f"/rdv/{token}/deplacer"))
    assert "lundi 23 mars" in page and slots[4]["id"] in page and slots[1]["id"] not in page
    taken = visitor.post(f"/rdv/{token}/deplacer", data={"slot": slots[1]["id"]})
    assert taken.status_code == 409 and "Ce créneau vient d'être pris" in text(taken)
    moved = visitor.post(f"/rdv/{token}/deplacer", data={"slot": slots[4]["id"]})
    assert moved.status_code == 302
    with app.app_context():
        found = booking.upcoming_booking(db.session, ana_id)
        assert found is not None and found.moves == 1 and found.token == token


def test_cancelling_by_link_needs_the_csrf_token(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The confirmation form carries a CSRF token; a forged post is refused."""
    app = csrf_app(tmp_path)
    app.config["CLOCK"] = lambda: NOW
    with app.app_context():
        setup = demo_ready(db.session)
    _client, player_id = phone(app, setup, "Ana")
    with app.app_context():
        cohort = db.session.get(Cohort, setup.cohort_id)
        slot = booking.offered(db.session, cohort, NOW, limit=1)[0]
        booking.book(db.session, player_id, slot.id, NOW, lambda t: t)
    token = _token(app, player_id)
    visitor = app.test_client()
    assert visitor.post(f"/rdv/{token}/annuler").status_code == 400
    good = csrf_token(visitor, f"/rdv/{token}/annuler")
    assert visitor.post(f"/rdv/{token}/annuler", data={"csrf_token": good}).status_code == 302


def test_the_counsellor_sees_bookings_and_marks_attendance(app: Flask, ready: Setup) -> None:
    """Cohort page and « mes rendez-vous » list the booking; « venu·e » makes the team celebrate."""
    ana, ana_id = phone(app, ready, "Ana")
    slot = ana.get("/jouer/rendez-vous").get_json()["slots"][2]
    ana.post("/jouer/rendez-vous", json={"slot": slot["id"]})
    phone(app, ready, "Cyd", team=1)
    console, _ = counsellor_of(app, ready)
    with app.app_context():
        slug = db.session.get(Cohort, ready.cohort_id).slug  # type: ignore[union-attr]
        booking_id = db.session.scalar(select(Booking.id).where(Booking.player_id == ana_id))
    page = text(console.get(f"/console/cohortes/{slug}/rendez-vous"))
    assert "Ana" in page and "lundi 23 mars à 10:00" in page and "Cyd" in page
    assert "pas de rendez-vous" in page
    assert page.index("Ana") < page.index("Cyd")  # booked players first
    # Not yet: the appointment has not started.
    early = console.post(
        f"/console/rendez-vous/{booking_id}/presence", data={"attended": "1"}, follow_redirects=True
    )
    assert "pas encore commencé" in text(early)
    app.config["CLOCK"] = lambda: NOW + timedelta(hours=1, minutes=10)
    done = console.post(
        f"/console/rendez-vous/{booking_id}/presence",
        data={"attended": "1", "next": f"/console/cohortes/{slug}/rendez-vous"},
    )
    assert done.status_code == 302 and done.headers["Location"].endswith("/rendez-vous")
    with app.app_context():
        found = db.session.get(Booking, booking_id)
        assert found is not None and found.status is BookingStatus.ATTENDED
        events = db.session.scalars(
            select(TeamEvent.type).where(TeamEvent.team_id == ready.team_ids[0])
        ).all()
        assert events.count("booking.attended") == 1


def test_my_appointments_lists_the_counsellors_own_bookings(app: Flask, ready: Setup) -> None:
    """« Mes rendez-vous » shows a counsellor's upcoming appointments, soonest first."""
    client, _staff_id = counsellor_of(app, ready)
    client.post(
        "/console/disponibilites/reglages",
        data={"slot_minutes": "45", "buffer_minutes": "15", "notice_hours": "0",
              "horizon_days": "14", "place": "Antenne de Joué-lès-Tours"},
    )  # fmt: skip
    client.post(
        "/console/disponibilites/horaires", data={"weekday": "1", "start": "14:00", "end": "17:00"}
    )
    ana, _ = phone(app, ready, "Ana")
    bob, _ = phone(app, ready, "Bob")
    mine = [
        s
        for s in ana.get("/jouer/rendez-vous").get_json()["slots"]
        if s["counsellor"] == "Karim Conseiller"
    ]
    assert [s["time"] for s in mine[:3]] == ["14:00", "15:00", "16:00"]
    assert mine[0]["place"] == "Antenne de Joué-lès-Tours"
    bob.post("/jouer/rendez-vous", json={"slot": mine[1]["id"]})
    ana.post("/jouer/rendez-vous", json={"slot": mine[0]["id"]})
    page = text(client.get("/console/rendez-vous"))
    assert page.index("Ana") < page.index("Bob")
    assert "mardi 24 mars à 14:00" in page


def test_a_counsellor_of_another_cohort_can_neither_see_nor_mark(app: Flask, ready: Setup) -> None:
    """The cohort page is a 404, marking is a 404, and « mes rendez-vous » shows nothing."""
    ana, ana_id = phone(app, ready, "Ana")
    slot = ana.get("/jouer/rendez-vous").get_json()["slots"][0]
    ana.post("/jouer/rendez-vous", json={"slot": slot["id"]})
    outsider, _ = staff_client(app, Role.COUNSELLOR, "Autre Cohorte")
    with app.app_context():
        slug = db.session.get(Cohort, ready.cohort_id).slug  # type: ignore[union-attr]
        booking_id = db.session.scalar(select(Booking.id).where(Booking.player_id == ana_id))
    app.config["CLOCK"] = lambda: NOW + timedelta(minutes=10)
    assert outsider.get(f"/console/cohortes/{slug}/rendez-vous").status_code == 404
    refused = outsider.post(f"/console/rendez-vous/{booking_id}/presence", data={"attended": "1"})
    assert refused.status_code == 404
    assert "Ana" not in text(outsider.get("/console/rendez-vous"))
    with app.app_context():
        found = db.session.get(Booking, booking_id)
        assert found is not None and found.status is BookingStatus.BOOKED
    assert app.test_client().get(f"/console/cohortes/{slug}/rendez-vous").status_code == 302


def test_availability_forms_check_their_input(app: Flask, ready: Setup) -> None:
    """French errors for bad hours and settings; a counsellor cannot delete another's hours."""
    client, _staff_id = counsellor_of(app, ready)
    bad = client.post(
        "/console/disponibilites/horaires", data={"weekday": "2", "start": "12:00", "end": "09:00"}
    )
    assert bad.status_code == 400 and "L'heure de fin doit venir après" in text(bad)
    bad = client.post(
        "/console/disponibilites/reglages",
        data={"slot_minutes": "5", "buffer_minutes": "0", "notice_hours": "0", "horizon_days": "7"},
    )
    assert bad.status_code == 400 and "Durée : un nombre entier de 10 à 240" in text(bad)
    ok = client.post(
        "/console/disponibilites/horaires", data={"weekday": "2", "start": "09:00", "end": "12:00"}
    )
    assert ok.status_code == 302
    overlap = client.post(
        "/console/disponibilites/horaires", data={"weekday": "2", "start": "11:00", "end": "13:00"}
    )
    assert "chevauchent ceux du mercredi" in text(overlap)
    closed = client.post(
        "/console/disponibilites/exceptions", data={"day": "2026-03-25", "kind": "closed"}
    )
    assert closed.status_code == 302
    page = text(client.get("/console/disponibilites"))
    assert "mercredi 25 mars 2026" in page and "fermé toute la journée" in page
    past = client.post(
        "/console/disponibilites/exceptions", data={"day": "2026-03-01", "kind": "closed"}
    )
    assert "Cette date est passée" in text(past)
    with app.app_context():
        demo_rule = booking.rules_of(db.session, ready.staff_id)[0].id
    assert client.post(f"/console/disponibilites/horaires/{demo_rule}/supprimer").status_code == 404
