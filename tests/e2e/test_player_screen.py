"""The player's screen at 360×740 in the moments between two states: a dialogue whose view is
still on its way, a day that ended while the phone was off, a vote whose count of players present
changes (issue 11's player-screen defects)."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Browser, Page, WebSocketRoute, expect

from tests.e2e.conftest import PHONE, join, shot
from tests.e2e.test_play_felt import SOLVE_JS, _steps
from tests.e2e.test_team_play import _open_mission, _solve_badge
from tests.live import LiveServer
from tests.realtime.helpers import content, mission

pytestmark = pytest.mark.browser
TIMEOUT = 10_000
BAD = ("[object", "undefined", "NaN", "null")
VIEW_REQUEST = re.compile(r'^42/play,(\d+)\["view",')


def _clean(page: Page) -> None:
    text = page.locator("body").inner_text()
    for word in BAD:
        assert word not in text, word


def test_a_dialogue_says_it_is_loading_until_its_view_arrives(
    browser: Browser, live_server: LiveServer
) -> None:
    """A dialogue just unlocked (its card came without its conversation), opened before its
    view came back, shows « Chargement… » (busy), never an empty conversation; the reply
    buttons replace it when the view arrives."""
    dialogue = mission("d01-contrat")
    held: list[str | bytes] = []
    asked: set[str] = set()  # ack ids of the page's `view` requests for the dialogue
    routes: list[WebSocketRoute] = []
    event = '42/play,["team.event",'

    def route(ws: WebSocketRoute) -> None:
        server = ws.connect_to_server()
        routes.append(ws)

        def from_page(message: str | bytes) -> None:
            text = message if isinstance(message, str) else message.decode()
            found = VIEW_REQUEST.match(text)
            if found and dialogue.id in text:
                asked.add(found.group(1))
            server.send(message)

        def from_server(message: str | bytes) -> None:
            text = message if isinstance(message, str) else message.decode()
            if any(text.startswith(f"43/play,{i}[") for i in asked):
                held.append(message)  # the dialogue's view waits until the test lets it go
                return
            if text.startswith(event) and '"views"' in text:
                # The event opening the dialogue arrives without its whole view, as a replayed
                # event would: the page has the card, not the conversation.
                name, data = json.loads(text[len("42/play,") :])
                data["views"] = [v for v in data["views"] if v["mission"] != dialogue.id]
                message = "42/play," + json.dumps([name, data])
            ws.send(message)

        server.on_message(from_server)
        ws.on_message(from_page)

    page = browser.new_context(viewport=PHONE, locale="fr-FR").new_page()
    page.route_web_socket(re.compile(r".*/socket\.io/.*"), route)
    join(page, live_server, "Inès")
    _solve_badge(page)  # the dialogue unlocks: its card has no conversation yet
    expect(page.locator(f'[data-mission="{dialogue.id}"]')).to_contain_text("Disponible")
    _open_mission(page, dialogue.id)
    loading = page.locator("#panel .play-area .play-loading")
    expect(loading).to_have_text("Chargement…")
    expect(loading).to_be_visible()
    expect(loading).to_have_attribute("aria-busy", "true")
    expect(page.locator("#panel .choice-btn")).to_have_count(0)
    for _ in range(30):  # the request went out and its answer is held
        if asked:
            break
        page.wait_for_timeout(100)
    assert asked, "the view request was not seen"
    page.wait_for_timeout(300)
    shot(page, "dialogue-loading")
    _clean(page)

    asked.clear()
    for message in held:
        routes[-1].send(message)
    first = dialogue.params["nodes"][0]["choices"][0]["text"]
    expect(page.locator("#panel .choice-btn").first).to_contain_text(first, timeout=TIMEOUT)
    expect(loading).to_have_count(0)
    _clean(page)


def test_a_day_that_ended_while_the_phone_was_off_shows_its_end_once(
    browser: Browser, live_server: LiveServer
) -> None:
    """Sacha's phone saw day 3 running, then was closed; a teammate finished the day. On the
    next load the day's end opens by itself, once: a reload does not show it again."""
    for day in (2, 3):
        live_server.tempo("day", "unlock", "demo", str(day))
    phone = browser.new_context(viewport=PHONE, locale="fr-FR")
    page = phone.new_page()
    join(page, live_server, "Sacha")
    expect(page.locator("#day-kicker")).to_contain_text("Jour 3", timeout=TIMEOUT)
    page.close()  # the phone is off

    mate = browser.new_context(viewport=PHONE, locale="fr-FR").new_page()
    join(mate, live_server, "Yanis")
    assert mate.evaluate(SOLVE_JS, [_steps(3)]) == "ok"
    mate.context.close()

    page = phone.new_page()
    page.goto(f"{live_server.url}/jouer")
    end = page.locator("#dayend")
    for _ in range(20):  # the celebrations of a live page do not replay: only the day's end
        if end.get_attribute("open") is not None:
            break
        page.wait_for_timeout(300)
    expect(end).to_have_attribute("open", "", timeout=TIMEOUT)
    day3 = next(d for d in content().scenarios["tempo-2050"].days if d.day == 3)
    expect(page.locator("#dayend-kicker")).to_contain_text("Jour 3")
    expect(page.locator("#dayend-title")).to_have_text("Journée bouclée\u00a0!")
    expect(end).to_contain_text(day3.missions[0].title)
    expect(end).to_contain_text(f"+{sum(m.reward for m in day3.missions)}")
    page.wait_for_timeout(400)
    shot(page, "dayend-missed")
    _clean(page)
    page.locator("#dayend-close").click()
    expect(end).not_to_have_attribute("open", "")

    page.reload()
    expect(page.locator("#conn")).to_contain_text("En ligne", timeout=TIMEOUT)
    expect(page.locator("#dayend-open")).to_be_visible(timeout=TIMEOUT)
    page.wait_for_timeout(1500)  # a celebration or a day's end would have opened by now
    assert end.get_attribute("open") is None


