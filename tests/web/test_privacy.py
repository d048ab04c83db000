"""« Mes données » in the journal, and the console's download and erasure of a player."""

from __future__ import annotations

import json

from flask import Flask
from sqlalchemy import select

from tempo.extensions import db
from tempo.models import Cohort, Player, Role, StaffAccount, Team
from tests.conftest import Demo
from tests.services.test_privacy_erasure import EMAIL, PSEUDO, TEAMMATE, database_dump, populate
from tests.web.console_kit import staff_client, text


def _phone(app: Flask, pseudonym: str):  # type: ignore[no-untyped-def]
    with app.app_context():
        code = db.session.scalar(select(Player.rejoin_code).where(Player.pseudonym == pseudonym))
    phone = app.test_client()
    assert phone.post("/retour", data={"rejoin": code}).status_code == 302
    return phone


def test_a_player_downloads_then_erases_their_data(app: Flask, demo: Demo) -> None:
    with app.app_context():
        ids = populate(app, demo)
    phone = _phone(app, PSEUDO)
    journal = text(phone.get("/journal"))
    assert "Mes données" in journal and "Télécharger mes données" in journal
    mine = phone.get("/journal/mes-donnees.json")
    assert mine.status_code == 200 and "attachment" in mine.headers["Content-Disposition"]
    data = json.loads(mine.data)
    assert data["player"]["pseudonym"] == PSEUDO and data["email"]["address"] == EMAIL
    assert phone.get("/journal/mes-donnees.pdf").data.startswith(b"%PDF")
    assert phone.get("/journal/mes-donnees.zip").data.startswith(b"PK")
    assert phone.get("/journal/mes-donnees.exe").status_code == 404

    confirm = text(phone.get("/journal/effacer"))
    assert "Joueur effacé" in confirm and "impossible à annuler" in confirm
    done = phone.post("/journal/effacer")
    assert done.status_code == 200 and "Tes données sont effacées" in text(done)
    assert phone.get("/journal/mes-donnees.json").status_code == 404  # signed out
    with app.app_context():
        assert db.session.get(Player, ids["pid"]) is None
        assert db.session.get(Player, ids["mate"]) is not None


def test_a_signed_out_visitor_has_no_data_to_download(app: Flask, demo: Demo) -> None:
    client = app.test_client()
    assert client.get("/journal/mes-donnees.json").status_code == 404
    assert client.post("/journal/effacer").status_code == 404


def test_the_counsellor_downloads_and_erases_a_player(app: Flask, demo: Demo) -> None:
    with app.app_context():
        ids = populate(app, demo)
        slug = db.session.get(Cohort, demo.cohort_id).slug  # type: ignore[union-attr]
    browser, account_id = staff_client(app, Role.COUNSELLOR, "Inès")
    base = f"/console/cohortes/{slug}/joueurs/{ids['pid']}"
    assert browser.get(f"{base}/donnees.json").status_code == 404  # not their cohort
    with app.app_context():
        cohort = db.session.get(Cohort, demo.cohort_id)
        cohort.counsellors.append(db.session.get(StaffAccount, account_id))  # type: ignore[union-attr,arg-type]
        db.session.commit()
    page = text(browser.get(f"{base}/diagnostic"))
    assert "Effacer ses données" in page
    data = json.loads(browser.get(f"{base}/donnees.json").data)
    assert data["player"]["pseudonym"] == PSEUDO and TEAMMATE not in json.dumps(data["player"])
    assert PSEUDO in text(browser.get(f"{base}/effacer"))
    erased = browser.post(f"{base}/effacer")
    assert erased.status_code == 302
    with app.app_context():
        assert db.session.get(Player, ids["pid"]) is None
    assert browser.get(f"{base}/donnees.json").status_code == 404


def test_an_admin_deletes_a_team_then_the_cohort_once_its_name_is_typed(
    app: Flask, demo: Demo
) -> None:
    with app.app_context():
        ids = populate(app, demo)
        cohort = db.session.get(Cohort, demo.cohort_id)
        assert cohort is not None
        slug, name = cohort.slug, cohort.name
        other_team = demo.team_ids[1]
    counsellor, _ = staff_client(app, Role.COUNSELLOR, "Inès")
    assert counsellor.get(f"/console/cohortes/{slug}/supprimer").status_code == 403
    admin, _ = staff_client(app, Role.ADMIN, "Ada")
    page = text(admin.get(f"/console/cohortes/{slug}"))
    assert "Supprimer la cohorte…" in page and "Supprimer l'équipe…" in page
    url = f"/console/cohortes/{slug}/supprimer"
    wrong = admin.post(url, data={"equipe": str(ids["team"]), "confirm": "oui"})
    assert wrong.status_code == 400 and "Tapez exactement le nom" in text(wrong)
    done = admin.post(url, data={"equipe": str(ids["team"]), "confirm": name})
    assert done.status_code == 302
    with app.app_context():
        assert db.session.get(Player, ids["pid"]) is None
        assert db.session.get(Team, ids["team"]) is None
        assert db.session.get(Team, other_team) is not None
    assert admin.post(url, data={"confirm": name}).status_code == 302
    with app.app_context():
        assert db.session.get(Cohort, demo.cohort_id) is None
        assert db.session.get(Team, other_team) is None
        assert PSEUDO not in database_dump() and TEAMMATE not in database_dump()
