"""A paused team plays nothing: every action and hint is refused, whatever the mission's status."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tempo.engine.team import IN_PROGRESS, PAUSE_EXEMPT, PAUSED, Game, TeamState, pause_refusal
from tests.engine.kit import COUNSELLOR, ENIGMA_ANSWER, act, ctx, small_game, team


def started(game: Game) -> TeamState:
    """Days 1 and 2 open, shards to spend, the enigma and the proof in progress."""
    state = replace(team(game, 1, 2), shards=20)
    state = game.play(state, "d1-enigme", act("answer", answer="faux"), ctx()).state
    state = game.play(state, "d2-preuve", act("submit", text="Nos règles"), ctx()).state
    assert state.missions["d1-enigme"].status == IN_PROGRESS
    assert state.missions["d2-preuve"].status == IN_PROGRESS
    return state


@pytest.mark.parametrize(
    ("mission_id", "kind", "data"),
    [
        ("d1-enigme", "answer", {"answer": ENIGMA_ANSWER}),  # in progress, right answer
        ("d1-enigme", "answer", {"answer": "faux"}),  # in progress, wrong answer
        ("d2-indices", "answer", {"answer": "faux"}),  # available, never touched
        ("d3-balises", "scan", {"checkpoint": "a"}),  # a day not open yet
        ("inconnue", "answer", {"answer": "x"}),  # the pause is told before anything else
    ],
)
def test_every_action_is_refused_and_changes_nothing(
    mission_id: str, kind: str, data: dict[str, str]
) -> None:
    """While paused the engine refuses with the pause (never a wrong answer) and keeps the state."""
    game = small_game()
    state = replace(started(game), paused=True)
    result = game.play(state, mission_id, act(kind, **data), ctx())
    assert result.error == PAUSED and not result.wrong and not result.ok
    assert result.state is state and result.events == [] and result.changed == set()


def test_hints_are_refused_while_paused() -> None:
    """A hint bought during a pause costs nothing and is not given."""
    game = small_game()
    state = replace(started(game), paused=True)
    result = game.buy_hint(state, "d1-enigme", 0, "ana")
    assert result.error == PAUSED and result.state is state and result.events == []


def test_resuming_plays_on_from_the_same_state() -> None:
    """The same state, no longer paused, accepts the very action the pause refused."""
    game = small_game()
    answer = act("answer", answer=ENIGMA_ANSWER)
    refused = game.play(replace(started(game), paused=True), "d1-enigme", answer, ctx())
    assert refused.error == PAUSED
    played = game.play(replace(refused.state, paused=False), "d1-enigme", answer, ctx())
    assert played.error is None and "mission.completed" in [e["type"] for e in played.events]


def test_a_counsellors_review_still_applies() -> None:
    """Reviewing a proof (like a booking or a finished diagnostic) is not the phones' play."""
    game = small_game()
    state = replace(started(game), paused=True)
    reviewed = game.play(
        state, "d2-preuve", act("review", player=COUNSELLOR, accepted=True, comment=""), ctx()
    )
    assert reviewed.error is None and reviewed.state.missions["d2-preuve"].status == "done"
    assert {"review", "booked", "completed"} == PAUSE_EXEMPT
    assert pause_refusal(state, "hint") == PAUSED and pause_refusal(state, "review") is None
    assert pause_refusal(replace(state, paused=False), "answer") is None
