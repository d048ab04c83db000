"""`Game.buy_hint`: hints bought in order with shards, and shown once bought."""

from __future__ import annotations

import copy
from dataclasses import replace

import pytest

from tempo.engine.team import AVAILABLE, IN_PROGRESS, Game, TeamState
from tests.engine.kit import (
    ENIGMA_ANSWER,
    HINTS,
    OFFERS,
    act,
    ctx,
    enigma_params,
    mission,
    scenario,
    small_game,
    team,
)


def rich_team(game: Game, shards: int = 20) -> TeamState:
    """Day 1 open and `shards` shards to spend."""
    return replace(team(game, 1), shards=shards)


def test_buying_the_first_hint_spends_its_cost() -> None:
    """Buying hint 0 takes its cost from the team's shards."""
    game = small_game()
    result = game.buy_hint(rich_team(game, 20), "d1-enigme", 0, "ana")
    assert result.error is None
    assert result.state.shards == 17
    assert result.state.missions["d1-enigme"].hints_used == 1
    assert result.changed == {"d1-enigme"}


def test_buying_a_hint_does_not_touch_the_ai() -> None:
    """Spending shards does not give strength back to the AI."""
    game = small_game()
    state = rich_team(game, 20)
    assert game.buy_hint(state, "d1-enigme", 0, "ana").state.ai_strength == state.ai_strength


def test_hint_bought_event_carries_the_text() -> None:
    """`hint.bought` names the mission, the hint, its text, cost, new balance and buyer."""
    game = small_game()
    result = game.buy_hint(rich_team(game, 20), "d1-enigme", 0, "bilal")
    assert result.events == [
        {
            "type": "hint.bought",
            "mission": "d1-enigme",
            "index": 0,
            "text": HINTS[0][0],
            "cost": 3,
            "shards": 17,
            "by": "bilal",
        }
    ]


def test_hints_are_bought_in_order() -> None:
    """After hint 0, hint 1 can be bought and costs its own price."""
    game = small_game()
    state = game.buy_hint(rich_team(game, 20), "d1-enigme", 0, "ana").state
    result = game.buy_hint(state, "d1-enigme", 1, "ana")
    assert result.error is None
    assert result.state.shards == 12
    assert result.state.missions["d1-enigme"].hints_used == 2


def test_skipping_a_hint_is_refused() -> None:
    """Hint 1 cannot be bought before hint 0: `no_hint`, nothing spent."""
    game = small_game()
    state = rich_team(game)
    result = game.buy_hint(state, "d1-enigme", 1, "ana")
    assert result.error is not None and result.error.code == "no_hint"
    assert result.state is state
    assert result.events == []


def test_hint_past_the_last_is_refused() -> None:
    """Asking for a hint the mission does not have is `no_hint`."""
    game = small_game()
    state = rich_team(game, 20)
    state = game.buy_hint(state, "d1-enigme", 0, "ana").state
    state = game.buy_hint(state, "d1-enigme", 1, "ana").state
    result = game.buy_hint(state, "d1-enigme", 2, "ana")
    assert result.error is not None and result.error.code == "no_hint"
    assert result.state is state


def test_mission_without_hints_has_no_hint() -> None:
    """A mission without hints refuses hint 0 with `no_hint`."""
    game = small_game()
    state = replace(team(game, 2), shards=20)
    result = game.buy_hint(state, "d2-indices", 0, "ana")
    assert result.error is not None and result.error.code == "no_hint"


def test_negative_hint_index_is_no_hint() -> None:
    """A negative index is not a hint: `no_hint`, not `hint_owned`."""
    game = small_game()
    state = rich_team(game)
    result = game.buy_hint(state, "d1-enigme", -1, "ana")
    assert result.error is not None and result.error.code == "no_hint"
    assert result.state is state


def test_buying_an_owned_hint_again_is_refused() -> None:
    """A hint already bought is refused with `hint_owned` and nothing is spent."""
    game = small_game()
    state = game.buy_hint(rich_team(game, 20), "d1-enigme", 0, "ana").state
    result = game.buy_hint(state, "d1-enigme", 0, "bilal")
    assert result.error is not None and result.error.code == "hint_owned"
    assert result.state is state
    assert result.events == []


def test_not_enough_shards_names_cost_and_balance() -> None:
    """Too few shards is `not_enough_shards`, with a French message giving cost and balance."""
    game = small_game()
    state = game.buy_hint(rich_team(game, 7), "d1-enigme", 0, "ana").state
    result = game.buy_hint(state, "d1-enigme", 1, "ana")
    assert result.error is not None and result.error.code == "not_enough_shards"
    assert "Il faut 5 éclats" in result.error.message
    assert "votre équipe en a 4" in result.error.message
    assert result.state is state
    assert result.events == []


