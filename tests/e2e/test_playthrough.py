"""Issue 11's acceptance: every mission of every day of Tempo 2050, played on a phone.

One phone (360×740) plays the ten days through the page alone, day by day: each mission type
has a helper that plays it as a person would (typing, ticking, tapping, uploading a photo,
booking a slot, taking the diagnostic) and checks that every authored field it shows is on
the screen as text — narratives, questions, clues, fragments, choices, reactions, explanations,
checkpoint clues and messages, bought hints, the character's word after a wrong answer. After
each step no page shows `[object`, `undefined`, `NaN` or `null`. A counsellor on a laptop
validates the proofs from the review queue. axe-core checks the first mission of each type, a
day's end and a vote (two more phones): no serious or critical violation.
"""

from __future__ import annotations

import io
import json
import re
import time
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect
from playwright.sync_api import Error as PlaywrightError
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from tempo.config import PROJECT_ROOT
from tempo.infra.markup import render
from tempo.models import StaffAccount
from tests.booking_kit import weekday_mornings
from tests.databases import instance_url
from tests.e2e.conftest import LAPTOP, PHONE, join, open_card, shot
from tests.engine.kit import dialogue_path
from tests.live import LiveServer
from tests.realtime.helpers import content

pytestmark = pytest.mark.slow

TIMEOUT = 15_000
LEAKS = ("[object", "undefined", "NaN", "null")
AXE = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
COUNSELLOR = "conseillere@demo.tempo"
WRONG = "zzz pas ça"
SEND_QUIZ = re.compile("Envoyer les réponses|Proposer ces réponses")  # alone, or with others
DAY_DONE = "Journée bouclée !"  # the end screen's title once every mission of the day is done
# Block-level tags: the text between two of them reads as one run on the screen.
BLOCKS = {"p", "li", "ul", "ol", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "br", "hr"}


class _Runs(HTMLParser):
    """The runs of text of rendered Markdown, cut at block boundaries (as innerText cuts them)."""

    def __init__(self) -> None:
        super().__init__()
        self.runs: list[str] = [""]

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in BLOCKS:
            self.runs.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in BLOCKS:
            self.runs.append("")

    def handle_data(self, data: str) -> None:
        self.runs[-1] += data


def _one_line(text: str) -> str:
    return " ".join(text.split())


def runs(markdown: str) -> list[str]:
    """What a reader sees of an authored Markdown field, run by run, each on one line."""
    parser = _Runs()
    parser.feed(str(render(markdown)))
    return [r for r in (_one_line(x) for x in parser.runs) if r]


