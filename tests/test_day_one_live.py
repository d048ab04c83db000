"""Day 1 of "Tempo 2050" played through the real protocol against `tempo serve` (gevent)."""

from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import socketio

from tests.engine.kit import dialogue_path
from tests.live import LiveServer, start_server, stop_server
from tests.realtime.helpers import content, start_shards

# Each test starts `tempo serve` processes: out of the fast tier.
pytestmark = pytest.mark.slow


class Phone:
    """A player's phone: an HTTP session (join page) and a Socket.IO client on /play."""

    def __init__(self, server: LiveServer, team_code: str, pseudonym: str) -> None:
        self.http = requests.Session()
        page = self.http.get(f"{server.url}/rejoindre/{team_code}", timeout=10)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        data = {"pseudonym": pseudonym, "csrf_token": token.group(1) if token else ""}
        joined = self.http.post(f"{server.url}/rejoindre/{team_code}", data=data, timeout=10)
        code = re.search(r"/retour/([A-Z0-9]{8})", joined.text)
        assert code, joined.text[:500]
        self.events: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        self.sio = socketio.Client(reconnection=False)
        self.sio.on("team.event", self._on_event, namespace="/play")
        self.sio.connect(
            server.url,
            namespaces=["/play"],
            transports=["websocket"],
            auth={"rejoin": code.group(1)},
            wait_timeout=10,
        )

    def _on_event(self, event: dict[str, Any]) -> None:
        with self.lock:
            self.events.append(event)

    def call(self, name: str, payload: dict[str, Any]) -> Any:
        """Emit and wait for the acknowledgement."""
        return self.sio.call(name, payload, namespace="/play", timeout=10)

    def act(self, mission: str, kind: str, **data: Any) -> Any:
        """Send one action with a fresh client id."""
        return self.call(
            "action", {"id": str(uuid.uuid4()), "mission": mission, "kind": kind, "data": data}
        )


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    """`tempo serve` with the demo cohort."""
    live = start_server(tmp_path / "instance")
    yield live
    stop_server(live)


def _solve(phone: Phone, mission: Any, others: tuple[Phone, ...] = ()) -> None:
    """Solve from `phone`; in dialogues and quizzes the `others` present vote the same."""
    p = mission.params
    voters = (phone, *others)
    if mission.type in ("enigma", "split-clue"):
        assert phone.act(mission.id, "answer", answer=p["answers"][0])["ok"]
    elif mission.type == "code-lock":
        assert phone.act(mission.id, "try", code=p["code"])["ok"]
    elif mission.type == "quiz":
        answers = [
            [i for i, c in enumerate(q["choices"]) if c.get("correct")] for q in p["questions"]
        ]
        for voter in voters:
            assert voter.act(mission.id, "submit", answers=answers)["ok"]
    elif mission.type == "dialogue":
        view = phone.call("view", {"mission": mission.id})["mission"]["play"]
        # Day 1's dialogue is the first: no team flag is set before it.
        for index in dialogue_path(p, view["node"], {}):
            node = phone.call("view", {"mission": mission.id})["mission"]["play"]["node"]
            for voter in voters:
                assert voter.act(mission.id, "choose", node=node, choice=index)["ok"]
    elif mission.type == "proof":
        assert phone.act(mission.id, "submit", text="Notre charte : respect, entraide, écoute.")[
            "ok"
        ]
    else:  # pragma: no cover - day 1 has no other type
        raise AssertionError(mission.type)


def test_day_one_can_be_played_through_from_phones(server: LiveServer) -> None:
    """Two phones play every day-1 mission; the teammate sees every event; offers are unlocked."""
    alice, bilal = (
        Phone(server, server.team_codes[0], "Alice"),
        Phone(server, server.team_codes[0], "Bilal"),
    )
    day1 = next(d for d in content().scenarios["tempo-2050"].days if d.day == 1)
    for _round in range(len(day1.missions)):
        snap = alice.call("state", {})["snapshot"]
        todo = [
            m
            for m in snap["missions"]
            if m["day"] == 1
            and m["status"] in ("available", "in_progress")
            and not (m["type"] == "proof" and m["play"]["status"] == "pending")
        ]
        if not todo:
            break
        mission = next(m for m in day1.missions if m.id == todo[0]["id"])
        _solve(alice, mission, (bilal,))
    snap = bilal.call("state", {})["snapshot"]
    statuses = {m["id"]: m["status"] for m in snap["missions"] if m["day"] == 1}
    proofs = [m.id for m in day1.missions if m.type == "proof"]
    assert all(s == "done" for mid, s in statuses.items() if mid not in proofs), statuses
    assert all(statuses[mid] == "in_progress" for mid in proofs)  # awaiting the counsellor
    expected_offers = {o for m in day1.missions if m.type != "proof" for o in m.unlocks}
    assert {o["id"] for o in snap["offers"]} == expected_offers
    earned = sum(m.reward for m in day1.missions if m.type != "proof")
    assert snap["team"]["shards"] == start_shards() + earned
    versions = [e["version"] for e in bilal.events]
    assert versions == sorted(versions) and len(set(versions)) == len(versions)
    assert versions[-1] == snap["version"]
    for phone in (alice, bilal):
        phone.sio.disconnect()


