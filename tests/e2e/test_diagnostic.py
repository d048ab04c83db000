"""A phone takes the closing self-diagnostic in Chromium; its counsellor sees results and bilan."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import LAPTOP, PHONE, shot
from tests.live import LiveServer
from tests.services.pdfs import pages, texts

TIMEOUT = 10_000
EMAIL = "conseillere@demo.tempo"


def _tempo(server: LiveServer, *args: str) -> str:
    """A `tempo` command against the running server's instance, its error shown if it fails."""
    try:
        return server.tempo(*args)
    except subprocess.CalledProcessError as exc:
        raise AssertionError(f"tempo {' '.join(args)}: {exc.stderr}") from exc


def _answer(page: Page, pick: int) -> None:
    """Choose an option of the current question, then « Suivant »; wait for the next page."""
    before = page.url
    options = page.locator(".diag__option label")
    expect(options.first).to_be_visible()
    options.nth(min(pick, options.count() - 1)).click()
    page.get_by_role("button", name="Suivant").click()
    page.wait_for_url(lambda url: url != before, timeout=TIMEOUT)
    page.wait_for_load_state()


def test_a_phone_takes_the_closing_diagnostic_and_the_counsellor_sees_it(
    browser: Browser, live_server: LiveServer
) -> None:
    """Mission → questions → bars and PDF → bilan; the counsellor opens both from the console."""
    password = re.search(r"Mot de passe : (\S+)", _tempo(live_server, "demo", "--reset-password"))
    assert password is not None
    for day in range(2, 11):
        _tempo(live_server, "day", "unlock", "demo", str(day))

    phone = browser.new_context(viewport=PHONE, locale="fr-FR", accept_downloads=True)
    page = phone.new_page()
    page.goto(f"{live_server.url}/rejoindre/{live_server.team_codes[0]}")
    page.locator("#pseudonym").fill("Inès")
    page.get_by_role("button", name="Entrer dans l'équipe").click()
    expect(page).to_have_url(f"{live_server.url}/jouer")
    code = page.locator(".rejoin__code span[aria-hidden]").text_content() or ""
    card = page.locator("#diagnostic")
    expect(card.get_by_role("link", name="Faire mon auto-diagnostic")).to_be_visible()
    card.scroll_into_view_if_needed()
    shot(page, "lobby-diagnostic-card")

    # The closing mission links to the flow.
    page.locator('[data-mission="d10-auto-diagnostic"]').click()
    expect(page.locator("#panel")).to_have_attribute("open", "", timeout=TIMEOUT)
    page.get_by_role("link", name="🧭 Faire mon auto-diagnostic").click()
    expect(page).to_have_url(f"{live_server.url}/diagnostic")
    page.get_by_role("button", name="Commencer").click()

    # One question per screen; focus is on the question, announced with the radio group.
    expect(page.locator("#question-title")).to_be_focused()
    expect(page.locator(".diag__count")).to_contain_text(re.compile(r"Question 1 sur ~\d+"))
    group = page.get_by_role("group", name=re.compile("Trouver un emploi"))
    expect(group).to_be_visible()
    shot(page, "diagnostic-question")
    page.get_by_role("button", name="Suivant").click()  # nothing chosen
    expect(page.locator("#diag-error")).to_have_text("Choisis une réponse pour continuer.")
    group.get_by_role("radio", name="Oui, vraiment").check()
    page.get_by_role("button", name="Suivant").click()
    expect(page.locator(".diag__count")).to_contain_text("Question 2 sur", timeout=TIMEOUT)
    page.get_by_role("link", name="Question précédente").click()
    expect(page.get_by_role("radio", name="Oui, vraiment")).to_be_checked()
    page.get_by_role("button", name="Suivant").click()
    expect(page.locator(".diag__count")).to_contain_text("Question 2 sur", timeout=TIMEOUT)
    _answer(page, 0)

    # Interrupted: the same player on a laptop resumes at question 3.
    laptop = browser.new_context(viewport=LAPTOP, locale="fr-FR")
    big = laptop.new_page()
    big.goto(f"{live_server.url}/retour/{code}")
    big.get_by_role("button", name="Oui, c'est moi : continuer").click()
    expect(big.locator("#conn")).to_contain_text("En ligne", timeout=TIMEOUT)
    big.goto(f"{live_server.url}/diagnostic")
    expect(big.locator(".diag__count")).to_contain_text("Question 3 sur")
    shot(big, "diagnostic-question")

    for _ in range(60):
        if "/diagnostic/question/" not in page.url:
            break
        _answer(page, 1)
    expect(page.locator("h1")).to_have_text("Tes priorités", timeout=TIMEOUT)
    expect(page.locator(".diag-bar")).to_have_count(11)
    shot(page, "diagnostic-results")
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger en PDF").click()
    pdf = Path(download.value.path()).read_bytes()
    assert len(pages(pdf)) == 1 and "Inès" in texts(pdf)[0]

    page.get_by_role("link", name="Voir mon bilan Tempo").click()
    expect(page.locator("h1")).to_have_text("Bravo Inès, voici ton bilan !")
    expect(page.locator("#b-agenda")).to_have_text("L'ordre du jour de ton rendez-vous")
    shot(page, "bilan")
    page.locator("#b-agenda").scroll_into_view_if_needed()
    shot(page, "bilan-agenda")
    big.goto(f"{live_server.url}/diagnostic/resultats")
    shot(big, "diagnostic-results")
    big.goto(f"{live_server.url}/bilan")
    shot(big, "bilan")

    # The counsellor finds both from the cohort.
    console = browser.new_context(viewport=LAPTOP, locale="fr-FR").new_page()
    console.goto(f"{live_server.url}/console/connexion")
    console.locator("#email").fill(EMAIL)
    console.locator("#password").fill(password.group(1))
    console.get_by_role("button", name="Se connecter").click()
    console.goto(f"{live_server.url}/console/cohortes/demo")
    console.get_by_role("link", name="Diagnostics et bilans").click()
    shot(console, "console-diagnostics")
    console.get_by_role("link", name=re.compile("1 fait")).click()
    expect(console.locator(".diag-bar")).to_have_count(11)
    shot(console, "console-diagnostic-results")
    console.get_by_role("link", name="Voir son bilan Tempo").click()
    expect(console.locator("#b-agenda")).to_have_text("L'ordre du jour du rendez-vous")
    shot(console, "console-bilan")
