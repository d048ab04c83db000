"""The cohort-wide opponent: in the snapshot, and `cohort.ai` to every phone of the cohort."""

from __future__ import annotations

import time
from collections.abc import Callable

import gevent
import pytest
from flask import Flask

from tempo.realtime import publish
from tests.conftest import Demo
from tests.realtime.helpers import NS, act, call, connect, content, solve_badge


def test_a_completion_weakens_the_cohort_wide_ai_on_every_team_s_phones(
    app: Flask, demo: Demo
) -> None:
    """Team 1 solves a mission: a phone of team 2 hears the promo's KRONOS lose the reward."""
    strength = content().scenarios["tempo-2050"].meta.ai.strength
    alice = connect(app, demo.join(0, "Alice"))
    zoe = connect(app, demo.join(1, "Zoé"))
    teams = len(demo.team_ids)
    before = call(zoe, "state", {})["snapshot"]["cohort_ai"]
    assert before == {"strength": strength * teams, "max": strength * teams, "teams": teams}
    zoe.get_received(NS)

    ack = solve_badge(alice)
    assert ack["ok"] is True
    got = [e["args"][0] for e in zoe.get_received(NS) if e["name"] == "cohort.ai"]
    reward = content().scenarios["tempo-2050"].days[0].missions[0].reward
    assert got == [{"strength": strength * teams - reward, "max": strength * teams, "teams": teams}]
    # Not versioned, and no team event of team 1 reaches team 2.
    assert not [e for e in zoe.get_received(NS) if e["name"] == "team.event"]
    assert call(alice, "state", {})["snapshot"]["cohort_ai"] == got[0]


def test_a_wrong_answer_sends_no_cohort_ai(app: Flask, demo: Demo) -> None:
    """Only what changes a team's opponent (completions, resets) is broadcast to the cohort."""
    alice = connect(app, demo.join(0, "Alice"))
    alice.get_received(NS)
    badge = content().scenarios["tempo-2050"].days[0].missions[0]
    ack = call(
        alice,
        "action",
        {"id": "w-1", "mission": badge.id, "kind": "answer", "data": {"answer": "non"}},
    )
    assert ack["error"]["code"] == "wrong_answer"
    assert not [e for e in alice.get_received(NS) if e["name"] == "cohort.ai"]


def test_successes_close_together_reach_the_cohort_as_one_update(
    app: Flask, demo: Demo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every phone of the cohort hears the first success at once; the ones that follow within
    TEMPO_COHORT_AI_SECONDS come together, once, with the strength they left."""
    monkeypatch.setattr(publish.local, "ai_every", 0.5)
    scenario = content().scenarios["tempo-2050"]
    badge, _dialogue, split = scenario.days[0].missions[:3]
    full = scenario.meta.ai.strength * len(demo.team_ids)
    alice, zoe = connect(app, demo.join(0, "Alice")), connect(app, demo.join(1, "Zoé"))
    zoe.get_received(NS)

    def heard() -> list[int]:
        return [e["args"][0]["strength"] for e in zoe.get_received(NS) if e["name"] == "cohort.ai"]

    assert solve_badge(alice)["ok"] is True
    assert heard() == [full - badge.reward]
    assert solve_badge(zoe)["ok"] is True
    assert act(alice, split.id, "answer", answer=split.params["answers"][0])["ok"] is True
    assert heard() == []  # within the interval: held back
    deadline = time.monotonic() + 5
    got: list[int] = []
    while not got and time.monotonic() < deadline:
        time.sleep(0.05)
        got = heard()
    assert got == [full - 2 * badge.reward - split.reward]
    time.sleep(0.7)
    assert heard() == []  # one update for both successes, nothing more


class _GeventServer:
    """The Socket.IO server as the publisher sees it under `tempo serve` (gevent)."""

    async_mode = "gevent"

    def __init__(self, heard: list[str]) -> None:
        self.heard = heard

    def emit(self, event: str, payload: object, to: str, namespace: str) -> None:
        self.heard.append(to)

    def sleep(self, seconds: float) -> None:
        gevent.sleep(seconds)

    def start_background_task(self, target: Callable[[], None]) -> gevent.Greenlet:
        return gevent.spawn(target)


def test_under_gevent_the_cohort_hears_team_by_team_and_actions_go_between(app: Flask) -> None:
    """`cohort.ai` leaves the action's handler at once, then goes room by room; an action that
    arrives meanwhile is served between two teams, not after the whole cohort."""
    heard: list[str] = []
    publisher = publish.Publisher(
        _GeventServer(heard),  # type: ignore[arg-type]
        lambda _team: 7,
        cohort_ai_of=lambda _cohort: {"strength": 9, "max": 10, "teams": 3},
        teams_of=lambda _cohort: [1, 2, 3],
    )
    with app.app_context():
        publisher.cohort_ai(7)  # in the handler of the success that weakened KRONOS
        heard.append("ack")  # the handler went on at once
        gevent.spawn(heard.append, "action")  # another phone's action, ready to run
        gevent.sleep(0.2)
    assert heard == ["ack", "team:1", "action", "team:2", "team:3"]