def test_twenty_simultaneous_answers_from_two_phones_award_once(server: LiveServer) -> None:
    """Two teammates fire the right answer ten times each at once: one completion, one award."""
    phones = [Phone(server, server.team_codes[0], name) for name in ("Alice", "Bilal")]
    mission = next(
        m for m in content().scenarios["tempo-2050"].days[0].missions if m.type == "enigma"
    )
    barrier = threading.Barrier(20)
    replies: list[Any] = []

    def fire(phone: Phone, n: int) -> None:
        barrier.wait()
        replies.append(
            phone.call(
                "action",
                {
                    "id": f"same-{n % 2}",
                    "mission": mission.id,
                    "kind": "answer",
                    "data": {"answer": mission.params["answers"][0]},
                },
            )
        )

    threads = [threading.Thread(target=fire, args=(phones[n % 2], n)) for n in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(replies) == 20
    assert sum(1 for r in replies if r["ok"] and not r.get("duplicate")) == 1
    snap = phones[1].call("state", {})["snapshot"]
    assert snap["team"]["shards"] == start_shards() + mission.reward
    for phone in phones:
        completed = [e for e in phone.events if e["type"] == "mission.completed"]
        assert len(completed) == 1
        phone.sio.disconnect()


def test_server_restart_mid_day_loses_nothing(tmp_path: Path) -> None:
    """The server process stops mid-day; a new one on the same data gives back the same state."""
    first = start_server(tmp_path / "instance")
    phone = Phone(first, first.team_codes[0], "Alice")
    mission = next(
        m for m in content().scenarios["tempo-2050"].days[0].missions if m.type == "enigma"
    )
    assert phone.act(mission.id, "answer", answer=mission.params["answers"][0])["ok"]
    before = phone.call("state", {})["snapshot"]
    rejoin = before["me"]["rejoin_code"]
    phone.sio.disconnect()
    stop_server(first)

    second = start_server(tmp_path / "instance")
    try:
        client = socketio.Client(reconnection=False)
        client.connect(
            second.url,
            namespaces=["/play"],
            transports=["websocket"],
            auth={"rejoin": rejoin},
            wait_timeout=10,
        )
        reply = client.call("sync", {"version": before["version"]}, namespace="/play", timeout=10)
        assert reply["events"] == [] and reply["version"] == before["version"]
        after = client.call("state", {}, namespace="/play", timeout=10)["snapshot"]
        assert after["missions"] == before["missions"]
        assert after["team"] == before["team"] and after["offers"] == before["offers"]
        client.disconnect()
    finally:
        stop_server(second)


def test_sockets_from_a_foreign_origin_are_refused(server: LiveServer) -> None:
    """A page of another site cannot open a player's socket; the server's own origin can."""
    phone = Phone(server, server.team_codes[0], "Alice")
    rejoin = phone.call("state", {})["snapshot"]["me"]["rejoin_code"]
    phone.sio.disconnect()
    own = socketio.Client(reconnection=False)
    own.connect(
        server.url,
        namespaces=["/play"],
        transports=["websocket"],
        auth={"rejoin": rejoin},
        wait_timeout=5,  # the websocket client sends the server's own origin by default
    )
    assert own.connected
    own.disconnect()
    # `origin` replaces the client's default Origin header (a second one would blur the test).
    foreign = socketio.Client(
        reconnection=False, websocket_extra_options={"origin": "https://evil.example"}
    )
    with pytest.raises(socketio.exceptions.ConnectionError):
        foreign.connect(
            server.url,
            namespaces=["/play"],
            transports=["websocket"],
            auth={"rejoin": rejoin},
            wait_timeout=5,
        )
