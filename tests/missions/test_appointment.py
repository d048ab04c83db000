"""Appointment: each present player books a real appointment (booking itself is a service)."""

from __future__ import annotations

from tests.missions.mission_samples import act, ctx, mission, run

RAW = {"instructions": "Réservez votre rendez-vous.", "bring": ["Pièce d'identité", "CV"]}
TEAM = ("ana", "bilal")


def test_completes_once_every_present_player_booked() -> None:
    """The mission is done when the last present player has booked."""
    _, state, outcomes = run(
        "appointment", RAW, [act("booked", "ana"), act("booked", "bilal")], ctx(present=TEAM)
    )
    assert [o.completed for o in outcomes] == [False, True]
    assert state["booked"] == ["ana", "bilal"]


def test_one_booking_is_not_enough_for_the_team() -> None:
    """A single booking leaves the other present players to book."""
    _, _, (outcome,) = run("appointment", RAW, [act("booked", "ana")], ctx(present=TEAM))
    assert not outcome.completed and outcome.error is None


def test_absent_players_are_not_waited_for() -> None:
    """Only present players are required."""
    _, _, (outcome,) = run("appointment", RAW, [act("booked", "ana")], ctx(present=("ana",)))
    assert outcome.completed


def test_booking_twice_is_recorded_once() -> None:
    """A repeated booking signal does not duplicate the player."""
    _, state, _ = run(
        "appointment", RAW, [act("booked", "ana"), act("booked", "ana")], ctx(present=TEAM)
    )
    assert state["booked"] == ["ana"]


def test_view_shows_instructions_and_own_booking() -> None:
    """Each player sees the instructions, what to bring, and whether they booked."""
    mt = mission("appointment")
    params, state, _ = run("appointment", RAW, [act("booked", "ana")], ctx(present=TEAM))
    assert mt.view(params, state, "ana", ctx(present=TEAM)) == {
        "instructions": "Réservez votre rendez-vous.",
        "bring": ["Pièce d'identité", "CV"],
        "booked": True,
        "booked_count": 1,
    }
    assert mt.view(params, state, "bilal", ctx(present=TEAM))["booked"] is False


def test_bring_defaults_to_empty() -> None:
    """`bring` is optional."""
    assert mission("appointment").parse({"instructions": "Go"}).bring == []
