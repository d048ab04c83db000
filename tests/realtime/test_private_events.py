"""Appointment reminders reach the player's own phones only; an erased player is disconnected."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask

from tempo.extensions import db
from tempo.jobs import folders_of
from tempo.models import Cohort
from tempo.realtime.owners import owners, player_owner
from tempo.realtime.publish import PLAY, disconnect, publish
from tempo.services.booking import appointments as booking
from tempo.services.play.players import join_team
from tempo.services.privacy.erasure import erase_player
from tests.booking_kit import NOW, demo_ready, manage_url
from tests.realtime.helpers import NS, connect


def test_a_reminder_goes_to_the_players_room_only(app: Flask) -> None:
    with app.app_context():
        setup = demo_ready(db.session)
        ana = join_team(db.session, setup.team_ids[0], "Ana", NOW).player
        bob = join_team(db.session, setup.team_ids[0], "Bob", NOW).player
        codes = ana.rejoin_code, bob.rejoin_code
        ana_id = ana.id
        cohort = db.session.get(Cohort, setup.cohort_id)
        slot = next(
            s for s in booking.offered(db.session, cohort, NOW) if s.start > NOW + timedelta(days=2)
        )
        booking.book(db.session, ana_id, slot.id, NOW, manage_url)
    phone_ana, phone_bob = connect(app, codes[0]), connect(app, codes[1])
    phone_ana.get_received(NS)
    phone_bob.get_received(NS)
    with app.app_context():
        publish(booking.send_reminders(db.session, slot.start - timedelta(hours=24)))
    got_ana = phone_ana.get_received(NS)
    got_bob = phone_bob.get_received(NS)
    assert [(e["name"], e["args"][0]) for e in got_ana] == [
        ("player.event", {"type": "booking.reminder", "player": ana_id, "when": "day"})
    ]
    assert got_bob == []


def test_erasing_a_player_closes_their_sockets(app: Flask) -> None:
    with app.app_context():
        setup = demo_ready(db.session)
        ana = join_team(db.session, setup.team_ids[0], "Ana", NOW).player
        bob = join_team(db.session, setup.team_ids[0], "Bob", NOW).player
        codes, ana_id = (ana.rejoin_code, bob.rejoin_code), ana.id
    phone_ana, phone_bob = connect(app, codes[0]), connect(app, codes[1])
    phone_bob.get_received(NS)
    with app.app_context():
        erased = erase_player(db.session, ana_id, folders_of(app), NOW)
        disconnect(owners.sids(player_owner(ana_id)), PLAY)
        publish(erased.broadcasts)
    assert not phone_ana.is_connected(NS)
    assert phone_bob.is_connected(NS)
    events = [e["args"][0] for e in phone_bob.get_received(NS) if e["name"] == "team.event"]
    assert [e["type"] for e in events] == ["player.erased"]
    assert connect_refused(app, codes[0])


def connect_refused(app: Flask, code: str) -> bool:
    from tempo.extensions import socketio

    client = socketio.test_client(app, namespace=NS, auth={"rejoin": code})
    return not client.is_connected(NS)
