"""The room's screen on a projector (1920×1080) while phones join and play, in Chromium."""

from __future__ import annotations

from datetime import date, timedelta

from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import LAPTOP, PHONE, shot
from tests.live import LiveServer
from tests.realtime.helpers import content, mission

TIMEOUT = 10_000
EMAIL = "admin@ml-e2e.fr"
PASSWORD = "mot-de-passe-solide"
PROJECTOR = {"width": 1920, "height": 1080}
SMALL_PROJECTOR = {"width": 1280, "height": 720}
BAD = ("[object", "undefined", "NaN", "null")


def _sign_in(page: Page, live_server: LiveServer) -> None:
    live_server.tempo(
        "user", "create", "--email", EMAIL, "--name", "Inès Conseillère",
        "--role", "admin", "--password", PASSWORD,
    )  # fmt: skip
    page.goto(f"{live_server.url}/console/connexion")
    page.locator("#email").fill(EMAIL)
    page.locator("#password").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(f"{live_server.url}/console/cohortes")


def _looks_right(page: Page) -> None:
    """Nothing a person would read as a bug, and no scrolling."""
    seen = page.locator("body").inner_text()
    for bad in BAD:
        assert bad not in seen, f"{bad!r} on the screen"
    fits = page.evaluate(
        "document.documentElement.scrollHeight <= window.innerHeight"
        " && document.documentElement.scrollWidth <= window.innerWidth"
    )
    assert fits, "the screen scrolls"


def _qr_codes_drawn(page: Page) -> int:
    return int(
        page.evaluate(
            "Array.from(document.querySelectorAll('#arrivals img'))"
            ".filter((i) => i.complete && i.naturalWidth > 0 && i.offsetWidth > 80).length"
        )
    )


def test_the_rooms_screen_follows_arrivals_play_and_pause(
    browser: Browser, live_server: LiveServer
) -> None:
    """Codes while phones join, a celebration and KRONOS weakened in play, a message, the pause."""
    laptop = browser.new_context(viewport=PROJECTOR, locale="fr-FR")
    console = laptop.new_page()
    console.on("dialog", lambda dialog: dialog.accept())
    _sign_in(console, live_server)
    console.goto(f"{live_server.url}/console/cohortes/demo/tableau")
    console.set_viewport_size(LAPTOP)
    link = console.get_by_role("link", name="Écran de la salle")
    expect(link).to_have_attribute("target", "_blank")
    shot(console, "projector-link")
    with laptop.expect_page() as opened:
        link.click()
    screen = opened.value
    screen.set_viewport_size(PROJECTOR)
    expect(screen.locator("#live")).to_have_text("En direct", timeout=TIMEOUT)

    # Day 1 of the demo is open: the play shows; the counsellor asks for the codes again.
    expect(screen.locator("#play")).to_be_visible()
    codes = screen.get_by_role("button", name="Afficher les codes d’accès")
    codes.focus()
    screen.keyboard.press("Enter")  # keyboard accessible
    expect(screen.locator("#show-codes")).to_have_attribute("aria-pressed", "true")
    arrivals = screen.locator("#arrivals")
    expect(arrivals).to_be_visible()
    for code in live_server.team_codes:
        expect(arrivals).to_contain_text(code)
    expect(arrivals).to_contain_text("Les Comètes")
    expect(arrivals).to_contain_text("Les Pionniers")

    phones = [browser.new_context(viewport=PHONE, locale="fr-FR") for _ in range(3)]
    pages = [p.new_page() for p in phones]
    for page, (name, team) in zip(pages, [("Lina", 0), ("Noa", 0), ("Sami", 1)], strict=True):
        page.goto(f"{live_server.url}/rejoindre/{live_server.team_codes[team]}")
        page.locator("#pseudonym").fill(name)
        page.get_by_role("button", name="Entrer dans l'équipe").click()
        expect(page.locator("#conn")).to_contain_text("En ligne", timeout=TIMEOUT)
    cards = arrivals.locator(".p-code")
    expect(cards.nth(0)).to_contain_text("2 joueurs arrivés", timeout=TIMEOUT)
    expect(cards.nth(1)).to_contain_text("1 joueur arrivé", timeout=TIMEOUT)
    expect(cards.nth(0)).to_contain_text("2 en ligne", timeout=TIMEOUT)
    assert _qr_codes_drawn(screen) == 2
    _looks_right(screen)
    shot(screen, "projector-arrivals")

    # Back to the play: Lina solves the first enigma; the screen celebrates, KRONOS weakens.
    screen.get_by_role("button", name="Revenir au jeu").click()
    expect(screen.locator("#play")).to_be_visible()
    ai = content().scenarios["tempo-2050"].meta.ai
    total = 2 * ai.strength
    expect(screen.locator(".p-kronos__figure")).to_have_text(f"{total} / {total}")
    badge = mission("d01-badge-entree")
    lina = pages[0]
    lina.locator(f'[data-mission="{badge.id}"]').click()
    lina.locator(f"#ans-{badge.id}").fill(badge.params["answers"][0])
    lina.get_by_role("button", name="Valider la réponse").click()
    feed = screen.locator("#feed")
    expect(feed.locator("li").first).to_contain_text(
        f"Lina a réussi « {badge.title} »", timeout=TIMEOUT
    )
    expect(feed.locator("li").first).to_contain_text("Les Comètes")
    left = total - badge.reward
    expect(screen.locator(".p-kronos__figure")).to_have_text(f"{left} / {total}")
    expect(screen.locator(".p-kronos")).to_contain_text(f"déjà pris {badge.reward} points")
    expect(screen.locator(".p-team").first).to_contain_text("1 / ")
    expect(screen.locator("#timer-left")).to_contain_text("encore")

    # The counsellor's message to the cohort reaches the screen.
    console.get_by_text("Message", exact=True).click()  # the toolbar's message disclosure
    console.locator("#message-text").fill("Pause déjeuner à 12 h 30 : finissez votre mission !")
    console.get_by_role("button", name="Envoyer aux téléphones").click()
    expect(screen.locator(".p-message")).to_contain_text(
        "Pause déjeuner à 12 h 30 : finissez votre mission !", timeout=TIMEOUT
    )
    expect(screen.locator(".p-message")).to_contain_text("à toute la cohorte")
    _looks_right(screen)
    shot(screen, "projector-play")
    screen.set_viewport_size(SMALL_PROJECTOR)
    _looks_right(screen)
    shot(screen, "projector-play")
    screen.set_viewport_size(PROJECTOR)

    # The pause: the whole screen says so, then the play comes back with the resume.
    console.get_by_role("button", name="Mettre en pause").click()
    pause = screen.locator(".p-pause")
    expect(pause).to_be_visible(timeout=TIMEOUT)
    expect(pause).to_contain_text("Pause")
    expect(screen.locator("#show-codes")).to_be_hidden()
    _looks_right(screen)
    shot(screen, "projector-pause")
    console.get_by_role("button", name="Reprendre la cohorte").click()
    expect(screen.locator("#play")).to_be_visible(timeout=TIMEOUT)
    for ctx in phones:
        ctx.close()
    laptop.close()


