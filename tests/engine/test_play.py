"""`Game.play`: refusals, wrong answers, progress, completion and its rewards and events."""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

import pytest

from tempo.engine.team import AVAILABLE, DONE, IN_PROGRESS, Game, MissionRecord, TeamState
from tempo.missions.base import Action
from tests.engine.kit import (
    CODE,
    COUNSELLOR,
    ENIGMA_ANSWER,
    NEUTRAL_CHOICE,
    OFFERS,
    QUIZ_RIGHT,
    QUIZ_WRONG,
    READ_CHOICE,
    SIGNED_CHOICE,
    act,
    ctx,
    enigma_params,
    event_types,
    mission,
    scenario,
    small_game,
    team,
)

RIGHT = act("answer", answer=ENIGMA_ANSWER)
WRONG = act("answer", answer="le passé")


def after_enigma(game: Game, *days: int) -> TeamState:
    """A team (these days open) that has solved d1-enigme."""
    result = game.play(team(game, *days), "d1-enigme", RIGHT, ctx())
    assert result.error is None
    return result.state


# --- refusals ----------------------------------------------------------------------------


def test_unknown_mission_is_refused() -> None:
    """Playing a mission id the scenario does not have is refused with `unknown_mission`."""
    game = small_game()
    state = team(game, 1)
    result = game.play(state, "d9-nope", RIGHT, ctx())
    assert result.error is not None and result.error.code == "unknown_mission"
    assert result.state is state
    assert result.events == []
    assert not result.ok


def test_locked_mission_is_refused() -> None:
    """Playing a locked mission is refused with `mission_locked`."""
    game = small_game()
    state = team(game, 1)
    result = game.play(state, "d1-quiz", act("submit", answers=QUIZ_RIGHT), ctx())
    assert result.error is not None and result.error.code == "mission_locked"
    assert result.state is state
    assert result.events == []


def test_mission_of_a_closed_day_is_refused() -> None:
    """A mission whose day is not open cannot be played."""
    game = small_game()
    result = game.play(team(game, 1), "d2-indices", act("answer", answer="x"), ctx())
    assert result.error is not None and result.error.code == "mission_locked"


def test_done_mission_is_refused_and_state_unchanged() -> None:
    """Playing a done mission again is refused with `already_done` and changes nothing."""
    game = small_game()
    state = after_enigma(game, 1)
    result = game.play(state, "d1-enigme", RIGHT, ctx())
    assert result.error is not None and result.error.code == "already_done"
    assert result.state is state
    assert result.events == []
    assert result.changed == set()


def test_same_completing_action_twice_rewards_once() -> None:
    """The same winning action applied twice completes once: shards and offers awarded once."""
    game = small_game()
    first = game.play(team(game, 1), "d1-enigme", RIGHT, ctx())
    second = game.play(first.state, "d1-enigme", RIGHT, ctx())
    assert second.state.shards == 10
    assert second.state.offers == ("cej",)
    assert event_types(first).count("mission.completed") == 1
    assert event_types(second) == []


# --- wrong answers and malformed actions -------------------------------------------------


def test_wrong_answer_is_flagged_wrong_but_accepted() -> None:
    """A wrong answer returns `wrong=True` with the mission's error, and counts as ok."""
    game = small_game()
    result = game.play(team(game, 1), "d1-enigme", WRONG, ctx())
    assert result.wrong
    assert result.ok
    assert result.error is not None and result.error.code == "wrong_answer"


def test_wrong_answer_records_an_attempt_event() -> None:
    """A wrong answer emits one `mission.attempted` event naming the mission and player."""
    game = small_game()
    result = game.play(team(game, 1), "d1-enigme", act("answer", "bilal", answer="non"), ctx())
    assert result.events == [{"type": "mission.attempted", "mission": "d1-enigme", "by": "bilal"}]
    assert result.changed == {"d1-enigme"}


def test_wrong_answer_puts_the_mission_in_progress_without_reward() -> None:
    """After a wrong answer the mission is in progress, its attempt counted, and no shard won."""
    game = small_game()
    state = game.play(team(game, 1), "d1-enigme", WRONG, ctx()).state
    assert game.status(state, "d1-enigme") == IN_PROGRESS
    assert state.missions["d1-enigme"].state == {"attempts": 1}
    assert state.shards == 0
    assert state.ai_strength == 100
    assert state.offers == ()


def test_wrong_quiz_submission_is_wrong() -> None:
    """A quiz scored below its pass mark is a wrong attempt, not a refusal."""
    game = small_game()
    state = after_enigma(game, 1)
    result = game.play(state, "d1-quiz", act("submit", answers=QUIZ_WRONG), ctx())
    assert result.wrong
    assert result.state.missions["d1-quiz"].state["last_score"] == 1
    assert event_types(result) == ["mission.attempted"]


