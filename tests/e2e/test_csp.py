"""Every page works under the enforced content policy: no violation, no console error."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.conftest import LAPTOP, PHONE, join, shot
from tests.live import LiveServer

pytestmark = pytest.mark.browser

TIMEOUT = 10_000
PASSWORD = "mot-de-passe-solide"

# Installed before any page script: every violation of the policy is kept on the page.
WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  const where = e.sourceFile + ":" + e.lineNumber;
  window.__violations.push(e.violatedDirective + " " + e.blockedURI + " " + where);
});
"""


def _watched(context: BrowserContext) -> tuple[Page, list[str]]:
    page = context.new_page()
    page.add_init_script(WATCH)
    errors: list[str] = []

    def console(message: Any) -> None:
        # A failed load is reported with its URL by the `response` listener below.
        if message.text.startswith("Failed to load resource"):
            return
        if message.type == "error" or "Content Security Policy" in message.text:
            errors.append(f"{page.url}: {message.text}")

    def response(answer: Any) -> None:
        # Browsers ask for /favicon.ico on their own; Tempo has none (not a page's doing).
        if answer.status >= 400 and not answer.url.endswith("/favicon.ico"):
            errors.append(f"{answer.status} {answer.url}")

    page.on("console", console)
    page.on("response", response)
    page.on("pageerror", lambda exc: errors.append(f"{page.url}: {exc}"))
    return page, errors


def _visit(page: Page, url: str, found: list[str]) -> None:
    response = page.goto(url)
    assert response is not None and response.status < 400, (url, response and response.status)
    page.wait_for_load_state("networkidle")
    _collect(page, found)


def _collect(page: Page, found: list[str]) -> None:
    violations: Any = page.evaluate("window.__violations || []")
    found.extend(f"{page.url}: {v}" for v in violations)
    page.evaluate("window.__violations = []")


def test_player_pages_run_under_the_policy(browser: Browser, live_server: LiveServer) -> None:
    """Home, join, play with a mission open, journal, diagnostic: no violation, still working."""
    context = browser.new_context(viewport=PHONE, locale="fr-FR")
    page, errors = _watched(context)
    violations: list[str] = []
    _visit(page, live_server.url + "/", violations)
    _visit(page, f"{live_server.url}/rejoindre/{live_server.team_codes[0]}", violations)
    page.locator("#another").click()  # the join page's script (moved to static/js/join.js)
    expect(page.locator("#pseudonym")).not_to_have_value("", timeout=TIMEOUT)
    join(page, live_server, "Lina")  # the play page goes online over Socket.IO
    headers = page.request.get(live_server.url + "/jouer").headers
    assert "script-src 'self'" in headers["content-security-policy"]
    page.locator("[data-mission]").first.click()
    expect(page.locator("#panel")).to_have_attribute("open", "", timeout=TIMEOUT)
    page.wait_for_timeout(300)
    _collect(page, violations)
    shot(page, "csp-play-mission")
    page.keyboard.press("Escape")
    for path in ("/journal", "/journal/effacer", "/diagnostic"):
        _visit(page, live_server.url + path, violations)
    assert violations == []
    assert errors == []
    # The watch does see a violation: an inline script added to the page is blocked and reported.
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.__ran = 1';"
        " document.body.append(s); }"
    )
    page.wait_for_timeout(200)
    assert page.evaluate("window.__ran") is None
    assert any("script-src" in v for v in page.evaluate("window.__violations"))
    context.close()


def test_console_pages_run_under_the_policy(browser: Browser, live_server: LiveServer) -> None:
    """Login, cohorts, dashboard, calendar, recaps, bookings, scenarios, accounts."""
    live_server.tempo(
        "user", "create", "--email", "admin@ml-e2e.fr", "--name", "Admin",
        "--role", "admin", "--password", PASSWORD,
    )  # fmt: skip
    context = browser.new_context(viewport=LAPTOP, locale="fr-FR")
    page, errors = _watched(context)
    violations: list[str] = []
    _visit(page, live_server.url + "/console/connexion", violations)
    page.locator("#email").fill("admin@ml-e2e.fr")
    page.locator("#password").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(f"{live_server.url}/console/cohortes")
    assert "frame-ancestors 'none'" in page.request.get(page.url).headers["content-security-policy"]
    _collect(page, violations)
    for path in (
        "/console/cohortes/demo/tableau",
        "/console/cohortes/demo/calendrier",
        "/console/cohortes/demo/recaps",
        "/console/cohortes/demo/rendez-vous",
        "/console/rendez-vous",
        "/console/disponibilites",
        "/console/cohortes/nouvelle",
        "/console/scenarios",
        "/console/comptes",
        "/console/studio",
    ):
        _visit(page, live_server.url + path, violations)
        if path.endswith("/tableau"):  # the live grid still renders
            expect(page.locator("table, [role=grid]").first).to_be_visible(timeout=TIMEOUT)
            shot(page, "csp-dashboard")
    assert violations == []
    assert errors == []
    context.close()
