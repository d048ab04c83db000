"""Phones patch their screens from the team's events: no state or view asked after an answer."""

from __future__ import annotations

import json
import re
from typing import Any

from playwright.sync_api import Browser, BrowserContext, Page, WebSocketRoute, expect

from tests.e2e.conftest import PHONE, join, shot
from tests.live import LiveServer
from tests.realtime.helpers import content, mission, start_shards

TIMEOUT = 10_000
REQUEST = re.compile(r'^42/play,\d+\["([^"]+)"')  # an emit waiting for an acknowledgement


def _requests(context: BrowserContext, page: Page) -> list[str]:
    """The Socket.IO requests this page sends from now on (read through the DevTools protocol)."""
    sent: list[str] = []
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")

    def frame(params: dict[str, Any]) -> None:
        found = REQUEST.match(params["response"]["payloadData"])
        if found:
            sent.append(found.group(1))

    cdp.on("Network.webSocketFrameSent", frame)
    return sent


def _open(page: Page, mission_id: str) -> None:
    page.locator(f'[data-mission="{mission_id}"]').click()
    expect(page.locator("#panel")).to_have_attribute("open", "", timeout=TIMEOUT)


def test_teammates_see_the_success_without_asking_for_anything(
    browser: Browser, live_server: LiveServer
) -> None:
    """Three phones, the mission open on each: one answers right; the two others show it done
    and the new éclats, and send no `state`, `view` or `sync` afterwards."""
    badge = mission("d01-badge-entree")
    contexts = [browser.new_context(viewport=PHONE, locale="fr-FR") for _ in range(3)]
    pages = [c.new_page() for c in contexts]
    for n, page in enumerate(pages):
        join(page, live_server, f"Joueur {n + 1}")
    for page in pages:
        expect(page.locator("#teammates")).to_contain_text("Joueur 3", timeout=TIMEOUT)
        _open(page, badge.id)
        expect(page.locator(f"#ans-{badge.id}")).to_be_visible(timeout=TIMEOUT)
    pages[0].wait_for_timeout(500)  # the views asked on opening are answered
    watched = [_requests(c, p) for c, p in zip(contexts[1:], pages[1:], strict=True)]

    pages[0].locator(f"#ans-{badge.id}").fill(badge.params["answers"][0])
    pages[0].get_by_role("button", name="Valider la réponse").click()
    for page in pages[1:]:
        expect(page.locator("#celebrate")).to_have_attribute("open", "", timeout=TIMEOUT)
        expect(page.locator("#hud-shards")).to_have_text(str(start_shards() + badge.reward))
        page.locator("#celebrate-close").click()
        # The open panel shows the success (pushed view), the map card too.
        expect(page.locator("#panel-body")).to_contain_text("Mission réussie par l'équipe")
        page.keyboard.press("Escape")
        expect(page.locator(f'[data-mission="{badge.id}"]')).to_contain_text("Réussie")
    pages[1].wait_for_timeout(1500)
    shot(pages[1], "incremental-teammate")
    assert watched == [[], []], watched
    for context in contexts:
        context.close()


def test_a_dropped_event_makes_the_phone_catch_up(
    browser: Browser, live_server: LiveServer
) -> None:
    """An event lost on the way (the phone sees a version gap): the phone asks `sync` for what it
    missed and shows the right state."""
    badge = mission("d01-badge-entree")
    solver = browser.new_context(viewport=PHONE, locale="fr-FR")
    lossy = browser.new_context(viewport=PHONE, locale="fr-FR")
    dropped: list[str] = []
    sent: list[str] = []  # the Socket.IO requests of the lossy phone

    def route(ws: WebSocketRoute) -> None:
        server = ws.connect_to_server()

        def from_server(message: str | bytes) -> None:
            text = message if isinstance(message, str) else message.decode()
            if not dropped and text.startswith('42/play,["team.event"'):
                event = json.loads(text[len("42/play,") :])[1]
                if event["type"] == "mission.completed":
                    dropped.append(event["type"])  # lost: the next event reveals the gap
                    return
            ws.send(message)

        def from_page(message: str | bytes) -> None:
            found = REQUEST.match(message if isinstance(message, str) else message.decode())
            if found:
                sent.append(found.group(1))
            server.send(message)

        server.on_message(from_server)
        ws.on_message(from_page)

    phone = lossy.new_page()
    phone.route_web_socket(re.compile(r".*/socket\.io/.*"), route)
    join(phone, live_server, "Perdu")
    first = solver.new_page()
    join(first, live_server, "Solveur")
    expect(phone.locator("#teammates")).to_contain_text("Solveur", timeout=TIMEOUT)
    # The first `sync` may ride Socket.IO's polling transport, before the WebSocket upgrade
    # this test watches: count from here.
    syncs = sent.count("sync")
    _open(first, badge.id)
    first.locator(f"#ans-{badge.id}").fill(badge.params["answers"][0])
    first.get_by_role("button", name="Valider la réponse").click()
    expect(phone.locator(f'[data-mission="{badge.id}"]')).to_contain_text(
        "Réussie", timeout=TIMEOUT
    )
    expect(phone.locator("#hud-shards")).to_have_text(str(start_shards() + badge.reward))
    assert dropped == ["mission.completed"]
    assert sent.count("sync") == syncs + 1, sent  # one, to catch up
    assert "state" not in sent, sent  # the missed events were replayed: no snapshot
    solver.close()
    lossy.close()


def test_the_promo_gauge_follows_the_team_s_own_success_at_once(
    browser: Browser, live_server: LiveServer
) -> None:
    """The promo-wide opponent's updates (`cohort.ai`) come every few seconds at most: the phone
    of the team that succeeded lowers the promo's gauge by its own success at once (here no
    update from the server ever arrives)."""
    badge = mission("d01-badge-entree")
    full = content().scenarios["tempo-2050"].meta.ai.strength * len(live_server.team_codes)

    def route(ws: WebSocketRoute) -> None:
        server = ws.connect_to_server()

        def from_server(message: str | bytes) -> None:
            text = message if isinstance(message, str) else message.decode()
            if not text.startswith('42/play,["cohort.ai"'):
                ws.send(message)

        server.on_message(from_server)
        ws.on_message(server.send)

    page = browser.new_context(viewport=PHONE, locale="fr-FR").new_page()
    page.route_web_socket(re.compile(r".*/socket\.io/.*"), route)
    join(page, live_server, "Léna")
    label = page.locator("#hud-cohort-label")
    expect(label).to_contain_text(f"{full} / {full}", timeout=TIMEOUT)
    _open(page, badge.id)
    page.locator(f"#ans-{badge.id}").fill(badge.params["answers"][0])
    page.get_by_role("button", name="Valider la réponse").click()
    expect(page.locator("#celebrate")).to_have_attribute("open", "", timeout=TIMEOUT)
    expect(label).to_contain_text(f"{full - badge.reward} / {full}")
    page.context.close()