@pytest.mark.parametrize(
    ("mission_id", "action", "code"),
    [
        ("d2-tardif", act("answer", answer="   "), "invalid_answer"),
        ("d2-tardif", act("answer"), "invalid_answer"),
        ("d2-tardif", act("answer", answer="x" * 201), "invalid_answer"),
        ("d2-tardif", act("try", code="1234"), "unknown_action"),
        ("d1-quiz", act("submit", answers=[[0]]), "invalid_answer"),
        ("d1-quiz", act("submit", answers=[[0], [7]]), "invalid_answer"),
        ("d1-dialogue", act("choose", choice=9), "invalid_choice"),
        ("d1-dialogue", act("choose", choice=True), "invalid_choice"),
        ("d1-dialogue", act("choose", choice=0, node="lecture"), "stale"),
    ],
)
def test_malformed_action_is_refused_without_event_or_change(
    mission_id: str, action: Action, code: str
) -> None:
    """A malformed action is refused: an error, no event, and the very same TeamState."""
    game = small_game()
    state = after_enigma(game, 1, 2)
    result = game.play(state, mission_id, action, ctx())
    assert result.error is not None and result.error.code == code
    assert not result.wrong
    assert not result.ok
    assert result.events == []
    assert result.state is state
    assert result.changed == set()


def test_malformed_action_leaves_an_available_mission_available() -> None:
    """A refused action does not start the mission."""
    game = small_game()
    state = team(game, 1)
    result = game.play(state, "d1-enigme", act("answer", answer=""), ctx())
    assert game.status(result.state, "d1-enigme") == AVAILABLE
    assert "d1-enigme" not in result.state.missions


# --- progress without completion ---------------------------------------------------------


def test_progress_step_emits_mission_updated() -> None:
    """A dialogue step that does not end the conversation is a `mission.updated`."""
    game = small_game()
    state = after_enigma(game, 1)
    result = game.play(state, "d1-dialogue", act("choose", "chloe", choice=0), ctx())
    assert result.error is None and not result.wrong
    assert result.events == [{"type": "mission.updated", "mission": "d1-dialogue", "by": "chloe"}]
    assert game.status(result.state, "d1-dialogue") == IN_PROGRESS
    assert result.state.missions["d1-dialogue"].state["node"] == "lecture"


def test_flags_set_by_a_step_apply_before_completion() -> None:
    """Flags set by a choice are the team's as soon as the choice is made."""
    game = small_game()
    state = after_enigma(game, 1)
    result = game.play(state, "d1-dialogue", act("choose", choice=0), ctx())
    assert result.state.flags == {"contrat-lu": True}


def test_mission_events_are_tagged_with_the_mission() -> None:
    """Events a mission type emits are recorded with the mission id added."""
    game = small_game()
    state = team(game, 3)
    result = game.play(state, "d3-balises", act("scan", "dina", checkpoint="cp-a"), ctx())
    assert result.events == [
        {"type": "mission.updated", "mission": "d3-balises", "by": "dina"},
        {"type": "checkpoint.scanned", "checkpoint": "cp-a", "by": "dina", "mission": "d3-balises"},
    ]


def test_refused_proof_review_keeps_the_mission_in_progress() -> None:
    """A counsellor refusing a proof leaves the mission in progress and unrewarded."""
    game = small_game()
    state = game.play(team(game, 2), "d2-preuve", act("submit", text="Voilà."), ctx()).state
    result = game.play(state, "d2-preuve", act("review", COUNSELLOR, accepted=False), ctx())
    assert result.error is None
    assert game.status(result.state, "d2-preuve") == IN_PROGRESS
    assert result.state.shards == 0
    assert event_types(result) == ["mission.updated", "proof.reviewed"]


def test_accepted_proof_review_completes_the_mission() -> None:
    """A counsellor accepting a submitted proof completes the mission."""
    game = small_game()
    state = game.play(team(game, 2), "d2-preuve", act("submit", text="Voilà."), ctx()).state
    result = game.play(state, "d2-preuve", act("review", COUNSELLOR, accepted=True), ctx())
    assert game.status(result.state, "d2-preuve") == DONE
    assert result.state.shards == 3


def test_appointment_completes_once_every_present_player_booked() -> None:
    """An appointment is done only when each present player has booked."""
    game = small_game()
    present = ("ana", "bilal")
    state = game.play(team(game, 3), "d3-rdv", act("booked", "ana"), ctx(present)).state
    assert game.status(state, "d3-rdv") == IN_PROGRESS
    result = game.play(state, "d3-rdv", act("booked", "bilal"), ctx(present))
    assert game.status(result.state, "d3-rdv") == DONE
    assert result.state.offers == ("permis",)


# --- completion --------------------------------------------------------------------------


