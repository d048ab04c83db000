"""The studio's forms, source editor and phone previews in a browser: an author adds one mission
of each type through the forms, sees a message on the field it concerns and fixes it, reads
the highlighted YAML in the source view, and previews a mission as a 360×740 phone shows it;
reference fields are pickers of the draft's ids; a day's opening, a dialogue walked reply by
reply and a mission's celebration are previewed as the phone draws them."""

from __future__ import annotations

import pytest
import yaml
from playwright.sync_api import Browser, Page, expect

from tempo.config import PROJECT_ROOT
from tempo.missions import registry
from tests.e2e.conftest import LAPTOP, PHONE, shot
from tests.e2e.test_csp import _collect, _watched
from tests.e2e.test_studio import (
    TIMEOUT,
    _assert_clean,
    _author,
    _login,
    _new_draft,
    _source_view,
    set_source,
)
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


INTRO = (
    "Le labo ouvre ses portes ce matin.\n\n"
    "Camille vous attend dans le hall avec un badge pour chacun et chacune. Elle a préparé "
    "une visite des ateliers, puis un échange sur ce que vous aimeriez essayer.\n\n"
    "Avant midi, il faudra avoir ouvert la porte du labo : sans elle, pas de visite.\n"
)


def _day_two() -> str:
    """The template's day 2 with a long intro, a teaser and a two-node dialogue."""
    day = yaml.safe_load(
        (PROJECT_ROOT / "tempo/services/studio/template/days/day02.yaml").read_text()
    )
    day.update({"title": "Le labo", "intro": INTRO, "teaser": "Demain, le grand saut."})
    day["missions"][0]["unlocks"].remove("permis")
    day["missions"].append(
        {
            "id": "j02-camille",
            "type": "dialogue",
            "title": "Parler à Camille",
            "character": "guide",
            "narrative": "Camille vous fait signe de la rejoindre.\n",
            "reward": 15,
            "requires": ["j02-enigme"],
            "unlocks": ["permis"],
            "params": {
                "start": "accueil",
                "nodes": [
                    {
                        "id": "accueil",
                        "speaker": "guide",
                        "text": "« Bonjour ! Vous cherchez quoi, aujourd'hui ? »",
                        "choices": [
                            {"text": "Un stage", "next": "stage", "reaction": "Camille sourit."},
                            {"text": "Rien du tout", "end": "retry"},
                        ],
                    },
                    {
                        "id": "stage",
                        "speaker": "guide",
                        "text": "« Alors parlons de l'immersion en entreprise. »",
                        "choices": [{"text": "On signe !", "end": "success"}],
                    },
                ],
            },
        }
    )
    return yaml.safe_dump(day, allow_unicode=True, sort_keys=False)


def _phone_src(page: Page) -> str:
    src = page.locator("iframe").get_attribute("src")
    assert src is not None
    return src