class Phone:
    """The playing phone, its counsellor's console and what the run has seen so far."""

    def __init__(self, page: Page, console: Page, server: LiveServer, tmp: Path) -> None:
        self.page = page
        self.console = console
        self.server = server
        self.tmp = tmp
        self.flags: dict[str, bool] = {}
        self.checked: set[str] = set()  # the types (and screens) axe has looked at
        self.shots: set[str] = set()
        self.day_ends: dict[int, str] = {}  # day → the title its end screen showed

    # ------------------------------------------------------------ what the person sees
    def screen(self) -> str:
        """The page's visible text on one line, after checking it leaks no value."""
        text = self.page.locator("body").inner_text()
        for leak in LEAKS:
            assert leak not in text, f"{leak!r} printed on the page: {_one_line(text)}"
        return _one_line(text)

    def sees(self, markdown: str | None, where: str = "body") -> None:
        """Every run of an authored field is visible as text (`where`: a CSS scope)."""
        if not markdown:
            return
        text = (
            self.screen() if where == "body" else _one_line(self.page.locator(where).inner_text())
        )
        for run in runs(markdown):
            assert run in text, f"not on the screen: {run!r}\n--- screen: {text}"

    def waits_for(self, markdown: str, where: str = "#panel-body") -> None:
        """Wait until the first run of an authored field shows, then check them all."""
        expect(self.page.locator(where)).to_contain_text(runs(markdown)[0], timeout=TIMEOUT)
        self.sees(markdown)

    def check_once(self, name: str, scroll: str | None = None) -> None:
        """The first time a screen shows: a screenshot and axe-core."""
        if name in self.checked:
            return
        self.checked.add(name)
        if scroll:  # the panel may render again meanwhile (a push): find the element anew
            self.page.locator(scroll).first.evaluate("(el) => el.scrollIntoView({block: 'center'})")
        still(self.page)
        shot(self.page, f"playthrough-{name}")
        axe(self.page, name)

    # ------------------------------------------------------------ moving around
    def settle(self) -> None:
        """Close the celebrations and a day's end screen (checking the latter)."""
        page = self.page
        for _ in range(10):
            if page.locator("#celebrate[open]").count():
                self.screen()
                page.locator("#celebrate-close").click()
                expect(page.locator("#celebrate")).not_to_have_attribute("open", "")
                page.wait_for_timeout(150)  # the next celebration or the day's end
                continue
            if page.locator("#dayend[open]").count():
                self.day_end()
                continue
            return

    def celebrated(self) -> None:
        """The mission's celebration opens; close it (and what follows)."""
        expect(self.page.locator("#celebrate")).to_have_attribute("open", "", timeout=TIMEOUT)
        self.settle()

    def day_end(self) -> None:
        page = self.page
        body = page.locator("#dayend")
        expect(body.locator("#dayend-title")).to_have_text(re.compile("Journée bouclée|Fin de"))
        self.screen()
        day = int(body.get_attribute("data-day") or 0)
        self.day_ends[day] = _one_line(
            body.locator("#dayend-title").inner_text().replace("\u00a0", " ")
        )
        self.check_once("day-end")
        page.locator("#dayend-close").click()
        expect(body).not_to_have_attribute("open", "")

    def open(self, m: Any) -> None:
        self.settle()
        open_card(self.page, m.id)
        expect(self.page.locator("#panel")).to_have_attribute("open", "", timeout=TIMEOUT)
        expect(self.page.locator("#panel-title")).to_have_text(m.title)
        self.waits_for(m.narrative)

    def close(self) -> None:
        """Back to the map (a day's end screen may open on the way: it is checked first)."""
        panel = self.page.locator("#panel")
        for _ in range(5):
            self.settle()
            if panel.get_attribute("open") != "":
                return
            try:  # a day's end screen opening at this moment takes the click: check it, retry
                self.page.get_by_role("button", name="Retour aux missions").click(timeout=2_000)
            except PlaywrightError:
                continue
            self.page.wait_for_timeout(100)
        expect(panel).not_to_have_attribute("open", "")

    def done(self, m: Any) -> None:
        """The mission is done on the map (after its celebration)."""
        expect(self.page.locator(f'[data-mission="{m.id}"]')).to_contain_text(
            "Réussie", timeout=TIMEOUT
        )
        self.screen()

    def buy_hints(self, m: Any) -> None:
        """Buy each hint the team can afford; each bought one shows as text."""
        page = self.page
        for n, hint in enumerate(m.hints, start=1):
            button = page.get_by_role("button", name=f"Acheter l'indice ({hint.cost} éclats)")
            if not button.count() or page.locator(".hints").get_by_text("Il faut").count():
                return
            button.click()
            expect(page.locator(".hints__list li")).to_have_count(n, timeout=TIMEOUT)
            self.sees(hint.text, ".hints__list")

    def wrong_reaction(self, m: Any) -> None:
        """After a wrong answer, the mission's own reaction (else the character's) shows."""
        said = self.page.locator(".wrong-reaction")
        expect(said).to_be_visible(timeout=TIMEOUT)
        if m.on_wrong:
            self.waits_for(m.on_wrong.text, ".wrong-reaction")
        self.screen()


# ---------------------------------------------------------------- one helper per type
def _answer(phone: Phone, m: Any, answer: str) -> None:
    phone.page.locator(f"#ans-{m.id}").fill(answer)
    phone.page.get_by_role("button", name="Valider la réponse").click()


def play_enigma(phone: Phone, m: Any) -> None:
    p = m.params
    phone.sees(p["question"])
    if p.get("placeholder"):
        expect(phone.page.locator(f"#ans-{m.id}")).to_have_attribute(
            "placeholder", p["placeholder"]
        )
    phone.buy_hints(m)
    _answer(phone, m, WRONG)
    phone.wrong_reaction(m)
    phone.check_once(m.type, ".wrong-reaction")
    _answer(phone, m, p["answers"][0])
    phone.celebrated()


def play_split_clue(phone: Phone, m: Any) -> None:
    p = m.params
    phone.sees(p["question"])
    fragments = phone.page.locator(".fragment")
    expect(fragments).to_have_count(len(p["fragments"]), timeout=TIMEOUT)  # alone: all of them
    for fragment in p["fragments"]:
        phone.sees(fragment, ".fragments")
    phone.buy_hints(m)
    _answer(phone, m, WRONG)
    phone.wrong_reaction(m)
    phone.check_once(m.type, ".fragments")
    _answer(phone, m, p["answers"][0])
    phone.celebrated()


