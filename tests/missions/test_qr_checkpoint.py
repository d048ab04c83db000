"""QR checkpoint: verified scans, in any order or in the given order."""

from __future__ import annotations

from typing import Any

import pytest

from tempo.missions.base import Issue
from tests.missions.mission_samples import act, ctx, mission, run


def checkpoint(cp_id: str) -> dict[str, str]:
    """A checkpoint with a clue, a secret placement and a message shown once scanned."""
    return {
        "id": cp_id,
        "label": f"Balise {cp_id}",
        "clue": f"Indice {cp_id}",
        "placement": f"Placement secret {cp_id}",
        "message": f"Bravo {cp_id}",
    }


UNORDERED: dict[str, Any] = {"checkpoints": [checkpoint(c) for c in ("cp-a", "cp-b", "cp-c")]}
ORDERED: dict[str, Any] = {**UNORDERED, "ordered": True}


def scans(raw: dict[str, Any], *ids: object) -> tuple[dict[str, Any], list[Any]]:
    """State and outcomes after scanning `ids` from scratch."""
    _, state, outcomes = run("qr-checkpoint", raw, [act("scan", checkpoint=i) for i in ids])
    return state, outcomes


def code(outcome: Any) -> str | None:
    """The outcome's error code, if any."""
    return outcome.error.code if outcome.error else None


def test_unordered_completes_when_all_scanned_in_any_order() -> None:
    """Any order works; only the last scan completes."""
    state, outcomes = scans(UNORDERED, "cp-c", "cp-a", "cp-b")
    assert [o.completed for o in outcomes] == [False, False, True]
    assert state["scanned"] == ["cp-c", "cp-a", "cp-b"]


def test_scan_emits_an_event() -> None:
    """Each accepted scan is announced with the checkpoint and the player."""
    _, (outcome,) = scans(UNORDERED, "cp-b")
    assert outcome.events == [{"type": "checkpoint.scanned", "checkpoint": "cp-b", "by": "ana"}]


def test_ordered_refuses_a_checkpoint_out_of_order() -> None:
    """In an ordered hunt, scanning ahead is a wrong order and is not recorded."""
    state, (outcome,) = scans(ORDERED, "cp-b")
    assert code(outcome) == "wrong_order" and outcome.wrong
    assert state["scanned"] == []


def test_ordered_completes_in_order() -> None:
    """The given order completes the hunt."""
    _, outcomes = scans(ORDERED, "cp-a", "cp-b", "cp-c")
    assert [code(o) for o in outcomes] == [None, None, None]
    assert outcomes[-1].completed


def test_ordered_accepts_next_after_a_refusal() -> None:
    """A wrong-order scan does not block the right one afterwards."""
    _, outcomes = scans(ORDERED, "cp-a", "cp-c", "cp-b", "cp-c")
    assert [code(o) for o in outcomes] == [None, "wrong_order", None, None]
    assert outcomes[-1].completed


def test_repeated_scan_is_refused_without_penalty() -> None:
    """Scanning the same checkpoint twice is refused but not wrong."""
    state, outcomes = scans(UNORDERED, "cp-a", "cp-a")
    assert code(outcomes[1]) == "already_scanned"
    assert not outcomes[1].wrong and not outcomes[1].completed
    assert state["scanned"] == ["cp-a"]


@pytest.mark.parametrize("scanned", ["cp-z", "CP-A", "", None, 3])
def test_checkpoint_of_another_mission_is_wrong(scanned: object) -> None:
    """A checkpoint that is not part of this mission is wrong and not recorded."""
    state, (outcome,) = scans(UNORDERED, scanned)
    assert code(outcome) == "wrong_checkpoint" and outcome.wrong
    assert state["scanned"] == []


def test_view_hides_placement_and_reveals_message_after_scan() -> None:
    """Players see labels and clues; the message only once scanned; never the placement."""
    mt = mission("qr-checkpoint")
    params = mt.parse(UNORDERED)
    state, _ = scans(UNORDERED, "cp-b")
    view = mt.view(params, state, "ana", ctx())
    assert view["ordered"] is False
    assert view["checkpoints"][0] == {
        "id": "cp-a",
        "label": "Balise cp-a",
        "clue": "Indice cp-a",
        "scanned": False,
        "message": None,
        "by": None,
    }
    assert view["checkpoints"][1]["scanned"] is True
    assert view["checkpoints"][1]["message"] == "Bravo cp-b"
    assert "Placement" not in str(view)


def test_check_reports_duplicate_checkpoint_in_mission() -> None:
    """Two checkpoints with the same id in one mission."""
    mt = mission("qr-checkpoint")
    params = mt.parse({"checkpoints": [checkpoint("cp-a"), checkpoint("cp-a")]})
    assert mt.check(params) == [Issue(("checkpoints", 1, "id"), "balise en double : 'cp-a'")]


def test_references_list_checkpoint_ids() -> None:
    """Checkpoint ids are given to the validator for scenario-wide uniqueness."""
    mt = mission("qr-checkpoint")
    refs = mt.references(mt.parse(UNORDERED))
    assert refs.checkpoints == tuple(
        (("checkpoints", i, "id"), c) for i, c in enumerate(("cp-a", "cp-b", "cp-c"))
    )


def test_a_checkpoint_image_is_a_reference_the_validator_checks() -> None:
    """The place's picture is named in the view and listed among the mission's references."""
    kind = mission("qr-checkpoint")
    params = kind.parse(
        {
            "checkpoints": [
                {"id": "cp-a", "label": "A", "clue": "c", "placement": "p", "image": "fontaine"},
                {"id": "cp-b", "label": "B", "clue": "c", "placement": "p"},
            ]
        }
    )
    assert kind.references(params).images == ((("checkpoints", 0, "image"), "fontaine"),)
    view = kind.view(params, {"scanned": []}, "ana", ctx())
    assert [cp.get("image") for cp in view["checkpoints"]] == ["fontaine", None]
