"""The studio's pages: roles, privacy of drafts, autosave over fetch with CSRF, import/export,
publishing and the versions list, per-scenario errors on the scenarios page."""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from pathlib import Path

from flask import Flask

from tempo.config import PROJECT_ROOT
from tempo.models import Role
from tests.web.console_kit import (
    PASSWORD,
    add_staff,
    csrf_app,
    csrf_token,
    email_of,
    staff_client,
    text,
)


def _new_draft(client, title: str = "Mon aventure") -> str:  # type: ignore[no-untyped-def]
    response = client.post("/console/studio/nouveau", data={"title": title})
    assert response.status_code == 302
    return str(response.headers["Location"])


def test_counsellors_get_403_and_authors_see_only_their_drafts(app: Flask) -> None:
    counsellor, _ = staff_client(app, Role.COUNSELLOR)
    assert counsellor.get("/console/studio").status_code == 403
    assert counsellor.post("/console/studio/nouveau", data={"title": "x"}).status_code == 403
    alice, _ = staff_client(app, Role.AUTHOR, "Alice")
    bob, _ = staff_client(app, Role.AUTHOR, "Bob")
    empty = text(alice.get("/console/studio"))
    assert "Vous n'avez aucun brouillon pour l'instant." in empty
    page = _new_draft(alice, "Le secret d'Alice")
    assert "Le secret d'Alice" in text(alice.get(page))
    assert "Le secret d'Alice" in text(alice.get("/console/studio"))
    assert "Le secret d'Alice" not in text(bob.get("/console/studio"))
    assert bob.get(page).status_code == 404
    assert bob.get(page + "/exporter").status_code == 404
    admin, _ = staff_client(app, Role.ADMIN)
    assert admin.get("/console/studio").status_code == 200


def test_autosave_answers_the_time_and_located_errors(app: Flask) -> None:
    alice, _ = staff_client(app, Role.AUTHOR)
    page = _new_draft(alice)
    html = text(alice.get(page + "?fichier=days/day01.yaml&vue=source"))
    assert 'data-path="days/day01.yaml"' in html and "Aucune erreur" in html
    source = re.search(r"<textarea[^>]*>([^<]*)</textarea>", html, re.S)
    assert source is not None
    broken = source.group(1).replace("reward: 30", "reward: beaucoup")
    reply = alice.post(page + "/enregistrer", json={"path": "days/day01.yaml", "text": broken})
    body = reply.get_json()
    assert reply.status_code == 200 and body["ok"] and re.match(r"\d\d:\d\d$", body["saved_at"])
    here = [e for e in body["errors"] if e["file"] == "days/day01.yaml"]
    assert here and here[0]["message"] == "doit être un nombre entier"
    refused = alice.post(page + "/enregistrer", json={"path": "../x.yaml", "text": ""})
    assert refused.status_code == 400 and "n'existe pas" in refused.get_json()["error"]


def test_autosave_needs_the_csrf_header(tmp_path: Path) -> None:
    app = csrf_app(tmp_path)
    alice = app.test_client()
    email = email_of(app, add_staff(app, Role.AUTHOR))
    login = csrf_token(alice, "/console/connexion")
    credentials = {"email": email, "password": PASSWORD, "csrf_token": login}
    alice.post("/console/connexion", data=credentials)
    token = csrf_token(alice, "/console/studio")
    response = alice.post("/console/studio/nouveau", data={"title": "T", "csrf_token": token})
    page = response.headers["Location"]
    save = {"path": "scenario.yaml", "text": "slug: t\n"}
    assert alice.post(page + "/enregistrer", json=save).status_code == 400
    html = alice.get(page).get_data(as_text=True)
    meta = re.search(r'<meta name="csrf-token" content="([^"]+)"', html)
    assert meta is not None
    ok = alice.post(page + "/enregistrer", json=save, headers={"X-CSRFToken": meta.group(1)})
    assert ok.status_code == 200 and ok.get_json()["ok"]


