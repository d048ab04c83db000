"""The real client's request mix, recorded from play.js in Chromium (Tempo issue 11, item 3).

`.venv/bin/python -m tools.bench.mix --record` plays a slice of day 1 with four phones in
headless Chromium against a fresh `tempo serve` (the demo cohort), records every Socket.IO
request each page sends (WebSocket frames and long-polling POSTs, read as the server reads them)
and writes `tools/bench/client_mix.json`: what a phone sends on each connection, and how many
requests of each other kind it sends per action a player takes. `tempo bench`'s phones replay
that mix (tools/bench/load.py); `--check` records again and compares with the stored file
(tests/e2e/test_client_mix.py does the same, so a client change that moves the mix fails there).

The slice (one team of four: Léa, Noé, Sam, Inès):

- every phone joins (its connect sequence is recorded on its own);
- Léa and Noé open the entry badge (an enigma); Léa answers wrong, Noé buys a hint, then
  answers right; everyone closes the celebration;
- every phone opens the dialogue; three vote for the same reply (the majority of four
  decides), then three vote again on the next line;
- the counsellor sends the team a message; Inès opens her inbox;
- Sam's connection drops once (the WebSocket is closed under the page): it reconnects by itself;
- every phone opens the split clue; Sam answers wrong, Inès answers right.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MIX_FILE = Path(__file__).with_name("client_mix.json")
RECORD_COMMAND = ".venv/bin/python -m tools.bench.mix --record"
# A client request: an emit waiting for an acknowledgement (Engine.IO "4", Socket.IO "2" EVENT).
REQUEST = re.compile(r"^42/play,\d+(\[.*\])$", re.S)
# How far a recorded ratio may move (per action) before the drift test fails: absolute, plus a
# share of the stored value (the scripted slice is deterministic; timing may add a request).
TOLERANCE_ABS = 0.1
TOLERANCE_REL = 0.25
PHONES = ("Léa", "Noé", "Sam", "Inès")
PASSWORD = "bench-mix-2050"
TIMEOUT = 20_000
# Requests that are a player's own action (the unit the other requests are counted per).
PLAYER_ACTIONS = ("action:answer", "action:submit", "action:choose", "action:vote")


def request_name(packet: str) -> str | None:
    """`sync`, `view`, `action:vote`…: the request a Socket.IO packet carries, if it is one."""
    found = REQUEST.match(packet)
    if not found:
        return None
    try:
        args = json.loads(found.group(1))
    except ValueError:
        return None
    if not args or not isinstance(args[0], str):
        return None
    name = args[0]
    if name == "action" and len(args) > 1 and isinstance(args[1], dict):
        return f"action:{args[1].get('kind')}"
    return name


@dataclass
class Tap:
    """One phone's requests, in order, each with the phase it was sent in."""

    name: str
    phase: str = "connect"
    sent: list[tuple[str, str]] = field(default_factory=list)

    def note(self, text: str) -> None:
        for packet in text.split("\x1e"):  # long-polling POSTs batch packets
            name = request_name(packet)
            if name:
                self.sent.append((self.phase, name))


def summarise(taps: list[Tap], connections: int) -> dict[str, Any]:
    """The mix: the connect sequence, and the other requests per player action."""
    first = [name for phase, name in taps[0].sent if phase == "connect"]
    for tap in taps:
        mine = [name for phase, name in tap.sent if phase == "connect"]
        if mine != first:
            raise RuntimeError(f"{tap.name} sent {mine} on connecting, {taps[0].name} {first}")
    counts: Counter[str] = Counter()
    reconnect: Counter[str] = Counter()
    for tap in taps:
        for phase, name in tap.sent:
            if phase == "play":
                counts[name] += 1
            elif phase == "reconnect":
                reconnect[name] += 1
    actions = sum(counts[a] for a in PLAYER_ACTIONS)
    return {
        "about": (
            "Requests play.js sends (docs/benchmarks.md, « The client's mix »), recorded in "
            f"Chromium by `{RECORD_COMMAND}`; tempo bench's phones replay it."
        ),
        "phones": len(taps),
        "connect": first,
        "reconnect": sorted(reconnect.elements()),
        "connections": connections,
        "actions": actions,
        "counts": dict(sorted(counts.items())),
        "per_action": {
            name: round(n / actions, 3)
            for name, n in sorted(counts.items())
            if name not in PLAYER_ACTIONS
        },
        "kinds": {
            name: round(counts[name] / actions, 3) for name in PLAYER_ACTIONS if counts[name]
        },
    }


