"""Authored texts reach a phone's screen: code-lock clues, QR checkpoints, bought hints."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import PHONE, shot
from tests.e2e.test_team_play import TIMEOUT, _close_mission, _open_mission, _solve_badge
from tests.live import LiveServer
from tests.realtime.helpers import mission

# What a renderer prints when it stringifies a node, a missing field or a bad number.
LEAKS = ("[object", "undefined", "NaN", "null")


def _visible(markdown: str) -> str:
    """The text a reader sees of a short Markdown paragraph: no emphasis markers, one line."""
    return " ".join(markdown.replace("**", "").split())


def _screen(page: Page) -> str:
    """The visible text of the page, on one line, after checking it holds no leaked value."""
    text = page.locator("body").inner_text()
    for leak in LEAKS:
        assert leak not in text, f"{leak!r} printed on the page: {text}"
    return " ".join(text.split())


def test_clues_typed_codes_and_bought_hints_are_readable_on_a_phone(
    browser: Browser, live_server: LiveServer
) -> None:
    """A code-lock's clues, a QR mission's clues and code field, and a bought hint show."""
    context = browser.new_context(viewport=PHONE, locale="fr-FR")
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # the hint's « spend shards? » question
    page.goto(f"{live_server.url}/rejoindre/{live_server.team_codes[0]}")
    page.locator("#pseudonym").fill("Nina")
    page.get_by_role("button", name="Entrer dans l'équipe").click()
    expect(page.locator("#conn")).to_contain_text("En ligne", timeout=TIMEOUT)

    _solve_badge(page)

    split = mission("d01-annuaire")
    hint = _visible(split.hints[0].text)
    _open_mission(page, split.id)
    page.get_by_role("button", name=f"Acheter l'indice ({split.hints[0].cost} éclats)").click()
    expect(page.locator(".hints__list li")).to_have_count(1, timeout=TIMEOUT)
    expect(page.locator(".hints__list")).to_contain_text(hint, timeout=TIMEOUT)
    assert hint in _screen(page)
    shot(page, "hint-bought")
    _close_mission(page)

    live_server.tempo("day", "unlock", "demo", "2")
    live_server.tempo("day", "unlock", "demo", "6")
    page.reload()
    expect(page.locator("#conn")).to_contain_text("En ligne", timeout=TIMEOUT)

    lock = mission("d02-casier")
    _open_mission(page, lock.id)
    expect(page.locator(".clues li")).to_have_count(len(lock.params["clues"]), timeout=TIMEOUT)
    expect(page.locator(f"#code-{lock.id}")).to_be_visible()
    screen = _screen(page)
    assert "Indices trouvés" in screen
    for clue in lock.params["clues"]:
        assert _visible(clue) in screen
    shot(page, "code-lock")
    _close_mission(page)

    qr = mission("d06-balises-loisirs")
    _open_mission(page, qr.id)
    expect(page.locator(".checkpoint")).to_have_count(len(qr.params["checkpoints"]))
    field = page.locator(f"#cp-{qr.id}")
    expect(field).to_be_visible()
    expect(page.get_by_role("button", name="Valider le code")).to_be_visible()
    screen = _screen(page)
    assert "Ou tape le code à 6 caractères écrit sous le QR code" in screen
    assert "Scanner avec l'appareil photo" in screen
    for checkpoint in qr.params["checkpoints"]:
        assert _visible(checkpoint["clue"]) in screen
        assert _visible(checkpoint["placement"]) not in screen
    field.fill("ABC123")  # the typed-code field takes a code
    expect(field).to_have_value("ABC123")
    shot(page, "qr-checkpoint")
    context.close()
