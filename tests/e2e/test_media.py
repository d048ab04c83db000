"""The studio's image library in a browser: an author uploads a photo with its alternative text,
shows it on a mission and as a character's portrait through the forms, previews the mission,
walks an illustrated dialogue to its celebration in the preview, publishes; a counsellor starts
a cohort on that version and a phone shows the images."""

from __future__ import annotations

import io
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml
from PIL import Image, ImageDraw
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import LAPTOP, PHONE, open_card, shot, wait_until
from tests.e2e.test_csp import _collect, _watched
from tests.e2e.test_studio import (
    PASSWORD,
    TIMEOUT,
    _assert_clean,
    _author,
    _login,
    _new_draft,
    _source_view,
    set_source,
)
from tests.e2e.test_studio_forms import _day_two, _phone_src
from tests.live import LiveServer

pytestmark = pytest.mark.browser

ALT = "Un phare rouge et blanc au bout de la jetée, sous un ciel d'orage"


def _lighthouse(path: Path) -> Path:
    """A phone photo of a lighthouse (3000 × 2000, with a GPS position in its EXIF)."""
    image = Image.new("RGB", (3000, 2000), (90, 140, 200))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 1500, 3000, 2000), fill=(40, 70, 120))
    draw.polygon([(1380, 1500), (1620, 1500), (1570, 500), (1430, 500)], fill=(245, 245, 245))
    for y in (700, 1000, 1300):
        draw.rectangle((1400, y, 1600, y + 120), fill=(200, 30, 40))
    draw.rectangle((1420, 380, 1580, 500), fill=(250, 220, 80))
    exif = image.getexif()
    exif.get_ifd(0x8825).update({1: "N", 2: (50.0, 37.0, 12.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    path.write_bytes(out.getvalue())
    return path


def _portrait(path: Path) -> Path:
    image = Image.new("RGB", (600, 600), (37, 99, 235))
    draw = ImageDraw.Draw(image)
    draw.ellipse((150, 100, 450, 400), fill=(240, 200, 160))
    draw.ellipse((100, 380, 500, 800), fill=(250, 250, 250))
    image.save(path, "PNG")
    return path


def _autosaving(page) -> None:  # type: ignore[no-untyped-def]
    """Wait until the studio's script listens: a change made before it would not be saved."""
    expect(page.locator('[data-autosave="on"]')).to_have_count(1, timeout=TIMEOUT)


def _upload(page, path: Path, name: str, alt: str) -> None:  # type: ignore[no-untyped-def]
    page.get_by_label("Fichier").set_input_files(str(path))
    page.get_by_label("Nom").fill(name)
    page.get_by_label("Texte alternatif", exact=True).first.fill(alt)
    page.get_by_role("button", name="Ajouter à la bibliothèque").click()
    expect(page.locator(".flash").first).to_contain_text(f"Image « {name} » ajoutée")


def test_author_shows_an_image_that_players_see(
    browser: Browser, live_server: LiveServer, tmp_path: Path
) -> None:
    _author(live_server, "awa@ml-e2e.fr", "Awa Diop")
    live_server.tempo(
        "user", "create", "--email", "ines@ml-e2e.fr", "--name", "Inès Conseil",
        "--role", "admin", "--password", PASSWORD,
    )  # fmt: skip
    context = browser.new_context(viewport=LAPTOP, locale="fr-FR")
    page, errors = _watched(context)
    page.on("dialog", lambda dialog: dialog.accept())
    violations: list[str] = []
    _login(page, live_server, "awa@ml-e2e.fr")

    # The library: empty, then a refusal without alternative text, then two images.
    page.goto(live_server.url + "/console/studio")
    page.get_by_role("link", name="Images").click()
    expect(page.get_by_text("La bibliothèque est vide.")).to_be_visible()
    photo = _lighthouse(tmp_path / "IMG_2041.jpg")
    page.get_by_label("Fichier").set_input_files(str(photo))
    page.locator("#img-alt").evaluate("e => e.removeAttribute('required')")
    page.get_by_role("button", name="Ajouter à la bibliothèque").click()
    expect(page.locator(".flash").first).to_contain_text(
        "Refusé : Le texte alternatif est obligatoire"
    )
    _upload(page, photo, "phare", ALT)
    expect(page.locator(".flash").first).to_contain_text("(1600 × 1067 pixels)")
    _upload(page, _portrait(tmp_path / "camille.png"), "camille", "Portrait de Camille")
    card = page.locator("#image-phare")
    expect(card).to_contain_text("1600 × 1067 pixels")
    expect(card.locator("img")).to_have_attribute("alt", ALT)
    page.locator("#img-list-title").scroll_into_view_if_needed()
    page.evaluate("window.scrollBy(0, -20)")
    # The thumbnail (lazy) is the stored image itself, 1600 pixels wide.
    wait_until(page, "document.querySelector('#image-phare img').naturalWidth === 1600")
    shot(page, "studio-images")
    _assert_clean(page)
    _collect(page, violations)

    # The mission and the character show them, chosen in the forms.
    _new_draft(page, live_server, "Cap au phare")
    page.get_by_role("link", name="days/day01.yaml", exact=True).click()
    _autosaving(page)
    # Autosaved (the status already reads « Enregistré à » from the page's load).
    with page.expect_response(lambda r: r.url.endswith("/formulaire") and r.ok):
        page.locator('[id="f-missions[0].image"]').select_option("phare")
    expect(page.locator("#save-status")).to_contain_text("Enregistré à", timeout=TIMEOUT)
    expect(page.locator("#studio-errors")).to_contain_text("Aucune erreur", timeout=TIMEOUT)
    page.locator('[id="f-missions[0].image"]').scroll_into_view_if_needed()
    shot(page, "studio-form-image")
    page.get_by_role("link", name="characters.yaml", exact=True).click()
    _autosaving(page)
    with page.expect_response(lambda r: r.url.endswith("/formulaire") and r.ok):
        page.locator('[id="f-characters[0].image"]').select_option("camille")
    expect(page.locator("#save-status")).to_contain_text("Enregistré à", timeout=TIMEOUT)

    # The phone preview draws the mission's image with its alternative text.
    page.get_by_role("link", name="days/day01.yaml", exact=True).click()
    page.get_by_role("link", name="Aperçu téléphone : L'énigme du jour 1").click()
    preview = page.frame_locator("iframe")
    picture = preview.locator("img.mission__image")
    expect(picture).to_have_attribute("alt", ALT, timeout=TIMEOUT)
    expect(picture).to_be_visible()
    expect(preview.locator("img.speaker__avatar")).to_be_visible()
    page.wait_for_load_state("networkidle")
    shot(page, "studio-preview-image")
    _collect(page, violations)

    # A dialogue with an illustration, walked in the phone preview: Camille's portrait on each
    # of her lines, then the celebration of its success.
    page.get_by_role("link", name="Cap au phare").first.click()
    _source_view(page, "days/day02.yaml")
    day_two = yaml.safe_load(_day_two())
    day_two["missions"][2]["image"] = "phare"
    with page.expect_response(lambda r: r.url.endswith("/enregistrer") and r.ok):
        set_source(page, yaml.safe_dump(day_two, allow_unicode=True, sort_keys=False))
    expect(page.locator("#save-status")).to_contain_text("Enregistré à", timeout=TIMEOUT)
    expect(page.locator("#studio-errors")).to_contain_text("Aucune erreur", timeout=TIMEOUT)
    page.reload()
    page.get_by_role("link", name="Ouverture du jour 2 : Le labo").click()
    day_url = live_server.url + _phone_src(page)
    phone = context.new_page()
    phone.set_viewport_size(PHONE)
    phone.emulate_media(reduced_motion="reduce")  # a still celebration, not the pop's first frame
    phone.goto(day_url + "&mission=2")
    expect(phone.get_by_role("heading", name="Parler à Camille")).to_be_visible(timeout=TIMEOUT)
    expect(phone.locator("img.mission__image")).to_have_attribute("alt", ALT)
    expect(phone.locator(".play-area img.speaker__avatar")).to_have_count(1)
    phone.get_by_role("button", name="Un stage").click()
    expect(phone.locator(".reaction").get_by_text("Camille sourit.")).to_be_visible(timeout=TIMEOUT)
    expect(phone.locator(".play-area img.speaker__avatar")).to_have_count(2)
    phone.locator(".reaction").scroll_into_view_if_needed()
    shot(phone, "studio-preview-dialogue-image")
    phone.get_by_role("button", name="On signe !").click()
    phone.get_by_role("link", name="Voir la célébration").click()
    dialog = phone.get_by_role("dialog")
    expect(dialog.get_by_role("heading", name="Mission réussie ! +15 éclats")).to_be_visible(
        timeout=TIMEOUT
    )
    expect(dialog).to_contain_text("Tu as réussi « Parler à Camille » pour toute l'équipe.")
    shot(phone, "studio-preview-success-image")
    _assert_clean(phone)
    _collect(phone, violations)
    phone.close()

    # Publish, then the library refuses to delete an image a draft shows.
    page.get_by_role("link", name="Cap au phare").first.click()
    page.get_by_label("Ce qui change (une ligne)").fill("Le phare sur la première mission")
    page.get_by_role("button", name="Publier une nouvelle version").click()
    expect(page.get_by_text("Version 1 publiée.")).to_be_visible(timeout=TIMEOUT)
    page.goto(live_server.url + "/console/studio/images")
    page.get_by_role("button", name="Supprimer « phare »").click()
    expect(page.locator(".flash").first).to_contain_text(
        "L'image « phare » est utilisée par 1 brouillon(s) (« Cap au phare »)"
    )
    assert violations == [] and errors == []

    # A counsellor starts a cohort on version 1 and opens day 1.
    console = browser.new_context(viewport=LAPTOP, locale="fr-FR").new_page()
    console.on("dialog", lambda dialog: dialog.accept())
    _login(console, live_server, "ines@ml-e2e.fr")
    console.goto(f"{live_server.url}/console/cohortes/nouvelle")
    option = console.locator("#version option", has_text="Cap au phare").first
    console.locator("#version").select_option(option.get_attribute("value"))
    console.locator("#name").fill("Promo du phare")
    console.locator("#slug").fill("phare")
    console.locator("#start").fill((date.today() + timedelta(days=7)).isoformat())
    console.locator("#teams").fill("Les Mouettes")
    console.locator("form button[type=submit]").last.click()
    expect(console.locator("h1")).to_contain_text("Promo du phare", timeout=TIMEOUT)
    code = console.locator(".c-code").first.inner_text().strip()
    console.goto(f"{live_server.url}/console/cohortes/phare/tableau")
    console.locator("#unlock-day").select_option("1")
    console.get_by_role("button", name="Ouvrir", exact=True).click()

    # The phone: the mission's image with its alternative text, Camille's portrait.
    phone = browser.new_context(viewport=PHONE, locale="fr-FR").new_page()
    phone.goto(f"{live_server.url}/rejoindre/{code}")
    phone.locator("#pseudonym").fill("Lina")
    phone.get_by_role("button", name="Entrer dans l'équipe").click()
    expect(phone.locator("#conn")).to_contain_text("En ligne", timeout=TIMEOUT)
    open_card(phone, "j01-enigme")
    image = phone.locator("#panel-body img.mission__image")
    expect(image).to_have_attribute("alt", ALT, timeout=TIMEOUT)
    expect(image).to_be_visible()
    wait_until(
        phone, "document.querySelector('#panel-body img.mission__image').naturalWidth === 1600"
    )
    assert phone.get_by_role("img", name=ALT).count() == 1
    expect(phone.locator("#panel-body img.speaker__avatar")).to_be_visible()
    shot(phone, "play-mission-image")
    body = phone.locator("body").inner_text()
    for bad in ("[object", "undefined", "NaN", "null"):
        assert bad not in body, bad