def test_pickers_and_previews_of_a_day_a_dialogue_and_a_success(
    browser: Browser, live_server: LiveServer
) -> None:
    _author(live_server, "noe@ml-e2e.fr", "Noé Petit")
    context = browser.new_context(viewport=LAPTOP, locale="fr-FR")
    page, errors = _watched(context)
    violations: list[str] = []
    _login(page, live_server, "noe@ml-e2e.fr")
    _new_draft(page, live_server, "Les aperçus")
    _source_view(page, "days/day02.yaml")
    set_source(page, _day_two())
    expect(page.locator("#save-status")).to_contain_text("Enregistré à", timeout=TIMEOUT)
    expect(page.locator("#studio-errors")).to_contain_text("Aucune erreur", timeout=TIMEOUT)

    # The form: the character, the required missions and the dialogue's targets are pickers.
    page.get_by_role("link", name="Formulaire").click()
    who = _field(page, "missions[2].character")
    expect(who).to_have_value("guide", timeout=TIMEOUT)
    expect(who.locator("option:checked")).to_have_text("guide — Camille")
    requires = _field(page, "missions[2].requires")
    expect(requires.get_by_label("j02-enigme — L'énigme du jour 2")).to_be_checked()
    expect(
        _field(page, "missions[2].unlocks").get_by_label("permis — Aide au permis de conduire")
    ).to_be_checked()
    target = _field(page, "missions[2].params.nodes[0].choices[0].next")
    expect(target.locator("option:checked")).to_have_text(
        "stage — « Alors parlons de l'immersion en entreprise. »"
    )
    with page.expect_response(lambda r: r.url.endswith("/formulaire") and r.ok):
        requires.get_by_label("j01-enigme — L'énigme du jour 1").check()  # autosaved
    expect(requires.get_by_label("j02-camille — Parler à Camille")).to_have_count(0)
    requires.scroll_into_view_if_needed()
    shot(page, "studio-pickers")
    page.reload()
    expect(
        _field(page, "missions[2].requires").get_by_label("j01-enigme — L'énigme du jour 1")
    ).to_be_checked()
    _collect(page, violations)

    # The day's opening, framed at 360×740 from the draft page's list of previews.
    page.get_by_role("link", name="Ouverture du jour 2 : Le labo").click()
    frame = page.frame_locator("iframe")
    expect(frame.get_by_role("heading", name="Le labo", exact=True)).to_be_visible(timeout=TIMEOUT)
    box = page.locator("iframe").bounding_box()
    assert box is not None and (box["width"], box["height"]) == (360, 740)
    shot(page, "studio-preview-day-frame")
    day_url = live_server.url + _phone_src(page)

    phone = context.new_page()
    phone.set_viewport_size(PHONE)
    phone.goto(day_url)
    expect(phone.get_by_text("Jour 2 sur 3", exact=True)).to_be_visible(timeout=TIMEOUT)
    expect(phone.get_by_role("heading", name="Le labo", exact=True)).to_be_visible()
    expect(phone.get_by_text("Le labo ouvre ses portes ce matin.")).to_be_visible()
    more = phone.get_by_role("button", name="Lire la suite")
    expect(more).to_be_visible()
    more.click()
    expect(phone.get_by_role("button", name="Réduire")).to_be_visible()
    expect(phone.get_by_text("Avant midi, il faudra avoir ouvert la porte du labo")).to_be_visible()
    cards = phone.locator(".mcard")
    expect(cards).to_have_count(3)
    expect(cards.nth(0)).to_contain_text("L'énigme du jour 2")
    expect(cards.nth(0)).to_contain_text("Disponible")
    expect(cards.nth(2)).to_contain_text("Parler à Camille")
    expect(cards.nth(2)).to_contain_text("Verrouillée")
    expect(cards.nth(2)).to_contain_text("Nécessite : « L'énigme du jour 2 »")
    expect(phone.get_by_text("Demain… Demain, le grand saut.")).to_be_visible()
    phone.get_by_role("heading", name="Le labo", exact=True).scroll_into_view_if_needed()
    shot(phone, "studio-preview-day")
    _assert_clean(phone)

    # A card opens that mission's preview: the dialogue, walked reply by reply.
    cards.nth(2).click()
    expect(phone.get_by_role("heading", name="Parler à Camille")).to_be_visible(timeout=TIMEOUT)
    expect(phone.get_by_text("Camille vous fait signe de la rejoindre.")).to_be_visible()
    expect(phone.get_by_text("« Bonjour ! Vous cherchez quoi, aujourd'hui ? »")).to_be_visible()
    expect(phone.get_by_role("button", name="Rien du tout")).to_be_enabled()
    shot(phone, "studio-preview-dialogue")
    phone.get_by_role("button", name="Un stage").click()
    expect(phone.locator(".reaction").get_by_text("Camille sourit.")).to_be_visible(timeout=TIMEOUT)
    expect(phone.get_by_text("« Alors parlons de l'immersion en entreprise. »")).to_be_visible()
    expect(phone.get_by_text("Ce que l'équipe a déjà répondu (1)")).to_be_visible()
    shot(phone, "studio-preview-dialogue-step")
    phone.get_by_role("button", name="On signe !").click()
    expect(phone.get_by_text("Conversation terminée.")).to_be_visible(timeout=TIMEOUT)
    phone.get_by_role("button", name="Recommencer la conversation").click()
    expect(phone.get_by_role("button", name="Un stage")).to_be_visible()
    phone.get_by_role("button", name="Un stage").click()
    phone.get_by_role("button", name="On signe !").click()
    _assert_clean(phone)

    # Its success: the celebration dialog the phone shows, with the offer it unlocks.
    phone.emulate_media(reduced_motion="reduce")  # a still picture, not the pop's first frame
    phone.get_by_role("link", name="Voir la célébration").click()
    dialog = phone.get_by_role("dialog")
    expect(dialog.get_by_role("heading", name="Mission réussie ! +15 éclats")).to_be_visible(
        timeout=TIMEOUT
    )
    expect(dialog).to_contain_text(
        "Tu as réussi « Parler à Camille » pour toute l'équipe. L'IA faiblit !"
    )
    expect(dialog.get_by_text("Offre débloquée", exact=True)).to_be_visible()
    expect(dialog.get_by_text("🎁 Aide au permis de conduire")).to_be_visible()
    expect(dialog.get_by_role("button", name="Voir dans le coffre")).to_be_visible()
    shot(phone, "studio-preview-success")
    _assert_clean(phone)
    dialog.get_by_role("button", name="Continuer").click()
    expect(phone.get_by_role("button", name="Revoir la célébration")).to_be_visible()
    _collect(phone, violations)
    assert violations == []
    assert errors == []