def test_a_late_joiner_does_not_get_a_day_end_it_never_saw(
    browser: Browser, live_server: LiveServer
) -> None:
    """A phone's first visit, on a day already finished: no day's end pops up, on the first
    load or the next (it never saw that day running); the day card still offers it."""
    for day in (2, 3):
        live_server.tempo("day", "unlock", "demo", str(day))
    mate = browser.new_context(viewport=PHONE, locale="fr-FR").new_page()
    join(mate, live_server, "Yanis")
    assert mate.evaluate(SOLVE_JS, [_steps(3)]) == "ok"
    mate.context.close()

    page = browser.new_context(viewport=PHONE, locale="fr-FR").new_page()
    join(page, live_server, "Tardif")
    for _ in range(2):
        expect(page.locator("#dayend-open")).to_be_visible(timeout=TIMEOUT)
        page.wait_for_timeout(1500)
        assert page.locator("#dayend").get_attribute("open") is None
        page.reload()
        expect(page.locator("#conn")).to_contain_text("En ligne", timeout=TIMEOUT)


def test_a_vote_s_waiting_count_follows_who_is_present(
    browser: Browser, live_server: LiveServer
) -> None:
    """Three present, one proposal: « En attente de 1 vote ». A fourth teammate arrives: 2
    votes are now needed; two leave: 1 again — redrawn on every phone without a new vote."""
    dialogue = mission("d01-contrat")
    contexts = [browser.new_context(viewport=PHONE, locale="fr-FR") for _ in range(4)]
    lea, noe, sam, zoe = pages = [c.new_page() for c in contexts]
    for page, name in zip(pages[:3], ("Léa", "Noé", "Sam"), strict=True):
        join(page, live_server, name, team=1)
    _solve_badge(lea)
    for page in (lea, sam):
        _open_mission(page, dialogue.id)
    lea.locator(".choice-btn").first.click()
    status = sam.locator(".vote__status")
    expect(status).to_contain_text("En attente de 1 vote ", timeout=TIMEOUT)

    join(zoe, live_server, "Zoé", team=1)  # 4 present: a majority is 3
    expect(status).to_contain_text("En attente de 2 votes", timeout=TIMEOUT)
    expect(lea.locator(".vote__status")).to_contain_text("En attente de 2 votes", timeout=TIMEOUT)
    status.scroll_into_view_if_needed()
    shot(sam, "vote-presence")
    _clean(sam)

    for gone in (zoe, noe):  # 2 present: Léa's vote plus one more
        gone.context.close()
    expect(status).to_contain_text("En attente de 1 vote ", timeout=TIMEOUT)
    _clean(sam)
