"""The Mission Locale's catalogue in the studio: administrators edit and publish it (numbered
versions), authors read it, the validator refuses a broken offer and names the scenarios an
offer's removal would break, and scenarios published afterwards freeze the new offers."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask

from tempo.cli import cli
from tempo.config import PROJECT_ROOT
from tempo.models import Role
from tempo.services.content.publishing import folder_files
from tempo.services.studio import archive
from tests.conftest import cli_env
from tests.web.console_kit import staff_client, text

CONTENT = PROJECT_ROOT / "content"
CEJ_TITLE = 'title: "Contrat d\'Engagement Jeune (CEJ)"'
PAGE = "/console/studio/catalogue"


def _form(offers: str, diagnostic: str | None = None) -> dict[str, str]:
    diag = diagnostic or (CONTENT / "diagnostic.yaml").read_text(encoding="utf-8")
    return {"offers": offers, "diagnostic": diag}


def _offers() -> str:
    return (CONTENT / "offers.yaml").read_text(encoding="utf-8")


def test_admins_edit_authors_read_counsellors_get_403(app: Flask) -> None:
    author, _ = staff_client(app, Role.AUTHOR)
    html = text(author.get(PAGE))
    assert "aucun catalogue publié" in html and "Lecture seule" in html
    assert "Contrat d'Engagement Jeune (CEJ)" in html and "readonly" in html
    assert "Publier le catalogue" not in html
    assert author.post(PAGE + "/enregistrer", data=_form(_offers())).status_code == 403
    assert author.post(PAGE + "/publier", data={"changelog": "x"}).status_code == 403
    assert author.post(PAGE + "/importer").status_code == 403
    counsellor, _ = staff_client(app, Role.COUNSELLOR)
    assert counsellor.get(PAGE).status_code == 403
    admin, _ = staff_client(app, Role.ADMIN)
    html = text(admin.get(PAGE))
    assert "Publier le catalogue" in html and "Lecture seule" not in html


def test_a_broken_offer_is_refused_with_its_message(app: Flask) -> None:
    admin, _ = staff_client(app, Role.ADMIN)
    broken = _offers().replace(CEJ_TITLE, 'title: ""', 1)
    admin.post(PAGE + "/enregistrer", data=_form(broken))
    html = text(admin.get(PAGE))
    assert "offers.yaml:9 offers[0].title: ne doit pas être vide" in html
    refused = text(admin.post(PAGE + "/publier", data={"changelog": "Oups"}, follow_redirects=True))
    assert "Le catalogue contient 1 erreur(s) : corrigez-les avant de publier." in refused
    assert "Aucun catalogue publié pour l'instant." in refused


def test_removing_an_offer_a_scenario_unlocks_names_the_scenario(app: Flask) -> None:
    admin, _ = staff_client(app, Role.ADMIN)
    offers = _offers()
    start = offers.index("  - id: immersion")
    end = offers.index("  - id:", start + 5)
    admin.post(PAGE + "/enregistrer", data=_form(offers[:start] + offers[end:]))
    html = text(admin.get(PAGE))
    assert "ces scénarios du dossier content/ ne passeraient plus la validation" in html
    assert (
        "offre inconnue : 'immersion'" in html
        and "elle n'est pas dans le catalogue des offres, ajoutez-la au catalogue ou retirez-la "
        "de unlocks"
        in html
    )


def test_publishing_numbers_catalogues_and_new_scenario_versions_freeze_them(app: Flask) -> None:
    admin, _ = staff_client(app, Role.ADMIN)
    renamed = _offers().replace(CEJ_TITLE, 'title: "CEJ — le contrat jeune"', 1)
    admin.post(PAGE + "/enregistrer", data=_form(renamed))
    first = text(
        admin.post(PAGE + "/publier", data={"changelog": "CEJ renommé"}, follow_redirects=True)
    )
    assert "Catalogue 1 publié" in first and "catalogue 1 publié" in first
    again = text(admin.post(PAGE + "/publier", data={"changelog": "Bis"}, follow_redirects=True))
    assert "Rien n'a changé depuis le catalogue 1." in again
    admin.post(PAGE + "/enregistrer", data=_form(renamed.replace("CEJ — le", "CEJ, le", 1)))
    second = text(
        admin.post(PAGE + "/publier", data={"changelog": "Virgule"}, follow_redirects=True)
    )
    assert "Catalogue 2 publié" in second and "Catalogue 1, publié le" in second

    author, _ = staff_client(app, Role.AUTHOR)
    data = archive.write_zip("tempo-2050", folder_files(CONTENT / "scenarios" / "tempo-2050"))
    draft = author.post(
        "/console/studio/importer",
        data={"archive": (io.BytesIO(data), "tempo-2050.zip")},
        content_type="multipart/form-data",
    ).headers["Location"]
    published = author.post(draft + "/publier", data={"changelog": "Avec le catalogue 2"})
    assert published.status_code == 302
    version_id = int(published.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        from tempo.extensions import db
        from tempo.models import ScenarioVersion

        version = db.session.get(ScenarioVersion, version_id)
        assert version is not None
        cej = next(o for o in version.content["offers"] if o["id"] == "cej")
        assert cej["title"] == "CEJ, le contrat jeune"

    # A scenario of content/ published now freezes the catalogue too.
    admin.post("/console/scenarios/publier", data={"slug": "tempo-2050"})
    with app.app_context():
        latest = db.session.scalars(
            db.select(ScenarioVersion).order_by(ScenarioVersion.id.desc())
        ).first()
        assert latest is not None
        titles = {o["id"]: o["title"] for o in latest.content["offers"]}
        assert titles["cej"] == "CEJ, le contrat jeune"


def test_the_exported_catalogue_and_scenario_pass_tempo_validate(
    app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Export → `tempo validate --catalogue`: the studio's catalogue zip (published version or
    draft) and a draft's zip unpacked under scenarios/ pass the CLI; the renamed offer is used."""
    admin, _ = staff_client(app, Role.ADMIN)
    renamed = _offers().replace(CEJ_TITLE, 'title: "CEJ — le contrat jeune"', 1)
    admin.post(PAGE + "/enregistrer", data=_form(renamed))
    admin.post(PAGE + "/publier", data={"changelog": "CEJ renommé"})
    assert 'href="/console/studio/catalogue/exporter?version=1"' in text(admin.get(PAGE))
    exported = admin.get(PAGE + "/exporter?version=1")
    assert exported.mimetype == "application/zip"
    assert 'filename="catalogue-1.zip"' in exported.headers["Content-Disposition"]
    assert archive.read_catalogue_zip(exported.data)["offers.yaml"] == renamed
    assert admin.get(PAGE + "/exporter?version=9").status_code == 404
    author, _ = staff_client(app, Role.AUTHOR)
    draft_zip = author.get(PAGE + "/exporter")
    assert 'filename="catalogue-brouillon.zip"' in draft_zip.headers["Content-Disposition"]

    # A draft of Tempo 2050 exported from the studio, unpacked into a folder of its own.
    data = archive.write_zip("tempo-2050", folder_files(CONTENT / "scenarios" / "tempo-2050"))
    page = author.post(
        "/console/studio/importer",
        data={"archive": (io.BytesIO(data), "tempo-2050.zip")},
        content_type="multipart/form-data",
    ).headers["Location"]
    scenario = author.get(page + "/exporter").data
    content = tmp_path / "content"
    with zipfile.ZipFile(io.BytesIO(scenario)) as z:
        z.extractall(content / "scenarios")
    (tmp_path / "catalogue-1.zip").write_bytes(exported.data)

    cli_env(monkeypatch, tmp_path / "instance")
    args = ["validate", str(content), "--catalogue", str(tmp_path / "catalogue-1.zip")]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "Contenu valide : 25 offres, 11 familles de diagnostic." in result.output
    # Without a catalogue, a folder with no offers.yaml is refused, and says so.
    bare = CliRunner().invoke(cli, ["validate", str(content)])
    assert bare.exit_code == 1 and "offers.yaml" in bare.output