def test_not_enough_shards_with_none_at_all() -> None:
    """A new team with no shard cannot buy a paying hint."""
    game = small_game()
    result = game.buy_hint(team(game, 1), "d1-enigme", 0, "ana")
    assert result.error is not None and result.error.code == "not_enough_shards"
    assert "3 éclats" in result.error.message and "en a 0" in result.error.message


def test_exact_balance_is_enough() -> None:
    """A team with exactly the cost can buy the hint and ends with 0 shards."""
    game = small_game()
    result = game.buy_hint(rich_team(game, 3), "d1-enigme", 0, "ana")
    assert result.error is None
    assert result.state.shards == 0


def test_free_hint_needs_no_shards() -> None:
    """A hint costing 0 can be bought by a team with no shard."""
    game = Game(
        scenario({1: [mission("d1-e", "enigma", enigma_params(), hints=[("Gratuit.", 0)])]}),
        OFFERS,
    )
    result = game.buy_hint(team(game, 1), "d1-e", 0, "ana")
    assert result.error is None
    assert result.state.shards == 0


def test_buying_a_hint_starts_the_mission() -> None:
    """An available mission becomes in progress once a hint is bought."""
    game = small_game()
    state = rich_team(game)
    assert game.status(state, "d1-enigme") == AVAILABLE
    result = game.buy_hint(state, "d1-enigme", 0, "ana")
    assert game.status(result.state, "d1-enigme") == IN_PROGRESS


def test_buying_a_hint_keeps_the_mission_progress() -> None:
    """A hint bought mid-mission keeps its status and its state (attempts so far)."""
    game = small_game()
    state = game.play(rich_team(game), "d1-enigme", act("answer", answer="non"), ctx()).state
    result = game.buy_hint(state, "d1-enigme", 0, "ana")
    record = result.state.missions["d1-enigme"]
    assert record.status == IN_PROGRESS
    assert record.state == {"attempts": 1}


def test_mission_stays_playable_after_a_hint() -> None:
    """A mission first touched by a hint purchase starts from its initial state."""
    game = small_game()
    state = game.buy_hint(rich_team(game, 20), "d1-enigme", 0, "ana").state
    result = game.play(state, "d1-enigme", act("answer", answer=ENIGMA_ANSWER), ctx())
    assert result.error is None
    assert result.state.missions["d1-enigme"].state == {"attempts": 1}
    assert result.state.missions["d1-enigme"].hints_used == 1
    assert result.state.shards == 17 + 10


@pytest.mark.parametrize(
    ("mission_id", "code"),
    [("d9-nope", "unknown_mission"), ("d1-quiz", "mission_locked"), ("d2-suite", "mission_locked")],
)
def test_hint_of_an_unplayable_mission_is_refused(mission_id: str, code: str) -> None:
    """Hints of unknown or locked missions cannot be bought."""
    game = small_game()
    state = rich_team(game)
    result = game.buy_hint(state, mission_id, 0, "ana")
    assert result.error is not None and result.error.code == code
    assert result.state is state


def test_hint_of_a_done_mission_is_refused() -> None:
    """Once a mission is done its hints are no longer for sale."""
    game = small_game()
    state = game.play(rich_team(game), "d1-enigme", act("answer", answer="avenir"), ctx()).state
    result = game.buy_hint(state, "d1-enigme", 0, "ana")
    assert result.error is not None and result.error.code == "already_done"
    assert result.state is state


def test_hint_text_is_hidden_before_purchase() -> None:
    """Before buying, the view lists the hints with their cost but no text."""
    game = small_game()
    view = game.mission_view(rich_team(game), "d1-enigme", "ana", ctx())
    assert view["hints"] == [
        {"index": 0, "cost": 3, "text": None},
        {"index": 1, "cost": 5, "text": None},
    ]


def test_hint_text_appears_in_the_view_after_purchase() -> None:
    """A bought hint's text appears in the view; the next one stays hidden."""
    game = small_game()
    state = game.buy_hint(rich_team(game), "d1-enigme", 0, "ana").state
    view = game.mission_view(state, "d1-enigme", "chloe", ctx())
    assert view["hints"] == [
        {"index": 0, "cost": 3, "text": HINTS[0][0]},
        {"index": 1, "cost": 5, "text": None},
    ]


def test_buy_hint_never_mutates_the_input_state() -> None:
    """Buying hints, and failing to, leaves the TeamState passed in unchanged."""
    game = small_game()
    state = rich_team(game, 7)
    for index in (1, 0, 0, 1):
        before = copy.deepcopy(state)
        result = game.buy_hint(state, "d1-enigme", index, "ana")
        assert state == before
        state = result.state