def play_code_lock(phone: Phone, m: Any) -> None:
    p = m.params
    page = phone.page
    phone.sees(p.get("prompt"))
    expect(page.locator(".clues li")).to_have_count(len(p["clues"]), timeout=TIMEOUT)
    for clue in p["clues"]:
        phone.sees(clue, ".clues")
    field = page.locator(f"#code-{m.id}")
    expect(field).to_be_visible()
    phone.buy_hints(m)
    wrong = "".join("1" if c != "1" else "2" for c in p["code"])
    field.fill(wrong)
    page.get_by_role("button", name="Essayer le code").click()
    phone.wrong_reaction(m)
    phone.check_once(m.type, ".clues")
    field.fill(p["code"])
    page.get_by_role("button", name="Essayer le code").click()
    phone.celebrated()


def play_quiz(phone: Phone, m: Any) -> None:
    page = phone.page
    questions = m.params["questions"]
    expect(page.locator(".question")).to_have_count(len(questions), timeout=TIMEOUT)
    for q in questions:
        phone.sees(q["prompt"], ".play-area")
        for choice in q["choices"]:
            phone.sees(choice["text"], ".play-area")
        if q.get("explanation"):  # only after an answer
            assert runs(q["explanation"])[0] not in phone.screen()
    phone.buy_hints(m)

    def tick(right: bool) -> None:
        for qi, q in enumerate(questions):
            for ci, choice in enumerate(q["choices"]):
                box = page.locator(f"#q-{m.id}-{qi}-{ci}")
                should = bool(choice.get("correct")) == right
                if q.get("multiple"):
                    box.set_checked(should)
                elif should:
                    box.check()
                    break

    tick(right=False)  # everything wrong: below the pass mark, explanations shown
    page.get_by_role("button", name=SEND_QUIZ).click()
    expect(page.locator(".quiz__feedback")).to_have_count(len(questions), timeout=TIMEOUT)
    for q in questions:
        phone.sees(q.get("explanation"), ".play-area")
    phone.wrong_reaction(m)
    phone.check_once(m.type, ".quiz__feedback")
    tick(right=True)
    page.get_by_role("button", name=SEND_QUIZ).click()
    phone.celebrated()


def _visible_choices(node: dict[str, Any], flags: dict[str, bool]) -> list[dict[str, Any]]:
    on = {f for f, v in flags.items() if v}
    return [
        c
        for c in node["choices"]
        if all(f in on for f in c.get("if_flags", []))
        and not any(f in on for f in c.get("unless_flags", []))
    ]


def play_dialogue(phone: Phone, m: Any) -> None:
    page = phone.page
    nodes = {n["id"]: n for n in m.params["nodes"]}
    node = nodes[m.params["start"]]
    path = dialogue_path(m.params, node["id"], dict(phone.flags))
    phone.buy_hints(m)
    for step, index in enumerate(path):
        phone.waits_for(node["text"], ".speaker__line:not(.reaction__line)")
        shown = _visible_choices(node, phone.flags)
        expect(page.locator(".choice-btn")).to_have_count(len(shown), timeout=TIMEOUT)
        for choice in shown:
            phone.sees(choice["text"], ".choices")
        if step == 0:
            phone.check_once(m.type, ".choices")
        chosen = shown[index]
        page.locator(".choice-btn").nth(index).click()
        for flag in chosen.get("set_flags", []):
            phone.flags[flag] = True
        if chosen.get("end"):
            expect(page.locator("#celebrate")).to_have_attribute("open", "", timeout=TIMEOUT)
            phone.settle()
        else:
            node = nodes[chosen["next"]]
            phone.waits_for(node["text"], ".speaker__line:not(.reaction__line)")
        if chosen.get("reaction"):
            phone.waits_for(chosen["reaction"], ".reaction")
            if step == 0 or "dialogue-reaction" not in phone.shots:
                phone.shots.add("dialogue-reaction")
                page.locator(".reaction").scroll_into_view_if_needed()
                shot(page, "playthrough-dialogue-reaction")
    expect(page.locator("#panel-body")).to_contain_text("Conversation terminée.")


