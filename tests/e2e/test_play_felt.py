"""The play, felt: today's missions on the first screen, a character reacting to a wrong answer,
celebrations with motion (or none), the mute switch, folded past days and a day's end screen."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import LAPTOP, PHONE, join, shot
from tests.engine.kit import dialogue_path
from tests.live import LiveServer
from tests.realtime.helpers import content, mission

pytestmark = pytest.mark.browser
TIMEOUT = 10_000
BAD = ("[object", "undefined", "NaN", "null")


def _clean(page: Page) -> None:
    text = page.locator("body").inner_text()
    for word in BAD:
        assert word not in text, word


def _answer(page: Page, mission_id: str, answer: str) -> None:
    page.locator(f"#ans-{mission_id}").fill(answer)
    page.get_by_role("button", name="Valider la réponse").click()


def test_first_screen_wrong_answer_celebration_and_mute(
    browser: Browser, live_server: LiveServer
) -> None:
    """At 360×740 the first card starts on the first screen; a wrong answer gets KRONOS's
    authored reaction; the right one a celebration with confetti; the mute switch persists."""
    page = browser.new_context(viewport=PHONE, locale="fr-FR").new_page()
    join(page, live_server, "Lina")
    first = page.locator(".mcard").first
    expect(first).to_be_visible(timeout=TIMEOUT)
    # A returning player (the join page's welcome flash is gone).
    page.reload()
    expect(first).to_be_visible(timeout=TIMEOUT)
    shot(page, "felt-first-screen")
    box = first.bounding_box()
    tops = page.evaluate(
        "() => ['.topbar', '.hud', '.tabs', '#jour', '#about', '#missions', '.mapday'].map("
        "(s) => s + ':' + Math.round(document.querySelector(s)?.getBoundingClientRect().top))"
    )
    assert box is not None and box["y"] + 24 < PHONE["height"], (box, tops)
    _clean(page)

    badge = mission("d01-badge-entree")
    first.click()
    expect(page.locator("#panel")).to_have_attribute("open", "", timeout=TIMEOUT)
    _answer(page, badge.id, "mauvaise réponse")
    reaction = page.locator(".wrong-reaction")
    expect(reaction).to_contain_text("MOT DE PASSE REFUSÉ", timeout=TIMEOUT)
    expect(reaction).to_contain_text("KRONOS")
    reaction.scroll_into_view_if_needed()
    shot(page, "felt-wrong-answer")
    _clean(page)

    _answer(page, badge.id, badge.params["answers"][0])
    expect(page.locator("#celebrate")).to_have_attribute("open", "", timeout=TIMEOUT)
    expect(page.locator("#celebrate .confetti__piece").first).to_be_attached()
    name = page.locator("#celebrate .confetti__piece").first.evaluate(
        "el => getComputedStyle(el).animationName"
    )
    assert name == "confetti-fall"
    page.wait_for_timeout(500)
    shot(page, "felt-celebration")
    page.locator("#celebrate-close").click()
    page.keyboard.press("Escape")

    toggle = page.locator("#sound-toggle")
    expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(toggle).to_contain_text("activés")
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "false")
    expect(toggle).to_contain_text("coupés")
    page.reload()
    expect(page.locator("#sound-toggle")).to_have_attribute("aria-pressed", "false")
    expect(page.locator("#sound-toggle [data-sound-label]")).to_have_text(
        "Son et vibrations\u00a0: coupés"
    )


def test_reduced_motion_has_no_animation(browser: Browser, live_server: LiveServer) -> None:
    """With prefers-reduced-motion the celebration shows without any animation; its offer is a
    title and one line (the full text stays in the vault)."""
    live_server.tempo("day", "unlock", "demo", "2")
    page = browser.new_context(viewport=PHONE, locale="fr-FR", reduced_motion="reduce").new_page()
    join(page, live_server, "Noé")
    lock = mission("d02-casier")
    page.locator(f'[data-mission="{lock.id}"]').click()
    page.locator(f"#code-{lock.id}").fill(lock.params["code"])
    page.get_by_role("button", name="Essayer le code").click()
    cele = page.locator("#celebrate")
    expect(cele).to_have_attribute("open", "", timeout=TIMEOUT)
    for selector in ("#celebrate", "#celebrate .celebrate__burst", "#celebrate .confetti__piece"):
        name = page.locator(selector).first.evaluate("el => getComputedStyle(el).animationName")
        assert name == "none", selector
    offer = next(o for o in content().offers if o.id == lock.unlocks[0])
    expect(cele.locator(".celebrate__list li")).to_have_count(1)
    expect(cele.locator(".celebrate__list strong")).to_contain_text(offer.title)
    line = cele.locator(".celebrate__line").inner_text()
    assert (
        line and offer.summary.startswith(line.rstrip(".…")[:20]) and len(line) < len(offer.summary)
    )
    shot(page, "felt-celebration-offer")
    _clean(page)


def test_past_days_fold_for_a_day_ten_joiner(browser: Browser, live_server: LiveServer) -> None:
    """Ten open days: today's missions open, the nine others folded with their counts."""
    for day in range(2, 11):
        live_server.tempo("day", "unlock", "demo", str(day))
    for size, label in ((PHONE, "phone"), (LAPTOP, "laptop")):
        page = browser.new_context(viewport=size, locale="fr-FR").new_page()
        join(page, live_server, f"Tard {label}")
        past = page.locator("details.mapday--past")
        expect(past).to_have_count(9, timeout=TIMEOUT)
        assert page.locator("details.mapday--past[open]").count() == 0
        expect(past.first.locator("summary")).to_contain_text("Jour 9")
        expect(past.first.locator("summary")).to_contain_text("0 sur 4 réussies")
        expect(page.locator("section.mapday .mcard")).to_have_count(5)
        page.locator("#missions").scroll_into_view_if_needed()
        shot(page, "felt-folded-days")
        _clean(page)
        past.first.locator("summary").click()
        expect(past.first.locator(".mcard")).to_have_count(4)


