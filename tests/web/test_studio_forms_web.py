"""The studio's generated forms and previews: every field shown, saving a form autosaves its
file as YAML, validation messages sit on their field, missions added by type, phone previews."""

from __future__ import annotations

import re

import yaml
from flask import Flask

from tempo.config import PROJECT_ROOT
from tempo.models import Role
from tempo.services.studio import forms
from tests.web.console_kit import staff_client, text


def _copy_of_tempo_2050(client) -> str:  # type: ignore[no-untyped-def]
    """A draft holding tempo-2050's sources (through the zip import)."""
    import io
    import zipfile

    folder = PROJECT_ROOT / "content" / "scenarios" / "tempo-2050"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for path in folder.rglob("*.yaml"):
            z.write(path, f"tempo-2050/{path.relative_to(folder)}")
    reply = client.post(
        "/console/studio/importer",
        data={"archive": (io.BytesIO(buffer.getvalue()), "tempo-2050.zip")},
        content_type="multipart/form-data",
    )
    assert reply.status_code == 302, reply.get_data(as_text=True)
    return str(reply.headers["Location"])


def _posted(html: str) -> dict[str, list[str]]:
    """What the browser would post for the form on the page (checked boxes only)."""
    form = html[html.index('id="studio-form"') :]
    out: dict[str, list[str]] = {}
    for tag in re.findall(r"<(?:input|select|textarea)[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or "disabled" in tag:
            continue
        if 'type="checkbox"' in tag and "checked" not in tag:
            continue
        if tag.startswith("<select"):
            chunk = form[form.index(tag) :]
            chunk = chunk[: chunk.index("</select>")]
            picked = re.search(r'<option value="([^"]*)" selected', chunk)
            first = re.search(r'<option value="([^"]*)"', chunk)
            value = picked.group(1) if picked else (first.group(1) if first else "")
        elif tag.startswith("<textarea"):
            chunk = form[form.index(tag) + len(tag) :]
            value = chunk[: chunk.index("</textarea>")]
        else:
            found = re.search(r'value="([^"]*)"', tag)
            value = found.group(1) if found else "on"
        out.setdefault(name.group(1), []).append(value)
    return out


def test_day_form_shows_every_field_of_tempo_2050_day_1(app: Flask) -> None:
    alice, _ = staff_client(app, Role.AUTHOR)
    page = _copy_of_tempo_2050(alice)
    html = text(alice.get(page + "?fichier=days/day01.yaml"))
    source = (PROJECT_ROOT / "content/scenarios/tempo-2050/days/day01.yaml").read_text()
    form = forms.file_form("days/day01.yaml", source)
    assert form is not None
    for f in form.walk():
        if f.name:
            assert f'id="f-{f.name}"' in html, f.name
    assert "Markdown : **gras**, *italique*" in html and "facultatif" in html
    assert "Récit" in html and "Ajouter une mission" in html and "Aperçu téléphone" in html
    assert "Les commentaires du fichier YAML ne sont pas conservés" in html


def test_saving_a_form_autosaves_and_puts_the_message_on_its_field(app: Flask) -> None:
    alice, _ = staff_client(app, Role.AUTHOR)
    page = _new_draft(alice)
    html = text(alice.get(page + "?fichier=days/day01.yaml"))
    data = _posted(html)
    data["missions[0].reward"] = ["beaucoup"]
    reply = alice.post(page + "/formulaire", data=data, headers={"Accept": "application/json"})
    body = reply.get_json()
    assert body["ok"] is True and body["saved_at"]
    mine = [e for e in body["errors"] if e["file"] == "days/day01.yaml"]
    assert [e["field"] for e in mine] == ["missions[0].reward"]
    saved = yaml.safe_load(_source(alice, page))
    assert saved["missions"][0]["reward"] == "beaucoup"
    html = text(alice.get(page + "?fichier=days/day01.yaml"))
    reward = re.search(r'<input[^>]*id="f-missions\[0\]\.reward"[^>]*>', html)
    assert reward is not None
    assert 'aria-describedby="f-missions[0].reward-error"' in reward.group(0)
    assert 'aria-invalid="true"' in reward.group(0)
    slot = html[html.index('id="f-missions[0].reward-error"') :][:300]
    assert "doit être un nombre entier" in slot


def test_add_a_mission_of_each_type_then_remove_one(app: Flask) -> None:
    alice, _ = staff_client(app, Role.AUTHOR)
    page = _new_draft(alice)
    for kind in forms.SKELETONS:
        data = _posted(text(alice.get(page + "?fichier=days/day01.yaml")))
        data.update({"_add": ["missions"], "_type": [kind]})
        assert alice.post(page + "/formulaire", data=data).status_code == 302
    saved = yaml.safe_load(_source(alice, page))
    assert [m["type"] for m in saved["missions"][1:]] == list(forms.SKELETONS)
    html = text(alice.get(page + "?fichier=days/day01.yaml"))
    assert "Aucune erreur" in html
    data = _posted(html)
    data["_remove"] = ["missions[1]"]
    alice.post(page + "/formulaire", data=data)
    saved = yaml.safe_load(_source(alice, page))
    assert len(saved["missions"]) == len(forms.SKELETONS)


def test_mission_preview_is_the_players_view_in_a_phone_frame(app: Flask) -> None:
    alice, _ = staff_client(app, Role.AUTHOR)
    page = _new_draft(alice)
    frame = text(alice.get(page + "/apercu?fichier=days/day01.yaml&mission=0"))
    assert 'width="360" height="740"' in frame
    phone = alice.get(page + "/apercu/telephone?fichier=days/day01.yaml&mission=0")
    assert "frame-ancestors 'self'" in phone.headers["Content-Security-Policy"]
    assert phone.headers["X-Frame-Options"] == "SAMEORIGIN"
    html = text(phone)
    assert "Aperçu : les réponses ne sont pas envoyées." in html
    assert "narrative_html" in html and "Quel mot fait avancer" in html
    assert '"answers"' not in html  # never the accepted answers
    day = text(alice.get(page + "/apercu/telephone?fichier=days/day01.yaml"))
    assert "Jour 1" in day
    missing = text(alice.get(page + "/apercu/telephone?fichier=days/day01.yaml&mission=9"))
    assert "Cette mission n'existe pas dans ce fichier." in missing


def _new_draft(client, title: str = "Mon aventure") -> str:  # type: ignore[no-untyped-def]
    response = client.post("/console/studio/nouveau", data={"title": title})
    assert response.status_code == 302
    return str(response.headers["Location"])


def _source(client, page: str) -> str:  # type: ignore[no-untyped-def]
    html = text(client.get(page + "?fichier=days/day01.yaml&vue=source"))
    found = re.search(r"<textarea[^>]*>([^<]*)</textarea>", html, re.S)
    assert found is not None
    return found.group(1)


def test_reference_pickers_offer_the_drafts_ids_and_keep_unknown_ones(app: Flask) -> None:
    """The mission's character is a select of the draft's characters, `requires` a checkbox
    per mission of the draft, `unlocks` one per offer of the catalogue; ticking one saves it;
    an id no file defines stays shown as unknown and the validator names it on that field."""
    alice, _ = staff_client(app, Role.AUTHOR)
    page = _new_draft(alice)
    html = text(alice.get(page + "?fichier=days/day02.yaml"))
    who = re.search(r'<select[^>]*id="f-missions\[0\]\.character".*?</select>', html, re.S)
    assert who is not None and re.search(r'value="guide" selected>guide — ', who.group(0))
    assert 'name="missions[0].requires" value="j01-enigme"' in html
    assert "j01-enigme — L'énigme du jour 1" in html
    assert 'name="missions[0].unlocks" value="cej"' in html
    assert "cej — Contrat d'Engagement Jeune (CEJ)" in html
    data = _posted(html)
    data["missions[0].requires"] = ["j01-enigme"]
    data["missions[0].character"] = ["fantome"]
    body = alice.post(
        page + "/formulaire", data=data, headers={"Accept": "application/json"}
    ).get_json()
    assert body["ok"] is True
    mine = [e for e in body["errors"] if e["file"] == "days/day02.yaml"]
    assert [e["field"] for e in mine] == ["missions[0].character"]
    assert "personnage inconnu : 'fantome'" in mine[0]["message"]
    html = text(alice.get(page + "?fichier=days/day02.yaml&vue=source"))
    found = re.search(r"<textarea[^>]*>([^<]*)</textarea>", html, re.S)
    assert found is not None
    saved = yaml.safe_load(found.group(1))
    assert saved["missions"][0]["requires"] == ["j01-enigme"]
    html = text(alice.get(page + "?fichier=days/day02.yaml"))
    assert "fantome — inconnu : choisissez un élément existant" in html
    assert re.search(r'name="missions\[0\]\.requires" value="j01-enigme" checked', html)
    meta = text(alice.get(page + "?fichier=scenario.yaml"))
    assert re.search(r'name="offers" value="all" checked> Toutes les offres du catalogue', meta)
    assert re.search(r"<option value=\"guide\" selected>guide — Camille</option>", meta)


def test_previews_of_a_day_a_dialogue_and_a_success_are_linked_and_framed(app: Flask) -> None:
    alice, _ = staff_client(app, Role.AUTHOR)
    page = _copy_of_tempo_2050(alice)
    draft = text(alice.get(page + "?fichier=days/day02.yaml"))
    assert "Aperçus téléphone" in draft
    assert "Ouverture du jour 2 : La période d'essai" in draft
    assert "Aperçu de la réussite" in draft
    assert "/apercu?fichier=days/day02.yaml&amp;mission=0&amp;moment=reussite" in (
        alice.get(page + "?fichier=days/day02.yaml").get_data(as_text=True)
    )
    frame = text(alice.get(page + "/apercu?fichier=days/day02.yaml&mission=0&moment=reussite"))
    assert "moment=reussite" in frame and "célébration" in frame and "Sa réussite" in frame
    phone = alice.get(page + "/apercu/telephone?fichier=days/day02.yaml&mission=0&moment=reussite")
    html = text(phone)
    assert phone.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert 'id="celebrate"' in html and '"weakens"' in html and "Voir dans le coffre" in html
    day = text(alice.get(page + "/apercu/telephone?fichier=days/day02.yaml"))
    assert 'data-moment="jour"' in day and '"number": 2' in day and '"count": 10' in day
    assert alice.get(page + "/apercu?fichier=days/day02.yaml&mission=0&moment=x").status_code == 400


def test_fixed_choices_read_in_french_with_their_default(app: Flask) -> None:
    """A diagnostic's moment: French words, and the empty choice names the default it means."""
    lina, _ = staff_client(app, Role.AUTHOR, "Lina")
    page = str(
        lina.post("/console/studio/nouveau", data={"title": "Les choix"}).headers["Location"]
    )
    html = text(lina.get(page + "?fichier=days/day03.yaml&vue=formulaire"))
    moment = html[html.index('id="f-missions[1].params.moment"') :].split("</select>")[0]
    options = re.findall(r"<option[^>]*>([^<]*)</option>", moment)
    assert options == [
        "(par défaut : à la fin de l'aventure)",
        "au début de l'aventure",
        "à la fin de l'aventure",
    ]