def test_completion_event_carries_reward_shards_and_ai_strength() -> None:
    """Completion emits `mission.completed` with the reward, new balance and AI strength."""
    game = small_game()
    result = game.play(team(game, 1), "d1-enigme", act("answer", "eli", answer="Avenir !"), ctx())
    assert result.events[0] == {
        "type": "mission.completed",
        "mission": "d1-enigme",
        "by": "eli",
        "reward": 10,
        "shards": 10,
        "ai_strength": 90,
    }
    assert result.error is None and not result.wrong
    assert result.changed == {"d1-enigme"}


def test_completion_records_the_mission_done_by_the_player() -> None:
    """The completed mission's record is done, keeps its final state and its completer."""
    game = small_game()
    state = game.play(
        team(game, 1), "d1-enigme", act("answer", "eli", answer="avenir"), ctx()
    ).state
    record = state.missions["d1-enigme"]
    assert record.status == DONE
    assert record.completed_by == "eli"
    assert record.state == {"attempts": 1}


def test_completion_adds_shards_and_weakens_the_ai() -> None:
    """Shards grow by the reward and the AI loses as many points."""
    game = small_game()
    state = after_enigma(game, 1)
    state = game.play(state, "d1-quiz", act("submit", answers=QUIZ_RIGHT), ctx()).state
    assert state.shards == 14
    assert state.ai_strength == 86


def test_ai_strength_never_goes_below_zero() -> None:
    """A reward larger than the AI's remaining strength leaves it at 0, not negative."""
    game = small_game(strength=5)
    result = game.play(team(game, 1), "d1-enigme", RIGHT, ctx())
    assert result.state.ai_strength == 0
    assert result.state.shards == 10
    assert result.events[0]["ai_strength"] == 0


def test_completion_unlocks_the_mission_offers() -> None:
    """Completing a mission emits one `offer.unlocked` per offer it unlocks."""
    game = small_game()
    result = game.play(team(game, 1), "d1-enigme", RIGHT, ctx())
    assert result.state.offers == ("cej",)
    unlocked = [e for e in result.events if e["type"] == "offer.unlocked"]
    assert unlocked == [{"type": "offer.unlocked", "offer": "cej", "mission": "d1-enigme"}]


def test_already_unlocked_offer_is_not_repeated() -> None:
    """An offer the team already has is neither added again nor announced again."""
    game = small_game()
    state = after_enigma(game, 1)
    state = game.play(state, "d1-dialogue", act("choose", choice=0), ctx()).state
    result = game.play(state, "d1-dialogue", act("choose", choice=0), ctx())
    assert result.state.offers == ("cej", "bilan-sante")
    unlocked = [e["offer"] for e in result.events if e["type"] == "offer.unlocked"]
    assert unlocked == ["bilan-sante"]


def test_offer_listed_twice_by_one_mission_is_unlocked_once() -> None:
    """A mission listing the same offer twice unlocks and announces it once."""
    game = Game(
        scenario({1: [mission("d1-e", "enigma", enigma_params(), unlocks=["cej", "cej"])]}),
        OFFERS,
    )
    result = game.play(team(game, 1), "d1-e", RIGHT, ctx())
    assert result.state.offers == ("cej",)
    assert event_types(result).count("offer.unlocked") == 1


def test_completion_announces_exactly_the_missions_it_made_available() -> None:
    """`mission.available` lists the missions whose last requirement this completion was."""
    game = small_game()
    result = game.play(team(game, 1), "d1-enigme", RIGHT, ctx())
    assert result.events[-1] == {
        "type": "mission.available",
        "missions": ["d1-dialogue", "d1-quiz"],
    }


def test_mission_available_skips_missions_of_closed_days() -> None:
    """A mission whose requirements are now done but whose day is closed is not announced."""
    game = small_game()
    result = game.play(team(game, 1), "d1-enigme", RIGHT, ctx())
    opened = next(e for e in result.events if e["type"] == "mission.available")
    assert "d2-tardif" not in opened["missions"]


def test_mission_available_includes_missions_of_other_open_days() -> None:
    """With its day open, a later day's mission opened by this completion is announced."""
    game = small_game()
    result = game.play(team(game, 1, 2), "d1-enigme", RIGHT, ctx())
    opened = next(e for e in result.events if e["type"] == "mission.available")
    assert opened["missions"] == ["d1-dialogue", "d1-quiz", "d2-tardif"]


def test_no_mission_available_event_when_nothing_opens() -> None:
    """A completion that opens nothing emits no `mission.available` event."""
    game = small_game()
    state = after_enigma(game, 1)
    result = game.play(state, "d1-quiz", act("submit", answers=QUIZ_RIGHT), ctx())
    assert event_types(result) == ["mission.completed"]


