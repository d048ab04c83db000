"""The room's screen: who may open it, what it shows in each phase, its QR codes."""

from __future__ import annotations

from flask import Flask

from tempo.extensions import db
from tempo.models import Cohort, CohortStatus, Role
from tests.conftest import Demo
from tests.web.console_kit import staff_client, text
from tests.web.test_dashboard import assign

SCREEN = "/console/cohortes/demo/ecran"


def test_anonymous_visitors_are_sent_to_the_login(app: Flask, demo: Demo) -> None:
    """No staff session: the screen, its live part and its QR codes lead to the login page."""
    client = app.test_client()
    for url in (SCREEN, f"{SCREEN}/etat", f"{SCREEN}/equipes/{demo.team_ids[0]}/qr.svg"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/console/connexion" in response.headers["Location"]


def test_another_cohorts_counsellor_gets_a_404(app: Flask, demo: Demo) -> None:
    """Same rule as the dashboard: only the cohort's counsellors (and administrators)."""
    client, account = staff_client(app, Role.COUNSELLOR)
    for url in (SCREEN, f"{SCREEN}/etat", f"{SCREEN}/equipes/{demo.team_ids[0]}/qr.svg"):
        assert client.get(url).status_code == 404, url
    assign(app, account, demo.cohort_id)
    page = client.get(SCREEN)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"


def test_qr_codes_are_served_per_team_of_the_cohort(app: Flask, demo: Demo) -> None:
    """Each team's join QR code is an SVG; a team of no cohort of this slug is a 404."""
    client, _ = staff_client(app, Role.ADMIN)
    bodies = set()
    for team_id in demo.team_ids:
        response = client.get(f"{SCREEN}/equipes/{team_id}/qr.svg")
        assert response.status_code == 200
        assert response.mimetype == "image/svg+xml"
        assert response.data.lstrip().startswith(b"<?xml") or b"<svg" in response.data
        bodies.add(response.data)
    assert len(bodies) == 2  # two join URLs, two codes
    assert client.get(f"{SCREEN}/equipes/999999/qr.svg").status_code == 404


def test_the_screen_shows_play_codes_and_pause(app: Flask, demo: Demo) -> None:
    """Day 1 open: the play, with the join codes ready for late arrivals; paused: the pause."""
    demo.join(0, "Lina")
    client, _ = staff_client(app, Role.ADMIN)
    page = text(client.get(SCREEN))
    assert 'data-phase="play"' in page and "Jour 1" in page and "Force de KRONOS" in page
    for name, code in zip(demo.names, demo.codes, strict=True):
        assert name in page and code in page
    assert "1 joueur arrivé" in page and "Lina a rejoint l’équipe" in page
    assert "Pas encore de message." in page
    assert "js/projector.js" in page and "<script>" not in page and 'style="' not in page
    with app.app_context():
        cohort = db.session.get(Cohort, demo.cohort_id)
        assert cohort is not None
        cohort.status = CohortStatus.PAUSED
        db.session.commit()
    part = text(client.get(f"{SCREEN}/etat"))
    assert 'data-phase="paused"' in part and "Pause" in part and "KRONOS" not in part


def test_a_cohort_without_an_open_day_shows_the_arrivals(app: Flask, demo: Demo) -> None:
    """Before day 1 opens, the screen is the join codes only."""
    with app.app_context():
        cohort = db.session.get(Cohort, demo.cohort_id)
        assert cohort is not None
        for day in cohort.days:
            day.unlocked_at = None
        db.session.commit()
    client, _ = staff_client(app, Role.ADMIN)
    part = text(client.get(f"{SCREEN}/etat"))
    assert 'data-phase="arrivals"' in part and "Bienvenue dans l’aventure" in part
    assert demo.codes[0] in part and "KRONOS" not in part and "Personne pour l’instant" in part


def test_the_dashboard_links_to_the_screen_in_a_new_tab(app: Flask, demo: Demo) -> None:
    """The cohort's pages offer « Écran de la salle », opening in a new tab."""
    client, _ = staff_client(app, Role.ADMIN)
    page = text(client.get("/console/cohortes/demo/tableau"))
    assert f'href="{SCREEN}" target="_blank" rel="noopener">Écran de la salle' in page
