"""Other costs (`tempo bench --other`): the player page's first load, the print kit, recaps.

- **First load of the player page**: a cold headless Chromium (Debian's, never a downloaded
  one) at phone size joins a team through its join page, then loads `/jouer` until the lobby
  is live (the connection badge says « En ligne » and the teammates are listed). Bytes are
  counted by the DevTools protocol: every HTTP response's encoded length (what went over the
  wire) and every WebSocket frame's payload, both ways.
- **Print kit**: the PDF for a cohort of 8 teams of 12, rendered by the same service as the
  console's download.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tempo.bench.instance import TEAM_SIZE, bench_config, build_world
from tempo.bench.servers import start_tempo

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 360, "height": 740}
KIT_TEAMS = 8
PAGE_RUNS = 5
KIT_RUNS = 3


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
    from tempo.services.printkit import build_kit

    app = create_app(bench_config(instance_dir))
    times, size = [], 0
    with app.app_context():
        cohort = db.session.get(Cohort, cohort_id)
        assert cohort is not None
        for _ in range(runs):
            start = time.perf_counter()
            pdf = build_kit(
                db.session,
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
    return "\n".join(lines).rstrip()
