"""Appointment: each player books a real appointment with a counsellor.

Slots and bookings live in the service layer (they are shared across teams); the plugin records
which players of the team have booked and completes once every present player has: each young
person leaves the mission with an appointment of their own.
"""

from __future__ import annotations

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


class AppointmentParams(Params):
    """What the mission tells players, and what to bring to the appointment."""

    instructions: str = Field(min_length=1)
    bring: list[str] = Field(default_factory=list)


class Appointment(MissionType[AppointmentParams]):
    """Counsellor appointment booking."""

    key = "appointment"
    label = "Rendez-vous"
    params_model = AppointmentParams
    actions = frozenset({"booked"})
    # Sent by the booking service once the slot is really taken.
    server_actions = frozenset({"booked"})
    markdown = ("instructions",)

    def initial_state(self, params: AppointmentParams) -> JSON:
        """Nobody booked yet."""
        return {"booked": []}

    def handle(
        self, params: AppointmentParams, state: JSON, action: Action, ctx: MissionContext
    ) -> Outcome:
        """Record that the service booked a slot for `action.player`; done once all present have."""
        if action.kind != "booked":
            return Outcome(state=dict(state), error=unknown_action(action))
        booked = list(state.get("booked", []))
        if action.player not in booked:
            booked.append(action.player)
        done = all(p in booked for p in ctx.present_players)
        return Outcome(state={**state, "booked": booked}, completed=done)

    def view(
        self, params: AppointmentParams, state: JSON, player: str, ctx: MissionContext
    ) -> JSON:
        """Instructions and whether this player has booked."""
        return {
            "instructions": params.instructions,
            "bring": list(params.bring),
            "booked": player in state.get("booked", []),
            "booked_count": len(state.get("booked", [])),
        }


appointment = Appointment()
