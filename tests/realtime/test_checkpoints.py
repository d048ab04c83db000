"""QR checkpoints: signed tokens bound to a cohort and a checkpoint, short codes, refusals."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from sqlalchemy import select

from tempo.extensions import db
from tempo.models import Cohort, MissionProgress, Player, utcnow
from tempo.services.cohorts.admin import create_cohort
from tempo.services.content import games
from tempo.services.play import checkpoints
from tests.conftest import Demo
from tests.realtime.helpers import NS, call, connect, first_of_type, team_events

SECRET = "test-secret"


def _open_day(app: Flask, cohort_id: int, number: int) -> None:
    with app.app_context():
        cohort = db.session.get(Cohort, cohort_id)
        assert cohort is not None
        cohort.days[number - 1].unlocked_at = utcnow()
        db.session.commit()


def _signed_in(app: Flask, demo: Demo, pseudonym: str):  # type: ignore[no-untyped-def]
    phone = app.test_client()
    phone.post("/retour", data={"rejoin": demo.join(0, pseudonym)})
    return phone


def test_scanning_a_checkpoint_validates_it_for_the_team(app: Flask, demo: Demo) -> None:
    """The camera app opens /q/<token>: the checkpoint counts for the scanner's team, live."""
    mission = first_of_type("qr-checkpoint", day=6)
    checkpoint = mission.params["checkpoints"][0]["id"]
    _open_day(app, demo.cohort_id, 6)
    phone = _signed_in(app, demo, "Inès")
    teammate = connect(app, demo.join(0, "Malo"))
    teammate.get_received(NS)
    token = checkpoints.sign(SECRET, demo.cohort_id, checkpoint)
    response = phone.get(f"/q/{token}")
    assert response.status_code == 302 and response.headers["Location"].endswith("/jouer")
    events = team_events(teammate)
    assert any(e["type"] == "checkpoint.scanned" and e["checkpoint"] == checkpoint for e in events)
    view = call(teammate, "view", {"mission": mission.id})["mission"]
    assert view["play"]["checkpoints"][0]["scanned"] is True
    # Scanned again: not an error page but the mission (see test_repeated_scan_…).
    again = phone.get(f"/q/{token}")
    assert again.status_code == 302 and again.headers["Location"].endswith(f"?mission={mission.id}")


def test_the_first_scan_after_a_restart_validates_the_checkpoint(app: Flask, demo: Demo) -> None:
    """A server just started has parsed no scenario yet: the first scan reads it and counts."""
    mission = first_of_type("qr-checkpoint", day=6)
    checkpoint = mission.params["checkpoints"][0]["id"]
    _open_day(app, demo.cohort_id, 6)
    phone = _signed_in(app, demo, "Inès")
    games.forget_all()  # what a restarted process holds: no game parsed
    response = phone.get(f"/q/{checkpoints.sign(SECRET, demo.cohort_id, checkpoint)}")
    assert response.status_code == 302 and response.headers["Location"].endswith("/jouer")
    with app.app_context():
        state = db.session.scalar(
            select(MissionProgress.state).where(MissionProgress.mission_id == mission.id)
        )
    assert state is not None and checkpoint in state["scanned"]


def test_forged_token_is_refused(app: Flask, demo: Demo) -> None:
    """A token not signed by this server is refused with a clear message."""
    phone = _signed_in(app, demo, "Inès")
    forged = checkpoints.sign("another-secret", demo.cohort_id, "cp-d06-mediatheque")
    response = phone.get(f"/q/{forged}")
    assert response.status_code == 400
    assert "pas un code Tempo valide" in response.get_data(as_text=True)
    assert phone.get("/q/n-importe-quoi").status_code == 400


def test_other_cohorts_token_is_refused(app: Flask, demo: Demo) -> None:
    """A genuine token of another cohort does not count for this team."""
    with app.app_context():
        cohort = db.session.get(Cohort, demo.cohort_id)
        assert cohort is not None
        other = create_cohort(
            db.session,
            cohort.scenario_version,
            slug="autre",
            name="Autre promo",
            start=date(2026, 1, 5),
            team_names=["Zèbres"],
        )
        db.session.commit()
        other_id = other.id
    _open_day(app, demo.cohort_id, 6)
    phone = _signed_in(app, demo, "Inès")
    token = checkpoints.sign(SECRET, other_id, "cp-d06-mediatheque")
    response = phone.get(f"/q/{token}")
    assert response.status_code == 400
    assert "autre promotion" in response.get_data(as_text=True)


def test_checkpoint_of_a_closed_day_waits_for_its_day(app: Flask, demo: Demo) -> None:
    """Scanning before the urban day opens says the mission is not available yet."""
    phone = _signed_in(app, demo, "Inès")
    token = checkpoints.sign(SECRET, demo.cohort_id, "cp-d06-mediatheque")
    response = phone.get(f"/q/{token}")
    assert response.status_code == 400
    assert "pas encore disponible" in response.get_data(as_text=True)


