"""Three phones decide a dialogue reply together by vote (Tempo 2050's first dialogue)."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import LAPTOP, PHONE, join, shot
from tests.e2e.test_team_play import _open_mission, _solve_badge
from tests.live import LiveServer
from tests.realtime.helpers import mission

TIMEOUT = 10_000
BAD = ("[object", "undefined", "NaN", "null")


def _button(page: Page, text: str):  # type: ignore[no-untyped-def]
    return page.locator(".choice-btn", has_text=text)


def _clean(page: Page) -> None:
    body = page.locator("#panel-body").inner_text()
    assert not any(bad in body for bad in BAD), body


def test_three_phones_vote_and_the_majority_moves_the_dialogue(
    browser: Browser, live_server: LiveServer
) -> None:
    """Léa proposes, the others see her name on the reply; Noé votes the same: the dialogue
    advances on all three phones, the character's reaction visible."""
    dialogue = mission("d01-contrat")
    nodes = {n["id"]: n for n in dialogue.params["nodes"]}
    to_contract = next(c["text"] for c in nodes["accueil"]["choices"] if c["next"] == "contrat")
    hasty = next(c for c in nodes["contrat"]["choices"] if c.get("reaction"))
    contexts = [browser.new_context(viewport=PHONE, locale="fr-FR") for _ in range(3)]
    lea, noe, sam = pages = [c.new_page() for c in contexts]
    for page, name in zip(pages, ("Léa", "Noé", "Sam"), strict=True):
        join(page, live_server, name, team=1)
    _solve_badge(lea)
    for page in pages:
        _open_mission(page, dialogue.id)

    # First reply: Léa proposes, Noé agrees.
    _button(lea, to_contract).click()
    for page in (noe, sam):
        expect(_button(page, to_contract)).to_contain_text("1 vote", timeout=TIMEOUT)
        expect(_button(page, to_contract)).to_contain_text("Léa")
        expect(page.locator("#toasts")).to_contain_text("Léa propose", timeout=TIMEOUT)
    expect(_button(lea, to_contract)).to_have_attribute("aria-pressed", "true")
    expect(_button(lea, to_contract)).to_contain_text("toi")
    expect(sam.locator(".vote__status")).to_contain_text("En attente de 1 vote")
    expect(sam.locator(".vote__clock")).to_contain_text("Décision dans")
    _clean(sam)
    sam.locator(".vote__status").scroll_into_view_if_needed()
    shot(sam, "vote")
    _button(noe, to_contract).click()

    # Second reply, with a reaction: proposed by Léa, seconded by Sam.
    for page in pages:
        expect(_button(page, hasty["text"])).to_be_visible(timeout=TIMEOUT)
    _button(lea, hasty["text"]).click()
    expect(_button(sam, hasty["text"])).to_contain_text("Léa", timeout=TIMEOUT)
    _button(sam, hasty["text"]).click()
    for page in pages:
        expect(page.locator(".reaction")).to_contain_text(hasty["reaction"], timeout=TIMEOUT)
        expect(page.locator(".history")).to_contain_text("déjà répondu (2)")
        _clean(page)

    # The vote in progress on a laptop: Noé proposes the next reply.
    laptop = browser.new_context(viewport=LAPTOP, locale="fr-FR")
    desk = laptop.new_page()
    rejoin = lea.locator(".rejoin__url").get_attribute("href")
    assert rejoin
    desk.goto(rejoin)
    desk.get_by_role("button", name="Oui, c'est moi : continuer").click()  # /retour asks first
    _open_mission(desk, dialogue.id)
    noe.locator(".choice-btn").first.click()
    expect(desk.locator(".choice-btn").first).to_contain_text("Noé", timeout=TIMEOUT)
    _clean(desk)
    desk.locator(".vote__status").scroll_into_view_if_needed()
    shot(desk, "vote")
    for context in (*contexts, laptop):
        context.close()
