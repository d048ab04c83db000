"""Dialogue: visible choices by team flags, flags set, retry, success and stale nodes."""

from __future__ import annotations

from typing import Any

import pytest

from tempo.missions.base import Issue
from tests.missions.mission_samples import act, ctx, mission, run

RAW: dict[str, Any] = {
    "start": "accueil",
    "nodes": [
        {
            "id": "accueil",
            "speaker": "maya",
            "text": "Avez-vous lu le contrat ?",
            "choices": [
                {"text": "Oui, en entier.", "if_flags": ["contrat-lu"], "next": "bilan"},
                {"text": "Pas vraiment…", "unless_flags": ["contrat-lu"], "next": "bilan"},
                {"text": "Je reviens plus tard.", "end": "retry"},
            ],
        },
        {
            "id": "bilan",
            "speaker": "samir",
            "text": "Alors, cette période d'essai ?",
            "choices": [
                {"text": "On a tenu bon.", "set_flags": ["essai-ok"], "end": "success"},
                {"text": "On recommence.", "next": "accueil", "reaction": "Pas de souci."},
            ],
        },
    ],
}
READ = {"contrat-lu": True}


def view(state: dict[str, Any], flags: dict[str, bool] | None = None) -> dict[str, Any]:
    """The view of player ana in a context with these flags."""
    mt = mission("dialogue")
    return mt.view(mt.parse(RAW), state, "ana", ctx(flags=flags))


def test_view_starts_at_the_start_node() -> None:
    """The first view is the start node's line, speaker and choices."""
    state = mission("dialogue").initial_state(mission("dialogue").parse(RAW))
    assert view(state) == {
        "node": "accueil",
        "speaker": "maya",
        "text": "Avez-vous lu le contrat ?",
        "choices": ["Pas vraiment…", "Je reviens plus tard."],
        "history": [],
        "ended": False,
        "reaction": None,
        "reaction_speaker": None,
        "reaction_to": None,
    }


def test_if_flags_shows_choice_only_when_flag_set() -> None:
    """With `contrat-lu` set, the `if_flags` choice appears and the `unless_flags` one goes."""
    state = {"node": "accueil", "path": []}
    assert view(state, READ)["choices"] == ["Oui, en entier.", "Je reviens plus tard."]


def test_false_flag_counts_as_unset() -> None:
    """A flag present but false does not satisfy `if_flags`."""
    state = {"node": "accueil", "path": []}
    assert view(state, {"contrat-lu": False})["choices"] == [
        "Pas vraiment…",
        "Je reviens plus tard.",
    ]


def test_choice_index_is_among_visible_choices() -> None:
    """Index 0 means the first visible choice, which depends on the flags."""
    _, state, (outcome,) = run("dialogue", RAW, [act("choose", choice=0)], ctx(flags=READ))
    assert state["path"] == [{"node": "accueil", "choice": "Oui, en entier.", "reaction": None}]
    _, state, _ = run("dialogue", RAW, [act("choose", choice=0)])
    assert state["path"] == [{"node": "accueil", "choice": "Pas vraiment…", "reaction": None}]
    assert state["node"] == "bilan"
    assert not outcome.completed


def test_hidden_choice_index_is_invalid() -> None:
    """Without flags only two choices are visible: index 2 does not exist."""
    _, state, (outcome,) = run("dialogue", RAW, [act("choose", choice=2)])
    assert outcome.error is not None and outcome.error.code == "invalid_choice"
    assert state == {"node": "accueil", "path": []}


def test_success_completes_and_sets_flags() -> None:
    """Reaching `end: success` completes the mission and returns the flags to set."""
    _, state, outcomes = run("dialogue", RAW, [act("choose", choice=0), act("choose", choice=0)])
    assert outcomes[-1].completed
    assert outcomes[-1].set_flags == {"essai-ok": True}
    assert state["ended"] is True
    assert view(state)["ended"] is True
    assert len(state["path"]) == 2


def test_next_choice_does_not_complete_nor_set_flags() -> None:
    """A choice leading to another node just moves on."""
    _, _, (outcome,) = run("dialogue", RAW, [act("choose", choice=0)])
    assert not outcome.completed and outcome.set_flags == {} and outcome.error is None


def test_retry_goes_back_to_start_keeping_history() -> None:
    """`end: retry` returns to the start node, not completed, path kept."""
    _, state, (outcome,) = run("dialogue", RAW, [act("choose", choice=1)])
    assert not outcome.completed
    assert state == {
        "node": "accueil",
        "path": [{"node": "accueil", "choice": "Je reviens plus tard.", "reaction": None}],
    }


def test_loop_back_with_next() -> None:
    """A `next` to an earlier node loops the conversation."""
    _, state, _ = run("dialogue", RAW, [act("choose", choice=0), act("choose", choice=1)])
    assert state["node"] == "accueil"
    last = {"node": "bilan", "choice": "On recommence.", "reaction": "Pas de souci."}
    assert view(state)["history"][-1] == last
    assert view(state)["reaction"] == "Pas de souci."


