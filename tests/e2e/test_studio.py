"""The studio in a browser: an author writes a draft from the template, sees the validator
answer as they type, autosaves, publishes version 1 with a changelog line; another author's
broken draft blocks nothing. Under the strict script policy, with screenshots of each screen."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import LAPTOP, PHONE, shot
from tests.e2e.test_csp import _collect, _watched
from tests.live import LiveServer

pytestmark = pytest.mark.browser

TIMEOUT = 10_000
PASSWORD = "mot-de-passe-solide"


def _author(live_server: LiveServer, email: str, name: str) -> None:
    live_server.tempo(
        "user", "create", "--email", email, "--name", name, "--role", "author",
        "--password", PASSWORD,
    )  # fmt: skip


def _login(page: Page, live_server: LiveServer, email: str) -> None:
    page.goto(live_server.url + "/console/connexion")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.locator(".c-user__name")).to_be_visible(timeout=TIMEOUT)


def _new_draft(page: Page, live_server: LiveServer, title: str) -> None:
    page.goto(live_server.url + "/console/studio")
    page.get_by_label("Titre du scénario").fill(title)
    page.get_by_role("button", name="Créer le brouillon").click()
    expect(page.locator("h1")).to_have_text(title, timeout=TIMEOUT)


def set_source(page: Page, text: str) -> None:
    """Replace the text of the source view's editor as typing would (CodeMirror, exposed on the
    textarea it enhances as `editor`), or of the plain textarea."""
    page.wait_for_function("document.getElementById('source').editor")
    page.evaluate(
        """(text) => { const v = document.getElementById("source").editor;
          v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: text } }); }""",
        text,
    )


def _source_view(page: Page, file: str) -> None:
    page.get_by_role("link", name=file, exact=True).click()
    page.get_by_role("link", name="Source", exact=True).click()
    expect(page.locator(".cm-content")).to_be_visible(timeout=TIMEOUT)


def _assert_clean(page: Page) -> None:
    body = page.locator("body").inner_text()
    for bad in ("[object", "undefined", "NaN", "null"):
        assert bad not in body, bad


def test_author_writes_validates_and_publishes(browser: Browser, live_server: LiveServer) -> None:
    _author(live_server, "bruno@ml-e2e.fr", "Bruno Petit")
    _author(live_server, "awa@ml-e2e.fr", "Awa Diop")

    # Bruno leaves a broken draft behind.
    bruno = browser.new_context(viewport=LAPTOP, locale="fr-FR").new_page()
    _login(bruno, live_server, "bruno@ml-e2e.fr")
    _new_draft(bruno, live_server, "Le brouillon de Bruno")
    _source_view(bruno, "scenario.yaml")
    set_source(bruno, bruno.locator("#source").input_value() + "\noups: [")
    expect(bruno.locator("#studio-errors")).to_contain_text(
        "erreur de syntaxe YAML", timeout=TIMEOUT
    )

    # Awa starts from an empty studio.
    context = browser.new_context(viewport=LAPTOP, locale="fr-FR")
    page, errors = _watched(context)
    violations: list[str] = []
    _login(page, live_server, "awa@ml-e2e.fr")
    page.get_by_role("link", name="Studio").click()
    expect(page.get_by_text("Vous n'avez aucun brouillon pour l'instant.")).to_be_visible()
    shot(page, "studio-empty")
    _new_draft(page, live_server, "La grande évasion")
    expect(page.locator("#studio-errors")).to_contain_text("Aucune erreur")
    shot(page, "studio-editor")

    # A broken value: the validator's message appears next to the file, then goes when fixed.
    _source_view(page, "days/day02.yaml")
    original = page.locator("#source").input_value()
    set_source(page, original.replace("reward: 25", "reward: beaucoup"))
    status = page.locator("#save-status")
    expect(status).to_have_text("Modifications non enregistrées…")
    expect(page.locator("#studio-errors")).to_contain_text(
        "missions[0].reward: doit être un nombre entier", timeout=TIMEOUT
    )
    expect(status).to_contain_text("Enregistré à", timeout=TIMEOUT)
    expect(page.locator('[data-file-count="days/day02.yaml"]')).to_have_text("1 erreur")
    shot(page, "studio-editor-error")
    set_source(page, original.replace("reward: 25", "reward: 28"))
    expect(page.locator("#studio-errors")).to_contain_text("Aucune erreur", timeout=TIMEOUT)
    expect(page.locator('[data-file-count="days/day02.yaml"]')).to_have_text("")
    expect(status).to_contain_text("Enregistré à", timeout=TIMEOUT)
    _assert_clean(page)

    # Reloading shows the saved text (autosave reached the server).
    page.reload()
    assert "reward: 28" in page.locator("#source").input_value()

    # Publish version 1 with a changelog line.
    page.get_by_label("Ce qui change (une ligne)").fill("Première version de l'évasion")
    page.get_by_role("button", name="Publier une nouvelle version").click()
    expect(page.get_by_text("Version 1 publiée.")).to_be_visible(timeout=TIMEOUT)
    expect(page.locator("h1")).to_have_text("La grande évasion — version 1")
    expect(page.get_by_text("Première version de ce scénario : rien à comparer.")).to_be_visible()
    shot(page, "studio-version")
    page.get_by_role("link", name="Scénarios").first.click()
    row = page.locator("tr", has_text="La grande évasion — version 1")
    expect(row).to_contain_text("Awa Diop")
    expect(row).to_contain_text("Première version de l'évasion")
    expect(row).to_contain_text("actuelle")
    shot(page, "studio-versions-list")
    _assert_clean(page)

    # Version 2: the version page shows what changed; rolling back to version 1.
    page.get_by_role("link", name="Studio").click()
    page.get_by_role("link", name="La grande évasion").click()
    _source_view(page, "days/day02.yaml")
    edited = page.locator("#source").input_value().replace("reward: 28", "reward: 29")
    set_source(page, edited)
    expect(status).to_contain_text("Enregistré à", timeout=TIMEOUT)
    page.get_by_label("Ce qui change (une ligne)").fill("Un éclat de plus au jour 2")
    page.get_by_role("button", name="Publier une nouvelle version").click()
    expect(page.locator("h1")).to_have_text("La grande évasion — version 2", timeout=TIMEOUT)
    expect(page.locator(".c-diff__del")).to_contain_text("reward: 28")
    expect(page.locator(".c-diff__add")).to_contain_text("reward: 29")
    shot(page, "studio-version-diff")
    page.get_by_role("link", name="Scénarios").first.click()
    page.get_by_role("link", name="La grande évasion — version 1").click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Revenir à cette version").click()
    expect(page.get_by_text("La version 1 est maintenant la version actuelle")).to_be_visible(
        timeout=TIMEOUT
    )
    expect(page.locator(".status")).to_have_text("version actuelle")
    shot(page, "studio-rollback")

    # Bruno's broken draft still cannot be published, and blocked nobody.
    bruno.get_by_label("Ce qui change (une ligne)").fill("Essai")
    bruno.get_by_role("button", name="Publier une nouvelle version").click()
    expect(bruno.get_by_text("corrigez-les avant de publier")).to_be_visible(timeout=TIMEOUT)

    # The studio's list, on a phone too.
    page.goto(live_server.url + "/console/studio")
    expect(page.get_by_role("link", name="La grande évasion")).to_be_visible()
    shot(page, "studio-list")
    _collect(page, violations)
    phone = browser.new_context(viewport=PHONE, locale="fr-FR").new_page()
    _login(phone, live_server, "awa@ml-e2e.fr")
    phone.goto(live_server.url + "/console/studio")
    shot(phone, "studio-list-phone")
    phone.get_by_role("link", name="La grande évasion").click()
    shot(phone, "studio-editor-phone")
    assert violations == []
    assert errors == []
