"""Proof: the team submits a photo or a text, a counsellor accepts or refuses it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.missions.mission_samples import act, ctx, mission, run

SUBMIT_TEXT = act("submit", text="Voici notre badge.")
SUBMIT_PHOTO = act("submit", photo="0123456789abcdef0123456789abcdef.jpg")
ACCEPT = act("review", player="conseiller", accepted=True, comment="Bravo !")
REFUSE = act("review", player="conseiller", accepted=False, comment="Photo floue.")


def raw(kind: str = "photo-or-text") -> dict[str, Any]:
    """Params for a proof of this kind."""
    return {"kind": kind, "instructions": "Prenez en photo votre badge."}


def code(outcome: Any) -> str | None:
    """The outcome's error code, if any."""
    return outcome.error.code if outcome.error else None


def test_submit_then_accept_completes() -> None:
    """Submitting puts the proof pending; acceptance completes the mission."""
    _, state, (sent, reviewed) = run("proof", raw(), [SUBMIT_TEXT, ACCEPT])
    assert not sent.completed and sent.events == [{"type": "proof.submitted", "by": "ana"}]
    assert reviewed.completed and reviewed.events == [{"type": "proof.reviewed", "accepted": True}]
    assert state["status"] == "accepted" and state["comment"] == "Bravo !"
    assert state["submission"] == {"by": "ana", "text": "Voici notre badge.", "photo": None}


def test_refusal_lets_the_team_submit_again() -> None:
    """A refused proof can be sent again and then accepted."""
    _, state, outcomes = run("proof", raw(), [SUBMIT_TEXT, REFUSE, SUBMIT_PHOTO, ACCEPT])
    assert [o.completed for o in outcomes] == [False, False, False, True]
    assert [code(o) for o in outcomes] == [None, None, None, None]
    assert state["submission"]["photo"] == "0123456789abcdef0123456789abcdef.jpg"


def test_refusal_keeps_the_comment_for_players() -> None:
    """The counsellor's comment is shown with the refused status."""
    mt = mission("proof")
    params, state, _ = run("proof", raw(), [SUBMIT_TEXT, REFUSE])
    assert mt.view(params, state, "ana", ctx()) == {
        "kind": "photo-or-text",
        "instructions": "Prenez en photo votre badge.",
        "status": "refused",
        "comment": "Photo floue.",
    }


def test_second_submit_while_pending_is_refused() -> None:
    """One proof waits for review at a time."""
    _, state, outcomes = run("proof", raw(), [SUBMIT_TEXT, SUBMIT_PHOTO])
    assert code(outcomes[1]) == "already_submitted"
    assert state["submission"]["text"] == "Voici notre badge."


def test_submit_after_acceptance_is_refused() -> None:
    """An accepted proof stays accepted: a new submission cannot reopen it."""
    _, state, outcomes = run("proof", raw(), [SUBMIT_TEXT, ACCEPT, SUBMIT_PHOTO])
    assert code(outcomes[2]) == "already_accepted"
    assert state["status"] == "accepted"


def test_review_without_pending_proof_is_refused() -> None:
    """Nothing to review before a submission, nor twice."""
    _, _, (outcome,) = run("proof", raw(), [ACCEPT])
    assert code(outcome) == "nothing_to_review" and not outcome.completed
    _, _, outcomes = run("proof", raw(), [SUBMIT_TEXT, ACCEPT, ACCEPT])
    assert code(outcomes[2]) == "nothing_to_review" and not outcomes[2].completed


@pytest.mark.parametrize("accepted", [1, "true", "oui", None])
def test_only_true_accepts(accepted: object) -> None:
    """Only the boolean true accepts a proof; anything else is a refusal."""
    _, state, outcomes = run(
        "proof", raw(), [SUBMIT_TEXT, act("review", player="conseiller", accepted=accepted)]
    )
    assert not outcomes[1].completed
    assert state["status"] == "refused"


@pytest.mark.parametrize(
    ("kind", "action", "accepted"),
    [
        ("photo", SUBMIT_PHOTO, True),
        ("photo", SUBMIT_TEXT, False),
        ("text", SUBMIT_TEXT, True),
        ("text", SUBMIT_PHOTO, False),
        ("photo-or-text", SUBMIT_PHOTO, True),
        ("photo-or-text", SUBMIT_TEXT, True),
        ("photo-or-text", act("submit", text="   ", photo=""), False),
    ],
)
def test_kind_decides_what_may_be_sent(kind: str, action: Any, accepted: bool) -> None:
    """Photo, text, or either: a submission missing what the kind needs is refused."""
    _, state, (outcome,) = run("proof", raw(kind), [action])
    assert (outcome.error is None) is accepted
    assert state["status"] == ("pending" if accepted else "waiting")
    if not accepted:
        assert code(outcome) == "missing_proof"


def test_default_kind_is_photo_or_text() -> None:
    """Without `kind`, either a photo or a text is accepted."""
    params = mission("proof").parse({"instructions": "Envoyez une preuve."})
    assert params.kind == "photo-or-text"


def test_unknown_kind_is_refused_by_schema() -> None:
    """Only photo, text and photo-or-text exist."""
    with pytest.raises(ValueError):
        mission("proof").parse(raw("video"))