def _short_code(phone: Phone, checkpoint: str) -> str:
    printed = phone.server.tempo(
        "qr", "demo", "--checkpoint", checkpoint, "-o", str(phone.tmp / f"{checkpoint}.svg")
    )
    code = re.search(r"code à taper : ([A-Z0-9]{6})", printed)
    assert code is not None, printed
    return code[1]


def play_qr_checkpoint(phone: Phone, m: Any) -> None:
    page = phone.page
    checkpoints = m.params["checkpoints"]
    expect(page.locator(".checkpoint")).to_have_count(len(checkpoints), timeout=TIMEOUT)
    for cp in checkpoints:
        phone.sees(cp["label"], ".play-area")
        phone.sees(cp["clue"], ".play-area")
        assert runs(cp["placement"])[0] not in phone.screen()  # for counsellors only
        assert runs(cp["message"])[0] not in phone.screen()  # after the scan
    field = page.locator(f"#cp-{m.id}")
    expect(field).to_be_visible()
    expect(page.get_by_text("Ou tape le code à 6 caractères écrit sous le QR code")).to_be_visible()
    phone.buy_hints(m)
    phone.check_once(m.type, f"#cp-{m.id}")
    for n, cp in enumerate(checkpoints):
        code = _short_code(phone, cp["id"])
        field.fill(f"{code[:3].lower()} {code[3:]}")
        page.get_by_role("button", name="Valider le code").click()
        if n + 1 < len(checkpoints):
            expect(page.locator(".checkpoint").nth(n)).to_contain_text(
                "Validée par toi", timeout=TIMEOUT
            )
            phone.waits_for(cp["message"], ".play-area")
    expect(page.locator("#celebrate")).to_have_attribute("open", "", timeout=TIMEOUT)
    phone.settle()
    for cp in checkpoints:  # every checkpoint's story once the mission is done
        phone.waits_for(cp["message"], ".play-area")


def _jpeg(path: Path) -> Path:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (40, 140, 90)).save(out, "JPEG")
    path.write_bytes(out.getvalue())
    return path


def play_proof(phone: Phone, m: Any) -> None:
    page = phone.page
    phone.sees(m.params["instructions"])
    expect(page.locator(".proof-status")).to_contain_text("Pas encore envoyée")
    phone.buy_hints(m)
    if m.params.get("kind", "photo-or-text") == "text":
        page.locator(f"#ptext-{m.id}").fill("Notre preuve, écrite par l'équipe.")
    else:
        photo = _jpeg(phone.tmp / "preuve.jpg")
        chosen = f"document.getElementById('pphoto-{m.id}').files.length === 1"
        for _ in range(3):  # a push re-rendering the panel mid-way may leave it on an old input
            page.locator(f"#pphoto-{m.id}").set_input_files(str(photo))
            page.wait_for_timeout(300)
            if page.evaluate(chosen):
                break
        assert page.evaluate(chosen), "the chosen photo was lost"
    page.get_by_role("button", name="Envoyer la preuve").click()
    try:
        expect(page.locator(".proof-status")).to_contain_text(
            "en attente de validation", timeout=TIMEOUT
        )
    except AssertionError as exc:
        raise AssertionError(
            f"{exc}\n--- panel: {phone.page.locator('#panel-body').inner_text()}"
        ) from exc
    phone.check_once(m.type, ".proof-status")
    # The counsellor validates it from the review queue.
    console = phone.console
    console.goto(f"{phone.server.url}/console/cohortes/demo/a-valider")
    item = console.locator(f'.c-queue__item[data-mission="{m.id}"]')
    expect(item).to_contain_text(m.title)
    item.get_by_label("Commentaire pour l'équipe").fill("Bravo à toute l'équipe !")
    item.get_by_role("button", name="Valider").click()
    expect(console.locator(f'.c-queue__item[data-mission="{m.id}"]')).to_have_count(0)
    expect(page.locator("#celebrate")).to_have_attribute("open", "", timeout=TIMEOUT)
    phone.settle()
    expect(page.locator(".proof-status")).to_contain_text("Preuve acceptée", timeout=TIMEOUT)
    expect(page.locator("#panel-body")).to_contain_text("Bravo à toute l'équipe !")


