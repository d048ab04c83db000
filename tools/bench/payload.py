"""What one correct answer costs the other phones of a team (Tempo issue 11, item 2).

`.venv/bin/python -m tools.bench.payload [--phones 12] [--checkout PATH]`

Starts `tempo serve` on a fresh demo instance (from this checkout, or from `--checkout`, another
tree of the project, to measure an older version with the same script), opens days 1 to 10 with
`tempo day unlock`, joins N phones to one team in headless Chromium (Debian's), opens day 10's
first mission (a split clue: every phone reads its own fragments) on every phone, then one phone
gives the right answer. For each OTHER phone the DevTools protocol counts, during the seconds
after the answer: the WebSocket bytes received, the frames sent (Engine.IO heartbeats aside),
and the Socket.IO requests among them (emits with an acknowledgement id: `state`, `view`…).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from playwright.sync_api import sync_playwright

from tempo.config import child_environment
from tools.bench.servers import free_port
from tools.chromium import CHROMIUM, CHROMIUM_ARGS

CHECKOUT = Path(__file__).resolve().parents[2]
DAYS = 10
MISSION = "d10-fragments"  # day 10's first mission: a split clue, answered by one phone
SETTLE_MS = 4000  # how long the other phones are watched after the answer
REQUEST = re.compile(r'^42/play,\d+\["([^"]+)"')  # a client emit waiting for an acknowledgement


@dataclass
class Phone:
    """One phone's counters (reset just before the answer)."""

    name: str
    received: int = 0
    frames_received: int = 0
    sent: int = 0
    requests: list[str] = field(default_factory=list)
    counting: bool = False

    def reset(self) -> None:
        self.received = self.frames_received = self.sent = 0
        self.requests = []
        self.counting = True


def _tempo(checkout: Path, env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "tempo.launcher", *args],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def _answer(checkout: Path) -> str:
    day = yaml.safe_load(
        (checkout / "content/scenarios/tempo-2050/days/day10.yaml").read_text("utf-8")
    )
    mission = next(m for m in day["missions"] if m["id"] == MISSION)
    return str(mission["params"]["answers"][0])


def _watch(context: Any, page: Any, phone: Phone) -> None:
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")

    def received(params: dict[str, Any]) -> None:
        if phone.counting:
            phone.received += len(params["response"]["payloadData"].encode())
            phone.frames_received += 1

    def sent(params: dict[str, Any]) -> None:
        if not phone.counting:
            return
        data = params["response"]["payloadData"]
        if data in ("2", "3"):
            return  # Engine.IO's heartbeat (ping / pong), whatever the page does
        phone.sent += 1
        found = REQUEST.match(data)
        if found:
            phone.requests.append(found.group(1))

    cdp.on("Network.webSocketFrameReceived", received)
    cdp.on("Network.webSocketFrameSent", sent)


def measure(phones: int, checkout: Path) -> list[Phone]:
    """Run the scenario once; the counters of the phones that did not answer."""
    with tempfile.TemporaryDirectory(prefix="tempo-payload-") as tmp:
        port = free_port()
        # The instance's own SQLite file: no TEMPO_* setting of ours reaches the child.
        env = child_environment({"INSTANCE_DIR": tmp, "PORT": str(port)})
        env["PYTHONPATH"] = str(checkout)
        codes = re.findall(r"code ([A-Z0-9]{6})", _tempo(checkout, env, "demo"))
        for number in range(1, DAYS + 1):
            _tempo(checkout, env, "day", "unlock", "demo", str(number))
        server = subprocess.Popen(
            [sys.executable, "-m", "tempo.launcher", "serve"],
            cwd=checkout,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 90
            while True:
                try:
                    urllib.request.urlopen(url + "/healthz", timeout=1)
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.3)
            return _play(url, codes[0], phones, _answer(checkout))
        finally:
            server.terminate()
            server.wait(timeout=30)


def _play(url: str, code: str, count: int, answer: str) -> list[Phone]:
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        pages, phones = [], []
        for i in range(count):
            context = browser.new_context(viewport={"width": 360, "height": 740}, locale="fr-FR")
            page = context.new_page()
            phone = Phone(f"Joueur {i + 1}")
            _watch(context, page, phone)
            page.goto(f"{url}/rejoindre/{code}")
            page.locator("#pseudonym").fill(phone.name)
            page.get_by_role("button", name="Entrer dans l'équipe").click()
            page.wait_for_url(f"{url}/jouer")
            page.locator("#conn", has_text="En ligne").wait_for(timeout=60_000)
            pages.append(page)
            phones.append(phone)
        for page in pages:
            page.locator(f'[data-mission="{MISSION}"]').click()
            page.locator(f"#ans-{MISSION}").wait_for(timeout=60_000)
        pages[0].wait_for_timeout(3000)  # every join's presence and views settled
        for phone in phones:
            phone.reset()
        pages[0].locator(f"#ans-{MISSION}").fill(answer)
        pages[0].get_by_role("button", name="Valider la réponse").click()
        pages[0].locator("#celebrate[open]").wait_for(timeout=30_000)
        pages[0].wait_for_timeout(SETTLE_MS)
        for page in pages[1:]:
            page.locator("#celebrate[open]").wait_for(timeout=30_000)
        browser.close()
        return phones[1:]


def report(phones: list[Phone]) -> str:
    """The figures, one line per phone and a summary."""
    lines = ["phone        bytes received  frames received  frames sent  requests"]
    for p in phones:
        asked = ", ".join(p.requests) or "-"
        lines.append(
            f"{p.name:<12} {p.received:>14}  {p.frames_received:>15}  {p.sent:>11}  {asked}"
        )
    total = sum(p.received for p in phones)
    most = max(p.received for p in phones)
    asks = sum(len(p.requests) for p in phones)
    lines.append(
        f"{len(phones)} other phones: {total} bytes in all, at most {most} per phone, "
        f"{asks} requests in all"
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", type=int, default=12, help="phones in the team (default 12)")
    parser.add_argument(
        "--checkout", type=Path, default=CHECKOUT, help="the project tree whose server is run"
    )
    args = parser.parse_args()
    print(report(measure(max(2, args.phones), args.checkout.resolve())))


if __name__ == "__main__":
    main()
