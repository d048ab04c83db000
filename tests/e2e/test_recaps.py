"""Daily recaps in Chromium: a counsellor closes the day, the phone is told, opens its journal."""

from __future__ import annotations

import io

from PIL import Image
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import LAPTOP, PHONE, SCREENSHOTS, shot, wait_until
from tests.live import LiveServer
from tests.realtime.helpers import content, mission

TIMEOUT = 10_000
EMAIL = "admin@ml-e2e.fr"
PASSWORD = "mot-de-passe-solide"


def _dismiss_celebration(page: Page) -> None:
    if page.locator("#celebrate[open]").count():
        page.locator("#celebrate-close").click()
        expect(page.locator("#celebrate")).not_to_have_attribute("open", "", timeout=TIMEOUT)


def _solve(page: Page, mission_id: str, answer: str) -> None:
    _dismiss_celebration(page)
    page.locator(f'[data-mission="{mission_id}"]').click()
    expect(page.locator("#panel")).to_have_attribute("open", "", timeout=TIMEOUT)
    page.locator(f"#ans-{mission_id}").fill(answer)
    page.get_by_role("button", name="Valider la réponse").click()
    expect(page.locator("#celebrate")).to_have_attribute("open", "", timeout=TIMEOUT)
    _dismiss_celebration(page)
    page.keyboard.press("Escape")