def play_appointment(phone: Phone, m: Any) -> None:
    page = phone.page
    expect(page.locator("#bk-pick-title")).to_have_text("Choisis ton créneau", timeout=TIMEOUT)
    phone.sees(m.params["instructions"], ".play-area")
    phone.buy_hints(m)
    phone.check_once(m.type, "#bk-pick-title")
    page.locator(".bk-slot").first.click()
    page.get_by_role("button", name="Réserver ce créneau").click()
    expect(page.locator("#bk-done-title")).to_be_visible(timeout=TIMEOUT)
    expect(page.locator("#celebrate")).to_have_attribute("open", "", timeout=TIMEOUT)
    phone.settle()
    expect(page.locator(".bk-done")).to_contain_text("À apporter")
    for thing in m.params["bring"]:
        phone.sees(thing, ".bk-done")
    phone.sees(m.params["instructions"], ".play-area")


def play_diagnostic(phone: Phone, m: Any) -> None:
    page = phone.page
    phone.sees(m.params["instructions"], ".play-area")
    phone.buy_hints(m)
    phone.check_once(m.type, ".play-area")
    page.get_by_role("link", name="🧭 Faire mon auto-diagnostic").click()
    page.get_by_role("button", name="Commencer").click()
    for _ in range(80):
        if "/diagnostic/question/" not in page.url:
            break
        phone.screen()
        labels = page.locator(".diag__option label").all_text_contents()
        pick = "Pas pour l'instant" if "Pas pour l'instant" in labels else labels[0]
        page.get_by_role("radio", name=pick, exact=True).check()
        before = page.url
        page.get_by_role("button", name="Suivant").click()
        expect(page).not_to_have_url(before, timeout=TIMEOUT)
    expect(page.locator("h1")).to_have_text("Tes priorités", timeout=TIMEOUT)
    phone.screen()
    page.goto(f"{phone.server.url}/jouer")
    expect(page.locator("#conn")).to_contain_text("En ligne", timeout=TIMEOUT)
    phone.settle()
    phone.open(m)
    expect(page.locator("#panel-body")).to_contain_text("Tu as terminé ton auto-diagnostic")


PLAYERS: dict[str, Callable[[Phone, Any], None]] = {
    "enigma": play_enigma,
    "split-clue": play_split_clue,
    "code-lock": play_code_lock,
    "quiz": play_quiz,
    "dialogue": play_dialogue,
    "qr-checkpoint": play_qr_checkpoint,
    "proof": play_proof,
    "appointment": play_appointment,
    "diagnostic": play_diagnostic,
}


# ---------------------------------------------------------------- axe-core
def still(page: Page) -> None:
    """Wait for the running animations (a dialog's fade, confetti) to finish, 3 s at most:
    colours are measured and photographed as painted at rest."""
    page.evaluate(
        """() => Promise.race([
          Promise.all(document.getAnimations()
            .filter((a) => Number.isFinite(a.effect.getComputedTiming().endTime))
            .map((a) => a.finished.catch(() => null))),
          new Promise((resolve) => setTimeout(resolve, 3000))])"""
    )


def axe(page: Page, name: str) -> None:
    """axe-core on the page as it is: no serious or critical violation.

    Injected through page.evaluate (DevTools), which the page's strict CSP does not govern.
    """
    assert AXE.exists(), f"{AXE} is missing: run `npm ci` (axe-core is a devDependency)"
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text())
    still(page)
    found = page.evaluate(
        """async () => {
          const r = await axe.run(document, {resultTypes: ["violations"]});
          return r.violations.filter((v) => v.impact === "serious" || v.impact === "critical")
            .map((v) => ({id: v.id, impact: v.impact, help: v.help,
                          nodes: v.nodes.slice(0, 5)
                            .map((n) => n.target.join(" ") + " — " + n.failureSummary)}));
        }"""
    )
    assert not found, f"axe on {name}: " + json.dumps(found, ensure_ascii=False, indent=1)


# ---------------------------------------------------------------- the run
def _availability(server: LiveServer) -> None:
    """The demo counsellor's weekday mornings (tests/booking_kit.py), for day 9's booking."""
    engine = create_engine(instance_url(Path(server.env["TEMPO_INSTANCE_DIR"])))
    with Session(engine) as session:
        staff = session.scalar(select(StaffAccount).where(StaffAccount.email == COUNSELLOR))
        assert staff is not None
        weekday_mornings(session, staff.id)
        session.commit()
    engine.dispose()


