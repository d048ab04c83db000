"""Playing in the street: the network drops, answers wait, and arrive once when it is back."""

from __future__ import annotations

import json
import re
import urllib.request

from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.conftest import LAPTOP, PHONE, join, shot, wait_until
from tests.live import LiveServer
from tests.realtime.helpers import mission

TIMEOUT = 10_000
# Reconnection after the network is back: Socket.IO's back-off is at most 5 s between tries.
BACK = 20_000
WAITING = "1 réponse en attente"

# Every team event and every celebration the page shows, counted by the test.
COUNT_EVENTS = """
window.__completed = 0; window.__celebrations = 0;
document.addEventListener("tempo:event", (e) => {
  if (e.detail.type === "mission.completed") window.__completed += 1;
});
new MutationObserver(() => {
  const open = !!document.querySelector("#celebrate[open]");
  if (open && !window.__celebrating) window.__celebrations += 1;
  window.__celebrating = open;
}).observe(document.body, { attributes: true, subtree: true, attributeFilter: ["open"] });
"""


def _phone(browser: Browser, size: dict[str, int] = PHONE) -> tuple[BrowserContext, Page]:
    context = browser.new_context(viewport=size, locale="fr-FR")
    return context, context.new_page()


def _worker_ready(page: Page) -> None:
    """Wait until the service worker controls the page and has cached the shell."""
    wait_until(
        page, "!!navigator.serviceWorker && navigator.serviceWorker.controller !== null", TIMEOUT
    )


def _open(page: Page, mission_id: str) -> None:
    page.locator(f'[data-mission="{mission_id}"]').click()
    expect(page.locator("#panel")).to_have_attribute("open", "", timeout=TIMEOUT)


def _answer(page: Page, mission_id: str, answer: str) -> None:
    page.locator(f"#ans-{mission_id}").fill(answer)
    page.get_by_role("button", name="Valider la réponse").click()


def _shards(page: Page) -> int:
    expect(page.locator("#hud-shards")).to_have_text(re.compile(r"^\d+$"), timeout=TIMEOUT)
    return int(page.locator("#hud-shards").inner_text())


def test_an_answer_given_offline_is_applied_once_when_the_network_is_back(
    browser: Browser, live_server: LiveServer
) -> None:
    """Offline, the answer waits (banner, form); back online, both phones see it applied once."""
    ctx_a, lina = _phone(browser)
    ctx_b, malo = _phone(browser)
    join(lina, live_server, "Lina")
    join(malo, live_server, "Malo")
    for page in (lina, malo):
        page.evaluate(COUNT_EVENTS)
    before = _shards(malo)
    badge = mission("d01-badge-entree")

    _open(lina, badge.id)
    ctx_a.set_offline(True)
    _answer(lina, badge.id, badge.params["answers"][0])
    form_msg = lina.locator(f"#msg-{badge.id}-answer")
    expect(form_msg).to_contain_text("En attente du réseau", timeout=TIMEOUT)
    expect(form_msg).to_have_class("form-wait")
    # In the open mission (the page behind the modal is inert) and on the page itself.
    banner = lina.locator("#panel-outbox")
    expect(banner).to_contain_text(WAITING)
    expect(banner).to_contain_text(badge.title)
    expect(banner).to_contain_text("elle sera envoyée dès le retour du réseau")
    expect(lina.locator("#outbox")).to_contain_text(WAITING)
    expect(lina.locator("#outbox")).to_have_attribute("role", "status")
    shot(lina, "offline-waiting")
    lina.keyboard.press("Escape")
    lina.locator("#outbox").scroll_into_view_if_needed()
    shot(lina, "offline-banner")
    # Nothing reached the team yet.
    expect(malo.locator(f'[data-mission="{badge.id}"]')).not_to_contain_text("Réussie")

    ctx_a.set_offline(False)
    for page in (lina, malo):
        expect(page.locator("#celebrate")).to_have_attribute("open", "", timeout=BACK)
        expect(page.locator(f'[data-mission="{badge.id}"]')).to_contain_text("Réussie")
    expect(lina.locator("#outbox")).to_be_empty()
    lina.wait_for_timeout(2_000)  # room for a second, wrong, application to show up
    for page in (lina, malo):
        assert page.evaluate("window.__completed") == 1
        assert page.evaluate("window.__celebrations") == 1
        assert _shards(page) == before + badge.reward
    assert lina.evaluate(f"localStorage.getItem('tempo.outbox.' + {_me(lina)})") is None
    ctx_a.close()
    ctx_b.close()


def _me(page: Page) -> str:
    return json.dumps(page.locator("#play").get_attribute("data-me"))


