"""The cohort-wide opponent: in the snapshot, and `cohort.ai` to every phone of the cohort."""

from __future__ import annotations

import time

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
