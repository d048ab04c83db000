"""« Mes données » on a phone: download everything, then erase it and be signed out."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, expect

from tests.e2e.conftest import LAPTOP, PHONE, join, shot
from tests.live import LiveServer

TIMEOUT = 10_000
NAME = "Zéphyrine Privée"
BAD = ("[object", "undefined", "NaN", "null")


def _clean(text: str) -> None:
    for bad in BAD:
        assert bad not in text, bad


def test_a_player_downloads_and_erases_their_data(
    browser: Browser, live_server: LiveServer, tmp_path: Path
) -> None:
    phone = browser.new_context(viewport=PHONE, locale="fr-FR", accept_downloads=True)
    page = phone.new_page()
    join(page, live_server, NAME)
    page.goto(f"{live_server.url}/journal#mes-donnees")
    section = page.locator("#mes-donnees")
    expect(section.get_by_role("heading", name="Mes données")).to_be_visible()
    section.scroll_into_view_if_needed()
    shot(page, "privacy-journal")
    with page.expect_download() as info:
        section.get_by_role("link", name="Télécharger mes données").click()
    saved = tmp_path / "donnees.pdf"
    info.value.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF") and saved.stat().st_size > 2000
    with page.expect_download() as info:
        section.get_by_role("link", name="Tout en un fichier zip (avec mes photos)").click()
    assert info.value.suggested_filename.endswith(".zip")

    section.get_by_role("link", name="Effacer mes données").click()
    expect(page.get_by_role("heading", name="Effacer mes données")).to_be_visible()
    body = page.locator("body").inner_text()
    assert "Joueur effacé" in body and NAME in body
    _clean(body)
    shot(page, "privacy-confirm")
    page.get_by_role("button", name="Oui, effacer mes données").click()
    expect(page.get_by_role("heading", name="Tes données sont effacées")).to_be_visible(
        timeout=TIMEOUT
    )
    _clean(page.locator("body").inner_text())
    shot(page, "privacy-erased")

    # Signed out: the journal sends the visitor home, and the data is gone.
    page.goto(f"{live_server.url}/journal")
    expect(page).to_have_url(f"{live_server.url}/")
    assert page.request.get(f"{live_server.url}/journal/mes-donnees.json").status == 404
    phone.close()

    laptop = browser.new_context(viewport=LAPTOP, locale="fr-FR")
    other = laptop.new_page()
    join(other, live_server, "Ozias")
    other.goto(f"{live_server.url}/journal/effacer")
    expect(other.get_by_role("button", name="Oui, effacer mes données")).to_be_visible()
    shot(other, "privacy-confirm")
    laptop.close()