def load() -> dict[str, Any]:
    """The checked-in mix."""
    mix: dict[str, Any] = json.loads(MIX_FILE.read_text("utf-8"))
    return mix


def drift(stored: dict[str, Any], fresh: dict[str, Any]) -> list[str]:
    """What moved between two mixes, in words (empty when they agree)."""
    problems = []
    if stored["connect"] != fresh["connect"]:
        problems.append(f"connect sequence {stored['connect']} → {fresh['connect']}")
    if stored["reconnect"] != fresh["reconnect"]:
        problems.append(f"reconnect requests {stored['reconnect']} → {fresh['reconnect']}")
    for key in ("per_action", "kinds"):
        old, new = stored[key], fresh[key]
        if set(old) != set(new):
            problems.append(f"{key} names {sorted(old)} → {sorted(new)}")
        for name in sorted(set(old) & set(new)):
            if abs(old[name] - new[name]) > TOLERANCE_ABS + TOLERANCE_REL * old[name]:
                problems.append(f"{key}[{name}] {old[name]} → {new[name]}")
    return problems


# --- Recording in Chromium ---------------------------------------------------------------


def record(server: Any, browser: Any) -> dict[str, Any]:
    """Play the slice against `server` (tests.live.LiveServer) in `browser` (Playwright)."""
    from playwright.sync_api import expect

    missions = _missions()
    taps = [Tap(name) for name in PHONES]
    closers: dict[str, list[Any]] = {name: [] for name in PHONES}
    contexts, pages = [], []
    for tap in taps:
        context = browser.new_context(viewport={"width": 360, "height": 740}, locale="fr-FR")
        page = context.new_page()
        _watch(page, tap, closers[tap.name])
        page.goto(f"{server.url}/rejoindre/{server.team_codes[0]}")
        page.locator("#pseudonym").fill(tap.name)
        page.get_by_role("button", name="Entrer dans l'équipe").click()
        expect(page.locator("#conn")).to_contain_text("En ligne", timeout=TIMEOUT)
        page.wait_for_timeout(1000)  # the connect sequence's requests all sent
        contexts.append(context)
        pages.append(page)
    for page in pages:
        expect(page.locator("#teammates")).to_contain_text(PHONES[-1], timeout=TIMEOUT)
    for tap in taps:
        tap.phase = "play"
    lea, noe, sam, ines = pages

    badge = missions["d01-badge-entree"]
    for page in (lea, noe):
        _open(page, badge["id"])
    _answer(lea, badge["id"], "sûrement pas ça")
    expect(lea.locator(f"#msg-{badge['id']}-answer")).not_to_be_empty(timeout=TIMEOUT)
    noe.once("dialog", lambda dialog: dialog.accept())  # « Dépenser 2 éclats… ? »
    noe.get_by_role("button", name=re.compile("Acheter l'indice")).click()
    expect(noe.locator("#panel-body")).to_contain_text(
        _plain(badge["hints"][0]["text"]), timeout=TIMEOUT
    )
    _answer(noe, badge["id"], badge["params"]["answers"][0])
    for page in pages:
        expect(page.locator("#celebrate")).to_have_attribute("open", "", timeout=TIMEOUT)
        page.locator("#celebrate-close").click()
    for page in (lea, noe):
        page.keyboard.press("Escape")

    dialogue = missions["d01-contrat"]
    for page in pages:
        _open(page, dialogue["id"])
    for voters in ((lea, noe, sam), (sam, ines, lea)):
        first = voters[0].locator(".choice-btn").first
        text = first.locator(".choice-btn__text").inner_text()
        for number, page in enumerate(voters):
            button = page.locator(".choice-btn", has_text=text)
            if number:  # the votes before this one are shown (the last one decides)
                expect(button).to_contain_text(f"{number} vote", timeout=TIMEOUT)
            button.click()
        for page in pages:
            expect(page.locator(".choice-btn", has_text=text)).to_have_count(0, timeout=TIMEOUT)
    for page in pages:
        page.keyboard.press("Escape")

    _message(server, browser)
    inbox = ines.locator("#inbox-open")
    expect(ines.locator("#inbox-count")).to_have_text("1", timeout=TIMEOUT)
    inbox.click()
    ines.locator("#inbox-close").click()

    taps[2].phase = "reconnect"
    for close in closers["Sam"]:
        close()
    expect(sam.locator("#conn")).to_contain_text("En ligne", timeout=TIMEOUT)
    sam.wait_for_timeout(1500)
    taps[2].phase = "play"

    split = missions["d01-annuaire"]
    for page in pages:
        _open(page, split["id"])
    _answer(sam, split["id"], "sûrement pas ça")
    expect(sam.locator(f"#msg-{split['id']}-answer")).not_to_be_empty(timeout=TIMEOUT)
    _answer(ines, split["id"], split["params"]["answers"][0])
    for page in pages:
        expect(page.locator("#celebrate")).to_have_attribute("open", "", timeout=TIMEOUT)
    pages[0].wait_for_timeout(2000)  # late requests (a debounced view or state) are sent
    for context in contexts:
        context.close()
    return summarise(taps, connections=len(taps) + 1)


