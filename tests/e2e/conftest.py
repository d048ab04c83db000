"""Browser tests: a real `tempo serve` process and headless Debian Chromium via Playwright."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tempo.config import PROJECT_ROOT
from tests.live import LiveServer, start_server, stop_server
from tools.chromium import CHROMIUM, CHROMIUM_ARGS  # Debian's Chromium, its flags

PHONE = {"width": 360, "height": 740}
LAPTOP = {"width": 1280, "height": 800}
SCREENSHOTS = PROJECT_ROOT / "screenshots"


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    """`tempo serve` on a free port, on a fresh instance with the demo cohort."""
    server = start_server(tmp_path / "instance")
    yield server
    stop_server(server)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Headless Debian Chromium."""
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def shot(page: Page, name: str) -> None:
    """Save a screenshot in the git-ignored screenshots/ folder for people to look at."""
    SCREENSHOTS.mkdir(exist_ok=True)
    size = page.viewport_size or PHONE
    page.screenshot(path=str(SCREENSHOTS / f"e2e-{size['width']}-{name}.png"), full_page=False)


def join(page: Page, live_server: LiveServer, name: str, team: int = 0) -> None:
    """Join a demo team from its QR URL under this pseudonym and wait until online."""
    page.goto(f"{live_server.url}/rejoindre/{live_server.team_codes[team]}")
    page.locator("#pseudonym").fill(name)
    page.get_by_role("button", name="Entrer dans l'équipe").click()
    expect(page.locator("#conn")).to_contain_text("En ligne", timeout=10_000)


def wait_until(page: Page, expression: str, timeout: float = 10_000) -> None:
    """Poll a JavaScript expression until it is truthy.

    Playwright's wait_for_function evaluates its predicate with eval() inside the page, which the
    strict Content-Security-Policy refuses; page.evaluate goes through the DevTools protocol.
    """
    deadline = time.monotonic() + timeout / 1000
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout / 1000:.0f} s: {expression}")
        time.sleep(0.1)


def open_card(page: Page, mission_id: str, timeout: float = 30_000) -> None:
    """Click a mission's card on the map, unfolding its day first when it is a past open day
    (the map folds every open day but the current one)."""
    card = page.locator(f'[data-mission="{mission_id}"]')
    card.wait_for(state="attached", timeout=10_000)
    day = f'details.mapday:not([open]):has([data-mission="{mission_id}"])'
    folded = page.locator(f"{day} > summary")
    if folded.count():
        folded.click(timeout=timeout)
    card.click(timeout=timeout)
