"""The catalogue in a browser: an administrator renames an offer in the studio's catalogue and
publishes it as catalogue 1, under the strict script policy, with screenshots."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import LAPTOP, PHONE, shot
from tests.e2e.test_csp import _collect, _watched
from tests.e2e.test_studio import PASSWORD, _assert_clean, _login
from tests.live import LiveServer

pytestmark = pytest.mark.browser

TIMEOUT = 10_000
CEJ_TITLE = 'title: "Contrat d\'Engagement Jeune (CEJ)"'


def test_admin_renames_an_offer_and_publishes(browser: Browser, live_server: LiveServer) -> None:
    live_server.tempo(
        "user", "create", "--email", "lea@ml-e2e.fr", "--name", "Léa Roux", "--role", "admin",
        "--password", PASSWORD,
    )  # fmt: skip
    context = browser.new_context(viewport=LAPTOP, locale="fr-FR")
    page, errors = _watched(context)
    violations: list[str] = []
    _login(page, live_server, "lea@ml-e2e.fr")
    page.goto(live_server.url + "/console/studio")
    page.get_by_role("link", name="Catalogue de la Mission Locale").click()
    expect(page.get_by_text("Aucun catalogue publié pour l'instant.")).to_be_visible(
        timeout=TIMEOUT
    )
    shot(page, "catalogue")
    offers = page.get_by_label("offers.yaml")
    offers.fill(offers.input_value().replace(CEJ_TITLE, 'title: "CEJ — le contrat jeune"', 1))
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(page.get_by_text("Catalogue enregistré (brouillon).")).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_text("Aucune erreur dans le catalogue.")).to_be_visible()
    page.get_by_label("Ce qui change (une ligne)").fill("Le CEJ change de nom")
    page.get_by_role("button", name="Publier le catalogue").click()
    expect(page.locator(".flash")).to_contain_text(
        "Catalogue 1 publié : les scénarios publiés désormais figent ces offres"
    )
    expect(page.get_by_text("catalogue 1 publié", exact=True)).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_text("Le CEJ change de nom")).to_be_visible()
    expect(page.get_by_label("offers.yaml")).to_contain_text("CEJ — le contrat jeune")
    _assert_clean(page)
    _collect(page, violations)
    shot(page, "catalogue-published")
    page.set_viewport_size(PHONE)
    shot(page, "catalogue-published")
    assert errors == [] and violations == []
