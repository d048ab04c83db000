"""Counsellors' messages: kept, replayed to phones that were away, read receipts in the console."""

from __future__ import annotations

import html
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tempo.extensions import db
from tempo.models import Message, MessageRead, Player, Role
from tempo.services.cohorts import messages
from tests.conftest import Demo
from tests.realtime.helpers import NS, call, connect
from tests.web.console_kit import staff_client, text
from tests.web.test_dashboard import BOARD, CONSOLE, console_socket, notices


@pytest.fixture
def admin(app: Flask, demo: Demo) -> FlaskClient:
    """An administrator's browser (administrators see every cohort, the demo included)."""
    return staff_client(app, Role.ADMIN)[0]


SEND = "/console/cohortes/demo/message"


def _reads(app: Flask, pseudonym: str) -> list[int]:
    with app.app_context():
        player = db.session.query(Player).filter_by(pseudonym=pseudonym).one()
        return sorted(
            r.message_id for r in db.session.query(MessageRead).filter_by(player_id=player.id)
        )


def _console_reads(admin_client: FlaskClient) -> list[str]:
    page = text(admin_client.get(BOARD))
    return [
        " ".join(html.unescape(re.sub(r"<[^>]+>", "", m)).split())
        for m in re.findall(r'class="c-message__reads muted">(.*?)</p>', page, re.S)
    ]


def test_a_phone_away_finds_the_message_in_its_inbox_and_the_console_sees_who_read_it(
    app: Flask, admin: FlaskClient, demo: Demo
) -> None:
    """Sent while Bob was offline: after connecting he reads it; « lu par Bob » in the console."""
    alice = connect(app, demo.join(0, "Alice"))
    bob_code = demo.join(0, "Bob")
    demo.join(1, "Chloé")
    alice.get_received(NS)
    admin.post(SEND, data={"team": str(demo.team_ids[0]), "message": "Rendez-vous à 14 h."})
    live = notices(alice)
    assert [n["message"] for n in live] == ["Rendez-vous à 14 h."]
    assert live[0]["id"] and live[0]["at_label"] and live[0]["scope"] == "team"
    assert _console_reads(admin) == ["Pas encore lu par Alice, Bob"]

    bob = connect(app, bob_code)
    inbox = call(bob, "inbox", {})
    assert inbox["ok"] and inbox["title"] == "Messages d'Inès"
    assert [m["message"] for m in inbox["messages"]] == ["Rendez-vous à 14 h."]
    assert inbox["unread"] == 1 and inbox["messages"][0]["read"] is False
    assert re.fullmatch(r"\w+ \d+ \w+ à \d\d:\d\d", inbox["messages"][0]["at_label"])

    dash = console_socket(app, admin)
    dash.get_received(CONSOLE)
    first = call(bob, "inbox.read", {"messages": [m["id"] for m in inbox["messages"]]})
    assert first == {"ok": True, "read": [inbox["messages"][0]["id"]]}
    assert [e["name"] for e in dash.get_received(CONSOLE)] == ["message.read"]
    # Idempotent: opening the inbox again changes nothing and tells no one.
    assert call(bob, "inbox.read", {"messages": [inbox["messages"][0]["id"]]})["read"] == []
    assert dash.get_received(CONSOLE) == []
    assert call(bob, "inbox", {})["unread"] == 0
    assert _console_reads(admin) == ["Lu par Bob · pas encore lu par Alice"]
    for client in (alice, bob, dash):
        client.disconnect(namespace=NS if client is not dash else CONSOLE)


def test_messages_reach_only_their_recipients(app: Flask, admin: FlaskClient, demo: Demo) -> None:
    """A team's message stays in its team, a cohort's reaches every inbox; foreign ids ignored."""
    alice = connect(app, demo.join(0, "Alice"))
    chloe = connect(app, demo.join(1, "Chloé"))
    admin.post(SEND, data={"team": str(demo.team_ids[0]), "message": "Pour les premiers."})
    admin.post(SEND, data={"team": "", "message": "Pause à midi."})
    alice_box = call(alice, "inbox", {})["messages"]
    chloe_box = call(chloe, "inbox", {})["messages"]
    assert [m["message"] for m in alice_box] == ["Pause à midi.", "Pour les premiers."]
    assert [m["message"] for m in chloe_box] == ["Pause à midi."]
    team_only = alice_box[1]["id"]
    assert call(chloe, "inbox.read", {"messages": [team_only, "x", True]})["read"] == []
    assert _reads(app, "Chloé") == []
    assert call(chloe, "inbox.read", {})["error"]["code"] == "invalid_request"
    assert call(chloe, "inbox.read", {"messages": ["x", True]}) == {"ok": True, "read": []}
    assert "toute la cohorte" in text(admin.get(BOARD))
    too_long = admin.post(SEND, data={"message": "x" * 501}, follow_redirects=True)
    assert "dépasse 500 caractères" in text(too_long)
    with app.app_context():
        assert db.session.query(Message).count() == 2
    alice.disconnect(namespace=NS)
    chloe.disconnect(namespace=NS)


def test_inbox_title_falls_back_without_a_counsellor_character(app: Flask, demo: Demo) -> None:
    """No `counsellor` in the scenario: the neutral title."""
    from tempo.models import Cohort
    from tempo.services.content import games

    with app.app_context():
        cohort = db.session.get(Cohort, demo.cohort_id)
        assert cohort is not None
        assert messages.inbox_title(cohort) == "Messages d'Inès"
        game = games.cohort_game(cohort)
        meta = game.scenario.meta
        object.__setattr__(meta, "counsellor", None)
        try:
            assert messages.inbox_title(cohort) == messages.DEFAULT_TITLE
        finally:
            object.__setattr__(meta, "counsellor", "ines")