def test_last_requirement_opens_a_mission_needing_several() -> None:
    """A mission needing two others is announced by the completion of the second only."""
    game = small_game()
    state = after_enigma(game, 1)
    state = game.play(state, "d1-quiz", act("submit", answers=QUIZ_RIGHT), ctx()).state
    state = game.play(state, "d1-dialogue", act("choose", choice=0), ctx()).state
    result = game.play(state, "d1-dialogue", act("choose", choice=0), ctx())
    assert result.events[-1] == {"type": "mission.available", "missions": ["d1-cadenas"]}


def test_completion_event_order() -> None:
    """Completion events come as: completed, then offers, then newly available missions."""
    game = small_game()
    result = game.play(team(game, 1), "d1-enigme", RIGHT, ctx())
    assert event_types(result) == ["mission.completed", "offer.unlocked", "mission.available"]


# --- flags across dialogues --------------------------------------------------------------


def flags_after_first_dialogue(path: list[int]) -> tuple[Game, TeamState]:
    """Days 1-2 open, d1-enigme done, d1-dialogue played along `path`."""
    game = small_game()
    state = after_enigma(game, 1, 2)
    for choice in path:
        result = game.play(state, "d1-dialogue", act("choose", choice=choice), ctx())
        assert result.error is None
        state = result.state
    return game, state


@pytest.mark.parametrize(
    ("path", "flags", "choice"),
    [
        ([0, 0], {"contrat-lu": True}, READ_CHOICE),
        ([1], {"contrat-signe": True}, SIGNED_CHOICE),
    ],
)
def test_dialogue_flags_change_another_dialogue_choices(
    path: list[int], flags: dict[str, bool], choice: str
) -> None:
    """Flags set in one dialogue are the team's and decide another dialogue's visible choices."""
    game, state = flags_after_first_dialogue(path)
    assert state.flags == flags
    view = game.mission_view(state, "d2-suite", "ana", ctx())
    assert view["play"]["choices"] == [choice]


def test_dialogue_choice_without_flags() -> None:
    """Without either flag, only the `unless_flags` choice is offered."""
    game = small_game()
    state = after_enigma(game, 1, 2)
    state = replace(state, missions={**state.missions, "d1-dialogue": MissionRecord(status=DONE)})
    view = game.mission_view(state, "d2-suite", "ana", ctx())
    assert view["play"]["choices"] == [NEUTRAL_CHOICE]


def test_choice_index_counts_only_visible_choices() -> None:
    """Choice 0 of the gated dialogue picks the choice the team's flags make visible."""
    game, state = flags_after_first_dialogue([1])
    result = game.play(state, "d2-suite", act("choose", choice=0), ctx())
    assert game.status(result.state, "d2-suite") == DONE
    assert result.state.missions["d2-suite"].state["path"][0]["choice"] == SIGNED_CHOICE


def test_team_flags_override_context_flags() -> None:
    """The engine hands missions the team's flags, whatever flags the caller's context holds."""
    game, state = flags_after_first_dialogue([1])
    lying = replace(ctx(), flags={"contrat-lu": True})
    view = game.mission_view(state, "d2-suite", "ana", lying)
    assert view["play"]["choices"] == [SIGNED_CHOICE]


# --- purity ------------------------------------------------------------------------------


def test_play_never_mutates_the_input_state() -> None:
    """Every kind of play leaves the TeamState passed in exactly as it was."""
    game = small_game()
    state = team(game, 1, 2, 3)
    steps: list[tuple[str, Action]] = [
        ("d1-enigme", WRONG),
        ("d1-enigme", act("answer", answer="")),
        ("d1-enigme", RIGHT),
        ("d1-dialogue", act("choose", choice=0)),
        ("d1-dialogue", act("choose", choice=0)),
        ("d1-quiz", act("submit", answers=QUIZ_RIGHT)),
        ("d1-cadenas", act("try", code="0000")),
        ("d1-cadenas", act("try", code=CODE)),
        ("d3-balises", act("scan", checkpoint="cp-b")),
        ("d3-balises", act("scan", checkpoint="cp-a")),
        ("d3-balises", act("scan", checkpoint="cp-a")),
        ("d3-balises", act("scan", checkpoint="cp-b")),
        ("d3-rdv", act("booked", "ana")),
        ("d1-enigme", RIGHT),
    ]
    for mission_id, action in steps:
        before = copy.deepcopy(state)
        result = game.play(state, mission_id, action, ctx())
        assert state == before, (mission_id, action)
        state = result.state
    assert state.shards == 10 + 6 + 4 + 5 + 2


def test_play_never_mutates_nested_mission_state() -> None:
    """The nested lists and dicts of a mission's recorded state are not mutated in place."""
    game = small_game()
    state = game.play(team(game, 3), "d3-rdv", act("booked", "ana"), ctx()).state
    booked: list[Any] = state.missions["d3-rdv"].state["booked"]
    game.play(state, "d3-rdv", act("booked", "bilal"), ctx())
    assert booked == ["ana"]
