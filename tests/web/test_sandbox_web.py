"""The studio's play-test pages (« Tester », the control panel, the author's phone) and the
« Corriger les versions en cours » page."""

from __future__ import annotations

import re

from flask import Flask

from tempo.models import Role
from tests.web.console_kit import staff_client, text


def _draft(client) -> str:  # type: ignore[no-untyped-def]
    response = client.post("/console/studio/nouveau", data={"title": "Mon essai"})
    assert response.status_code == 302
    return str(response.headers["Location"])


def test_an_author_tests_a_draft_privately(app: Flask) -> None:
    alice, _ = staff_client(app, Role.AUTHOR, "Alice")
    page = _draft(alice)
    draft_id = page.rsplit("/", 1)[1]
    assert "Tester" in text(alice.get(page))
    made = alice.post("/console/studio/essais", data={"draft": draft_id})
    assert made.status_code == 302
    panel = str(made.headers["Location"])
    assert re.search(r"/console/studio/essais/\d+$", panel)
    html = text(alice.get(panel))
    assert "Alix, Sam, Noa" in html
    # Day 1 holds an enigma alone: the teammates have nothing to do, no button says otherwise.
    assert "Faire jouer les coéquipiers" not in html
    assert "<summary>Jour 1</summary>" in html and "<summary>Jour 2</summary>" not in html
    assert "Mon essai" in text(alice.get("/console/studio/essais"))
    # Another author, a counsellor and an administrator never see it.
    bob, _ = staff_client(app, Role.AUTHOR, "Bob")
    assert bob.get(panel).status_code == 404
    admin, _ = staff_client(app, Role.ADMIN)
    assert "Essai" not in text(admin.get("/console/cohortes"))
    # The simulated teammates have nothing to do in an enigma; the panel says so.
    alice.post(panel + "/action", data={"action": "bots", "mission": "j01-enigme"})
    assert "rien à faire" in text(alice.get(panel))
    # Time travel.
    alice.post(panel + "/action", data={"action": "day", "day": "3"})
    html = text(alice.get(panel))
    assert "Jours ouverts : 1, 2, 3." in html and "<summary>Jour 3</summary>" in html
    alice.post(panel + "/action", data={"action": "day", "day": "2"})
    assert "Jours ouverts : 1, 2." in text(alice.get(panel))
    # The author's phone: a player session beside the staff one.
    phone = alice.post(panel + "/jouer")
    assert phone.status_code == 302 and phone.headers["Location"].endswith("/jouer")
    assert alice.get("/jouer").status_code == 200
    # No slot in a play-test: the phone is told its booking is simulated from the panel.
    assert alice.get("/jouer/rendez-vous").get_json()["simulated"] is True
    assert alice.get(panel).status_code == 200
    # Deleting it.
    alice.post(panel + "/action", data={"action": "delete"})
    assert alice.get(panel).status_code == 404
    assert "Vous n'avez aucun essai pour l'instant." in text(alice.get("/console/studio/essais"))


def test_patch_page_without_running_cohort(app: Flask) -> None:
    alice, _ = staff_client(app, Role.AUTHOR)
    page = _draft(alice)
    html = text(alice.get(page + "/correctif"))
    assert "Aucune cohorte en cours ne joue une version de ce scénario." in html
