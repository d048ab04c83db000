"""A counsellor walking around the room reviews, on a phone, a proof sent for an earlier day.

Day 6's proof is sent, day 10 opens the next morning (the grid shows day 10 only): the proof
waits in the review queue, counted on the dashboard, raised as an alert; validated from the
queue on a 360×740 screen, it leaves the queue and the team's phone celebrates.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import LAPTOP, PHONE, join, shot
from tests.live import LiveServer, start_server, stop_server

TIMEOUT = 10_000
EMAIL = "admin@ml-e2e.fr"
PASSWORD = "mot-de-passe-solide"
PROOF = "d06-photo-repere"
BOARD = "/console/cohortes/demo/tableau"


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    """The demo server, with alerts that fire at once (a proof waiting, a team not started)."""
    server = start_server(
        tmp_path / "instance",
        {"TEMPO_ALERT_PROOF_MINUTES": "0", "TEMPO_ALERT_IDLE_MINUTES": "0"},
    )
    yield server
    stop_server(server)


def _jpeg(path: Path) -> Path:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (40, 140, 90)).save(out, "JPEG")
    path.write_bytes(out.getvalue())
    return path


def _unlock(page: Page, day: int) -> None:
    page.locator("#unlock-day").select_option(str(day))
    page.get_by_role("button", name="Ouvrir", exact=True).click()
    expect(page.locator("#grid-title")).to_contain_text(f"Jour {day}", timeout=TIMEOUT)


def _no_junk(page: Page) -> None:
    body = page.locator("body").inner_text()
    for junk in ("[object", "undefined", "NaN", "null"):
        assert junk not in body, junk


def test_a_day_six_proof_is_validated_from_the_queue_on_a_phone_while_day_ten_is_open(
    browser: Browser, live_server: LiveServer, tmp_path: Path
) -> None:
    live_server.tempo(
        "user", "create", "--email", EMAIL, "--name", "Inès Conseillère",
        "--role", "admin", "--password", PASSWORD,
    )  # fmt: skip
    counsellor_ctx = browser.new_context(viewport=PHONE, locale="fr-FR")
    console = counsellor_ctx.new_page()
    console.on("dialog", lambda dialog: dialog.accept())
    console.goto(f"{live_server.url}/console/connexion")
    console.locator("#email").fill(EMAIL)
    console.locator("#password").fill(PASSWORD)
    console.get_by_role("button", name="Se connecter").click()
    expect(console).to_have_url(f"{live_server.url}/console/cohortes")

    phone_ctx = browser.new_context(viewport=PHONE, locale="fr-FR")
    phone = phone_ctx.new_page()
    join(phone, live_server, "Lina")
    idle_ctx = browser.new_context(viewport=PHONE, locale="fr-FR")
    join(idle_ctx.new_page(), live_server, "Sami", team=1)  # joins, does nothing

    console.goto(live_server.url + BOARD)
    expect(console.locator("body")).to_have_attribute("data-live", "1", timeout=TIMEOUT)
    badge = console.locator(".c-toolbar [data-pending]")
    expect(badge).to_have_text("0")
    _unlock(console, 6)

    # Evening of day 6: the team sends its photo.
    card = phone.locator(f'[data-mission="{PROOF}"]')
    expect(card).to_be_visible(timeout=TIMEOUT)
    card.click()
    expect(phone.locator("#panel")).to_have_attribute("open", "", timeout=TIMEOUT)
    phone.locator(f"#pphoto-{PROOF}").set_input_files(str(_jpeg(tmp_path / "repere.jpg")))
    phone.get_by_role("button", name="Envoyer la preuve").click()
    expect(badge).to_have_text("1", timeout=TIMEOUT)  # live, from the console socket

    # Next morning day 10 opens: the grid shows day 10 only, the proof is not lost.
    _unlock(console, 10)
    expect(console.locator(f'td[data-mission="{PROOF}"]')).to_have_count(0)
    expect(console.locator(".c-toolbar [data-pending]")).to_have_text("1")
    alerts = console.locator(".c-alerts")
    expect(alerts).to_contain_text("pour « Preuve de passage » (jour 6) attend depuis")
    expect(alerts).to_contain_text("n'a pas encore commencé le jour 10")
    expect(alerts.get_by_role("button", name="Masquer").first).to_be_visible()
    _no_junk(console)
    alerts.scroll_into_view_if_needed()
    shot(console, "alerts")
    console.set_viewport_size(LAPTOP)
    alerts.scroll_into_view_if_needed()
    shot(console, "alerts")
    console.set_viewport_size(PHONE)

    # The alert's action leads to the proof in the queue.
    alerts.get_by_role("link", name="Valider la preuve").click()
    expect(console).to_have_url(re.compile(rf"/console/cohortes/demo/a-valider#proof-\d+-{PROOF}$"))
    item = console.locator(f'.c-queue__item[data-mission="{PROOF}"]')
    expect(item).to_contain_text("Preuve de passage")
    expect(item).to_contain_text("Jour 6")
    expect(item).to_contain_text("envoyée par Lina")
    expect(item).to_contain_text("attend depuis")
    expect(item.locator("img")).to_be_visible()
    width = console.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the queue scrolls sideways on a phone ({width}px)"
    _no_junk(console)
    item.scroll_into_view_if_needed()
    shot(console, "review-queue")
    console.set_viewport_size(LAPTOP)
    shot(console, "review-queue")
    console.set_viewport_size(PHONE)

    item.get_by_label("Commentaire pour l'équipe").fill("Super repérage !")
    item.get_by_role("button", name="Valider").click()
    expect(console.locator(".c-queue__empty")).to_contain_text(
        "Aucune preuve à valider.", timeout=TIMEOUT
    )
    expect(phone.locator("#celebrate")).to_be_visible(timeout=TIMEOUT)
    expect(phone.locator("#celebrate-title")).to_contain_text("Mission réussie")
    shot(phone, "proof-celebrated")
    shot(console, "review-queue-empty")
    console.goto(live_server.url + BOARD)
    expect(console.locator(".c-toolbar [data-pending]")).to_have_text("0")
    expect(console.locator(".c-alerts")).not_to_contain_text("Preuve de passage")
    counsellor_ctx.close()
    phone_ctx.close()
    idle_ctx.close()
