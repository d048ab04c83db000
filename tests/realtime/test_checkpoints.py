"""QR checkpoints: signed tokens bound to a cohort and a checkpoint, short codes, refusals."""

from __future__ import annotations

from datetime import date

from flask import Flask

from tempo.extensions import db
from tempo.models import Cohort, utcnow
from tempo.services.cohorts.admin import create_cohort
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
    phone.get(f"/retour/{demo.join(0, pseudonym)}")
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
    again = phone.get(f"/q/{token}")
    assert again.status_code == 400
    assert "déjà scanné cette balise" in again.get_data(as_text=True)


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
