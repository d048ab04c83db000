"""The studio's forms, source editor and phone preview in a browser: an author adds one mission
of each type through the forms, sees a message on the field it concerns and fixes it, reads
the highlighted YAML in the source view, and previews a mission as a 360×740 phone shows it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tempo.missions import registry
from tests.e2e.conftest import LAPTOP, PHONE, shot
from tests.e2e.test_csp import _collect, _watched
from tests.e2e.test_studio import TIMEOUT, _assert_clean, _author, _login, _new_draft
from tests.live import LiveServer

pytestmark = pytest.mark.browser


def _field(page: Page, name: str):  # type: ignore[no-untyped-def]
    return page.locator(f'[id="f-{name}"]')


def test_author_builds_a_day_with_forms_and_previews_it(
    browser: Browser, live_server: LiveServer
) -> None:
    _author(live_server, "lina@ml-e2e.fr", "Lina Roux")
    context = browser.new_context(viewport=LAPTOP, locale="fr-FR")
    page, errors = _watched(context)
    violations: list[str] = []
    _login(page, live_server, "lina@ml-e2e.fr")
    _new_draft(page, live_server, "Les formulaires")
    page.get_by_role("link", name="days/day01.yaml", exact=True).click()
    expect(page.get_by_role("link", name="Formulaire")).to_have_attribute("aria-current", "page")
    shot(page, "studio-form-top")

    # One mission of each type, through « Ajouter une mission ».
    kinds = registry.keys()
    for n, key in enumerate(kinds, start=1):
        kind = registry.get(key)
        assert kind is not None
        page.get_by_label("Type de mission").select_option(label=kind.label)
        page.get_by_role("button", name="Ajouter une mission").click()
        expect(_field(page, f"missions[{n}].type")).to_have_value(key, timeout=TIMEOUT)
    expect(page.locator("#studio-errors")).to_contain_text("Aucune erreur")
    _collect(page, violations)

    # A wrong value: the message sits under its field; fixing it clears it.
    title = _field(page, "missions[2].title")
    title.fill("")
    slot = page.locator('[id="f-missions[2].title-error"]')
    expect(slot).to_have_text("ne doit pas être vide", timeout=TIMEOUT)
    expect(title).to_have_attribute("aria-invalid", "true")
    expect(title).to_have_attribute("aria-describedby", "f-missions[2].title-error")
    expect(page.locator("#save-status")).to_contain_text("Enregistré à")
    shot(page, "studio-form-error")
    title.fill("Le quiz des métiers")
    expect(page.locator("#studio-errors")).to_contain_text("Aucune erreur", timeout=TIMEOUT)
    expect(slot).to_be_empty()
    expect(title).not_to_have_attribute("aria-invalid", "true")
    _field(page, "missions[0]").scroll_into_view_if_needed()
    shot(page, "studio-form")
    _assert_clean(page)

    # The source view: CodeMirror with YAML highlighting, holding what the form saved.
    page.get_by_role("link", name="Source", exact=True).click()
    editor = page.locator(".cm-content")
    expect(editor).to_contain_text("type: enigma", timeout=TIMEOUT)
    saved = page.locator("#source").input_value()  # CodeMirror draws only the visible lines
    assert "title: Le quiz des métiers" in saved and "type: split-clue" in saved
    key_color = page.locator(".cm-line span").first.evaluate("e => getComputedStyle(e).color")
    text_color = editor.evaluate("e => getComputedStyle(e).color")
    assert key_color != text_color  # keys are highlighted
    shot(page, "studio-source")
    _collect(page, violations)

    # The quiz's phone preview: the player's renderer, read-only, 360×740.
    page.get_by_role("link", name="Formulaire").click()
    page.get_by_role("link", name="Aperçu téléphone : Le quiz des métiers").click()
    page.wait_for_load_state("load")  # the console stylesheet (the frame has no border)
    frame = page.locator("iframe")
    box = frame.bounding_box()
    assert box is not None and (box["width"], box["height"]) == (360, 740)
    phone = page.frame_locator("iframe")
    expect(phone.get_by_text("Aperçu : les réponses ne sont pas envoyées.")).to_be_visible(
        timeout=TIMEOUT
    )
    expect(phone.locator("h2")).to_have_text("Le quiz des métiers")
    expect(phone.get_by_text("Ce qui se passe dans cette mission.")).to_be_visible()
    expect(phone.get_by_text("La bonne réponse")).to_be_visible()
    expect(phone.get_by_text("Une autre")).to_be_visible()
    expect(phone.locator("button[type=submit]").first).to_be_disabled()
    shot(page, "studio-preview")
    body = phone.locator("body").inner_text()
    for bad in ("[object", "undefined", "NaN", "null"):
        assert bad not in body, bad
    _collect(page, violations)

    # The form on a phone.
    small = browser.new_context(viewport=PHONE, locale="fr-FR").new_page()
    _login(small, live_server, "lina@ml-e2e.fr")
    small.goto(page.url.split("/apercu")[0] + "?fichier=days/day01.yaml")
    expect(_field(small, "missions[2].title")).to_have_value("Le quiz des métiers")
    _field(small, "missions[2]").scroll_into_view_if_needed()
    shot(small, "studio-form-phone")
    assert violations == []
    assert errors == []
