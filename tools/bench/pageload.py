"""Other costs (`tempo bench --other`): the player page's first load, the print kit, recaps.

- **First load of the player page**: a cold headless Chromium (Debian's, never a downloaded
  one) at phone size joins a team through its join page, then loads `/jouer` until the lobby
  is live (the connection badge says « En ligne » and the teammates are listed). Bytes are
  counted by the DevTools protocol: every HTTP response's encoded length (what went over the
  wire) and every WebSocket frame's payload, both ways.
- **Print kit**: the PDF for a cohort of 8 teams of 12, rendered by the same service as the
  console's download.
- **Recaps for 100 teams**: 100 teams of 12 each solve day 1's enigmas (through the play
  service), then day 1 closes through the calendar service, which produces every team and
  player recap in the closing transaction; then every team's card is drawn (cards are drawn on
  first fetch, so this is the cost a cohort's phones spread over the evening).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tools.bench.instance import TEAM_SIZE, bench_config, build_world
from tools.bench.load import Script, visible
from tools.bench.servers import start_tempo
from tools.chromium import CHROMIUM, CHROMIUM_ARGS

PHONE = {"width": 360, "height": 740}
KIT_TEAMS = 8
PAGE_RUNS = 5
KIT_RUNS = 3
RECAP_TEAMS = 100


@dataclass
class PageLoad:
    """One cold load of the player page."""

    http_bytes: int
    ws_bytes: int
    requests: int
    join_seconds: float
    lobby_seconds: float


@dataclass
class OtherCosts:
    """What `--other` measured."""

    pages: list[PageLoad] = field(default_factory=list)
    kit_seconds: list[float] = field(default_factory=list)
    kit_bytes: int = 0
    teams: int = KIT_TEAMS
    recap_teams: int = 0
    recap_players: int = 0
    recap_missions: int = 0
    close_seconds: float = 0.0
    card_seconds: list[float] = field(default_factory=list)


def _load_once(browser: Any, url: str, code: str, name: str) -> PageLoad:
    context = browser.new_context(viewport=PHONE, locale="fr-FR")
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    counted = {"http": 0, "ws": 0, "requests": 0}

    def finished(params: dict[str, Any]) -> None:
        counted["http"] += int(params.get("encodedDataLength", 0))
        counted["requests"] += 1

    def frame(params: dict[str, Any]) -> None:
        counted["ws"] += len(params.get("response", {}).get("payloadData", "").encode())

    cdp.on("Network.loadingFinished", finished)
    cdp.on("Network.webSocketFrameReceived", frame)
    cdp.on("Network.webSocketFrameSent", frame)
    try:
        start = time.perf_counter()
        page.goto(f"{url}/rejoindre/{code}")
        page.locator("#pseudonym").fill(name)
        joined = time.perf_counter()
        page.get_by_role("button", name="Entrer dans l'équipe").click()
        page.wait_for_url(f"{url}/jouer")
        page.locator("#conn", has_text="En ligne").wait_for(timeout=30_000)
        page.locator("#teammates", has_text=name).wait_for(timeout=30_000)
        lobby = time.perf_counter()
        page.wait_for_timeout(300)  # let the last frames of the initial sync be counted
        return PageLoad(
            http_bytes=counted["http"],
            ws_bytes=counted["ws"],
            requests=counted["requests"],
            join_seconds=joined - start,
            lobby_seconds=lobby - joined,
        )
    finally:
        context.close()


def measure_pages(url: str, code: str, runs: int, log: Callable[[str], None]) -> list[PageLoad]:
    """Cold loads of the player page, each in a fresh browser context (empty cache)."""
    from playwright.sync_api import sync_playwright

    loads = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for n in range(runs):
                loads.append(_load_once(browser, url, code, f"Mesure {n + 1}"))
                log(
                    f"  chargement {n + 1}/{runs} : {loads[-1].http_bytes / 1024:.0f} Kio HTTP, "
                    f"salle d'attente en {loads[-1].lobby_seconds:.2f} s"
                )
        finally:
            browser.close()
    return loads


def measure_kit(instance_dir: Path, cohort_id: int, runs: int) -> tuple[list[float], int]:
    """Render the cohort's print kit `runs` times; the times and the PDF's size."""
    from tempo import create_app
    from tempo.extensions import db
    from tempo.models import Cohort, utcnow
    from tempo.services.documents.printkit import build_kit

    app = create_app(bench_config(instance_dir))
    times, size = [], 0
    with app.app_context():
        cohort = db.session.get(Cohort, cohort_id)
        assert cohort is not None
        for _ in range(runs):
            start = time.perf_counter()
            pdf = build_kit(
                db.session(),
                cohort,
                secret=app.config["SECRET_KEY"],
                public_url="https://tempo.example.org",
                now=utcnow(),
            )
            times.append(time.perf_counter() - start)
            size = len(pdf)
        db.session.remove()
        db.engine.dispose()
    return times, size


def _solve_day_one(session: Any, script: Script, player_id: int) -> int:
    """Play day 1 right through the play service (guesses, dialogue); missions succeeded."""
    from tempo.models import utcnow
    from tempo.services.play import actions as play

    done: set[str] = set()
    flags: dict[str, bool] = {}
    node, step = getattr(script, "start", ""), 0

    def act(mission_id: str, kind: str, data: dict[str, Any]) -> bool:
        nonlocal step
        step += 1
        reply = play.perform_as(
            session, player_id, f"bench-{step}", mission_id, kind, data, utcnow()
        )
        done.update(e["mission"] for e in reply.events if e["type"] == "mission.completed")
        return reply.ok

    def available(mission_id: str) -> bool:
        mission = script.missions[mission_id]
        return mission_id not in done and all(r in done for r in mission["requires"])

    progressed = True
    while progressed:
        progressed = False
        for mission_id in script.guesses:
            if available(mission_id):
                kind = "submit" if script.missions[mission_id]["type"] == "quiz" else "answer"
                progressed |= act(mission_id, kind, script.right(mission_id))
        dialogue = script.dialogue
        if dialogue is not None and available(dialogue["id"]):
            shown = [c for c in script.nodes[node]["choices"] if visible(c, flags)]
            index = min(range(len(shown)), key=lambda i: script.cost(shown[i]))
            if act(dialogue["id"], "choose", {"node": node, "choice": index}):
                choice = shown[index]
                flags.update(dict.fromkeys(choice.get("set_flags", []), True))
                node = script.start if choice.get("end") else choice.get("next") or node
                progressed = True
    return len(done)


def measure_recaps(instance_dir: Path, costs: OtherCosts, log: Callable[[str], None]) -> None:
    """Play day 1's enigmas for 100 teams, close day 1 (recaps produced), draw the cards."""
    from tempo import create_app
    from tempo.extensions import db
    from tempo.models import Cohort, utcnow
    from tempo.services.calendar import days as calendar
    from tempo.services.recaps import cards as recap_cards
    from tempo.services.recaps import produce as recaps

    world = build_world(instance_dir, RECAP_TEAMS * TEAM_SIZE)
    app = create_app(bench_config(instance_dir))
    with app.app_context():
        session = db.session()
        cohort = session.get(Cohort, world.cohort_id)
        assert cohort is not None
        script = Script(world.scenario)
        first_of_team = {p.team_id: p for p in reversed(world.players)}
        log(f"Récaps : {len(first_of_team)} équipes jouent le jour 1…")
        done = sum(
            _solve_day_one(session, script, player.player_id) for player in first_of_team.values()
        )
        start = time.perf_counter()
        calendar.close_day(session, world.cohort_id, 1, utcnow())
        costs.close_seconds = time.perf_counter() - start
        costs.recap_teams, costs.recap_players, costs.recap_missions = (
            len(first_of_team),
            len(world.players),
            done,
        )
        log(f"Récaps : jour 1 clos en {costs.close_seconds:.2f} s ; cartes des équipes…")
        for team_id in first_of_team:
            view = recaps.team_recap(session, team_id, 1)
            assert view is not None
            start = time.perf_counter()
            recap_cards.render(recaps.card_of(view))
            costs.card_seconds.append(time.perf_counter() - start)
        db.session.remove()
        db.engine.dispose()


