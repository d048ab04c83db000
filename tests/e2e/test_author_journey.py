"""Issue 14's acceptance: an author who never touches the server's files, in the browser only.

From the studio's template she writes a 3-day scenario, adds one mission of every registered
type through the forms, meets a validator message on a field and fixes it, previews a mission
and a day's intro as a 360×740 phone shows them, play-tests it alone with simulated teammates
through the three days (a split clue read from the teammates' fragments, the diagnostic taken
on the phone and by the teammates), publishes version 1 with a changelog line; a counsellor
creates a cohort on it and opens day 1; a phone joins; the author patches a typo and the open
phone shows the fix without a reload. Every studio screen is photographed at 1280×800, the
previews and the play-test phone at 360×740; no page shows `[object`, `undefined`, `NaN` or
`null`.
"""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, expect
from playwright.sync_api import Error as PlaywrightError

from tempo.missions import registry
from tests.e2e.conftest import LAPTOP, PHONE, SCREENSHOTS, open_card, shot
from tests.e2e.test_csp import _collect, _watched
from tests.live import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TIMEOUT = 15_000
PASSWORD = "mot-de-passe-solide"
LEAKS = ("[object", "undefined", "NaN", "null")
TITLE = "Les clés de l'avenir"
TYPO, FIXED = "Le coffre des métierss", "Le coffre des métiers"
SEND_QUIZ = re.compile("Envoyer les réponses|Proposer ces réponses")  # alone, or with others
SAVED = re.compile(r"^Enregistré à \d\d:\d\d$")


def clean(page: Page) -> str:
    """The page's visible text, after checking it leaks no JavaScript or Python value."""
    text = page.locator("body").inner_text()
    for leak in LEAKS:
        assert leak not in text, f"{leak!r} on {page.url}: {' '.join(text.split())[:2000]}"
    return text


def studio_shot(page: Page, name: str) -> None:
    """A studio screen at 1280×800, after checking what it shows."""
    assert page.viewport_size == LAPTOP
    clean(page)
    shot(page, f"journey-{name}")


def field(page: Page, name: str) -> Locator:
    """A form field by its validator path (`missions[2].params.code`)."""
    return page.locator(f'[id="f-{name}"]')


def put(page: Page, name: str, value: str) -> None:
    """Type into a field, or choose in it when it is a select (pickers replace text inputs)."""
    page.wait_for_load_state("load")  # the autosave's script listens (it is deferred)
    control = field(page, name)
    if control.evaluate("e => e.tagName") == "SELECT":
        control.select_option(value)
    else:
        control.fill(value)


def saved(page: Page) -> None:
    """The form's autosave went through (after the edits just made)."""
    expect(page.locator("#save-status")).to_have_text(SAVED, timeout=TIMEOUT)


def login(page: Page, server: LiveServer, email: str) -> None:
    page.goto(server.url + "/console/connexion")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.locator(".c-user__name")).to_be_visible(timeout=TIMEOUT)