def test_scanning_without_a_player_explains_what_to_do(app: Flask, demo: Demo) -> None:
    """A phone that never joined is told to join its team first."""
    token = checkpoints.sign(SECRET, demo.cohort_id, "cp-d06-mediatheque")
    response = app.test_client().get(f"/q/{token}")
    assert response.status_code == 401
    assert "Rejoins d&#39;abord ton équipe" in response.get_data(as_text=True)


def test_typed_short_code_is_the_fallback(app: Flask, demo: Demo) -> None:
    """The six characters under the QR code validate the same checkpoint; wrong ones are refused."""
    _open_day(app, demo.cohort_id, 6)
    phone = _signed_in(app, demo, "Inès")
    code = checkpoints.short_code(SECRET, demo.cohort_id, "cp-d06-mediatheque")
    ok = phone.post("/jouer/balise", json={"code": code.lower()[:3] + " " + code[3:]})
    assert ok.status_code == 200 and ok.get_json()["ok"] is True
    wrong = phone.post("/jouer/balise", json={"code": "AAAAAA"})
    assert wrong.status_code == 400
    assert wrong.get_json()["error"]["code"] == "wrong_checkpoint"
    foreign = checkpoints.short_code(SECRET, demo.cohort_id + 99, "cp-d06-mediatheque")
    assert phone.post("/jouer/balise", json={"code": foreign}).status_code == 400


def test_team_qr_and_personal_qr_are_svg(app: Flask, demo: Demo) -> None:
    """Team join codes and personal rejoin codes are served as QR SVG images."""
    assert b"<svg" in app.test_client().get(f"/equipe/{demo.codes[0]}/qr.svg").data
    assert app.test_client().get("/equipe/ZZZZZZ/qr.svg").status_code == 404


def test_repeated_scan_shows_the_mission_and_who_validated_it(app: Flask, demo: Demo) -> None:
    """A teammate scanning a poster the team has validated gets « déjà validée par X », not an
    error: HTTP 200 on the game page, which opens the mission and its story."""
    mission = first_of_type("qr-checkpoint", day=6)
    checkpoint = mission.params["checkpoints"][0]
    _open_day(app, demo.cohort_id, 6)
    first, second = _signed_in(app, demo, "Inès"), _signed_in(app, demo, "Malo")
    token = checkpoints.sign(SECRET, demo.cohort_id, checkpoint["id"])
    assert first.get(f"/q/{token}").status_code == 302
    again = second.get(f"/q/{token}", follow_redirects=True)
    assert again.status_code == 200
    page = again.get_data(as_text=True)
    assert f"« {checkpoint['label']} » : déjà validée par Inès." in page
    assert again.request.args["mission"] == mission.id
    # The mission says who validated each checkpoint.
    teammate = connect(app, demo.join(0, "Zoé"))
    view = call(teammate, "view", {"mission": mission.id})["mission"]["play"]
    with app.app_context():
        ines = db.session.query(Player).filter_by(pseudonym="Inès").one().id
    assert view["checkpoints"][0]["by"] == str(ines) and view["checkpoints"][1]["by"] is None
    # The same answer for the code typed in the mission, as JSON.
    code = checkpoints.short_code(SECRET, demo.cohort_id, checkpoint["id"])
    typed = second.post("/jouer/balise", json={"code": code})
    assert typed.status_code == 200
    body = typed.get_json()
    assert body["ok"] is True and body["already"] is True and body["mission"] == mission.id
    assert "déjà validée par Inès" in body["message"]


@pytest.mark.parametrize("typed", ["{low3} {low4}", "{up3}-{up4}", " {up3} - {low4} "])
def test_typed_short_code_accepts_spaces_dashes_and_lower_case(
    app: Flask, demo: Demo, typed: str
) -> None:
    """« azm ndg », « AZM-NDG »: typed as printed on the poster (with its space) or not."""
    _open_day(app, demo.cohort_id, 6)
    phone = _signed_in(app, demo, "Inès")
    code = checkpoints.short_code(SECRET, demo.cohort_id, "cp-d06-mediatheque")
    halves = {"low3": code[:3].lower(), "low4": code[3:].lower(), "up3": code[:3], "up4": code[3:]}
    ok = phone.post("/jouer/balise", json={"code": typed.format(**halves)})
    assert ok.status_code == 200 and ok.get_json()["ok"] is True
    assert "already" not in ok.get_json()


def test_team_and_rejoin_codes_accept_spaces_dashes_and_lower_case(app: Flask, demo: Demo) -> None:
    """The join code and the personal code, typed in lower case with a space or a dash."""
    join = demo.codes[0]
    assert app.test_client().get(f"/rejoindre/{join[:3].lower()} {join[3:]}").status_code == 200
    assert app.test_client().get(f"/rejoindre/{join[:3]}-{join[3:].lower()}").status_code == 200
    rejoin = demo.join(0, "Inès")
    phone = app.test_client()
    response = phone.post("/retour", data={"rejoin": f"{rejoin[:4].lower()}-{rejoin[4:]}"})
    assert response.status_code == 302
    form = app.test_client()
    page = form.get("/")
    token = page.get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]
    posted = form.post(
        "/retour", data={"rejoin": f"{rejoin[:4]} {rejoin[4:].lower()}", "csrf_token": token}
    )
    assert posted.status_code == 302
