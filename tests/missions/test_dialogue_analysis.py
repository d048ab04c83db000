"""The dialogue's pure analysis: reachable, unreachable and stranded nodes, flags set and read."""

from __future__ import annotations

from typing import Any

from tempo.missions.dialogue import DialogueParams, analyse, dialogue, flag_words


def _params(nodes: list[dict[str, Any]], start: str = "a") -> DialogueParams:
    return DialogueParams.model_validate({"start": start, "nodes": nodes})


def _node(node_id: str, *choices: dict[str, Any]) -> dict[str, Any]:
    return {"id": node_id, "speaker": "maya", "text": f"Ligne {node_id}", "choices": list(choices)}


def test_reachable_and_unreachable_nodes_in_the_nodes_order() -> None:
    params = _params(
        [
            _node("a", {"text": "vers b", "next": "b"}),
            _node("orphan", {"text": "vers a", "next": "a"}),
            _node("b", {"text": "fin", "end": "success"}, {"text": "encore", "end": "retry"}),
        ]
    )
    analysis = analyse(params)
    assert analysis.reachable == ("a", "b")
    assert analysis.unreachable == ("orphan",)
    assert analysis.stranded == {}


def test_a_node_whose_choices_all_need_a_flag_is_stranded_with_the_hiding_state() -> None:
    params = _params(
        [
            _node(
                "a",
                {"text": "oui", "next": "b", "set_flags": ["ami"]},
                {"text": "non", "next": "b"},
            ),
            _node(
                "b",
                {"text": "merci", "end": "success", "if_flags": ["ami"]},
                {"text": "tant pis", "end": "success", "if_flags": ["badge"]},
            ),
        ]
    )
    analysis = analyse(params)
    assert analysis.stranded == {"b": {"ami": False, "badge": False}}
    assert flag_words(analysis.stranded["b"]) == "'ami' est absent et 'badge' est absent"
    assert analysis.flags_set == ("ami",)
    assert analysis.flags_read == ("ami", "badge")
    issues = dialogue.check(params)
    assert [i.message for i in issues] == [
        "aucun choix n'est visible quand 'ami' est absent et 'badge' est absent : l'équipe "
        "serait bloquée (ajoutez un choix sans condition)"
    ]


def test_if_and_unless_on_the_same_flag_cover_every_state() -> None:
    params = _params(
        [
            _node(
                "a",
                {"text": "avec", "end": "success", "if_flags": ["x"]},
                {"text": "sans", "end": "success", "unless_flags": ["x"]},
            )
        ]
    )
    analysis = analyse(params)
    assert analysis.stranded == {} and analysis.unreachable == ()
    assert analysis.flags_read == ("x",) and analysis.flags_set == ()
