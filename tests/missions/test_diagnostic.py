"""Diagnostic: each present player completes the self-diagnostic (the flow itself is a service)."""

from __future__ import annotations

import pytest

from tests.missions.mission_samples import act, ctx, mission, run

RAW = {"instructions": "Faites votre auto-diagnostic."}
TEAM = ("ana", "bilal")


def test_completes_once_every_present_player_completed() -> None:
    """The mission is done when the last present player has completed their diagnostic."""
    _, state, outcomes = run(
        "diagnostic", RAW, [act("completed", "ana"), act("completed", "bilal")], ctx(present=TEAM)
    )
    assert [o.completed for o in outcomes] == [False, True]
    assert all(o.error is None for o in outcomes)
    assert state["completed_by"] == ["ana", "bilal"]


def test_one_completion_is_not_enough_for_the_team() -> None:
    """A single completion leaves the other present players to take it."""
    _, _, (outcome,) = run("diagnostic", RAW, [act("completed", "ana")], ctx(present=TEAM))
    assert not outcome.completed and outcome.error is None


def test_absent_players_are_not_waited_for() -> None:
    """Only present players are required."""
    _, _, (outcome,) = run("diagnostic", RAW, [act("completed", "ana")], ctx(present=("ana",)))
    assert outcome.completed


def test_completions_are_recorded_once_per_player() -> None:
    """A repeated completion signal does not duplicate the player."""
    actions = [act("completed", p) for p in ("ana", "bilal", "ana")]
    _, state, _ = run("diagnostic", RAW, actions, ctx(present=("ana", "bilal", "chloe")))
    assert state["completed_by"] == ["ana", "bilal"]


def test_a_repeated_signal_completes_once_the_others_are_gone() -> None:
    """When the missing teammate is no longer present, a repeat of a done player completes it."""
    _, state, (first,) = run("diagnostic", RAW, [act("completed", "ana")], ctx(present=TEAM))
    assert not first.completed
    mt = mission("diagnostic")
    params = mt.parse(RAW)
    again = mt.handle(params, state, act("completed", "ana"), ctx(present=("ana",)))
    assert again.completed and again.state["completed_by"] == ["ana"]


def test_view_shows_moment_own_completion_and_count() -> None:
    """Each player sees the instructions, the moment, their completion, and how many completed."""
    mt = mission("diagnostic")
    params, state, _ = run("diagnostic", RAW, [act("completed", "ana")], ctx(present=TEAM))
    assert mt.view(params, state, "ana", ctx(present=TEAM)) == {
        "instructions": "Faites votre auto-diagnostic.",
        "moment": "closing",
        "completed": True,
        "completed_count": 1,
    }
    assert mt.view(params, state, "bilal", ctx(present=TEAM))["completed"] is False


def test_moment_is_start_or_closing() -> None:
    """The moment defaults to closing and accepts only start or closing."""
    mt = mission("diagnostic")
    assert mt.parse({**RAW, "moment": "start"}).moment == "start"
    with pytest.raises(ValueError):
        mt.parse({**RAW, "moment": "milieu"})
