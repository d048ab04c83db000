"""QR checkpoint: an urban mission where the team scans codes placed somewhere in the city.

Token signing and checking belong to the service layer; the plugin receives the checkpoint id of
a token the service has already verified for the team's cohort.
"""

from __future__ import annotations

from pydantic import Field

from tempo.missions.base import (
    JSON,
    Action,
    Issue,
    MissionContext,
    MissionError,
    MissionType,
    Outcome,
    Params,
    References,
    unknown_action,
)

SLUG = r"^[a-z0-9][a-z0-9-]*$"


class Checkpoint(Params):
    """A place to find: what players read, and where the counsellor sticks the code."""

    id: str = Field(pattern=SLUG)
    label: str = Field(min_length=1)
    clue: str = Field(min_length=1)
    placement: str = Field(min_length=1)
    message: str | None = None
    #: A picture of the place (an image of the library, by name): on the phone and the poster.
    image: str | None = Field(
        default=None,
        pattern=SLUG,
        max_length=64,
        description="Photo du lieu : nom d'une image de la bibliothèque",
        json_schema_extra={"x-ref": "media"},
    )


class QrCheckpointParams(Params):
    """One or more checkpoints, to scan in any order or in the given order."""

    checkpoints: list[Checkpoint] = Field(min_length=1)
    ordered: bool = False


class QrCheckpoint(MissionType[QrCheckpointParams]):
    """Urban QR checkpoint hunt."""

    key = "qr-checkpoint"
    label = "Balise QR"
    params_model = QrCheckpointParams
    actions = frozenset({"scan"})
    guesses = frozenset({"scan"})
    # Sent by the service once it has verified the scanned token for the team's cohort.
    server_actions = frozenset({"scan"})
    markdown = ("checkpoints[].clue", "checkpoints[].message")

    def check(self, params: QrCheckpointParams) -> list[Issue]:
        """Checkpoint ids are unique inside the mission."""
        seen: list[str] = []
        issues = []
        for i, cp in enumerate(params.checkpoints):
            if cp.id in seen:
                issues.append(Issue(("checkpoints", i, "id"), f"balise en double : {cp.id!r}"))
            seen.append(cp.id)
        return issues

    def references(self, params: QrCheckpointParams) -> References:
        """Checkpoint ids, which must be unique across the whole scenario."""
        return References(
            checkpoints=tuple(
                (("checkpoints", i, "id"), cp.id) for i, cp in enumerate(params.checkpoints)
            ),
            images=tuple(
                (("checkpoints", i, "image"), cp.image)
                for i, cp in enumerate(params.checkpoints)
                if cp.image
            ),
        )

    def initial_state(self, params: QrCheckpointParams) -> JSON:
        """Nothing scanned."""
        return {"scanned": []}

    def handle(
        self, params: QrCheckpointParams, state: JSON, action: Action, ctx: MissionContext
    ) -> Outcome:
        """Record a verified scan of `checkpoint`; done when every checkpoint is scanned."""
        if action.kind != "scan":
            return Outcome(state=dict(state), error=unknown_action(action))
        ids = [cp.id for cp in params.checkpoints]
        checkpoint = action.data.get("checkpoint")
        scanned = list(state.get("scanned", []))
        if checkpoint not in ids:
            return Outcome(
                state=dict(state),
                wrong=True,
                error=MissionError(
                    "wrong_checkpoint", "Ce code QR n'appartient pas à cette mission."
                ),
            )
        if checkpoint in scanned:
            return Outcome(
                state=dict(state),
                error=MissionError("already_scanned", "Votre équipe a déjà scanné cette balise."),
            )
        if params.ordered and ids[len(scanned)] != checkpoint:
            return Outcome(
                state=dict(state),
                wrong=True,
                error=MissionError(
                    "wrong_order", "Pas encore ! Trouvez d'abord la balise précédente du parcours."
                ),
            )
        scanned.append(checkpoint)
        done = len(scanned) == len(ids)
        # Who validated each checkpoint: a teammate scanning it again is told who did.
        by = {**state.get("by", {}), checkpoint: action.player}
        return Outcome(
            state={**state, "scanned": scanned, "by": by},
            completed=done,
            events=[{"type": "checkpoint.scanned", "checkpoint": checkpoint, "by": action.player}],
        )

    def view(
        self, params: QrCheckpointParams, state: JSON, player: str, ctx: MissionContext
    ) -> JSON:
        """Clues for players; never the placement notes (they give the place away)."""
        scanned = set(state.get("scanned", []))
        by = state.get("by", {})
        return {
            "ordered": params.ordered,
            "checkpoints": [
                {
                    "id": cp.id,
                    "label": cp.label,
                    "clue": cp.clue,
                    "scanned": cp.id in scanned,
                    "message": cp.message if cp.id in scanned else None,
                    "by": by.get(cp.id) if cp.id in scanned else None,
                    # The place's picture (a name of the scenario's images), when it has one.
                    **({"image": cp.image} if cp.image else {}),
                }
                for cp in params.checkpoints
            ],
        }


qr_checkpoint = QrCheckpoint()