def test_reaction_is_said_by_the_speaker_of_the_chosen_reply_after_the_choice_only() -> None:
    """No reaction before the choice; after it, the reaction, who says it and to what."""
    mt = mission("dialogue")
    params = mt.parse(RAW)
    before = mt.view(params, mt.initial_state(params), "ana", ctx())
    _, at_bilan, _ = run("dialogue", RAW, [act("choose", choice=0)])
    assert "Pas de souci." not in str(before) and "Pas de souci." not in str(view(at_bilan))
    _, state, _ = run("dialogue", RAW, [act("choose", choice=0), act("choose", choice=1)])
    seen = view(state)
    assert (seen["reaction"], seen["reaction_speaker"], seen["reaction_to"]) == (
        "Pas de souci.",
        "samir",
        "On recommence.",
    )
    assert (seen["node"], seen["speaker"]) == ("accueil", "maya")  # the next line follows


def test_a_reply_without_reaction_clears_the_previous_one() -> None:
    """The reaction belongs to the last reply only: the next reply without one shows none."""
    _, state, _ = run(
        "dialogue",
        RAW,
        [act("choose", choice=0), act("choose", choice=1), act("choose", choice=0)],
    )
    assert state["node"] == "bilan"
    seen = view(state)
    assert seen["reaction"] is None and seen["reaction_speaker"] is None


def test_stale_node_is_refused() -> None:
    """A choice sent for a node the team has already left is refused as stale."""
    actions = [act("choose", choice=0, node="accueil"), act("choose", choice=0, node="accueil")]
    _, state, outcomes = run("dialogue", RAW, actions)
    assert outcomes[0].error is None
    assert outcomes[1].error is not None and outcomes[1].error.code == "stale"
    assert state["node"] == "bilan" and len(state["path"]) == 1


def test_matching_node_is_accepted() -> None:
    """A choice sent with the current node id goes through."""
    _, _, (outcome,) = run("dialogue", RAW, [act("choose", choice=1, node="accueil")])
    assert outcome.error is None


def test_unknown_current_node_is_invalid_state() -> None:
    """A state pointing at a node that no longer exists is reported, not crashed on."""
    mt = mission("dialogue")
    params = mt.parse(RAW)
    outcome = mt.handle(params, {"node": "disparu", "path": []}, act("choose", choice=0), ctx())
    assert outcome.error is not None and outcome.error.code == "invalid_state"
    assert mt.view(params, {"node": "disparu"}, "ana", ctx()) == {"node": None, "choices": []}


def test_references_list_every_speaker() -> None:
    """Speakers are references the scenario validator resolves."""
    mt = mission("dialogue")
    refs = mt.references(mt.parse(RAW))
    assert refs.characters == (
        (("nodes", 0, "speaker"), "maya"),
        (("nodes", 1, "speaker"), "samir"),
    )


def test_check_accepts_valid_dialogue() -> None:
    """The example dialogue has no issue."""
    mt = mission("dialogue")
    assert mt.check(mt.parse(RAW)) == []


def test_check_reports_duplicate_node_unknown_start_and_next() -> None:
    """Duplicate ids, unknown start and unknown next are located."""
    mt = mission("dialogue")
    raw = {
        "start": "ailleurs",
        "nodes": [
            {"id": "a", "speaker": "maya", "text": "A", "choices": [{"text": "x", "next": "z"}]},
            {
                "id": "a",
                "speaker": "maya",
                "text": "B",
                "choices": [{"text": "y", "end": "success"}],
            },
        ],
    }
    assert mt.check(mt.parse(raw)) == [
        Issue(("nodes", 1, "id"), "nœud en double : 'a'"),
        Issue(("start",), "nœud inconnu : 'ailleurs'"),
        Issue(("nodes", 0, "choices", 0, "next"), "nœud inconnu : 'z'"),
    ]


def test_check_reports_missing_success() -> None:
    """A dialogue without any `end: success` can never be completed."""
    mt = mission("dialogue")
    raw = {
        "start": "a",
        "nodes": [
            {"id": "a", "speaker": "maya", "text": "A", "choices": [{"text": "x", "end": "retry"}]}
        ],
    }
    assert mt.check(mt.parse(raw)) == [
        Issue(("nodes",), "aucun choix ne termine le dialogue avec « end: success »")
    ]


def test_check_reports_success_unreachable_from_start() -> None:
    """A success that no path from the start reaches is reported on `start`."""
    mt = mission("dialogue")
    raw = {
        "start": "a",
        "nodes": [
            {"id": "a", "speaker": "maya", "text": "A", "choices": [{"text": "x", "end": "retry"}]},
            {
                "id": "b",
                "speaker": "maya",
                "text": "B",
                "choices": [{"text": "y", "end": "success"}],
            },
        ],
    }
    assert mt.check(mt.parse(raw)) == [
        Issue(("start",), "aucun chemin depuis ce nœud n'atteint un choix « end: success »")
    ]


@pytest.mark.parametrize(
    "choice",
    [
        {"text": "x"},
        {"text": "x", "next": "a", "end": "success"},
        {"text": "x", "end": "success", "set_flags": ["Pas Un Drapeau"]},
    ],
)
def test_schema_refuses_bad_choices(choice: dict[str, Any]) -> None:
    """A choice needs exactly one of next/end, and flag names are slugs."""
    raw = {
        "start": "a",
        "nodes": [{"id": "a", "speaker": "maya", "text": "A", "choices": [choice]}],
    }
    with pytest.raises(ValueError):
        mission("dialogue").parse(raw)
