"""QR checkpoints on a phone: a code typed as printed on the poster, a poster scanned again."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import PHONE, shot
from tests.e2e.test_team_play import _open_mission
from tests.live import LiveServer
from tests.realtime.helpers import mission

TIMEOUT = 10_000


def _join(browser: Browser, server: LiveServer, name: str) -> Page:
    page = browser.new_context(viewport=PHONE, locale="fr-FR").new_page()
    page.goto(f"{server.url}/rejoindre/{server.team_codes[0]}")
    page.locator("#pseudonym").fill(name)
    page.get_by_role("button", name="Entrer dans l'équipe").click()
    expect(page.locator("#conn")).to_contain_text("En ligne", timeout=TIMEOUT)
    return page


def test_a_code_typed_as_printed_is_accepted_and_a_repeat_says_who(
    browser: Browser, live_server: LiveServer, tmp_path: Path
) -> None:
    """« azm ndg » in the checkpoint field validates it; a teammate scanning the same poster
    lands on the mission, its story and « déjà validée par Inès »."""
    qr = mission("d06-balises-loisirs")
    checkpoint = qr.params["checkpoints"][0]
    live_server.tempo("day", "unlock", "demo", "6")
    printed = live_server.tempo(
        "qr", "demo", "--checkpoint", checkpoint["id"], "-o", str(tmp_path / "cp.svg")
    )
    code = re.search(r"code à taper : ([A-Z0-9]{6})", printed)
    url = re.search(r"(https?://\S+/q/\S+)", printed)
    assert code is not None and url is not None
    typed = f"{code[1][:3].lower()} {code[1][3:].lower()}"  # as the poster prints it, in lower case

    ines = _join(browser, live_server, "Inès")
    _open_mission(ines, qr.id)
    field = ines.locator(f"#cp-{qr.id}")
    field.fill(typed)
    expect(field).to_have_value(typed)  # the field takes the space: no maxlength of 6
    ines.get_by_role("button", name="Valider le code").click()
    expect(ines.locator("#panel")).to_contain_text("Code accepté", timeout=TIMEOUT)
    expect(ines.locator(".checkpoint").first).to_contain_text("Validée par toi", timeout=TIMEOUT)
    shot(ines, "checkpoint-typed-code")

    malo = _join(browser, live_server, "Malo")
    malo.goto(live_server.url + urlsplit(url[1]).path)
    expect(malo.locator("#panel")).to_have_attribute("open", "", timeout=TIMEOUT)
    note = f"« {checkpoint['label']} » : déjà validée par Inès."
    expect(malo.locator("#panel .flash")).to_have_text(note, timeout=TIMEOUT)
    expect(malo.locator("#panel .flash")).to_be_visible()
    expect(malo.locator(".checkpoint").first).to_contain_text("Validée par Inès", timeout=TIMEOUT)
    expect(malo.locator(".checkpoint").first).to_contain_text("Balise rallumée")
    assert "?mission=" not in malo.url  # opened once, not again on reload
    shot(malo, "checkpoint-repeated-scan")
    malo.locator(".checkpoint").first.scroll_into_view_if_needed()
    shot(malo, "checkpoint-repeated-scan-story")
