"""Mission statuses, derived from open days, requirements and the team's records."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tempo.engine.team import (
    AVAILABLE,
    DONE,
    IN_PROGRESS,
    LOCKED,
    Game,
    MissionRecord,
    TeamState,
)
from tempo.scenarios.schema import Offer
from tests.engine.kit import OFFERS, enigma_params, mission, scenario, small_game, team


def with_records(state: TeamState, **statuses: str) -> TeamState:
    """`state` with a record of each given status (mission ids use _ for -)."""
    records = {k.replace("_", "-"): MissionRecord(status=v) for k, v in statuses.items()}
    return replace(state, missions={**state.missions, **records})


def test_mission_of_a_closed_day_is_locked() -> None:
    """A mission without requirements is locked while its day is not open."""
    game = small_game()
    assert game.status(team(game, 1), "d2-indices") == LOCKED


def test_mission_of_a_closed_day_stays_locked_with_requirements_done() -> None:
    """Requirements done do not open a mission whose day is closed."""
    game = small_game()
    state = with_records(team(game, 1), d1_enigme=DONE)
    assert game.status(state, "d2-tardif") == LOCKED


def test_mission_of_an_open_day_without_requirements_is_available() -> None:
    """An open day's mission with no requirement is available to a new team."""
    game = small_game()
    assert game.status(team(game, 1), "d1-enigme") == AVAILABLE


def test_mission_with_requirements_done_is_available() -> None:
    """Once every requirement is done, an open day's mission is available."""
    game = small_game()
    state = with_records(team(game, 1), d1_enigme=DONE, d1_dialogue=DONE, d1_quiz=DONE)
    assert game.status(state, "d1-cadenas") == AVAILABLE


def test_mission_with_a_requirement_not_done_is_locked() -> None:
    """One requirement still missing keeps the mission locked."""
    game = small_game()
    state = with_records(team(game, 1), d1_enigme=DONE, d1_dialogue=DONE)
    assert game.status(state, "d1-cadenas") == LOCKED


def test_requirement_in_progress_does_not_count_as_done() -> None:
    """A requirement merely in progress keeps the mission locked."""
    game = small_game()
    state = with_records(team(game, 1), d1_enigme=IN_PROGRESS)
    assert game.status(state, "d1-quiz") == LOCKED


def test_requirement_on_another_open_day_counts() -> None:
    """A requirement from an earlier day, once done, opens a mission of a later open day."""
    game = small_game()
    state = with_records(team(game, 1, 2), d1_enigme=DONE)
    assert game.status(state, "d2-tardif") == AVAILABLE


@pytest.mark.parametrize("recorded", [IN_PROGRESS, DONE])
def test_in_progress_or_done_record_wins_over_a_closed_day(recorded: str) -> None:
    """An in-progress or done record is reported even if the day is closed again."""
    game = small_game()
    state = with_records(team(game), d2_indices=recorded)
    assert game.status(state, "d2-indices") == recorded


@pytest.mark.parametrize("recorded", [IN_PROGRESS, DONE])
def test_in_progress_or_done_record_wins_over_missing_requirements(recorded: str) -> None:
    """An in-progress or done record is reported even with requirements not done."""
    game = small_game()
    state = with_records(team(game, 1), d1_cadenas=recorded)
    assert game.status(state, "d1-cadenas") == recorded


def test_stored_available_record_is_still_derived() -> None:
    """A record saying `available` does not override a closed day."""
    game = small_game()
    state = with_records(team(game), d1_enigme=AVAILABLE)
    assert game.status(state, "d1-enigme") == LOCKED


def test_statuses_cover_every_mission() -> None:
    """`statuses` gives each mission of the scenario its status."""
    game = small_game()
    assert game.statuses(team(game, 1)) == {
        "d1-enigme": AVAILABLE,
        "d1-dialogue": LOCKED,
        "d1-quiz": LOCKED,
        "d1-cadenas": LOCKED,
        "d2-suite": LOCKED,
        "d2-indices": LOCKED,
        "d2-preuve": LOCKED,
        "d2-tardif": LOCKED,
        "d3-rdv": LOCKED,
        "d3-bilan": LOCKED,
        "d3-balises": LOCKED,
    }


def test_initial_team_starts_empty_with_the_ai_at_full_strength() -> None:
    """A new team has no shards, flags, records or offers, and the scenario's AI strength."""
    game = small_game(strength=42)
    state = game.initial_team(version=3, open_days=frozenset({1}))
    assert state == TeamState(
        version=3,
        shards=0,
        ai_strength=42,
        flags={},
        missions={},
        offers=(),
        open_days=frozenset({1}),
    )


def test_game_indexes_missions_by_day() -> None:
    """The game knows each mission's day and parses its parameters once."""
    game = small_game()
    assert game.day_of["d1-enigme"] == 1
    assert game.day_of["d3-balises"] == 3
    assert set(game.params) == set(game.missions)


def test_game_refuses_an_unknown_mission_type() -> None:
    """Frozen content with an unregistered mission type cannot be played."""
    bad = scenario({1: [mission("d1-x", "hologram", {})]})
    with pytest.raises(ValueError, match="hologram"):
        Game(bad, OFFERS)


def test_from_frozen_rebuilds_the_same_game() -> None:
    """A game rebuilt from frozen JSON content behaves like the original."""
    game = small_game()
    frozen = {
        "scenario": game.scenario.model_dump(mode="json"),
        "offers": [o.model_dump(mode="json") for o in game.offers.values()],
    }
    rebuilt = Game.from_frozen(frozen)
    assert rebuilt.scenario == game.scenario
    assert rebuilt.offers == game.offers
    assert rebuilt.statuses(team(rebuilt, 1, 2)) == game.statuses(team(game, 1, 2))


def test_from_frozen_offers_are_indexed_by_id() -> None:
    """Frozen offers come back as models indexed by their id."""
    offer = OFFERS[0].model_dump(mode="json")
    frozen = {
        "scenario": scenario({1: [mission("d1-e", "enigma", enigma_params())]}).model_dump(
            mode="json"
        ),
        "offers": [offer],
    }
    assert Game.from_frozen(frozen).offers == {"cej": Offer.model_validate(offer)}
