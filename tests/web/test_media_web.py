"""The studio's « Images » page: authors only, upload with alternative text, French refusals,
the image select on the forms, deletion, and the images served to the studio and to players."""

from __future__ import annotations

import html as htmllib
import io
import re

from flask import Flask
from PIL import Image

from tempo.models import Role
from tests.services.test_media import photo
from tests.web.console_kit import staff_client, text


def _upload(client, name: str, alt: str, data: bytes | None = None):  # type: ignore[no-untyped-def]
    return client.post(
        "/console/studio/images",
        data={"image": (io.BytesIO(data or photo()), f"{name}.jpg"), "name": name, "alt": alt},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def test_images_page_upload_edit_delete_and_roles(app: Flask) -> None:
    counsellor, _ = staff_client(app, Role.COUNSELLOR)
    assert counsellor.get("/console/studio/images").status_code == 403
    alice, _ = staff_client(app, Role.AUTHOR)
    assert "La bibliothèque est vide." in text(alice.get("/console/studio/images"))
    refused = text(_upload(alice, "phare", ""))
    assert "Refusé : Le texte alternatif est obligatoire" in refused
    gif = io.BytesIO()
    Image.new("RGB", (8, 8)).save(gif, "GIF")
    refused = text(_upload(alice, "anim", "Un gif", gif.getvalue()))
    assert "Refusé : Format GIF refusé : seuls JPEG, PNG et WebP sont acceptés." in refused
    page = text(_upload(alice, "Le Phare", "Un phare rouge et blanc"))
    assert "Image « le-phare » ajoutée (800 × 1600 pixels)" in page
    assert "Un phare rouge et blanc" in page and "800 × 1600 pixels" in page
    served = alice.get("/console/studio/images/le-phare")
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert served.headers["Cache-Control"] == "no-store" and served.headers["ETag"]
    assert counsellor.get("/console/studio/images/le-phare").status_code == 403
    edited = alice.post(
        "/console/studio/images/le-phare/texte",
        data={"alt": "Le phare du port au coucher du soleil"},
        follow_redirects=True,
    )
    assert "Le phare du port au coucher du soleil" in text(edited)
    gone = alice.post("/console/studio/images/le-phare/supprimer", follow_redirects=True)
    assert "Image « le-phare » supprimée de la bibliothèque." in text(gone)
    assert alice.get("/console/studio/images/le-phare").status_code == 404


def test_mission_form_offers_the_library_and_players_get_the_frozen_image(app: Flask) -> None:
    alice, _ = staff_client(app, Role.AUTHOR)
    _upload(alice, "phare", "Un phare rouge et blanc")
    created = alice.post("/console/studio/nouveau", data={"title": "Cap au phare"})
    page = str(created.headers["Location"])
    form = alice.get(page + "?fichier=days/day01.yaml").get_data(as_text=True)
    select = re.search(r'<select[^>]*name="missions\[0\]\.image"[^>]*>(.*?)</select>', form, re.S)
    assert select is not None and '<option value="phare"' in select.group(1)
    source = re.search(
        r"<textarea[^>]*>([^<]*)</textarea>",
        alice.get(page + "?fichier=days/day01.yaml&vue=source").get_data(as_text=True),
        re.S,
    )
    assert source is not None
    day = htmllib.unescape(source.group(1)).replace(
        "    type: enigma\n", "    type: enigma\n    image: phare\n", 1
    )
    saved = alice.post(page + "/enregistrer", json={"path": "days/day01.yaml", "text": day})
    assert saved.get_json()["errors"] == []
    published = alice.post(page + "/publier", data={"changelog": "Avec un phare"})
    version_id = int(str(published.headers["Location"]).rsplit("/", 1)[1])
    # Deleting it from the library is refused while the draft shows it; the version has a copy.
    refused = alice.post("/console/studio/images/phare/supprimer", follow_redirects=True)
    assert "est utilisée par 1 brouillon(s) (« Cap au phare »)" in text(refused)
    image = alice.get(f"/images/{version_id}/phare")
    assert image.status_code == 200 and image.mimetype == "image/jpeg"
    assert image.headers["Cache-Control"] == "private, max-age=31536000, immutable"
    assert alice.get(f"/images/{version_id}/inconnue").status_code == 404
    assert app.test_client().get(f"/images/{version_id}/phare").status_code == 404