# In the page, a second connection of the same player (the session cookie) sends the actions.
SOLVE_JS = """async ([steps]) => {
  const s = io("/play");
  await new Promise((ok) => s.on("connect", ok));
  const call = (ev, p) => new Promise((ok) => s.emit(ev, p, ok));
  let n = 0;
  for (const st of steps) {
    let data = st.data;
    if (st.kind === "choose") {
      const v = await call("view", { mission: st.mission });
      data = { node: v.mission.play.node, choice: st.choice };
    }
    const id = "e2e-" + (n++) + "-" + Math.random().toString(36).slice(2);   // [A-Za-z0-9_-]
    const ack = await call("action", { id: id, mission: st.mission, kind: st.kind, data: data });
    if (!ack.ok) return JSON.stringify(ack);
    await new Promise((ok) => setTimeout(ok, 150));
  }
  s.disconnect();
  return "ok";
}"""


def _steps(day: int) -> list[dict[str, Any]]:
    """The right actions for every mission of a day without proofs, read from the content."""
    scenario = content().scenarios["tempo-2050"]
    out: list[dict[str, Any]] = []
    for m in next(d for d in scenario.days if d.day == day).missions:
        p = m.params
        if m.type in ("enigma", "split-clue"):
            out.append({"mission": m.id, "kind": "answer", "data": {"answer": p["answers"][0]}})
        elif m.type == "code-lock":
            out.append({"mission": m.id, "kind": "try", "data": {"code": p["code"]}})
        elif m.type == "quiz":
            answers = [
                [i for i, c in enumerate(q["choices"]) if c.get("correct")] for q in p["questions"]
            ]
            out.append({"mission": m.id, "kind": "submit", "data": {"answers": answers}})
        elif m.type == "dialogue":
            for choice in dialogue_path(p, p["start"], {}):
                out.append({"mission": m.id, "kind": "choose", "choice": choice})
        else:  # pragma: no cover - pick a day without proofs
            raise AssertionError(m.type)
    return out


def test_the_day_s_end_after_its_last_mission(browser: Browser, live_server: LiveServer) -> None:
    """Day 3's five missions done: after the celebrations, the day's end screen with the
    missions, the éclats, KRONOS's loss and tomorrow's teaser; shown once, re-opened from the
    day card."""
    for day in (2, 3):
        live_server.tempo("day", "unlock", "demo", str(day))
    page = browser.new_context(viewport=PHONE, locale="fr-FR").new_page()
    join(page, live_server, "Sacha")
    expect(page.locator("#day-kicker")).to_contain_text("Jour 3", timeout=TIMEOUT)
    assert page.evaluate(SOLVE_JS, [_steps(3)]) == "ok"
    day3 = next(d for d in content().scenarios["tempo-2050"].days if d.day == 3)
    end = page.locator("#dayend")
    for _ in range(12):
        if end.get_attribute("open") is not None:
            break
        if page.locator("#celebrate[open]").count():
            page.locator("#celebrate-close").click()
        page.wait_for_timeout(700)
    expect(end).to_have_attribute("open", "", timeout=TIMEOUT)
    assert day3.teaser
    expect(end).to_contain_text(day3.teaser.split()[0])
    expect(end).to_contain_text("Demain")
    expect(end).to_contain_text(day3.missions[0].title)
    reward = sum(m.reward for m in day3.missions)
    expect(end).to_contain_text(f"+{reward}")
    expect(end).to_contain_text(f"KRONOS a perdu {reward} points")
    expect(page.locator("#dayend-journal")).to_have_attribute("href", "/journal")
    page.wait_for_timeout(400)
    shot(page, "felt-day-end")
    _clean(page)
    page.locator("#dayend-close").click()
    page.reload()
    expect(page.locator("#dayend-open")).to_be_visible(timeout=TIMEOUT)
    assert end.get_attribute("open") is None
    page.locator("#dayend-open").click()
    expect(end).to_have_attribute("open", "")
