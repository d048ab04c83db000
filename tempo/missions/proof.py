"""Proof: a photo or a statement sent by the team for the counsellor to validate."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field

from tempo.missions.base import (
    JSON,
    Action,
    ConsoleSummary,
    MissionContext,
    MissionError,
    MissionType,
    Outcome,
    Params,
    unknown_action,
)

# The same limits for every way a proof comes in (the photo form, a text over the socket).
MAX_TEXT = 2000
# A stored photo's name, as the server gives it (tempo/services/play/proofs.py).
PHOTO_NAME = re.compile(r"[0-9a-f]{32}\.jpg")


class ProofParams(Params):
    """What to send and the instructions to follow."""

    kind: Literal["photo", "text", "photo-or-text"] = "photo-or-text"
    instructions: str = Field(min_length=1)


class Proof(MissionType[ProofParams]):
    """Counsellor-validated proof. Image processing and storage happen in the service layer."""

    key = "proof"
    label = "Preuve"
    params_model = ProofParams
    actions = frozenset({"submit", "review"})
    # The counsellor reviews from the dashboard.
    server_actions = frozenset({"review"})
    # The photo's name comes from the upload route, once the image is stored.
    server_fields = frozenset({"photo"})
    markdown = ("instructions",)

    def initial_state(self, params: ProofParams) -> JSON:
        """Nothing sent."""
        return {"status": "waiting", "submission": None, "comment": None}

    def handle(
        self, params: ProofParams, state: JSON, action: Action, ctx: MissionContext
    ) -> Outcome:
        """`submit` (player: text and/or stored photo reference) or `review` (counsellor)."""
        status = state.get("status", "waiting")
        if action.kind == "submit":
            if status == "pending":
                return Outcome(
                    state=dict(state),
                    error=MissionError(
                        "already_submitted", "Votre preuve attend déjà la validation du conseiller."
                    ),
                )
            if status == "accepted":
                return Outcome(
                    state=dict(state),
                    error=MissionError("already_accepted", "Votre preuve a déjà été validée."),
                )
            text = action.data.get("text")
            photo = action.data.get("photo")
            has_text = isinstance(text, str) and bool(text.strip())
            has_photo = isinstance(photo, str) and bool(photo)
            invalid = _invalid(text, photo)
            if invalid is not None:
                return Outcome(state=dict(state), error=invalid)
            allowed = {
                "photo": has_photo,
                "text": has_text,
                "photo-or-text": has_photo or has_text,
            }[params.kind]
            if not allowed:
                return Outcome(state=dict(state), error=_missing(params.kind))
            kept = text.strip() if isinstance(text, str) and has_text else None
            submission = {"by": action.player, "text": kept}
            submission["photo"] = photo if has_photo else None
            return Outcome(
                state={"status": "pending", "submission": submission, "comment": None},
                events=[{"type": "proof.submitted", "by": action.player}],
            )
        if action.kind == "review":
            if status != "pending":
                return Outcome(
                    state=dict(state),
                    error=MissionError(
                        "nothing_to_review", "Aucune preuve n'attend de validation."
                    ),
                )
            accepted = action.data.get("accepted") is True
            comment = action.data.get("comment")
            new = {
                **state,
                "status": "accepted" if accepted else "refused",
                "comment": comment if isinstance(comment, str) else None,
            }
            return Outcome(
                state=new,
                completed=accepted,
                events=[{"type": "proof.reviewed", "accepted": accepted}],
            )
        return Outcome(state=dict(state), error=unknown_action(action))

    def view(self, params: ProofParams, state: JSON, player: str, ctx: MissionContext) -> JSON:
        """Instructions and the review status."""
        return {
            "kind": params.kind,
            "instructions": params.instructions,
            "status": state.get("status", "waiting"),
            "comment": state.get("comment"),
        }

    def console_summary(self, params: ProofParams, state: JSON) -> ConsoleSummary:
        """A proof waiting for review, with what the team sent."""
        if state.get("status") != "pending":
            return ConsoleSummary()
        submission = state.get("submission") or {}
        return ConsoleSummary(
            pending=True, photo=submission.get("photo"), text=submission.get("text")
        )


def _invalid(text: object, photo: object) -> MissionError | None:
    """What is wrong with a submission's fields, whichever way it came."""
    if text is not None and not isinstance(text, str):
        return MissionError("invalid_proof", "Ce texte est illisible.")
    if isinstance(text, str) and len(text.strip()) > MAX_TEXT:
        return MissionError(
            "proof_too_long",
            f"Ton texte est trop long ({len(text.strip())} caractères, {MAX_TEXT} au plus) : "
            "raccourcis-le.",
        )
    if photo not in (None, "") and not (isinstance(photo, str) and PHOTO_NAME.fullmatch(photo)):
        return MissionError("invalid_photo", "Cette photo n'a pas été envoyée par Tempo.")
    return None


def _missing(kind: str) -> MissionError:
    message = {
        "photo": "Ajoute une photo avant d'envoyer.",
        "text": "Écris ton texte avant d'envoyer.",
        "photo-or-text": "Ajoute une photo ou écris un texte avant d'envoyer.",
    }[kind]
    return MissionError("missing_proof", message)


proof = Proof()
