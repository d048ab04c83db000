"""The bench's phones send the real client's mix (tools/bench/client_mix.json).

The mix itself is recorded from play.js in Chromium (tools/bench/mix.py); the browser test
tests/e2e/test_client_mix.py fails when the client moves away from it. Here, without any
server: a simulated phone's connect sequence and its requests per action match the file.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections import Counter
from typing import Any

import yaml

from tempo.config import PROJECT_ROOT
from tools.bench.load import MIX_FILE, ClientMix, Generator, Plan
from tools.bench.mix import PLAYER_ACTIONS, Tap, drift, request_name, summarise

TICKS = 400


class FakeSocket:
    """Records what a phone asks and acknowledges everything."""

    connected = True

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.version = 0

    async def call(self, event: str, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        self.sent.append(f"action:{data['kind']}" if event == "action" else event)
        self.version += 1
        return {"ok": True, "version": self.version}

    async def disconnect(self) -> None:
        self.connected = False


def _scenario() -> dict[str, Any]:
    day = yaml.safe_load(
        (PROJECT_ROOT / "content/scenarios/tempo-2050/days/day01.yaml").read_text("utf-8")
    )
    return {"days": [{"day": 1, "missions": day["missions"]}]}


def _play(bare: bool) -> list[str]:
    plan = Plan(players=12, period=5, duration=20, warmup=5)
    players = [(i, 1, f"CODE{i:02d}") for i in range(12)]
    gen = Generator("http://bench", plan, "t", players, bare=bare, scenario=_scenario())
    phone = gen.phones[0]
    sio = FakeSocket()

    async def fake_open() -> None:
        phone.sio = sio

    phone._open = fake_open  # type: ignore[method-assign]

    async def run() -> None:
        await phone.first_connect(asyncio.Semaphore(1))
        for tick in range(TICKS):
            await phone.tick(True, float(tick))
        if phone.tasks:
            await asyncio.wait(list(phone.tasks))

    asyncio.run(run())
    return sio.sent


def test_a_bench_phone_sends_the_recorded_connect_sequence_and_mix() -> None:
    recorded = json.loads(MIX_FILE.read_text("utf-8"))
    for bare in (False, True):
        sent = _play(bare)
        first_action = next(i for i, name in enumerate(sent) if name.startswith("action:"))
        connect = [n for n in sent[:first_action] if n not in recorded["per_action"]]
        assert connect == recorded["connect"], connect
        counts = Counter(sent[first_action:])
        actions = sum(counts[k] for k in PLAYER_ACTIONS)
        scans = TICKS - actions  # a few ticks scan a QR poster (HTTP, no socket request)
        assert 0 <= scans < TICKS * 0.1, counts
        for name, ratio in recorded["per_action"].items():
            # Spread evenly: within one request of the ratio, whatever the phone's phase.
            assert abs(counts[name] - ratio * actions) <= 1.0, (name, counts[name], actions)
        others = {n for n in counts if n not in PLAYER_ACTIONS and n != "action:decide"}
        assert others <= set(recorded["per_action"]) | {"sync", "view"}, others
        if not bare:
            # Tempo 2050's dialogue and quiz are decided by vote, as play.js sends them.
            assert counts["action:vote"] > 0 and counts["action:choose"] == 0, counts


def test_the_light_mix_sends_actions_and_sync_only() -> None:
    light = ClientMix.load("light")
    assert light.connect == ["sync"] and light.per_action == {}
    assert light.extras(light.start(random.Random(1))) == []


def test_requests_are_read_from_websocket_frames_and_polling_batches() -> None:
    tap = Tap("Léa", phase="play")
    tap.note('42/play,3["view",{"mission":"d01-contrat"}]')
    tap.note('42/play,4["action",{"id":"x","kind":"vote","mission":"m","data":{}}]\x1e2')
    tap.note('42/play,["team.event",{"version":3}]')  # no acknowledgement id: not a request
    assert tap.sent == [("play", "view"), ("play", "action:vote")]
    assert request_name("3") is None


def test_the_summary_counts_per_player_action_and_drift_names_what_moved() -> None:
    taps = [Tap("Léa"), Tap("Noé")]
    for tap in taps:
        tap.sent += [("connect", "sync"), ("connect", "inbox")]
        tap.sent += [("play", "view"), ("play", "action:answer"), ("play", "action:vote")]
    mix = summarise(taps, connections=2)
    assert mix["connect"] == ["sync", "inbox"]
    assert mix["per_action"] == {"view": 0.5} and mix["actions"] == 4
    assert drift(mix, mix) == []
    moved = {**mix, "per_action": {"view": 1.0, "state": 0.5}}
    problems = drift(mix, moved)
    assert any("per_action names" in p for p in problems), problems
    assert any("per_action[view] 0.5 → 1.0" in p for p in problems), problems
