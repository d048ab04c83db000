"""The studio's play-test and patches in a browser: an author tests a draft with simulated
teammates (a split clue's fragments in the control panel, a jump to day 3); a counsellor's
running cohort receives the author's typo fix, live on an open phone and on the dashboard."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tempo.config import PROJECT_ROOT
from tempo.services.content.publishing import folder_files
from tempo.services.studio import archive
from tests.e2e.conftest import LAPTOP, PHONE, join, open_card, shot
from tests.e2e.test_studio import _assert_clean as _clean
from tests.e2e.test_studio import _author, _login
from tests.live import LiveServer

pytestmark = pytest.mark.browser

TIMEOUT = 10_000
PASSWORD = "mot-de-passe-solide"
FOLDER = PROJECT_ROOT / "content" / "scenarios" / "tempo-2050"


def _import(page: Page, live_server: LiveServer, files: dict[str, str]) -> None:
    page.goto(live_server.url + "/console/studio")
    zipped = archive.write_zip("tempo-2050", files)
    page.locator("#import-file").set_input_files(
        files=[{"name": "tempo-2050.zip", "mimeType": "application/zip", "buffer": zipped}]
    )
    page.get_by_role("button", name="Importer").click()
    expect(page.locator("#studio-errors")).to_contain_text("Aucune erreur", timeout=TIMEOUT)


def test_author_plays_a_split_clue_with_simulated_teammates(
    browser: Browser, live_server: LiveServer
) -> None:
    _author(live_server, "awa@ml-e2e.fr", "Awa Diop")
    context = browser.new_context(viewport=LAPTOP, locale="fr-FR")
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    _login(page, live_server, "awa@ml-e2e.fr")
    _import(page, live_server, folder_files(FOLDER))
    page.get_by_role("button", name="Tester").click()
    expect(page.locator("h1")).to_contain_text("Essai : Tempo 2050", timeout=TIMEOUT)
    expect(page.get_by_text("Alix, Sam, Noa")).to_be_visible()

    # The author's phone, in a new tab: a player session beside the console's.
    with context.expect_page() as opened:
        page.get_by_role("button", name="Ouvrir le jeu dans un nouvel onglet").click()
    phone = opened.value
    phone.set_viewport_size(PHONE)
    expect(phone.locator("#conn")).to_contain_text("En ligne", timeout=TIMEOUT)
    open_card(phone, "d01-badge-entree")
    phone.locator("#panel input[type=text], #panel textarea").first.fill("ensemble")
    phone.locator("#panel form button[type=submit]").first.click()
    expect(phone.locator('[data-mission="d01-annuaire"]')).to_have_class(
        "mcard mcard--available", timeout=TIMEOUT
    )
    phone.keyboard.press("Escape")
    open_card(phone, "d01-annuaire")
    expect(phone.locator("#panel")).to_contain_text("Ton fragment n°", timeout=TIMEOUT)
    shot(phone, "sandbox-phone-split-clue")

    # The teammates' fragments, read in the panel.
    page.reload()
    row = page.locator("#mission-d01-annuaire")
    row.get_by_role("button", name="Faire jouer les coéquipiers").click()
    notes = page.locator("#mission-d01-annuaire .c-notes")
    expect(notes).to_contain_text("Alix :", timeout=TIMEOUT)
    expect(notes).to_contain_text("«")
    _clean(page)
    notes.scroll_into_view_if_needed()
    shot(page, "sandbox-panel")

    # Time travel: day 3 opens on the phone.
    page.locator("#day").select_option("3")
    page.get_by_role("button", name="Aller à ce jour").click()
    expect(page.get_by_text("Jours ouverts : 1, 2, 3.")).to_be_visible(timeout=TIMEOUT)
    expect(phone.locator('[data-mission="d03-infirmerie"]')).to_be_attached(timeout=TIMEOUT)
    _clean(phone)
    shot(page, "sandbox-day3")


def test_a_typo_fix_reaches_a_running_cohort(browser: Browser, live_server: LiveServer) -> None:
    _author(live_server, "awa@ml-e2e.fr", "Awa Diop")
    live_server.tempo(
        "user", "create", "--email", "admin@ml-e2e.fr", "--name", "Inès Admin",
        "--role", "admin", "--password", PASSWORD,
    )  # fmt: skip
    phone = browser.new_context(viewport=PHONE, locale="fr-FR").new_page()
    join(phone, live_server, "Lina")
    card = phone.locator('[data-mission="d01-badge-entree"] .mcard__title')
    expect(card).to_have_text("Le badge d'entrée", timeout=TIMEOUT)

    author = browser.new_context(viewport=LAPTOP, locale="fr-FR").new_page()
    author.on("dialog", lambda dialog: dialog.accept())
    _login(author, live_server, "awa@ml-e2e.fr")
    files = folder_files(FOLDER)
    files["days/day01.yaml"] = files["days/day01.yaml"].replace(
        'title: "Le badge d\'entrée"', "title: \"Le badge d'entrée d'Horizon\"", 1
    )
    _import(author, live_server, files)
    author.get_by_role("link", name="Corriger les versions en cours").click()
    expect(author.get_by_text("la mission d01-badge-entree : titre corrigé·e")).to_be_visible(
        timeout=TIMEOUT
    )
    shot(author, "patch-preview")
    author.get_by_role("button", name="Appliquer aux cohortes en cours").click()
    expect(author.locator(".flash").first).to_contain_text("Correctif appliqué à 1 cohorte")

    # The open phone shows the fixed title without a reload.
    expect(card).to_have_text("Le badge d'entrée d'Horizon", timeout=TIMEOUT)
    _clean(phone)
    shot(phone, "patch-phone")

    console = browser.new_context(viewport=LAPTOP, locale="fr-FR").new_page()
    _login(console, live_server, "admin@ml-e2e.fr")
    console.goto(live_server.url + "/console/cohortes/demo/tableau")
    line = console.locator(".c-patch-line")
    expect(line).to_contain_text("Le scénario a été corrigé le")
    expect(line).to_contain_text("par Awa Diop : la mission d01-badge-entree : titre corrigé·e")
    shot(console, "patch-dashboard")