def _full(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    size = page.viewport_size or PHONE
    page.screenshot(path=str(SCREENSHOTS / f"e2e-{size['width']}-{name}-full.png"), full_page=True)


def test_the_day_closes_and_the_phone_finds_its_recap(
    browser: Browser, live_server: LiveServer
) -> None:
    """Empty journal, the counsellor closes day 1, the banner comes live, the recap and its card."""
    live_server.tempo(
        "user", "create", "--email", EMAIL, "--name", "Admin",
        "--role", "admin", "--password", PASSWORD,
    )  # fmt: skip
    phone = browser.new_context(viewport=PHONE, locale="fr-FR")
    page = phone.new_page()
    page.goto(f"{live_server.url}/rejoindre/{live_server.team_codes[0]}")
    page.locator("#pseudonym").fill("Comète Agile")
    page.locator("#first_name").fill("Jessica")
    page.get_by_role("button", name="Entrer dans l'équipe").click()
    expect(page.locator("#conn")).to_contain_text("En ligne", timeout=TIMEOUT)
    for mission_id in ("d01-badge-entree", "d01-annuaire"):
        m = mission(mission_id)
        _solve(page, mission_id, m.params["answers"][0])

    page.get_by_role("link", name="Mon journal de bord").click()
    expect(page.get_by_role("heading", name="Ton journal est encore vide")).to_be_visible()
    shot(page, "journal-empty")
    page.locator("#email").fill("jessica@example.org")
    page.locator("#consent").check()
    page.get_by_role("button", name="Recevoir mes récaps").click()
    expect(page.locator(".flash")).to_contain_text("tes prochains récaps arriveront")
    page.get_by_role("link", name="Retour au jeu").click()
    expect(page.locator("#conn")).to_contain_text("En ligne", timeout=TIMEOUT)

    laptop = browser.new_context(viewport=LAPTOP, locale="fr-FR")
    console = laptop.new_page()
    console.on("dialog", lambda dialog: dialog.accept())
    console.goto(f"{live_server.url}/console/connexion")
    console.locator("#email").fill(EMAIL)
    console.locator("#password").fill(PASSWORD)
    console.get_by_role("button", name="Se connecter").click()
    console.goto(f"{live_server.url}/console/cohortes/demo/recaps")
    expect(console.get_by_role("heading", name="Aucun récap pour l'instant")).to_be_visible()
    console.get_by_role("button", name="Clôturer et envoyer les récaps").click()
    expect(console.locator(".flash")).to_contain_text("Jour 1 clôturé")

    # The phone hears it live: a toast and a banner pointing at the journal.
    banner = page.locator("#recap-ready")
    expect(banner).to_be_visible(timeout=TIMEOUT)
    expect(banner).to_contain_text("Ton récap du jour 1 est prêt")
    page.wait_for_timeout(300)  # let the toast settle for the screenshot
    shot(page, "recap-ready")

    # The day's end screen opened with the close (static/js/play.js): it points at the journal too.
    day_end = page.locator("#dayend")
    expect(day_end).to_have_attribute("open", "", timeout=TIMEOUT)
    expect(day_end).to_contain_text("Ton récap du jour 1 est prêt")
    day_end.get_by_role("button", name="Continuer").click()
    banner.get_by_role("link", name="Voir mon journal").click()
    recap = page.locator("#jour-1")
    expect(recap).to_contain_text("Bienvenue chez Horizon 2050")
    expect(recap).to_contain_text("Tu as réussi 2 missions")
    offer = next(o for o in content().offers if o.id == mission("d01-annuaire").unlocks[0])
    expect(recap).to_contain_text(offer.title)
    expect(page.locator("body")).not_to_contain_text("Jessica")
    shot(page, "journal")
    recap.locator(".offer summary").first.click()
    recap.locator(".recap__preview summary").click()
    expect(recap.locator(".recap__preview img")).to_be_visible()
    wait_until(
        page, "document.querySelector('.recap__preview img')?.naturalWidth === 1080", TIMEOUT
    )
    _full(page, "journal")
    # Headless Chromium cannot share files: the download link is the way, the button stays hidden.
    expect(recap.get_by_role("link", name="Télécharger ma carte")).to_be_visible()

    card = page.request.get(f"{live_server.url}/journal/jour-1.png")
    assert card.ok and card.headers["content-type"] == "image/png"
    image = Image.open(io.BytesIO(card.body()))
    assert image.size == (1080, 1920)
    (SCREENSHOTS / "recap-card-player.png").write_bytes(card.body())
    team_card = page.request.get(f"{live_server.url}/journal/jour-1-equipe.png")
    (SCREENSHOTS / "recap-card-team.png").write_bytes(team_card.body())
    # Another browser (not signed in) gets nothing.
    stranger = browser.new_context(viewport=PHONE, locale="fr-FR")
    assert stranger.new_page().request.get(f"{live_server.url}/journal/jour-1.png").status == 404

    # The same player on a laptop, from the personal code's URL.
    page.goto(f"{live_server.url}/jouer")
    rejoin_url = page.locator(".rejoin__url").get_attribute("href")
    assert rejoin_url
    player_laptop = browser.new_context(viewport=LAPTOP, locale="fr-FR")
    desk = player_laptop.new_page()
    desk.goto(rejoin_url)
    desk.get_by_role("button", name="Oui, c'est moi : continuer").click()  # /retour asks first
    expect(desk.locator("#recap-ready")).to_be_visible()  # not opened on this browser yet
    shot(desk, "play-recap-ready")
    desk.goto(f"{live_server.url}/journal")
    expect(desk.locator("#jour-1")).to_contain_text("Bienvenue chez Horizon 2050")
    shot(desk, "journal")
    _full(desk, "journal")

    console.reload()
    expect(console.locator("#jour-1")).to_contain_text("Les Comètes")
    shot(console, "console-recaps")
    small = browser.new_context(viewport=PHONE, locale="fr-FR")
    mobile_console = small.new_page()
    mobile_console.goto(f"{live_server.url}/console/connexion")
    mobile_console.locator("#email").fill(EMAIL)
    mobile_console.locator("#password").fill(PASSWORD)
    mobile_console.get_by_role("button", name="Se connecter").click()
    mobile_console.goto(f"{live_server.url}/console/cohortes/demo/recaps")
    _full(mobile_console, "console-recaps")
    for context in (phone, laptop, player_laptop, stranger, small):
        context.close()