def test_export_import_publish_and_versions_list(app: Flask) -> None:
    alice, _ = staff_client(app, Role.AUTHOR, "Alice Martin")
    page = _new_draft(alice, "Cap vers demain")
    exported = alice.get(page + "/exporter")
    assert exported.mimetype == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(exported.data)).namelist()
    assert "cap-vers-demain/scenario.yaml" in names
    imported = alice.post(
        "/console/studio/importer",
        data={"archive": (io.BytesIO(exported.data), "cap.zip")},
        content_type="multipart/form-data",
    )
    assert imported.status_code == 302
    bad = alice.post(
        "/console/studio/importer",
        data={"archive": (io.BytesIO(b"pas un zip"), "x.zip")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "n'est pas une archive zip valide" in text(bad)
    missing = alice.post(page + "/publier", data={"changelog": ""}, follow_redirects=True)
    assert "Décrivez en une ligne" in text(missing)
    done = alice.post(page + "/publier", data={"changelog": "Première"}, follow_redirects=True)
    assert "Version 1 publiée." in text(done)
    again = alice.post(page + "/publier", data={"changelog": "Re"}, follow_redirects=True)
    assert "Rien n'a changé depuis la version 1" in text(again)
    listing = text(alice.get("/console/scenarios"))
    assert "Cap vers demain — version 1" in listing and "Alice Martin" in listing
    assert "Première" in listing and "actuelle" in listing


def test_a_broken_folder_hides_only_its_own_publish_button(tmp_path: Path) -> None:
    from tempo import create_app
    from tempo.extensions import db
    from tempo.infra import db as schema
    from tests.conftest import make_config

    content = tmp_path / "content"
    shutil.copytree(PROJECT_ROOT / "content", content)
    broken = content / "scenarios" / "cassé"
    shutil.copytree(content / "scenarios" / "tempo-2050", broken)
    (broken / "scenario.yaml").write_text("slug: [", encoding="utf-8")
    app = create_app(make_config(tmp_path, CONTENT_DIR=content))
    with app.app_context():
        schema.upgrade(db.engine)
    alice, _ = staff_client(app, Role.AUTHOR)
    page = text(alice.get("/console/scenarios"))
    assert "erreur de syntaxe YAML" in page
    assert page.count('name="slug" value="tempo-2050"') == 1
    published = alice.post(
        "/console/scenarios/publier", data={"slug": "tempo-2050"}, follow_redirects=True
    )
    assert "Version publiée : Tempo 2050 — version 1 (v1.0)" in text(published)


def test_rollback_marks_the_version_new_cohorts_are_offered(app: Flask) -> None:
    admin, _ = staff_client(app, Role.ADMIN)
    page = _new_draft(admin, "Retour arrière")
    admin.post(page + "/publier", data={"changelog": "Une"})
    html = text(admin.get(page + "?fichier=days/day01.yaml&vue=source"))
    source = re.search(r"<textarea[^>]*>([^<]*)</textarea>", html, re.S)
    assert source is not None
    edited = source.group(1).replace("reward: 30", "reward: 31")
    admin.post(page + "/enregistrer", json={"path": "days/day01.yaml", "text": edited})
    second = admin.post(page + "/publier", data={"changelog": "Deux"})
    v2 = second.headers["Location"]
    v2_page = text(admin.get(v2))
    assert "Différences avec la version 1" in v2_page and "+    reward: 31" in v2_page
    form = text(admin.get("/console/cohortes/nouvelle"))
    assert "Retour arrière — version 2 (v1), publiée le" in form
    assert re.search(r"Retour arrière — version 2 \(v1\)[^<]*version actuelle", form)
    v1 = v2.rsplit("/", 1)[0] + "/" + str(int(v2.rsplit("/", 1)[1]) - 1)
    done = admin.post(v1 + "/actuelle", follow_redirects=True)
    assert "La version 1 est maintenant la version actuelle" in text(done)
    form = text(admin.get("/console/cohortes/nouvelle"))
    assert re.search(r"Retour arrière — version 1 \(v1\)[^<]*version actuelle", form)
    assert not re.search(r"Retour arrière — version 2 \(v1\)[^<]*version actuelle", form)
    counsellor, _ = staff_client(app, Role.COUNSELLOR)
    assert counsellor.post(v1 + "/actuelle").status_code == 403
    assert "Revenir à cette version" not in text(counsellor.get(v2))
