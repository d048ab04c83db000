"""The cohort-wide opponent: in the snapshot, and `cohort.ai` to every phone of the cohort."""

from __future__ import annotations

from flask import Flask

from tests.conftest import Demo
from tests.realtime.helpers import NS, call, connect, content, solve_badge


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