def test_eight_teams_fit_the_screen(browser: Browser, live_server: LiveServer) -> None:
    """A new cohort of eight teams: its codes before day 1, then its play, without scrolling."""
    laptop = browser.new_context(viewport=PROJECTOR, locale="fr-FR")
    page = laptop.new_page()
    _sign_in(page, live_server)
    page.goto(f"{live_server.url}/console/cohortes/nouvelle")
    page.locator("#name").fill("Promo des huit")
    page.locator("#slug").fill("huit")
    page.locator("#start").fill((date.today() + timedelta(days=7)).isoformat())
    names = [
        "Les Comètes", "Les Pionniers", "Les Explorateurs du futur", "Les Étoiles",
        "Les Boussoles", "Les Éclaireurs", "Les Satellites", "Les Aventurières",
    ]  # fmt: skip
    page.locator("#teams").fill("\n".join(names))
    page.locator("form button[type=submit]").last.click()
    expect(page.locator("h1")).to_contain_text("Promo des huit", timeout=TIMEOUT)
    page.goto(f"{live_server.url}/console/cohortes/huit/ecran")
    expect(page.locator(".p-screen")).to_have_attribute("data-phase", "arrivals")
    expect(page.locator("#show-codes")).to_be_hidden()
    expect(page.locator(".p-code")).to_have_count(8)
    expect(page.locator(".p-code").nth(7)).to_contain_text("Les Aventurières")
    page.wait_for_function("document.querySelectorAll('#arrivals img').length === 8")
    page.wait_for_load_state("networkidle")
    assert _qr_codes_drawn(page) == 8
    for size in (PROJECTOR, SMALL_PROJECTOR):
        page.set_viewport_size(size)
        shot(page, "projector-8-arrivals")
        _looks_right(page)

    # Day 1 opened from the dashboard: the screen turns to the play by itself.
    page.set_viewport_size(PROJECTOR)
    expect(page.locator("#live")).to_have_text("En direct", timeout=TIMEOUT)
    dashboard = laptop.new_page()
    dashboard.on("dialog", lambda dialog: dialog.accept())
    dashboard.goto(f"{live_server.url}/console/cohortes/huit/tableau")
    dashboard.locator("#unlock-day").select_option("1")
    dashboard.get_by_role("button", name="Ouvrir", exact=True).click()
    expect(page.locator("#play")).to_be_visible(timeout=TIMEOUT)
    expect(page.locator("#show-codes")).to_be_visible()
    expect(page.locator("#timer-left")).to_contain_text("encore")
    expect(page.locator(".p-team")).to_have_count(8)
    expect(page.locator("#feed")).to_have_count(1)
    for size in (PROJECTOR, SMALL_PROJECTOR):
        page.set_viewport_size(size)
        shot(page, "projector-8-play")
        _looks_right(page)
    laptop.close()
