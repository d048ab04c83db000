"""Each mission type's module renders its view with lit-html (static/js/missions/): authored
texts show where they belong, and a view holding objects, arrays, nulls or NaN where text is
expected prints none of them."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import PHONE, shot
from tests.e2e.test_mission_texts import LEAKS, _screen, _visible
from tests.e2e.test_team_play import TIMEOUT, _close_mission, _open_mission, _solve_badge
from tests.live import LiveServer
from tests.realtime.helpers import mission

# Each module rendered with bad views in the page (the script's own comment says how).
HOSTILE_JS = (Path(__file__).parent / "hostile_views.js").read_text(encoding="utf-8")


def _join(browser: Browser, live_server: LiveServer, name: str) -> Page:
    context = browser.new_context(viewport=PHONE, locale="fr-FR")
    page = context.new_page()
    page.goto(f"{live_server.url}/rejoindre/{live_server.team_codes[0]}")
    page.locator("#pseudonym").fill(name)
    page.get_by_role("button", name="Entrer dans l'équipe").click()
    expect(page.locator("#conn")).to_contain_text("En ligne", timeout=TIMEOUT)
    # The team's state is here once the map shows its cards.
    page.locator("[data-mission]").first.wait_for(state="attached", timeout=TIMEOUT)
    return page


def test_modules_print_no_object_null_or_nan_from_a_bad_view(
    browser: Browser, live_server: LiveServer
) -> None:
    """Every module, given objects, arrays, nulls and NaN where text is expected, shows none."""
    page = _join(browser, live_server, "Lou")
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    problems = page.evaluate(HOSTILE_JS)
    assert problems == [], "\n".join(problems)
    assert errors == []
    page.context.close()


# One mission of each type the demo opens without prerequisites, with a text authored for it.
SHOWN = (
    ("enigma", "d01-badge-entree", lambda m: m.params["placeholder"]),
    ("dialogue", "d01-contrat", lambda m: m.params["nodes"][0]["choices"][0]["text"]),
    ("split-clue", "d01-annuaire", lambda m: m.params["question"]),
    ("quiz", "d02-essai-quiz", lambda m: m.params["questions"][0]["prompt"]),
    ("code-lock", "d02-casier", lambda m: m.params["clues"][0]),
    ("qr-checkpoint", "d06-balises-loisirs", lambda m: m.params["checkpoints"][0]["label"]),
    ("diagnostic", "d10-auto-diagnostic", lambda m: m.params["instructions"]),
)


def _shots(page: Page, kind: str) -> None:
    """The panel's top, then its play area, without the toasts passing over them."""
    page.evaluate("document.querySelectorAll('.toast').forEach((t) => t.remove())")
    shot(page, f"type-{kind}")
    page.evaluate("document.querySelector('.play-area').scrollIntoView()")
    shot(page, f"type-{kind}-play")


def test_each_mission_type_shows_its_authored_texts_on_a_phone(
    browser: Browser, live_server: LiveServer
) -> None:
    """Each type's panel, as a player opens it, shows its narrative and play texts, no leak."""
    for day in ("2", "6", "10"):
        live_server.tempo("day", "unlock", "demo", day)
    page = _join(browser, live_server, "Noé")
    _open_mission(page, "d01-badge-entree")
    expect(page.locator(".play-area")).to_be_visible()
    _shots(page, "enigma")
    _close_mission(page)
    _solve_badge(page)
    for kind, mission_id, authored in SHOWN:
        m = mission(mission_id)
        _open_mission(page, m.id)
        expect(page.locator(".play-area")).to_be_visible(timeout=TIMEOUT)
        wanted = _visible(str(authored(m))).split("\n")[0][:40].strip()
        if kind == "enigma":
            expect(page.locator(f"#ans-{m.id}")).to_have_count(0)  # solved: no form any more
        else:
            expect(page.locator("#panel-body")).to_contain_text(wanted, timeout=TIMEOUT)
        screen = _screen(page)
        assert _visible(m.narrative)[:30] in screen
        if kind != "enigma":
            _shots(page, kind)
        for leak in LEAKS:
            assert leak not in screen
        _close_mission(page)
    page.context.close()
