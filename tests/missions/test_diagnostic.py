"""Diagnostic: done when a player of the team has completed the self-diagnostic."""

from __future__ import annotations

import pytest

from tests.missions.mission_samples import act, ctx, mission, run

RAW = {"instructions": "Faites votre auto-diagnostic."}


def test_first_completion_completes_the_mission() -> None:
    """One player's completed diagnostic is enough."""
    _, state, (outcome,) = run("diagnostic", RAW, [act("completed", "bilal")])
    assert outcome.completed and outcome.error is None
    assert state["completed_by"] == ["bilal"]


def test_completions_are_recorded_once_per_player() -> None:
    """Later completions are tracked, without duplicates."""
    actions = [act("completed", p) for p in ("ana", "bilal", "ana")]
    _, state, _ = run("diagnostic", RAW, actions)
    assert state["completed_by"] == ["ana", "bilal"]


def test_view_shows_moment_and_own_completion() -> None:
    """Each player sees the instructions, the moment and whether they completed it."""
    mt = mission("diagnostic")
    params, state, _ = run("diagnostic", RAW, [act("completed", "ana")])
    assert mt.view(params, state, "ana", ctx()) == {
        "instructions": "Faites votre auto-diagnostic.",
        "moment": "closing",
        "completed": True,
    }
    assert mt.view(params, state, "bilal", ctx())["completed"] is False


def test_moment_is_start_or_closing() -> None:
    """The moment defaults to closing and accepts only start or closing."""
    mt = mission("diagnostic")
    assert mt.parse({**RAW, "moment": "start"}).moment == "start"
    with pytest.raises(ValueError):
        mt.parse({**RAW, "moment": "milieu"})
