"""Counsellors' messages in Chromium: a phone that was closed finds them in its inbox."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, expect

from tests.e2e.conftest import LAPTOP, PHONE, join, shot
from tests.live import LiveServer

TIMEOUT = 10_000
PASSWORD = "mot-de-passe-solide"


def test_a_closed_phone_reads_the_message_and_the_console_sees_it(
    browser: Browser, live_server: LiveServer
) -> None:
    """Sent while Sam's page was closed: his inbox shows it unread; once opened, « Lu par Sam »."""
    live_server.tempo(
        "user", "create", "--email", "admin@ml-e2e.fr", "--name", "Inès Ferrand",
        "--role", "admin", "--password", PASSWORD,
    )  # fmt: skip
    lea_ctx = browser.new_context(viewport=PHONE, locale="fr-FR")
    sam_ctx = browser.new_context(viewport=PHONE, locale="fr-FR")
    lea, sam = lea_ctx.new_page(), sam_ctx.new_page()
    join(lea, live_server, "Léa")
    join(sam, live_server, "Sam")
    sam.close()  # Sam's phone is away when the message is sent

    laptop = browser.new_context(viewport=LAPTOP, locale="fr-FR")
    console = laptop.new_page()
    console.goto(f"{live_server.url}/console/connexion")
    console.locator("#email").fill("admin@ml-e2e.fr")
    console.locator("#password").fill(PASSWORD)
    console.get_by_role("button", name="Se connecter").click()
    console.goto(f"{live_server.url}/console/cohortes/demo/tableau")
    expect(console.locator("#messages-title")).to_have_text("Messages envoyés")
    expect(console.locator(".c-messages")).to_contain_text("Aucun message envoyé")
    console.get_by_text("Message", exact=True).click()  # the toolbar's message disclosure
    console.locator("#message-team").select_option(index=1)
    console.locator("#message-text").fill("Retrouvez-moi devant la médiathèque à 14 h.")
    console.get_by_role("button", name="Envoyer aux téléphones").click()
    reads = console.locator(".c-message__reads").first
    expect(reads).to_have_text(
        re.compile(r"Pas encore lu par (Léa, Sam|Sam, Léa)"), timeout=TIMEOUT
    )

    # Léa was online: the toast announced it, and her inbox keeps it.
    expect(lea.locator("#toasts")).to_contain_text("médiathèque", timeout=TIMEOUT)
    expect(lea.get_by_role("button", name="Messages d'Inès — 1 message non lu")).to_be_visible()

    sam = sam_ctx.new_page()
    sam.goto(f"{live_server.url}/jouer")
    expect(sam.locator("#conn")).to_contain_text("En ligne", timeout=TIMEOUT)
    inbox_button = sam.get_by_role("button", name="Messages d'Inès — 1 message non lu")
    expect(inbox_button).to_be_visible(timeout=TIMEOUT)
    expect(sam.locator("#inbox-count")).to_have_text("1")
    inbox_button.click()
    dialog = sam.get_by_role("dialog", name="Messages d'Inès")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Retrouvez-moi devant la médiathèque à 14 h.")
    expect(dialog).to_contain_text("Nouveau")
    expect(dialog.locator("time")).to_have_text(re.compile(r"^\S+ \d+ \S+ à \d\d:\d\d$"))
    for bad in ("[object", "undefined", "NaN", "null"):
        expect(dialog).not_to_contain_text(bad)
    shot(sam, "inbox")

    expect(reads).to_have_text("Lu par Sam · pas encore lu par Léa", timeout=TIMEOUT)
    console.locator(".c-messages").scroll_into_view_if_needed()
    shot(console, "console-messages")

    dialog.get_by_role("button", name="Fermer").click()
    expect(sam.get_by_role("button", name="Messages d'Inès", exact=True)).to_be_visible()
    expect(sam.locator("#inbox-count")).to_be_hidden()
    sam.reload()
    expect(sam.locator("#conn")).to_contain_text("En ligne", timeout=TIMEOUT)
    expect(sam.get_by_role("button", name="Messages d'Inès", exact=True)).to_be_visible()
    for ctx in (lea_ctx, sam_ctx, laptop):
        ctx.close()
