"""Joining a team from its code, coming back with a personal code, leaving, CSRF."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from tempo import create_app
from tempo.extensions import db
from tempo.infra import db as schema
from tempo.models import Player
from tests.conftest import Demo, make_config


def _join(client: FlaskClient, code: str, pseudonym: str):  # type: ignore[no-untyped-def]
    return client.post(f"/rejoindre/{code}", data={"pseudonym": pseudonym})


def test_join_page_offers_a_generated_pseudonym(client: FlaskClient, demo: Demo) -> None:
    """The join page suggests a pseudonym and says how many places are left, never who is
    there (anyone with the code would read the team's pseudonyms)."""
    demo.join(0, "Yasmine")
    html = client.get(f"/rejoindre/{demo.codes[0]}").get_data(as_text=True)
    assert 'name="pseudonym"' in html
    assert 'value=""' not in html.split('name="pseudonym"')[1].split(">")[0]
    assert "Yasmine" not in html
    assert "Il reste 11 places dans l'équipe." in html.replace("&#39;", "'")
    assert client.get("/pseudo").get_json()["pseudonym"]


def test_joining_signs_the_phone_in_and_opens_the_game(client: FlaskClient, demo: Demo) -> None:
    """A pseudonym is enough: the player lands on the game page with a personal code."""
    response = _join(client, demo.codes[0], "Comète Agile")
    assert response.status_code == 302 and response.headers["Location"].endswith("/jouer")
    page = client.get("/jouer")
    assert page.status_code == 200
    with demo.app.app_context():
        player = db.session.query(Player).filter_by(pseudonym="Comète Agile").one()
        assert len(player.rejoin_code) == 8
        assert player.team_id == demo.team_ids[0]
    assert player.rejoin_code in page.get_data(as_text=True)
    svg = client.get("/jouer/carte.svg")
    assert svg.mimetype == "image/svg+xml" and b"<svg" in svg.data


def test_insults_and_taken_pseudonyms_are_refused(client: FlaskClient, demo: Demo) -> None:
    """An offensive or already-taken pseudonym gets a clear French message; nothing is created."""
    demo.join(0, "Léa")
    for bad in ("Connard", "gros  CONNARD", "Sale-Pute", "x"):
        response = _join(client, demo.codes[0], bad)
        assert response.status_code == 400, bad
        assert 'role="alert"' in response.get_data(as_text=True)
    taken = _join(client, demo.codes[0], "léa")
    assert "déjà pris" in taken.get_data(as_text=True)
    with demo.app.app_context():
        assert db.session.query(Player).count() == 1


def test_a_thirteenth_player_is_refused(client: FlaskClient, demo: Demo) -> None:
    """A team of 12 refuses one more with a clear message."""
    for n in range(12):
        demo.join(0, f"Joueur {n}")
    page = client.get(f"/rejoindre/{demo.codes[0]}").get_data(as_text=True)
    assert "est complète (12 joueurs)" in page
    response = _join(client, demo.codes[0], "Treizième")
    assert response.status_code == 400
    assert "est complète" in response.get_data(as_text=True)
    with demo.app.app_context():
        assert db.session.query(Player).filter_by(team_id=demo.team_ids[0]).count() == 12


def test_personal_code_restores_the_player_on_another_phone(
    app: Flask, client: FlaskClient, demo: Demo
) -> None:
    """The rejoin code (typed or scanned) restores the same player; a wrong one is explained."""
    code = demo.join(1, "Nour")
    other_phone = app.test_client()
    typed = other_phone.post("/retour", data={"rejoin": code.lower()[:4] + " " + code[4:]})
    assert typed.status_code == 302
    assert "Nour" in other_phone.get("/jouer").get_data(as_text=True)
    # The scanned QR opens a link: it asks first, and only the confirmation's POST switches.
    scanning = app.test_client()
    asked = scanning.get(f"/retour/{code}")
    assert asked.status_code == 200
    assert "Tu vas continuer en tant que Nour" in asked.get_data(as_text=True)
    assert scanning.get("/jouer").status_code == 302  # nothing switched yet
    assert scanning.post("/retour", data={"rejoin": code}).status_code == 302
    assert "Nour" in scanning.get("/jouer").get_data(as_text=True)
    wrong = app.test_client().post("/retour", data={"rejoin": "ZZZZ2222"})
    assert wrong.status_code == 404
    assert "Ce code personnel n&#39;existe pas" in wrong.get_data(as_text=True)


def test_leaving_forgets_the_phone_but_not_the_player(client: FlaskClient, demo: Demo) -> None:
    """After « Quitter », the game page sends back home; the player still exists."""
    _join(client, demo.codes[0], "Sacha")
    client.post("/jouer/quitter")
    assert client.get("/jouer").status_code == 302
    with demo.app.app_context():
        assert db.session.query(Player).filter_by(pseudonym="Sacha").count() == 1


def test_game_page_without_a_player_sends_home(client: FlaskClient) -> None:
    """Opening /jouer on a new phone explains how to join."""
    response = client.get("/jouer", follow_redirects=True)
    assert "Rejoins d&#39;abord ton équipe" in response.get_data(as_text=True)


def test_forms_refuse_requests_without_csrf_token(tmp_path: Path) -> None:
    """With CSRF on (the default outside tests), a forged form post is refused."""
    cfg = make_config(tmp_path)
    cfg.extra["WTF_CSRF_ENABLED"] = True
    app = create_app(cfg)
    with app.app_context():
        schema.upgrade(db.engine)
    demo = Demo(app)
    response = app.test_client().post(f"/rejoindre/{demo.codes[0]}", data={"pseudonym": "Zoé"})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.query(Player).count() == 0