def plan(kinds: list[str]) -> dict[int, list[str]]:
    """Every registered type on one of the 3 days, in registration order (the diagnostic,
    registered last, closes day 3)."""
    days: dict[int, list[str]] = {1: [], 2: [], 3: []}
    for n, key in enumerate(kinds):
        days[1 + n * 3 // len(kinds)].append(key)
    return days


def authored(key: str, day: int) -> dict[str, str]:
    """What the author types in a new mission's form, by field (relative to the mission)."""
    label = registry.get(key)
    assert label is not None
    texts = {
        "title": f"{label.label} du jour {day}",
        "narrative": f"Au jour {day}, Camille confie à l'équipe une mission « {label.label} ».",
    }
    texts.update(
        {
            "enigma": {
                "params.question": "Quel mot ouvre toutes les portes ?",
                "params.answers[0]": "confiance",
            },
            "quiz": {
                "params.questions[0].prompt": "Combien de jours dure notre aventure ?",
                "params.questions[0].choices[0].text": "Trois jours",
                "params.questions[0].choices[1].text": "Dix jours",
            },
            "code-lock": {
                "params.prompt": "Le cadenas attend quatre chiffres.",
                "params.code": "2050",
            },
            "split-clue": {
                "params.question": "Quel métier se cache derrière les deux indices ?",
                "params.fragments[0]": "Il soigne les arbres",
                "params.fragments[1]": "et grimpe sans peur",
                "params.answers[0]": "élagueur",
            },
            "dialogue": {"params.nodes[0].text": "Bienvenue dans l'équipe, on commence ?"},
            "qr-checkpoint": {
                "params.checkpoints[0].label": "La balise de l'accueil",
                "params.checkpoints[0].clue": "Là où l'on dit bonjour en arrivant.",
            },
            "proof": {"params.instructions": "Montrez votre équipe devant l'affiche."},
            "appointment": {"params.instructions": "Prenez rendez-vous avec Camille."},
            "diagnostic": {"params.instructions": "Dites ce dont vous avez besoin, seul."},
        }.get(key, {})
    )
    return texts


# ------------------------------------------------------------------------------ the studio
def write_the_scenario(page: Page, server: LiveServer) -> dict[str, dict[str, Any]]:
    """From the template to a valid draft with one mission of each type; returns the added
    missions by id: {type, day, texts}."""
    page.get_by_role("link", name="Studio").click()
    expect(page.get_by_text("Vous n'avez aucun brouillon pour l'instant.")).to_be_visible()
    studio_shot(page, "studio-empty")
    page.get_by_label("Titre du scénario").fill(TITLE)
    page.get_by_role("button", name="Créer le brouillon").click()
    expect(page.locator("h1")).to_have_text(TITLE, timeout=TIMEOUT)
    expect(page.get_by_text("Brouillon créé depuis le modèle.")).to_be_visible()
    expect(page.locator("#studio-errors")).to_contain_text("Aucune erreur")
    expect(field(page, "days")).to_have_value("3")  # the template's three days
    studio_shot(page, "studio-scenario-form")

    kinds = registry.keys()
    added: dict[str, dict[str, Any]] = {}
    for day, keys in plan(kinds).items():
        page.get_by_role("link", name=f"days/day{day:02d}.yaml", exact=True).click()
        expect(page.locator(".c-studio__file")).to_have_text(f"days/day{day:02d}.yaml")
        before = page.locator('fieldset[id^="f-missions["]:not([id*="."])').count()
        for n, key in enumerate(keys, start=before):
            kind = registry.get(key)
            assert kind is not None
            page.get_by_label("Type de mission").select_option(label=kind.label)
            page.get_by_role("button", name="Ajouter une mission").click()
            expect(field(page, f"missions[{n}].type")).to_have_value(key, timeout=TIMEOUT)
            texts = authored(key, day)
            if day == 1 and key == keys[0]:
                texts["title"] = TYPO  # the typo the running cohort will have fixed
            for name, value in texts.items():
                put(page, f"missions[{n}].{name}", value)
            saved(page)
            mission_id = field(page, f"missions[{n}].id").input_value()
            added[mission_id] = {"type": key, "day": day, "texts": texts, "index": n}
        expect(page.locator("#studio-errors")).to_contain_text("Aucune erreur", timeout=TIMEOUT)
        page.reload()  # what the server kept
        for mission in added.values():
            if mission["day"] == day:
                for name, value in mission["texts"].items():
                    expect(field(page, f"missions[{mission['index']}].{name}")).to_have_value(value)
        clean(page)
    assert sorted(m["type"] for m in added.values()) == sorted(kinds)
    studio_shot(page, "studio-day-form")
    return added


def fix_a_mistake(page: Page, added: dict[str, dict[str, Any]]) -> None:
    """A code typed with lower-case letters: the message sits under the field; fixed, it goes."""
    lock = next((m for m in added.values() if m["type"] == "code-lock"), None)
    assert lock is not None
    page.get_by_role("link", name=f"days/day{lock['day']:02d}.yaml", exact=True).click()
    name = f"missions[{lock['index']}].params.code"
    code = field(page, name)
    put(page, name, "20a0")
    slot = page.locator(f'[id="f-{name}-error"]')
    expect(slot).not_to_be_empty(timeout=TIMEOUT)
    message = slot.inner_text()
    print("validator:", message)
    expect(code).to_have_attribute("aria-invalid", "true")
    counted = page.locator(f'[data-file-count="days/day{lock["day"]:02d}.yaml"]')
    expect(counted).to_have_text("1 erreur")
    expect(page.get_by_role("button", name="Tester")).to_be_disabled()
    code.evaluate("e => e.scrollIntoView({block: 'center'})")  # the field and its message
    studio_shot(page, "studio-field-error")
    put(page, name, "2050")
    expect(page.locator("#studio-errors")).to_contain_text("Aucune erreur", timeout=TIMEOUT)
    expect(slot).to_be_empty()
    expect(code).not_to_have_attribute("aria-invalid", "true")
    saved(page)

    page.get_by_role("link", name="Source", exact=True).click()
    expect(page.locator(".cm-content")).to_be_visible(timeout=TIMEOUT)
    assert 'code: "2050"' in page.locator("#source").input_value() or "code: '2050'" in (
        page.locator("#source").input_value()
    )
    studio_shot(page, "studio-source")
    page.get_by_role("link", name="Formulaire", exact=True).click()


def preview(page: Page, added: dict[str, dict[str, Any]]) -> None:
    """The split clue and day 1's intro as a 360×740 phone shows them."""
    split = next(m for m in added.values() if m["type"] == "split-clue")
    texts = split["texts"]
    page.get_by_role("link", name=f"days/day{split['day']:02d}.yaml", exact=True).click()
    page.get_by_role("link", name=f"Aperçu téléphone : {texts['title']}").click()
    page.wait_for_load_state("load")
    frame = page.locator("iframe")
    box = frame.bounding_box()
    assert box is not None and (box["width"], box["height"]) == (360, 740)
    phone = page.frame_locator("iframe")
    expect(phone.locator("h2")).to_have_text(texts["title"], timeout=TIMEOUT)
    for key in ("narrative", "params.question", "params.fragments[0]", "params.fragments[1]"):
        expect(phone.locator("body")).to_contain_text(texts[key])
    body = phone.locator("body").inner_text()
    assert not any(leak in body for leak in LEAKS), body
    studio_shot(page, "studio-preview")
    SCREENSHOTS.mkdir(exist_ok=True)
    frame.screenshot(path=str(SCREENSHOTS / "e2e-360-journey-preview-mission.png"))

    page.go_back()
    page.get_by_role("link", name="days/day01.yaml", exact=True).click()
    page.get_by_role("link", name="Aperçu téléphone de l'introduction du jour").click()
    page.wait_for_load_state("load")
    phone = page.frame_locator("iframe")
    expect(phone.locator("body")).to_contain_text("Ce que l'équipe découvre en ouvrant le jour 1.")
    body = phone.locator("body").inner_text()
    assert not any(leak in body for leak in LEAKS), body
    page.locator("iframe").screenshot(path=str(SCREENSHOTS / "e2e-360-journey-preview-day.png"))
    page.go_back()


def dialogue_map(page: Page, added: dict[str, dict[str, Any]]) -> None:
    """The added dialogue drawn as a graph; then the Mission Locale's catalogue."""
    talk = next(m for m in added.values() if m["type"] == "dialogue")
    page.get_by_role("link", name="Carte des dialogues").click()
    page.get_by_role("link", name=f"Jour {talk['day']} — {talk['texts']['title']}").click()
    expect(page.locator("#dmap[data-ready]")).to_be_attached(timeout=TIMEOUT)
    expect(page.locator("#dmap svg")).to_contain_text("Bienvenue dans l'équipe")
    expect(page.locator('#dmap svg [data-state="stranded"]')).to_have_count(0)
    studio_shot(page, "studio-dialogue-map")
    page.goto(page.url.split("/studio/")[0] + "/studio")
    page.get_by_role("link", name="Catalogue de la Mission Locale").click()
    expect(page.locator("h1")).to_be_visible()
    studio_shot(page, "studio-catalogue")
    page.go_back()
    page.get_by_role("link", name=TITLE).click()
    expect(page.locator("h1")).to_have_text(TITLE, timeout=TIMEOUT)


# ------------------------------------------------------------------------------ the play-test
class Playtest:
    """The play-test's control panel (laptop) and the author's phone (a tab at 360×740)."""

    def __init__(self, panel: Page, phone: Page) -> None:
        self.panel = panel
        self.phone = phone

    def settle(self) -> None:
        """Close celebrations and a day's end screen."""
        page = self.phone
        for _ in range(10):
            if page.locator("#celebrate[open]").count():
                clean(page)
                page.locator("#celebrate-close").click()
                page.wait_for_timeout(200)
                continue
            if page.locator("#dayend[open]").count():
                clean(page)
                day = page.locator("#dayend").get_attribute("data-day")
                shot(page, f"journey-playtest-dayend-{day}")
                page.locator("#dayend-close").click()
                page.wait_for_timeout(200)
                continue
            return

    def open(self, mission_id: str, texts: dict[str, str]) -> None:
        for attempt in range(5):  # a celebration opening at that moment takes the click
            self.settle()
            try:
                open_card(self.phone, mission_id, timeout=3_000)
                break
            except PlaywrightError:
                if attempt == 4:
                    raise
        expect(self.phone.locator("#panel-title")).to_have_text(texts["title"], timeout=TIMEOUT)
        expect(self.phone.locator("#panel-body")).to_contain_text(texts["narrative"])

    def close(self) -> None:
        self.settle()
        if self.phone.locator("#panel[open]").count():
            self.phone.keyboard.press("Escape")

    def bots(self, mission_id: str) -> str:
        """« Faire jouer les coéquipiers » on one mission; what the panel says they did."""
        self.panel.reload()
        self.panel.locator(f"#mission-{mission_id}").get_by_role(
            "button", name="Faire jouer les coéquipiers"
        ).click()
        notes = self.panel.locator(f"#mission-{mission_id} .c-notes")
        expect(notes).to_be_visible(timeout=TIMEOUT)
        return notes.inner_text()

    def done(self, mission_id: str, celebrated: bool = True) -> None:
        """The mission's celebration opens (closed), then its card says « Réussie »."""
        if celebrated:
            expect(self.phone.locator("#celebrate")).to_have_attribute("open", "", timeout=TIMEOUT)
        self.settle()
        expect(self.phone.locator(f'[data-mission="{mission_id}"]')).to_contain_text(
            "Réussie", timeout=TIMEOUT
        )
        clean(self.phone)


def _answer(pt: Playtest, mission_id: str, answer: str) -> None:
    pt.settle()
    pt.phone.locator(f"#ans-{mission_id}").fill(answer)
    pt.phone.get_by_role("button", name="Valider la réponse").click()


def play_enigma(pt: Playtest, mission_id: str, texts: dict[str, str]) -> None:
    expect(pt.phone.locator("#panel-body")).to_contain_text(texts["params.question"])
    _answer(pt, mission_id, texts["params.answers[0]"])


def play_quiz(pt: Playtest, mission_id: str, texts: dict[str, str]) -> None:
    page = pt.phone
    for key in ("params.questions[0].prompt", "params.questions[0].choices[1].text"):
        expect(page.locator("#panel-body")).to_contain_text(texts[key])
    page.locator(f"#q-{mission_id}-0-0").check()
    page.get_by_role("button", name=SEND_QUIZ).click()


def play_code_lock(pt: Playtest, mission_id: str, texts: dict[str, str]) -> None:
    page = pt.phone
    expect(page.locator("#panel-body")).to_contain_text(texts["params.prompt"])
    page.locator(f"#code-{mission_id}").fill(texts["params.code"])
    page.get_by_role("button", name="Essayer le code").click()


def play_split_clue(pt: Playtest, mission_id: str, texts: dict[str, str]) -> None:
    page = pt.phone
    expect(page.locator("#panel-body")).to_contain_text(texts["params.question"])
    shot(page, "journey-playtest-split-clue")
    said = pt.bots(mission_id)  # the teammates' fragments, read in the panel
    mine = page.locator("#panel-body").inner_text()
    for fragment in ("params.fragments[0]", "params.fragments[1]"):
        assert texts[fragment] in said or texts[fragment] in mine, (said, mine)
    pt.panel.locator(f"#mission-{mission_id} .c-notes").scroll_into_view_if_needed()
    studio_shot(pt.panel, "sandbox-split-clue-notes")
    _answer(pt, mission_id, texts["params.answers[0]"])


def play_dialogue(pt: Playtest, mission_id: str, texts: dict[str, str]) -> None:
    page = pt.phone
    expect(page.locator("#panel-body")).to_contain_text(texts["params.nodes[0].text"])
    page.locator(".choice-btn").first.click()


def play_diagnostic(pt: Playtest, mission_id: str, texts: dict[str, str]) -> None:
    page = pt.phone
    expect(page.locator("#panel-body")).to_contain_text(texts["params.instructions"])
    start = page.locator("#panel-body").get_by_role("link", name=re.compile("auto-diagnostic"))
    start.first.click()
    page.get_by_role("button", name="Commencer").click()
    for _ in range(80):
        if "/diagnostic/question/" not in page.url:
            break
        clean(page)
        labels = page.locator(".diag__option label").all_text_contents()
        pick = "Pas pour l'instant" if "Pas pour l'instant" in labels else labels[0]
        page.get_by_role("radio", name=pick, exact=True).check()
        before = page.url
        page.get_by_role("button", name="Suivant").click()
        expect(page).not_to_have_url(before, timeout=TIMEOUT)
    expect(page.locator("h1")).to_have_text("Tes priorités", timeout=TIMEOUT)
    clean(page)
    shot(page, "journey-playtest-diagnostic")
    print("diagnostic bots:", pt.bots(mission_id))
    page.goto(page.url.split("/diagnostic")[0] + "/jouer")
    expect(page.locator("#conn")).to_contain_text("En ligne", timeout=TIMEOUT)


def play_qr_checkpoint(pt: Playtest, mission_id: str, texts: dict[str, str]) -> None:
    """No poster in a play-test: the panel shows the code printed under each QR code."""
    page = pt.phone
    expect(page.locator("#panel-body")).to_contain_text(texts["params.checkpoints[0].clue"])
    pt.panel.reload()
    row = pt.panel.locator(f"#mission-{mission_id}")
    expect(row).to_contain_text("Codes à taper sur le téléphone")
    listed = row.locator(".c-sandbox__codes li").first
    expect(listed).to_contain_text(texts["params.checkpoints[0].label"])
    code = listed.locator("code").inner_text()
    page.locator(f"#cp-{mission_id}").fill(code)
    page.get_by_role("button", name="Valider le code").click()


def play_proof(pt: Playtest, mission_id: str, texts: dict[str, str]) -> None:
    """A written proof, then the author validates it in the panel (no counsellor here)."""
    page = pt.phone
    expect(page.locator("#panel-body")).to_contain_text(texts["params.instructions"])
    page.locator(f"#ptext-{mission_id}").fill("Toute l'équipe pose devant l'affiche.")
    page.get_by_role("button", name="Envoyer la preuve").click()
    status = page.locator(".proof-status")
    expect(status).to_contain_text("en attente de validation", timeout=TIMEOUT)
    pt.panel.reload()
    row = pt.panel.locator(f"#mission-{mission_id}")
    row.get_by_role("button", name="Valider la preuve").click()
    expect(pt.panel.get_by_text("Preuve validée.")).to_be_visible(timeout=TIMEOUT)
    expect(page.locator(".proof-status")).to_contain_text("Preuve acceptée", timeout=TIMEOUT)


def play_appointment(pt: Playtest, mission_id: str, texts: dict[str, str]) -> None:
    """No counsellor and so no slot in a play-test: the panel simulates the team's booking."""
    page = pt.phone
    expect(page.locator("#panel-body")).to_contain_text(texts["params.instructions"])
    expect(page.locator("#panel-body")).to_contain_text(
        "Essai du studio : aucun vrai créneau ici. Simulez le rendez-vous de l'équipe avec "
        "« Faire jouer les coéquipiers » dans le panneau de l'essai.",
        timeout=TIMEOUT,
    )
    shot(page, "journey-playtest-appointment")
    said = pt.bots(mission_id)
    assert "Rendez-vous simulé pour toute l'équipe" in said, said
    expect(page.locator("#celebrate")).to_have_attribute("open", "", timeout=TIMEOUT)
    pt.settle()
    expect(page.locator("#panel-body")).to_contain_text(
        "Rendez-vous simulé pour l'équipe (essai du studio) : aucun vrai agenda n'est touché.",
        timeout=TIMEOUT,
    )
    expect(page.locator("#panel-body")).not_to_contain_text("Choisis ton créneau")
    clean(page)
    shot(page, "journey-playtest-appointment-booked")


PLAYERS = {
    "appointment": play_appointment,
    "qr-checkpoint": play_qr_checkpoint,
    "proof": play_proof,
    "enigma": play_enigma,
    "quiz": play_quiz,
    "code-lock": play_code_lock,
    "split-clue": play_split_clue,
    "dialogue": play_dialogue,
    "diagnostic": play_diagnostic,
}


def play_test(page: Page, added: dict[str, dict[str, Any]]) -> None:
    """Three days with the simulated teammates, by the panel's time travel."""
    page.get_by_role("link", name="scenario.yaml", exact=True).click()
    page.get_by_role("button", name="Tester").click()
    expect(page.locator("h1")).to_have_text(f"Essai : {TITLE}", timeout=TIMEOUT)
    expect(page.get_by_text("Alix, Sam, Noa")).to_be_visible()
    studio_shot(page, "sandbox-panel")
    with page.context.expect_page() as opened:
        page.get_by_role("button", name="Ouvrir le jeu dans un nouvel onglet").click()
    phone = opened.value
    phone.set_viewport_size(PHONE)
    phone.on("dialog", lambda dialog: dialog.accept())
    expect(phone.locator("#conn")).to_contain_text("En ligne", timeout=TIMEOUT)
    pt = Playtest(page, phone)
    for day in (1, 2, 3):
        if day > 1:
            page.goto(page.url.split("#")[0])
            page.locator("#day").select_option(str(day))
            page.get_by_role("button", name="Aller à ce jour").click()
            expect(page.get_by_text(f"Vous êtes au jour {day}.")).to_be_visible(timeout=TIMEOUT)
            expect(page.get_by_text(f"Jours ouverts : {', '.join(map(str, range(1, day + 1)))}."))
            pt.settle()
        expect(phone.locator("#day-kicker")).to_have_text(f"Jour {day} sur 3", timeout=TIMEOUT)
        clean(phone)
        shot(phone, f"journey-playtest-day{day}")
        for mission_id, m in added.items():
            if m["day"] != day:
                continue
            started = time.monotonic()
            pt.open(mission_id, m["texts"])
            play = PLAYERS.get(m["type"])
            if play is None:
                print("not played:", m["type"])
                shot(phone, f"journey-playtest-{m['type']}")
                pt.close()
                continue
            play(pt, mission_id, m["texts"])
            # The diagnostic is done while the phone is on its questions' pages.
            pt.done(mission_id, celebrated=m["type"] not in ("diagnostic", "appointment"))
            pt.close()
            print(f"{m['type']}: {time.monotonic() - started:.1f} s")
        page.goto(page.url.split("#")[0])
        today = page.locator("details.c-sandbox__day[open]")
        expect(today.locator("summary")).to_have_text(f"Jour {day}")
        for mission_id, m in added.items():
            if m["day"] == day and m["type"] in PLAYERS:
                expect(page.locator(f"#mission-{mission_id}")).to_contain_text("terminée")
        studio_shot(page, f"sandbox-day{day}")
    page.goto(page.url.split("#")[0])
    phone.close()


# ------------------------------------------------------------------------------ the journey
def test_an_author_writes_tests_publishes_and_patches_a_scenario_in_the_browser(
    browser: Browser, live_server: LiveServer
) -> None:
    started = time.monotonic()
    for email, name, role in (
        ("lea@ml-e2e.fr", "Léa Martin", "author"),
        ("karim@ml-e2e.fr", "Karim Benali", "counsellor"),
    ):
        live_server.tempo(
            "user", "create", "--email", email, "--name", name, "--role", role,
            "--password", PASSWORD,
        )  # fmt: skip
    context = browser.new_context(viewport=LAPTOP, locale="fr-FR")
    page, errors = _watched(context)  # console errors, failed requests, CSP reports
    page.on("dialog", lambda dialog: dialog.accept())
    login(page, live_server, "lea@ml-e2e.fr")

    added = write_the_scenario(page, live_server)
    draft_url = page.url.split("?")[0]
    fix_a_mistake(page, added)
    preview(page, added)
    dialogue_map(page, added)
    print(f"studio: {time.monotonic() - started:.0f} s")

    play_test(page, added)
    print(f"play-test: {time.monotonic() - started:.0f} s")
    page.goto(live_server.url + "/console/studio/essais")
    expect(page.get_by_text(f"Essai — {TITLE}")).to_be_visible()
    studio_shot(page, "sandbox-list")

    # Version 1, with its changelog line.
    page.goto(draft_url)
    page.get_by_label("Ce qui change (une ligne)").fill("Première version : trois jours d'essai")
    page.get_by_role("button", name="Publier une nouvelle version").click()
    expect(page.get_by_text("Version 1 publiée.")).to_be_visible(timeout=TIMEOUT)
    expect(page.locator("h1")).to_have_text(f"{TITLE} — version 1")
    expect(page.locator(".c-facts")).to_contain_text("Première version : trois jours d'essai")
    studio_shot(page, "studio-version")
    page.get_by_role("link", name="Scénarios").first.click()
    row = page.locator("tr", has_text=f"{TITLE} — version 1")
    expect(row).to_contain_text("Léa Martin")
    expect(row).to_contain_text("Première version : trois jours d'essai")
    studio_shot(page, "studio-versions")

    # A counsellor creates a cohort on version 1 and opens its day 1.
    desk = browser.new_context(viewport=LAPTOP, locale="fr-FR").new_page()
    desk.on("dialog", lambda dialog: dialog.accept())
    login(desk, live_server, "karim@ml-e2e.fr")
    desk.goto(live_server.url + "/console/cohortes/nouvelle")
    offered = desk.locator("#version option", has_text=TITLE)
    expect(offered).to_have_count(1)
    expect(offered).to_contain_text(f"{TITLE} — version 1 (v1)")
    desk.get_by_label("Version jouée").select_option(offered.get_attribute("value"))
    desk.get_by_label("Nom", exact=True).fill("Promo clés — Lille Sud")
    desk.get_by_label("Noms des équipes, un par ligne (1 à 8)").fill("Les Boussoles")
    desk.get_by_role("button", name="Créer la cohorte").click()
    expect(desk.get_by_text("La cohorte « Promo clés — Lille Sud » est créée.")).to_be_visible(
        timeout=TIMEOUT
    )
    code = desk.locator(".c-code").first.inner_text().strip()
    facts = desk.locator(".c-facts")  # the long scenario label stays inside the card
    assert facts.evaluate("e => e.scrollWidth <= e.clientWidth")
    expect(facts).to_contain_text(f"{TITLE} — version 1 (v1)")
    expect(facts).to_contain_text("Karim Benali")
    shot(desk, "journey-cohort-created")
    desk.get_by_role("link", name=re.compile("Tableau de bord")).first.click()
    desk.get_by_role("button", name="Ouvrir", exact=True).click()
    expect(desk.get_by_text("Jour 1 ouvert.")).to_be_visible(timeout=TIMEOUT)
    clean(desk)

    # A player's phone in that cohort shows the typo.
    player = browser.new_context(viewport=PHONE, locale="fr-FR").new_page()
    player.goto(f"{live_server.url}/rejoindre/{code}")
    player.locator("#pseudonym").fill("Yanis")
    player.get_by_role("button", name="Entrer dans l'équipe").click()
    expect(player.locator("#conn")).to_contain_text("En ligne", timeout=TIMEOUT)
    typo_id = next(i for i, m in added.items() if m["texts"]["title"] == TYPO)
    card = player.locator(f'[data-mission="{typo_id}"] .mcard__title')
    expect(card).to_have_text(TYPO, timeout=TIMEOUT)
    shot(player, "journey-phone-typo")

    # The author fixes it in the draft's form and patches the running cohort.
    page.goto(draft_url + "?fichier=days/day01.yaml")
    put(page, f"missions[{added[typo_id]['index']}].title", FIXED)
    saved(page)
    page.get_by_role("link", name="Corriger les versions en cours").click()
    expect(page.get_by_label("Version à corriger")).to_contain_text(
        "Version 1 — 1 cohorte(s) en cours"
    )
    expect(page.get_by_text(f"la mission {typo_id} : titre corrigé")).to_be_visible()
    studio_shot(page, "studio-patch")
    page.get_by_role("button", name="Appliquer aux cohortes en cours").click()
    # The author's play-test of version 1 is patched too, and counted apart.
    expect(page.locator(".flash").first).to_have_text(
        "Correctif appliqué à 1 cohorte(s) et 1 essai(s) : version 2."
    )
    studio_shot(page, "studio-patched")

    # The open phone shows the fix without a reload; the counsellor sees the audit line.
    expect(card).to_have_text(FIXED, timeout=TIMEOUT)
    clean(player)
    card.evaluate("e => e.scrollIntoView({block: 'center'})")
    shot(player, "journey-phone-fixed")
    desk.reload()
    expect(desk.locator(".c-patch-line")).to_contain_text("par Léa Martin", timeout=TIMEOUT)
    clean(desk)
    shot(desk, "journey-dashboard-patched")
    violations: list[str] = []
    _collect(page, violations)
    assert violations == []
    assert errors == []
    print(f"journey: {time.monotonic() - started:.0f} s")
