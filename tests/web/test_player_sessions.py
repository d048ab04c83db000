"""Player sessions live on the server and can be ended (Tempo issue 13, item 3).

Each test is the regression test of one finding: before, the signed cookie named the player for
30 days whatever happened, the rejoin code could never change, and a link to /retour/<code>
switched the phone that opened it.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from flask_socketio import SocketIOTestClient

from tempo.extensions import db, socketio
from tempo.models import Player, PlayerSession, Role, ShardEntry, Team
from tests.conftest import Demo
from tests.realtime.helpers import NS
from tests.web.console_kit import csrf_app, csrf_token, staff_client, text

BOARD = "/console/cohortes/demo/tableau"


def _join(app: Flask, demo: Demo, pseudonym: str, team: int = 0) -> FlaskClient:
    phone = app.test_client()
    response = phone.post(f"/rejoindre/{demo.codes[team]}", data={"pseudonym": pseudonym})
    assert response.status_code == 302, text(response)
    return phone


def _cookie(phone: FlaskClient) -> str:
    cookie = phone.get_cookie("session")
    assert cookie is not None
    return cookie.value


def _with_cookie(app: Flask, value: str) -> FlaskClient:
    """Another browser replaying a copied session cookie (a stolen or kept one)."""
    thief = app.test_client()
    thief.set_cookie("session", value)
    return thief


def _signed_in(phone: FlaskClient) -> bool:
    return phone.get("/jouer").status_code == 200


def _player(app: Flask, pseudonym: str) -> Player:
    with app.app_context():
        player = db.session.query(Player).filter_by(pseudonym=pseudonym).one()
        db.session.expunge(player)
        return player


def _socket(app: Flask, phone: FlaskClient) -> SocketIOTestClient:
    """The play page's socket, authenticated by the phone's cookie."""
    client = socketio.test_client(app, namespace=NS, flask_test_client=phone)
    assert client.is_connected(NS)
    return client


def test_quitting_ends_the_session_even_for_a_kept_copy_of_the_cookie(
    app: Flask, demo: Demo
) -> None:
    """« Quitter » revokes the session server-side: the same cookie replayed is a stranger."""
    phone = _join(app, demo, "Léa")
    kept = _cookie(phone)
    assert _signed_in(_with_cookie(app, kept))
    phone.post("/jouer/quitter")
    assert not _signed_in(phone)
    assert not _signed_in(_with_cookie(app, kept))
    with app.app_context():
        row = db.session.query(PlayerSession).one()
        assert row.revoked_at is not None
    refused = socketio.test_client(app, namespace=NS, flask_test_client=_with_cookie(app, kept))
    assert not refused.is_connected(NS)


def test_changing_ones_code_from_the_phone_ends_the_other_phones(app: Flask, demo: Demo) -> None:
    """« Changer mon code personnel »: the old code stops, other sessions end, this one stays."""
    phone = _join(app, demo, "Léa")
    old_code = _player(app, "Léa").rejoin_code
    lost_card = app.test_client()
    assert lost_card.post("/retour", data={"rejoin": old_code}).status_code == 302
    stolen_socket = _socket(app, lost_card)
    own_socket = _socket(app, phone)

    response = phone.post("/jouer/nouveau-code", follow_redirects=True)
    new_code = _player(app, "Léa").rejoin_code
    assert new_code != old_code
    assert f"Ton nouveau code personnel est {new_code}" in text(response)
    assert _signed_in(phone)
    assert not _signed_in(lost_card)
    assert not stolen_socket.is_connected(NS)  # closed by the server, and cannot come back
    assert not socketio.test_client(app, namespace=NS, flask_test_client=lost_card).is_connected(NS)
    assert not own_socket.is_connected(NS)  # every socket of the player was closed…
    assert _socket(app, phone).is_connected(NS)  # …and this phone's reconnects at once
    assert app.test_client().post("/retour", data={"rejoin": old_code}).status_code == 404
    assert app.test_client().post("/retour", data={"rejoin": new_code}).status_code == 302


def test_a_counsellor_gives_a_new_code_and_every_session_ends(app: Flask, demo: Demo) -> None:
    """From the console (lost card): the old code and every phone of the player stop."""
    phone = _join(app, demo, "Léa")
    socket = _socket(app, phone)
    old_code, player_id = _player(app, "Léa").rejoin_code, _player(app, "Léa").id
    admin, _ = staff_client(app, Role.ADMIN)
    board = text(admin.get(BOARD))
    assert "Nouveau code personnel pour Léa" in board
    response = admin.post(
        "/console/cohortes/demo/nouveau-code", data={"player": player_id}, follow_redirects=True
    )
    new_code = _player(app, "Léa").rejoin_code
    assert f"Nouveau code personnel : {new_code}" in text(response)
    assert new_code != old_code
    assert not _signed_in(phone)
    assert not socket.is_connected(NS)
    assert app.test_client().post("/retour", data={"rejoin": old_code}).status_code == 404


def test_a_rejoin_link_asks_before_switching_the_phone(tmp_path: Path) -> None:
    """Login CSRF: opening /retour/<code> (a link sent by someone) switches nothing; only the
    confirmation form's POST, with this site's CSRF token, does."""
    app = csrf_app(tmp_path)
    demo = Demo(app)
    victim = app.test_client()
    token = csrf_token(victim, f"/rejoindre/{demo.codes[0]}")
    victim.post(f"/rejoindre/{demo.codes[0]}", data={"pseudonym": "Inès", "csrf_token": token})
    attacker_code = demo.join(1, "Léa")

    page = victim.get(f"/retour/{attacker_code}")
    assert page.status_code == 200
    html = text(page)
    assert "Tu vas continuer en tant que Léa (équipe" in html
    assert "C&#39;est bien toi ?" in html or "C'est bien toi ?" in html
    assert "Inès" in text(victim.get("/jouer"))  # still Inès
    # A forged form from another site has no token: refused, still Inès.
    assert victim.post("/retour", data={"rejoin": attacker_code}).status_code == 400
    assert "Inès" in text(victim.get("/jouer"))
    # The confirmation's own form switches.
    token = csrf_token(victim, f"/retour/{attacker_code}")
    switched = victim.post("/retour", data={"rejoin": attacker_code, "csrf_token": token})
    assert switched.status_code == 302
    assert "Léa" in text(victim.get("/jouer"))


def test_removing_a_player_ends_their_sessions_and_keeps_the_teams_credit(
    app: Flask, demo: Demo
) -> None:
    """The console removes a player (with confirmation): their phone is signed out and its
    socket closed; what the team earned stays."""
    phone = _join(app, demo, "Bot 1")
    socket = _socket(app, phone)
    player = _player(app, "Bot 1")
    with app.app_context():
        team = db.session.get(Team, player.team_id)
        assert team is not None
        shards_before = team.shards
        db.session.add(ShardEntry(team_id=team.id, player_id=player.id, amount=3, reason="mission"))
        db.session.commit()
    admin, _ = staff_client(app, Role.ADMIN)
    board = text(admin.get(BOARD))
    assert "Retirer Bot 1 de l’équipe" in board
    assert "data-confirm" in board
    response = admin.post(
        "/console/cohortes/demo/retirer", data={"player": player.id}, follow_redirects=True
    )
    assert "Joueur retiré de son équipe." in text(response)
    assert not _signed_in(phone)
    assert not socket.is_connected(NS)
    with app.app_context():
        assert db.session.get(Player, player.id) is None
        assert db.session.query(PlayerSession).count() == 0
        team = db.session.get(Team, player.team_id)
        assert team is not None and team.shards == shards_before
        entry = db.session.query(ShardEntry).filter_by(reason="mission").one()
        assert entry.player_id is None and entry.amount == 3  # the credit stays, unnamed