def _missions() -> dict[str, dict[str, Any]]:
    import yaml

    from tempo.config import PROJECT_ROOT

    day = yaml.safe_load(
        (PROJECT_ROOT / "content/scenarios/tempo-2050/days/day01.yaml").read_text("utf-8")
    )
    return {m["id"]: m for m in day["missions"]}


def _plain(markdown: str) -> str:
    """A hint's first words without Markdown marks, to find it on the page."""
    return re.sub(r"[*_`]", "", markdown)[:30]


def _watch(page: Any, tap: Tap, closers: list[Any]) -> None:
    """Note the page's requests: WebSocket frames through a route, polling POSTs as sent."""

    def route(ws: Any) -> None:
        server = ws.connect_to_server()

        def from_page(message: str | bytes) -> None:
            tap.note(message if isinstance(message, str) else message.decode())
            server.send(message)

        ws.on_message(from_page)
        server.on_message(ws.send)
        closers.append(ws.close)

    def polled(request: Any) -> None:
        if "/socket.io/" in request.url and request.method == "POST":
            tap.note(request.post_data or "")

    page.route_web_socket(re.compile(r".*/socket\.io/.*"), route)
    page.on("request", polled)


def _open(page: Any, mission_id: str) -> None:
    from playwright.sync_api import expect

    page.locator(f'[data-mission="{mission_id}"]').click()
    expect(page.locator("#panel")).to_have_attribute("open", "", timeout=TIMEOUT)


def _answer(page: Any, mission_id: str, answer: str) -> None:
    page.locator(f"#ans-{mission_id}").fill(answer)
    page.get_by_role("button", name="Valider la réponse").click()


def _message(server: Any, browser: Any) -> None:
    """The counsellor writes to the team from the console (a `notice`, kept in the inbox)."""
    from playwright.sync_api import expect

    server.tempo(
        "user", "create", "--email", "mix@bench.tempo", "--name", "Inès Ferrand",
        "--role", "admin", "--password", PASSWORD,
    )  # fmt: skip
    laptop = browser.new_context(viewport={"width": 1280, "height": 800}, locale="fr-FR")
    console = laptop.new_page()
    console.goto(f"{server.url}/console/connexion")
    console.locator("#email").fill("mix@bench.tempo")
    console.locator("#password").fill(PASSWORD)
    console.get_by_role("button", name="Se connecter").click()
    console.goto(f"{server.url}/console/cohortes/demo/tableau")
    console.get_by_text("Message", exact=True).click()  # the toolbar's message disclosure
    console.locator("#message-team").select_option(index=1)
    console.locator("#message-text").fill("Rendez-vous devant la médiathèque à 14 h.")
    console.get_by_role("button", name="Envoyer aux téléphones").click()
    expect(console.locator(".c-message__reads").first).to_contain_text("Pas encore lu")
    laptop.close()


def record_fresh() -> dict[str, Any]:
    """Start a server on a fresh demo instance and Chromium, record, stop both."""
    from playwright.sync_api import sync_playwright

    from tests.live import start_server, stop_server
    from tools.chromium import CHROMIUM, CHROMIUM_ARGS

    with tempfile.TemporaryDirectory(prefix="tempo-mix-") as tmp:
        server = start_server(Path(tmp) / "instance")
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                try:
                    return record(server, browser)
                finally:
                    browser.close()
        finally:
            stop_server(server)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--record", action="store_true", help=f"re-record {MIX_FILE.name}")
    group.add_argument("--check", action="store_true", help="record and compare, write nothing")
    args = parser.parse_args()
    fresh = record_fresh()
    if args.record:
        MIX_FILE.write_text(json.dumps(fresh, indent=2, ensure_ascii=False) + "\n", "utf-8")
        print(f"wrote {MIX_FILE}")
        print(json.dumps(fresh, indent=2, ensure_ascii=False))
        return
    problems = drift(load(), fresh)
    print("\n".join(problems) or "the client's mix matches client_mix.json")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