def measure(log: Callable[[str], None]) -> OtherCosts:
    """Build a cohort of 8 teams (the last with free seats), then measure page and kit."""
    from tempo import create_app
    from tempo.extensions import db
    from tempo.models import Team

    costs = OtherCosts()
    with tempfile.TemporaryDirectory(prefix="tempo-bench-other-") as tmp:
        instance = Path(tmp) / "instance"
        # The last team keeps PAGE_RUNS free seats, for the measured phones to join.
        world = build_world(instance, KIT_TEAMS * TEAM_SIZE - PAGE_RUNS)
        app = create_app(bench_config(instance))
        with app.app_context():
            code = db.session.get(Team, world.players[-1].team_id).join_code  # type: ignore[union-attr]
            db.session.remove()
            db.engine.dispose()
        log(f"Kit d'impression d'une cohorte de {KIT_TEAMS} équipes…")
        costs.kit_seconds, costs.kit_bytes = measure_kit(instance, world.cohort_id, KIT_RUNS)
        server = start_tempo(bench_config(instance), instance)
        try:
            costs.pages = measure_pages(server.url, code, PAGE_RUNS, log)
        finally:
            server.stop()
        measure_recaps(Path(tmp) / "recaps", costs, log)
    return costs


def other_costs_markdown(costs: OtherCosts) -> str:
    """The "Other costs" section of docs/benchmarks.md."""
    lines = []
    if costs.pages:
        http = statistics.median(p.http_bytes for p in costs.pages) / 1024
        ws = statistics.median(p.ws_bytes for p in costs.pages) / 1024
        requests = statistics.median(p.requests for p in costs.pages)
        lobby = [p.lobby_seconds for p in costs.pages]
        join = statistics.median(p.join_seconds for p in costs.pages)
        lines += [
            f"**First load of the player page** (headless Chromium at 360×740, cold cache, "
            f"loopback, median of {len(costs.pages)}):",
            "",
            "| measure | value |",
            "|---|---|",
            f"| HTTP transferred (join page + player page, {requests:.0f} requests) "
            f"| {http:.1f} KiB |",
            f"| WebSocket frames (handshake and initial sync, both ways) | {ws:.1f} KiB |",
            f"| join page loaded | {join:.2f} s |",
            f"| join submitted → lobby live (« En ligne », teammates listed) "
            f"| {statistics.median(lobby):.2f} s (min {min(lobby):.2f}, max {max(lobby):.2f}) |",
            "",
        ]
    if costs.kit_seconds:
        lines += [
            f"**Print kit** for a cohort of {costs.teams} teams of {TEAM_SIZE}: "
            f"{statistics.median(costs.kit_seconds):.2f} s to render "
            f"(median of {len(costs.kit_seconds)}), {costs.kit_bytes / 1024:.0f} KiB PDF.",
            "",
        ]
    if costs.card_seconds:
        cards = costs.card_seconds
        lines += [
            f"**Recaps for {costs.recap_teams} teams** ({costs.recap_players} players, "
            f"{costs.recap_missions} day-1 missions succeeded): closing day 1, which produces "
            f"every team and player recap in the closing transaction, took "
            f"{costs.close_seconds:.2f} s. Drawing a team's card (1080×1920 PNG, on first "
            f"fetch, then cached) takes {statistics.median(cards) * 1000:.0f} ms (median; "
            f"max {max(cards) * 1000:.0f} ms), {sum(cards):.1f} s for all {len(cards)} teams.",
            "",
        ]
    return "\n".join(lines).rstrip()
