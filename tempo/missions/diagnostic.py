"""Diagnostic: players complete the self-diagnostic (the flow itself is a service)."""

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
    """Self-diagnostic mission: done when a player of the team has completed it."""

    key = "diagnostic"
    label = "Auto-diagnostic"
    params_model = DiagnosticParams
    actions = frozenset({"completed"})

    def initial_state(self, params: DiagnosticParams) -> JSON:
        """Nobody has completed it."""
        return {"completed_by": []}

    def handle(
        self, params: DiagnosticParams, state: JSON, action: Action, ctx: MissionContext
    ) -> Outcome:
        """Record a player's completed diagnostic."""
        if action.kind != "completed":
            return Outcome(state=dict(state), error=unknown_action(action))
        done = list(state.get("completed_by", []))
        if action.player not in done:
            done.append(action.player)
        return Outcome(state={**state, "completed_by": done}, completed=True)

    def view(self, params: DiagnosticParams, state: JSON, player: str, ctx: MissionContext) -> JSON:
        """Instructions and this player's completion."""
        return {
            "instructions": params.instructions,
            "moment": params.moment,
            "completed": player in state.get("completed_by", []),
        }


diagnostic = Diagnostic()
