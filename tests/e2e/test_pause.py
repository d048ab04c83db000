"""The counsellor pauses the cohort from the console while a phone has a mission open."""

from __future__ import annotations

from playwright.sync_api import Browser, expect

from tests.e2e.conftest import LAPTOP, PHONE, shot
from tests.live import LiveServer
from tests.realtime.helpers import mission

TIMEOUT = 10_000
EMAIL = "admin@ml-e2e.fr"
PASSWORD = "mot-de-passe-solide"
PAUSE_TEXT = "Le jeu est en pause"


def test_a_paused_phone_shows_the_pause_and_plays_on_after_the_resume(
    browser: Browser, live_server: LiveServer
) -> None:
    """Mission open, answer typed; pause: banner and refusal; resume: the answer goes through."""
    live_server.tempo(
        "user", "create", "--email", EMAIL, "--name", "Admin",
        "--role", "admin", "--password", PASSWORD,
    )  # fmt: skip
    phone_ctx = browser.new_context(viewport=PHONE, locale="fr-FR")
    phone = phone_ctx.new_page()
    phone.goto(f"{live_server.url}/rejoindre/{live_server.team_codes[0]}")
    phone.locator("#pseudonym").fill("Lina")
    phone.get_by_role("button", name="Entrer dans l'équipe").click()
    expect(phone.locator("#conn")).to_contain_text("En ligne", timeout=TIMEOUT)
    badge = mission("d01-badge-entree")
    phone.locator(f'[data-mission="{badge.id}"]').click()
    panel = phone.locator("#panel")
    expect(panel).to_have_attribute("open", "", timeout=TIMEOUT)
    answer = phone.locator(f"#ans-{badge.id}")
    submit = panel.get_by_role("button", name="Valider la réponse")
    answer.fill("pas ça")  # a first try: the mission is in progress
    submit.click()
    expect(phone.locator(f"#msg-{badge.id}-answer")).not_to_be_empty(timeout=TIMEOUT)
    answer.fill(badge.params["answers"][0])

    laptop = browser.new_context(viewport=LAPTOP, locale="fr-FR")
    console = laptop.new_page()
    console.on("dialog", lambda dialog: dialog.accept())  # the pause asks for confirmation
    console.goto(f"{live_server.url}/console/connexion")
    console.locator("#email").fill(EMAIL)
    console.locator("#password").fill(PASSWORD)
    console.get_by_role("button", name="Se connecter").click()
    console.goto(f"{live_server.url}/console/cohortes/demo/tableau")
    console.get_by_role("button", name="Mettre en pause").click()
    expect(console.get_by_role("button", name="Reprendre la cohorte")).to_be_visible()

    banner = phone.locator("#panel-paused")
    expect(banner).to_be_visible(timeout=TIMEOUT)
    expect(banner).to_contain_text(PAUSE_TEXT)
    submit.click()
    expect(phone.locator(f"#msg-{badge.id}-answer")).to_contain_text(PAUSE_TEXT, timeout=TIMEOUT)
    expect(answer).to_have_value(badge.params["answers"][0])  # what was typed is kept
    expect(phone.locator("#celebrate")).not_to_have_attribute("open", "")
    shot(phone, "paused-mission")

    console.get_by_role("button", name="Reprendre la cohorte").click()
    expect(banner).to_be_hidden(timeout=TIMEOUT)
    expect(phone.locator(f"#msg-{badge.id}-answer")).to_be_empty()
    expect(answer).to_have_value(badge.params["answers"][0])
    submit.click()
    expect(phone.locator("#celebrate")).to_have_attribute("open", "", timeout=TIMEOUT)
    laptop.close()
    phone_ctx.close()