def _vote(browser: Browser, server: LiveServer) -> None:
    """Two phones of another team: a proposal waits for a vote (screenshot, axe), then decides."""
    scenario = content().scenarios["tempo-2050"]
    badge, dialogue = (
        m for _, m in scenario.missions() if m.id in ("d01-badge-entree", "d01-contrat")
    )
    contexts = [browser.new_context(viewport=PHONE, locale="fr-FR") for _ in range(2)]
    lea, sam = (c.new_page() for c in contexts)
    join(lea, server, "Léa", team=1)
    join(sam, server, "Sam", team=1)
    open_card(lea, badge.id)
    lea.locator(f"#ans-{badge.id}").fill(badge.params["answers"][0])
    lea.get_by_role("button", name="Valider la réponse").click()
    for page in (lea, sam):
        expect(page.locator("#celebrate")).to_have_attribute("open", "", timeout=TIMEOUT)
        page.locator("#celebrate-close").click()
        page.keyboard.press("Escape")
        open_card(page, dialogue.id)
    lea.locator(".choice-btn").first.click()
    expect(sam.locator(".choice-btn").first).to_contain_text("Léa", timeout=TIMEOUT)
    expect(sam.locator(".vote__status")).to_contain_text("En attente de 1 vote")
    text = sam.locator("body").inner_text()
    assert not any(leak in text for leak in LEAKS), text
    # A push may redraw the panel between finding the line and scrolling to it: try again.
    for attempt in range(3):
        try:
            sam.locator(".vote__status").scroll_into_view_if_needed()
            break
        except PlaywrightError:
            if attempt == 2:
                raise
    still(sam)
    shot(sam, "playthrough-vote")
    axe(sam, "vote")
    sam.locator(".choice-btn").first.click()
    nodes = {n["id"]: n for n in dialogue.params["nodes"]}
    second = nodes[nodes[dialogue.params["start"]]["choices"][0]["next"]]
    for page in (lea, sam):
        expect(page.locator(".speaker__line").first).to_contain_text(
            runs(second["text"])[0], timeout=TIMEOUT
        )
    for context in contexts:
        context.close()


def test_every_mission_of_every_day_plays_on_a_phone_and_shows_its_texts(
    browser: Browser, live_server: LiveServer, tmp_path: Path
) -> None:
    scenario = content().scenarios["tempo-2050"]
    password = re.search(r"Mot de passe : (\S+)", live_server.tempo("demo", "--reset-password"))
    assert password is not None
    _availability(live_server)

    desk = browser.new_context(viewport=LAPTOP, locale="fr-FR")
    console = desk.new_page()
    console.goto(f"{live_server.url}/console/connexion")
    console.locator("#email").fill(COUNSELLOR)
    console.locator("#password").fill(password.group(1))
    console.get_by_role("button", name="Se connecter").click()
    expect(console.locator(".c-nav")).to_be_visible()

    context = browser.new_context(viewport=PHONE, locale="fr-FR")
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # « spend shards on this hint? »
    join(page, live_server, "Nina")
    phone = Phone(page, console, live_server, tmp_path)

    played: list[str] = []
    for day in scenario.days:
        if day.day > 1:
            live_server.tempo("day", "unlock", "demo", str(day.day))
            page.reload()
            expect(page.locator("#conn")).to_contain_text("En ligne", timeout=TIMEOUT)
        expect(page.locator("#day-kicker")).to_have_text(
            f"Jour {day.day} sur {len(scenario.days)}", timeout=TIMEOUT
        )
        for m in day.missions:
            started = time.monotonic()
            phone.open(m)
            PLAYERS[m.type](phone, m)
            phone.settle()
            phone.done(m)
            phone.close()
            played.append(m.id)
            print(f"{m.id}: {time.monotonic() - started:.1f} s")
        # The day's end opens by itself once its last mission is done; if it already showed
        # (the day closed by the clock meanwhile), « Le bilan du jour » opens it again.
        phone.settle()
        if phone.day_ends.get(day.day) != DAY_DONE:
            if not page.locator("#dayend[open]").count():
                page.wait_for_timeout(500)
            if not page.locator("#dayend[open]").count():
                page.get_by_role("button", name="Le bilan du jour").click()
            expect(page.locator("#dayend-title")).to_contain_text("Journée bouclée")
            phone.settle()
        assert phone.day_ends.get(day.day) == DAY_DONE, phone.day_ends
    assert len(played) == sum(len(d.missions) for d in scenario.days)
    assert set(PLAYERS) <= phone.checked, sorted(set(PLAYERS) - phone.checked)
    context.close()
    desk.close()
    _vote(browser, live_server)
