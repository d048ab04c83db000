"""Membership changes take effect at once: a moved phone, a counsellor's ended access."""

from __future__ import annotations

import time

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tempo.extensions import db
from tempo.models import Player, Role
from tests.conftest import Demo
from tests.realtime.helpers import NS, connect, solve_badge, team_events
from tests.web.console_kit import add_staff, email_of, login, staff_client
from tests.web.test_dashboard import CONSOLE, assign, console_socket


@pytest.fixture
def admin(app: Flask, demo: Demo) -> FlaskClient:
    """An administrator's browser (administrators see every cohort, the demo included)."""
    return staff_client(app, Role.ADMIN)[0]


def _player_id(app: Flask, pseudonym: str) -> int:
    with app.app_context():
        return db.session.query(Player).filter_by(pseudonym=pseudonym).one().id


def test_a_moved_player_hears_only_the_new_team(app: Flask, admin: FlaskClient, demo: Demo) -> None:
    """After « déplacer », an event of the old team does not reach Lina; one of the new does."""
    alice = connect(app, demo.join(0, "Alice"))
    lina_code = demo.join(0, "Lina")
    lina = connect(app, lina_code)
    chloe = connect(app, demo.join(1, "Chloé"))
    for phone in (alice, lina, chloe):
        phone.get_received(NS)
    admin.post(
        "/console/cohortes/demo/deplacer",
        data={"player": str(_player_id(app, "Lina")), "team": str(demo.team_ids[1])},
    )
    # The moved phone heard it, then the server ended its connection (out of the old rooms).
    assert not lina.is_connected(NS)
    heard = [e["args"][0]["type"] for e in lina.queue if e["name"] == "team.event"]
    assert heard == ["player.moved"]
    presence = [e["args"][0] for e in alice.get_received(NS) if e["name"] == "presence"]
    assert presence and _player_id(app, "Lina") not in presence[-1]["online"]

    back = connect(app, lina_code)  # the phone reconnects, into its new team's rooms
    back.get_received(NS)
    solve_badge(alice)
    assert team_events(back) == []
    solve_badge(chloe)
    assert [e["type"] for e in team_events(back)][:1] == ["mission.completed"]
    for phone in (alice, back, chloe):
        phone.disconnect(namespace=NS)


def test_ended_access_closes_the_console_at_once(
    app: Flask, admin: FlaskClient, demo: Demo
) -> None:
    """Deactivation, a password reset and removal from the cohort each close the dashboard."""
    counsellor, account_id = staff_client(app, Role.COUNSELLOR)
    assign(app, account_id, demo.cohort_id)
    colleague = add_staff(app, Role.COUNSELLOR)  # the cohort keeps a counsellor

    def ends(action: object) -> None:
        dash = console_socket(app, counsellor)
        assert dash.is_connected(CONSOLE)
        watching = console_socket(app, admin)  # another account's dashboard stays open
        started = time.monotonic()
        action()  # type: ignore[operator]
        assert not dash.is_connected(CONSOLE)
        assert time.monotonic() - started < 1
        assert watching.is_connected(CONSOLE)
        watching.disconnect(namespace=CONSOLE)

    ends(
        lambda: admin.post(
            f"/console/comptes/{account_id}/mot-de-passe", data={"password": "tout-nouveau-mdp-1"}
        )
    )
    login(counsellor, email_of(app, account_id), "tout-nouveau-mdp-1")
    ends(
        lambda: admin.post(
            "/console/cohortes/demo/modifier",
            data={"name": "Promo démo", "counsellors": [str(colleague)]},
        )
    )
    assign(app, account_id, demo.cohort_id)
    ends(lambda: admin.post(f"/console/comptes/{account_id}/activation", data={"active": "0"}))
    refused = console_socket(app, counsellor)
    assert not refused.is_connected(CONSOLE)
