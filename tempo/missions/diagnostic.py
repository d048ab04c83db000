"""Diagnostic: each player completes the self-diagnostic (the flow itself is a service).

The questions, answers and scores live in the service layer (they belong to the player, not to
the team); the plugin records which players of the team have completed it and completes once
every present player has, like the appointment mission: each young person leaves the adventure
with a diagnostic of their own to prepare their appointment.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from tempo.missions.base import (
    JSON,
    Action,
    MissionContext,
    MissionType,
    Outcome,
    Params,
    unknown_action,
)


class DiagnosticParams(Params):
    """When in the adventure it is taken, and what players are told."""

    instructions: str = Field(min_length=1)
    moment: Literal["start", "closing"] = "closing"


class Diagnostic(MissionType[DiagnosticParams]):
    """Self-diagnostic mission: done once every present player of the team has completed it."""

    key = "diagnostic"
    label = "Auto-diagnostic"
    params_model = DiagnosticParams
    actions = frozenset({"completed"})
    # Sent by the diagnostic service when the player finishes their run.
    server_actions = frozenset({"completed"})
    view_per_player = True  # `completed` is this player's own
    markdown = ("instructions",)

    def initial_state(self, params: DiagnosticParams) -> JSON:
        """Nobody has completed it."""
        return {"completed_by": []}

    def handle(
        self, params: DiagnosticParams, state: JSON, action: Action, ctx: MissionContext
    ) -> Outcome:
        """Record that the service saw `action.player` finish; done once all present have."""
        if action.kind != "completed":
            return Outcome(state=dict(state), error=unknown_action(action))
        done = list(state.get("completed_by", []))
        if action.player not in done:
            done.append(action.player)
        complete = all(p in done for p in ctx.present_players)
        return Outcome(state={**state, "completed_by": done}, completed=complete)

    def view(self, params: DiagnosticParams, state: JSON, player: str, ctx: MissionContext) -> JSON:
        """Instructions, this player's completion and how many teammates completed it."""
        done = state.get("completed_by", [])
        return {
            "instructions": params.instructions,
            "moment": params.moment,
            "completed": player in done,
            "completed_count": len(done),
        }


diagnostic = Diagnostic()
