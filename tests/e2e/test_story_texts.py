"""Authored story texts reach a phone's screen: reactions, quiz explanations, the adventure."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import LAPTOP, PHONE, join, shot
from tests.e2e.test_mission_texts import _screen, _visible
from tests.e2e.test_team_play import (
    TIMEOUT,
    _close_mission,
    _dismiss_celebration,
    _open_mission,
    _solve_badge,
)
from tests.live import LiveServer
from tests.realtime.helpers import content, mission


def _reaction_path(dialogue: Any) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """The reply leading to the first node with a reacted reply, that reply, and the way out."""
    nodes = {n["id"]: n for n in dialogue.params["nodes"]}
    node, reacted = next(
        (n, c) for n in nodes.values() for c in n["choices"] if c.get("reaction") and c.get("next")
    )
    start = nodes[dialogue.params["start"]]
    into = next(c for c in start["choices"] if c.get("next") == node["id"])
    out = next(c for c in nodes[reacted["next"]]["choices"] if c.get("end") == "success")
    return into["text"], reacted, out


def _choose(page: Page, text: str) -> None:
    page.locator(".choice-btn", has_text=text).click()
    expect(page.locator(".choice-btn", has_text=text)).to_have_count(0, timeout=TIMEOUT)


def test_reactions_explanations_and_the_story_are_readable_on_a_phone(
    browser: Browser, live_server: LiveServer
) -> None:
    """A dialogue's reaction, a wrong quiz's explanations, the tagline and the collective goal
    show as text at 360×740 (and on a laptop); nothing shows before its time."""
    scenario = content().scenarios["tempo-2050"]
    meta = scenario.meta
    assert meta.collective_goal and meta.ai.description
    context = browser.new_context(viewport=PHONE, locale="fr-FR")
    page = context.new_page()
    join(page, live_server, "Nina")
    ai_label = page.locator("#hud-ai-label")
    expect(ai_label).to_have_text(f"{meta.ai.subject} — puissance restante", timeout=TIMEOUT)
    # The day count comes with the snapshot; the opponent's sentences come composed.
    expect(page.locator("#day-kicker")).to_have_text("Jour 1 sur 10", timeout=TIMEOUT)
    expect(page.locator("#about summary")).to_have_text("L'aventure et les 10 jours")

    # The story waits behind the day card's disclosure: the missions stay where they were.
    about = page.locator("#about")
    expect(about.get_by_text(meta.tagline)).to_be_hidden()
    about.locator("summary").click()
    for text in (meta.tagline, _visible(meta.collective_goal), _visible(meta.ai.description)):
        expect(about).to_contain_text(text)
    expect(about.get_by_text(meta.tagline)).to_be_visible()
    expect(about.get_by_role("heading", name="L'adversaire\u00a0: KRONOS")).to_be_visible()
    expect(about.get_by_text(_visible(meta.collective_goal))).to_be_visible()
    screen = _screen(page)
    assert meta.tagline in screen and _visible(meta.collective_goal) in screen
    for character in scenario.characters:
        assert _visible(character.voice) in screen
    about.locator("summary").scroll_into_view_if_needed()
    shot(page, "about")
    about.locator("summary").click()

    _solve_badge(page)

    dialogue = mission("d01-contrat")
    into, reacted, out = _reaction_path(dialogue)
    reaction = _visible(reacted["reaction"])
    _open_mission(page, dialogue.id)
    _choose(page, into)
    assert reaction not in _screen(page)
    _choose(page, reacted["text"])
    said = page.locator(".reaction")
    expect(said).to_contain_text(reaction, timeout=TIMEOUT)
    expect(said.get_by_text(reaction)).to_be_visible()
    node = next(n for n in dialogue.params["nodes"] if reacted in n["choices"])
    speaker = next(c for c in scenario.characters if c.id == node["speaker"])
    expect(said.locator(".speaker__name")).to_contain_text(speaker.name)
    said.get_by_text(f"Qui est {speaker.name}").click()  # the character's bio, on tap
    expect(said.get_by_text(_visible(speaker.voice))).to_be_visible()
    assert _screen(page).index(reaction) < _screen(page).index(out["text"])  # before the next
    said.scroll_into_view_if_needed()
    shot(page, "dialogue-reaction")
    _choose(page, out["text"])
    expect(page.locator("#celebrate")).to_have_attribute("open", "", timeout=TIMEOUT)
    _dismiss_celebration(page)
    expect(page.locator(".reaction")).to_contain_text(_visible(out["reaction"]), timeout=TIMEOUT)
    _close_mission(page)

    quiz = mission("d01-cej-quiz")
    questions = quiz.params["questions"]
    explanations = [_visible(q["explanation"]) for q in questions]
    _open_mission(page, quiz.id)
    expect(page.locator(".question")).to_have_count(len(questions), timeout=TIMEOUT)
    screen = _screen(page)
    assert not any(e in screen for e in explanations)
    # The first question right, every other one wrong: below the pass mark.
    for qi, q in enumerate(questions):
        ci = next(i for i, c in enumerate(q["choices"]) if bool(c.get("correct")) == (qi == 0))
        page.locator(f"#q-{quiz.id}-{qi}-{ci}").check()
    page.get_by_role("button", name="Envoyer les réponses").click()
    expect(page.locator(".quiz__feedback")).to_have_count(len(questions), timeout=TIMEOUT)
    for explanation in explanations:
        expect(page.get_by_text(explanation)).to_be_visible()
    verdicts = page.locator(".quiz__verdict")
    expect(verdicts.first).to_have_text("✅ Bonne réponse")
    expect(verdicts.nth(1)).to_have_text("❌ Réponse à revoir")
    screen = _screen(page)
    assert all(e in screen for e in explanations)
    page.locator(".quiz__feedback").first.scroll_into_view_if_needed()
    shot(page, "quiz-explanations")

    laptop = browser.new_context(viewport=LAPTOP, locale="fr-FR")
    desk = laptop.new_page()
    rejoin = page.locator(".rejoin__url").get_attribute("href")
    assert rejoin
    desk.goto(rejoin)
    desk.get_by_role("button", name="Oui, c'est moi : continuer").click()  # /retour asks first
    expect(desk.locator("#conn")).to_contain_text("En ligne", timeout=TIMEOUT)
    desk.locator("#about summary").click()
    expect(desk.get_by_text(meta.tagline)).to_be_visible()
    _screen(desk)
    desk.locator("#about summary").scroll_into_view_if_needed()
    shot(desk, "about")
    desk.locator("#about summary").click()
    _open_mission(desk, quiz.id)
    expect(desk.locator(".quiz__feedback")).to_have_count(len(questions), timeout=TIMEOUT)
    _screen(desk)
    shot(desk, "quiz-explanations")
    laptop.close()
    context.close()
