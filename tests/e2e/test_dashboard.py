"""A counsellor runs a new cohort from the live dashboard while a phone plays, in Chromium."""

from __future__ import annotations

import io
from datetime import date, timedelta
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import LAPTOP, PHONE, SCREENSHOTS, shot
from tests.live import LiveServer

TIMEOUT = 10_000
EMAIL = "conseillere@ml-e2e.fr"
PASSWORD = "mot-de-passe-solide"


def _jpeg(path: Path) -> Path:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (40, 140, 90)).save(out, "JPEG")
    path.write_bytes(out.getvalue())
    return path


def _unlock(page: Page, day: int) -> None:
    page.locator("#unlock-day").select_option(str(day))
    page.get_by_role("button", name="Ouvrir maintenant").click()


def test_counsellor_runs_a_cohort_live_from_the_dashboard(
    browser: Browser, live_server: LiveServer, tmp_path: Path
) -> None:
    """Login, new cohort, dashboard; day 2 reaches the phone within a second; a proof validated."""
    # The first account is the administrator; the counsellor who runs the cohort is a second one.
    live_server.tempo(
        "user", "create", "--email", "admin@ml-e2e.fr", "--name", "Admin",
        "--role", "admin", "--password", PASSWORD,
    )  # fmt: skip
    live_server.tempo(
        "user", "create", "--email", EMAIL, "--name", "Inès Conseillère",
        "--role", "counsellor", "--password", PASSWORD,
    )  # fmt: skip
    laptop = browser.new_context(viewport=LAPTOP, locale="fr-FR")
    console = laptop.new_page()
    console.on("dialog", lambda dialog: dialog.accept())  # the confirmations of the actions
    console.goto(f"{live_server.url}/console/connexion")
    console.locator("#email").fill(EMAIL)
    console.locator("#password").fill(PASSWORD)
    console.get_by_role("button", name="Se connecter").click()
    expect(console).to_have_url(f"{live_server.url}/console/cohortes")

    console.goto(f"{live_server.url}/console/cohortes/nouvelle")
    console.locator("#name").fill("Promo e2e — Tours")
    console.locator("#slug").fill("promo-e2e")
    console.locator("#start").fill((date.today() + timedelta(days=7)).isoformat())
    console.locator("#teams").fill("Les Comètes\nLes Pionniers")
    shot(console, "cohort-new")
    console.locator("form button[type=submit]").last.click()
    expect(console.locator("h1")).to_contain_text("Promo e2e — Tours", timeout=TIMEOUT)
    if (date.today() + timedelta(days=7)).weekday() != 0:
        # Tempo 2050's weekend days 6 and 7 wait for a weekend: the counsellor is told why.
        expect(console.locator(".flash", has_text="Le jour 6 se joue le week-end")).to_be_visible()
    shot(console, "cohort-created")
    console.goto(f"{live_server.url}/console/cohortes/promo-e2e")
    code = console.locator(".c-code").first.inner_text().strip()

    phone_ctx = browser.new_context(viewport=PHONE, locale="fr-FR")
    phone = phone_ctx.new_page()
    phone.goto(f"{live_server.url}/rejoindre/{code}")
    phone.locator("#pseudonym").fill("Lina")
    phone.get_by_role("button", name="Entrer dans l'équipe").click()
    expect(phone).to_have_url(f"{live_server.url}/jouer")
    expect(phone.locator("#conn")).to_contain_text("En ligne", timeout=TIMEOUT)

    console.get_by_role("link", name="Tableau de bord").click()
    expect(console.locator("h1")).to_contain_text("Promo e2e — Tours")
    expect(console.locator(".c-online").first).to_contain_text("Lina", timeout=TIMEOUT)
    _unlock(console, 1)
    expect(phone.locator("#day-kicker")).to_contain_text("Jour 1", timeout=TIMEOUT)
    _unlock(console, 2)
    expect(phone.locator("#day-kicker")).to_contain_text("Jour 2", timeout=1000)
    expect(console.locator("#grid-title")).to_contain_text("Jour 2", timeout=TIMEOUT)

    # A photo proof with no prerequisite: day 6's "Preuve de passage".
    _unlock(console, 6)
    proof = "d06-photo-repere"
    card = phone.locator(f'[data-mission="{proof}"]')
    expect(card).to_be_visible(timeout=TIMEOUT)
    card.click()
    expect(phone.locator("#panel")).to_have_attribute("open", "", timeout=TIMEOUT)
    phone.locator(f"#pphoto-{proof}").set_input_files(str(_jpeg(tmp_path / "equipe.jpg")))
    phone.get_by_role("button", name="Envoyer la preuve").click()

    pending = console.locator(f'td[data-mission="{proof}"] .c-proof')
    expect(pending).to_contain_text("Preuve à valider", timeout=TIMEOUT)
    expect(pending.locator("img")).to_be_visible()
    pending.get_by_label("Commentaire pour l'équipe").fill("Belle photo d'équipe !")
    SCREENSHOTS.mkdir(exist_ok=True)
    shot(console, "dashboard")
    console.screenshot(path=str(SCREENSHOTS / "e2e-1280-dashboard-full.png"), full_page=True)
    pending.get_by_role("button", name="Valider").click()
    expect(phone.locator("#panel")).to_contain_text("Preuve acceptée", timeout=TIMEOUT)
    expect(phone.locator("#panel")).to_contain_text("Belle photo d'équipe !")
    expect(console.locator(f'td[data-mission="{proof}"]').first).to_have_attribute(
        "data-status", "done", timeout=TIMEOUT
    )
    shot(phone, "proof-accepted")

    console.set_viewport_size(PHONE)
    shot(console, "dashboard")
    with console.expect_download() as download:
        console.get_by_role("link", name="kit d'impression (PDF)").click()
    kit = tmp_path / "kit.pdf"
    download.value.save_as(kit)
    pdf = pdfium.PdfDocument(str(kit))
    assert len(pdf) >= 3
    for index in range(len(pdf)):
        pdf[index].render(scale=1).to_pil().save(SCREENSHOTS / f"e2e-kit-page-{index + 1}.png")
    pdf.close()
    laptop.close()
    phone_ctx.close()