def test_a_wrong_answer_sent_late_is_shown_as_wrong(
    browser: Browser, live_server: LiveServer
) -> None:
    """The late acknowledgement gets the usual display: a wrong answer is still wrong."""
    context, page = _phone(browser)
    join(page, live_server, "Inès")
    badge = mission("d01-badge-entree")
    _open(page, badge.id)
    context.set_offline(True)
    _answer(page, badge.id, "sûrement pas ça")
    form_msg = page.locator(f"#msg-{badge.id}-answer")
    expect(form_msg).to_contain_text("En attente du réseau", timeout=TIMEOUT)
    context.set_offline(False)
    expect(form_msg).to_have_class("form-error", timeout=BACK)
    expect(form_msg).not_to_contain_text("En attente")
    expect(form_msg).not_to_be_empty()
    expect(page.locator("#panel-outbox")).to_be_empty()
    context.close()


def test_a_queued_answer_survives_a_reload_offline_and_the_page_opens_from_the_cache(
    browser: Browser, live_server: LiveServer
) -> None:
    """Service worker: the play page reloads offline; the outbox is still there, then sent."""
    context, page = _phone(browser, LAPTOP)
    join(page, live_server, "Sami")
    _worker_ready(page)
    badge = mission("d01-badge-entree")
    _open(page, badge.id)
    context.set_offline(True)
    _answer(page, badge.id, badge.params["answers"][0])
    expect(page.locator("#panel-outbox")).to_contain_text(WAITING, timeout=TIMEOUT)
    shot(page, "offline-waiting")

    page.reload()  # offline: the page, its CSS and modules come from the worker's cache
    expect(page.locator("#hud-team")).to_be_visible(timeout=TIMEOUT)
    expect(page.locator("#outbox")).to_contain_text(WAITING, timeout=TIMEOUT)
    expect(page.locator("#conn")).to_contain_text("Hors ligne", timeout=BACK)
    expect(page.locator("#map")).to_contain_text("dès le retour du réseau")
    assert page.evaluate("getComputedStyle(document.body).fontFamily") != "", "no CSS"
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, "offline-banner")

    context.set_offline(False)
    expect(page.locator("#conn")).to_contain_text("En ligne", timeout=BACK)
    expect(page.locator(f'[data-mission="{badge.id}"]')).to_contain_text("Réussie", timeout=BACK)
    expect(page.locator("#outbox")).to_be_empty()
    for word in ("[object", "undefined", "NaN", "null"):
        assert word not in page.locator("body").inner_text()
    context.close()


def test_a_hint_is_not_bought_offline(browser: Browser, live_server: LiveServer) -> None:
    """Hints are refused offline with a plain French message, nothing is queued."""
    context, page = _phone(browser)
    join(page, live_server, "Yanis")
    badge = mission("d01-badge-entree")
    _open(page, badge.id)
    _answer(page, badge.id, badge.params["answers"][0])  # its reward pays for a hint
    expect(page.locator("#celebrate")).to_have_attribute("open", "", timeout=TIMEOUT)
    page.locator("#celebrate-close").click()
    page.keyboard.press("Escape")
    with_hint = next(m.id for m in (mission("d01-contrat"), mission("d01-annuaire")) if m.hints)
    _open(page, with_hint)
    context.set_offline(True)
    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="Acheter l'indice").click()
    message = page.locator(f"#msg-{with_hint}-hint")
    expect(message).to_contain_text("Pas de réseau", timeout=TIMEOUT)
    expect(page.locator("#panel-outbox")).to_be_empty()
    context.close()


def test_the_manifest_and_the_worker_are_served_and_linked(
    browser: Browser, live_server: LiveServer
) -> None:
    """The player pages link the manifest; the manifest, icons and worker have the right types."""
    with urllib.request.urlopen(live_server.url + "/manifest.webmanifest") as reply:
        assert reply.headers["Content-Type"] == "application/manifest+json"
        manifest = json.loads(reply.read())
    assert manifest["name"] == "Tempo"
    assert manifest["start_url"] == "/jouer"
    assert manifest["display"] == "standalone"
    assert {i["sizes"] for i in manifest["icons"]} >= {"192x192", "512x512"}
    for icon in manifest["icons"]:
        with urllib.request.urlopen(live_server.url + icon["src"]) as reply:
            assert reply.headers["Content-Type"].split(";")[0] == icon["type"]
    with urllib.request.urlopen(live_server.url + "/sw.js") as reply:
        assert reply.headers["Content-Type"].startswith("text/javascript")
        assert b"tempo-shell-" in reply.read()

    context, page = _phone(browser)
    page.goto(live_server.url + "/")
    expect(page.locator('link[rel="manifest"]')).to_have_attribute("href", "/manifest.webmanifest")
    join(page, live_server, "Noa")
    expect(page.locator('link[rel="manifest"]')).to_have_count(1)
    _worker_ready(page)
    scope = page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.scope)")
    assert scope == live_server.url + "/jouer"
    page.goto(live_server.url + "/console/")
    expect(page.locator('link[rel="manifest"]')).to_have_count(0)
    context.close()
