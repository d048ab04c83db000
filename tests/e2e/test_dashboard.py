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
    page.get_by_role("button", name="Ouvrir", exact=True).click()


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

    # The grid comes first: at 1280×800 its header and first team row are on screen.
    cell = console.locator(f'td[data-mission="{proof}"]').first
    pending = cell.locator(".c-proof-link")
    expect(pending).to_contain_text("Preuve à valider", timeout=TIMEOUT)
    expect(console.locator(".c-toolbar [data-pending]")).to_have_text("1", timeout=TIMEOUT)
    first_row = console.locator(".c-board tbody tr").first.bounding_box()
    assert first_row and first_row["y"] + first_row["height"] <= LAPTOP["height"], first_row
    toolbar = console.locator(".c-toolbar").bounding_box()
    assert toolbar and toolbar["height"] < 70, toolbar  # one compact row at 1280 px
    # Rare actions wait behind menus: the player's menu per team row, the mission's per cell.
    team_menu = console.locator("tbody tr").first.locator("details.c-menu > summary").first
    team_menu.click()
    expect(console.get_by_role("button", name="marquer absent·e")).to_be_visible()
    SCREENSHOTS.mkdir(exist_ok=True)
    shot(console, "dashboard-menu")
    team_menu.press("Escape")
    expect(console.get_by_role("button", name="marquer absent·e")).to_be_hidden()
    cell_menu = cell.locator("summary")
    cell_menu.focus()
    console.keyboard.press("Enter")
    expect(cell.get_by_role("button", name="Réinitialiser la mission")).to_be_visible()
    console.keyboard.press("Escape")
    expect(cell.get_by_role("button", name="Réinitialiser la mission")).to_be_hidden()
    shot(console, "dashboard")
    console.screenshot(path=str(SCREENSHOTS / "e2e-1280-dashboard-full.png"), full_page=True)

    # The proof is reviewed in the review queue, one click from the cell.
    pending.click()
    item = console.locator(f'[data-mission="{proof}"].c-queue__item')
    expect(item.locator("img")).to_be_visible(timeout=TIMEOUT)
    item.get_by_label("Commentaire pour l'équipe").fill("Belle photo d'équipe !")
    item.get_by_role("button", name="Valider").click()
    expect(phone.locator("#panel")).to_contain_text("Preuve acceptée", timeout=TIMEOUT)
    expect(phone.locator("#panel")).to_contain_text("Belle photo d'équipe !")
    console.get_by_role("link", name="Tableau de bord", exact=True).click()
    expect(console.locator(f'td[data-mission="{proof}"]').first).to_have_attribute(
        "data-status", "done", timeout=TIMEOUT
    )
    expect(console.locator(".c-feed")).to_contain_text("« Preuve de passage »")
    expect(console.locator("#board")).not_to_contain_text("« »")
    for bad in ("[object", "undefined", "NaN", "null"):
        expect(console.locator("main")).not_to_contain_text(bad)
    shot(phone, "proof-accepted")

    # On a phone the toolbar wraps and the grid scrolls inside its own box, not the page.
    console.set_viewport_size(PHONE)
    shot(console, "dashboard")
    assert console.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    wrap = console.locator(".c-board-wrap")
    assert wrap.evaluate("el => el.scrollWidth > el.clientWidth")
    console.get_by_text("Télécharger", exact=True).click()
    with console.expect_download() as download:
        console.get_by_role("link", name="Kit d'impression (PDF)").click()
    kit = tmp_path / "kit.pdf"
    download.value.save_as(kit)
    pdf = pdfium.PdfDocument(str(kit))
    assert len(pdf) >= 3
    for index in range(len(pdf)):
        pdf[index].render(scale=1).to_pil().save(SCREENSHOTS / f"e2e-kit-page-{index + 1}.png")
    pdf.close()
    laptop.close()
    phone_ctx.close()
