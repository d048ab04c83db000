"""Six phones play together in headless Chromium against a real `tempo serve`."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import LAPTOP, PHONE, open_card, shot
from tests.live import LiveServer
from tests.realtime.helpers import content, mission

TIMEOUT = 10_000


def _dismiss_celebration(page: Page) -> None:
    if page.locator("#celebrate[open]").count():
        page.locator("#celebrate-close").click()
        expect(page.locator("#celebrate")).not_to_have_attribute("open", "", timeout=TIMEOUT)


def _open_mission(page: Page, mission_id: str) -> None:
    _dismiss_celebration(page)
    open_card(page, mission_id)
    expect(page.locator("#panel")).to_have_attribute("open", "", timeout=TIMEOUT)


def _close_mission(page: Page) -> None:
    page.keyboard.press("Escape")


def _answer(page: Page, mission_id: str, answer: str) -> None:
    page.locator(f"#ans-{mission_id}").fill(answer)
    page.get_by_role("button", name="Valider la réponse").click()


def _solve_badge(page: Page) -> None:
    """Solve day 1's first mission (its reward pays for hints), then back to the map."""
    badge = mission("d01-badge-entree")
    _open_mission(page, badge.id)
    _answer(page, badge.id, badge.params["answers"][0])
    expect(page.locator("#celebrate")).to_have_attribute("open", "", timeout=TIMEOUT)
    _dismiss_celebration(page)
    _close_mission(page)


def test_six_phones_join_share_fragments_and_unlock_an_offer(
    browser: Browser, live_server: LiveServer
) -> None:
    """Six phones join from the team's QR URL, pool six fragments, and all get the offer."""
    code = live_server.team_codes[0]
    contexts = [browser.new_context(viewport=PHONE, locale="fr-FR") for _ in range(6)]
    pages = [c.new_page() for c in contexts]
    names = [f"Joueur {n}" for n in range(1, 7)]
    for page, name in zip(pages, names, strict=True):
        page.goto(f"{live_server.url}/rejoindre/{code}")
        page.locator("#pseudonym").fill(name)
        page.get_by_role("button", name="Entrer dans l'équipe").click()
        expect(page).to_have_url(f"{live_server.url}/jouer")
    for page in pages:
        for name in names:
            expect(page.locator("#teammates")).to_contain_text(name, timeout=TIMEOUT)
        expect(page.locator("#conn")).to_contain_text("En ligne", timeout=TIMEOUT)
    pages[0].locator("#equipe").scroll_into_view_if_needed()
    shot(pages[0], "lobby-team")

    badge = mission("d01-badge-entree")
    _open_mission(pages[0], badge.id)
    _answer(pages[0], badge.id, badge.params["answers"][0])
    expect(pages[0].locator("#celebrate")).to_have_attribute("open", "", timeout=TIMEOUT)
    for page in pages:
        expect(page.locator(f'[data-mission="{badge.id}"]')).to_contain_text(
            "Réussie", timeout=TIMEOUT
        )
        _dismiss_celebration(page)
    _close_mission(pages[0])
    pages[0].locator("#missions").scroll_into_view_if_needed()
    shot(pages[0], "mission-map")

    split = mission("d01-annuaire")
    held: list[str] = []
    for page in pages:
        _open_mission(page, split.id)
        labels = page.locator(".fragment__label strong")
        expect(labels).to_have_count(1, timeout=TIMEOUT)
        held.append(labels.inner_text())
    assert sorted(held) == sorted(f"🧩 Ton fragment n°{n} sur 6" for n in range(1, 7))
    shot(pages[2], "split-clue")

    _answer(pages[3], split.id, split.params["answers"][0])
    offer = next(o for o in content().offers if o.id == split.unlocks[0])
    for page in pages:
        expect(page.locator("#celebrate")).to_contain_text(offer.title, timeout=TIMEOUT)
    shot(pages[5], "celebration")
    for page in pages:
        _dismiss_celebration(page)
        _close_mission(page)
        expect(page.locator("#vault")).to_contain_text(offer.title, timeout=TIMEOUT)
    pages[1].locator("#coffre").scroll_into_view_if_needed()
    pages[1].locator(f'details[data-offer="{offer.id}"] summary').click()
    shot(pages[1], "vault")
    for context in contexts:
        context.close()


def test_reload_mid_mission_comes_back_to_the_same_state(
    browser: Browser, live_server: LiveServer
) -> None:
    """A phone reloads in the middle of a dialogue and finds the conversation where it was."""
    context = browser.new_context(viewport=PHONE, locale="fr-FR")
    page = context.new_page()
    page.goto(f"{live_server.url}/rejoindre/{live_server.team_codes[1]}")
    page.locator("#pseudonym").fill("Rayan")
    page.get_by_role("button", name="Entrer dans l'équipe").click()
    _solve_badge(page)

    dialogue = mission("d01-contrat")
    _open_mission(page, dialogue.id)
    first_line = page.locator(".speaker__line").inner_text()
    page.locator(".choice-btn").first.click()
    expect(page.locator(".speaker__line")).not_to_have_text(first_line, timeout=TIMEOUT)
    line = page.locator(".speaker__line").inner_text()
    shot(page, "dialogue")

    page.reload()
    expect(page.locator("#conn")).to_contain_text("En ligne", timeout=TIMEOUT)
    _open_mission(page, dialogue.id)
    expect(page.locator(".speaker__line")).to_have_text(line, timeout=TIMEOUT)
    expect(page.locator(".history")).to_contain_text("déjà répondu (1)")

    laptop = browser.new_context(viewport=LAPTOP, locale="fr-FR")
    desk = laptop.new_page()
    rejoin_url = page.locator(".rejoin__url").get_attribute("href")
    assert rejoin_url and "/retour/" in rejoin_url
    desk.goto(rejoin_url)  # the same player on a laptop, from the personal code's URL
    expect(desk.get_by_text("C'est bien toi ?", exact=False)).to_be_visible()
    shot(desk, "rejoin-confirm")
    desk.get_by_role("button", name="Oui, c'est moi : continuer").click()
    _open_mission(desk, dialogue.id)
    expect(desk.locator(".speaker__line")).to_have_text(line, timeout=TIMEOUT)
    shot(desk, "dialogue")
    context.close()
    laptop.close()
