"""Who may play, in Chromium: the join page, a new personal code, a team lock, a removal."""

from __future__ import annotations

from playwright.sync_api import Browser, expect

from tests.e2e.conftest import LAPTOP, PHONE, join, shot
from tests.live import LiveServer

TIMEOUT = 10_000
PASSWORD = "mot-de-passe-solide"


def test_a_player_changes_their_code_and_a_counsellor_closes_the_team(
    browser: Browser, live_server: LiveServer
) -> None:
    """The card's « Changer mon code personnel » signs the other phone out; the console closes
    the team to new arrivals and removes a player, whose phone is signed out."""
    phone = browser.new_context(viewport=PHONE, locale="fr-FR")
    lea = phone.new_page()
    lea.on("dialog", lambda dialog: dialog.accept())
    lea.goto(f"{live_server.url}/rejoindre/{live_server.team_codes[0]}")
    expect(lea.get_by_text("Il reste 12 places dans l'équipe.")).to_be_visible()
    shot(lea, "join-places")
    join(lea, live_server, "Léa")

    # The same player on a second phone, from her card's link (asked first).
    other = browser.new_context(viewport=PHONE, locale="fr-FR").new_page()
    old_url = lea.locator(".rejoin__url").get_attribute("href")
    assert old_url
    other.goto(old_url)
    expect(other.get_by_text("Tu vas continuer en tant que Léa")).to_be_visible()
    shot(other, "rejoin-confirm")
    other.get_by_role("button", name="Oui, c'est moi : continuer").click()
    expect(other.locator("#conn")).to_contain_text("En ligne", timeout=TIMEOUT)

    lea.goto(f"{live_server.url}/jouer#carte")
    lea.get_by_text("Afficher mon code et mon QR code").click()
    shot(lea, "card-change-code")
    lea.get_by_role("button", name="Changer mon code personnel").click()
    expect(lea.get_by_text("Ton nouveau code personnel est")).to_be_visible(timeout=TIMEOUT)
    shot(lea, "card-new-code")
    # The other phone lost its session: its socket was closed and it cannot come back.
    expect(other.locator("#conn")).not_to_contain_text("En ligne", timeout=TIMEOUT)
    other.goto(f"{live_server.url}/jouer")
    expect(other).to_have_url(f"{live_server.url}/")
    other.goto(old_url)
    expect(other.get_by_text("Ce code personnel n'existe pas")).to_be_visible()

    live_server.tempo(
        "user", "create", "--email", "admin@ml-e2e.fr", "--name", "Admin",
        "--role", "admin", "--password", PASSWORD,
    )  # fmt: skip
    console = browser.new_context(viewport=LAPTOP, locale="fr-FR").new_page()
    console.on("dialog", lambda dialog: dialog.accept())
    console.goto(f"{live_server.url}/console/connexion")
    console.locator("#email").fill("admin@ml-e2e.fr")
    console.locator("#password").fill(PASSWORD)
    console.get_by_role("button", name="Se connecter").click()
    console.goto(f"{live_server.url}/console/cohortes/demo/tableau")
    console.locator("[id^=team-menu-] > summary").first.click()  # the team's « Joueurs » menu
    console.get_by_role("button", name="Fermer l'équipe").first.click()
    expect(console.get_by_text("Équipe fermée aux nouvelles arrivées.")).to_be_visible()
    console.locator("[id^=team-menu-] > summary").first.click()  # reopened after the redirect
    console.locator("#grid-title").scroll_into_view_if_needed()
    shot(console, "console-players")

    latecomer = browser.new_context(viewport=PHONE, locale="fr-FR").new_page()
    latecomer.goto(f"{live_server.url}/rejoindre/{live_server.team_codes[0]}")
    expect(latecomer.get_by_text("est fermée aux nouvelles arrivées")).to_be_visible()
    expect(latecomer.locator("#pseudonym")).to_have_count(0)
    shot(latecomer, "join-closed")

    if not console.get_by_role("button", name="Retirer Léa de l’équipe").is_visible():
        console.locator("[id^=team-menu-] > summary").first.click()
    console.get_by_role("button", name="Retirer Léa de l’équipe").click()
    expect(console.get_by_text("Joueur retiré de son équipe.")).to_be_visible()
    lea.goto(f"{live_server.url}/jouer")
    expect(lea).to_have_url(f"{live_server.url}/")
    for page in (lea, other, latecomer, console):
        body = page.locator("body").inner_text()
        assert not any(bad in body for bad in ("[object", "undefined", "NaN", "null"))
    phone.close()
