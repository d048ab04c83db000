"""Playing the real "Tempo 2050" content through the engine alone, with the content's answers."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from tempo.engine.team import DONE, LOCKED, Game
from tempo.scenarios.schema import Mission
from tests.engine.kit import PLAYERS, play_all, real_content, real_game, team


def day_missions(game: Game, *days: int) -> list[Mission]:
    """The missions of these days, in content order."""
    return [m for d in game.scenario.days if d.day in days for m in d.missions]


def test_day_one_every_mission_is_done() -> None:
    """Playing day 1 with the content's answers completes every day-1 mission."""
    game = real_game()
    state = play_all(game, team(game, 1))
    statuses = game.statuses(state)
    assert all(statuses[m.id] == DONE for m in day_missions(game, 1))


def test_day_one_leaves_later_days_locked() -> None:
    """Day 1's play-through touches no mission of a closed day."""
    game = real_game()
    state = play_all(game, team(game, 1))
    later = day_missions(game, *range(2, 11))
    assert all(game.status(state, m.id) == LOCKED for m in later)
    assert set(state.missions) == {m.id for m in day_missions(game, 1)}


def test_day_one_shards_are_the_sum_of_its_rewards() -> None:
    """After day 1 the team holds exactly the day's rewards, taken from the AI."""
    game = real_game()
    state = play_all(game, team(game, 1))
    total = sum(m.reward for m in day_missions(game, 1))
    assert state.shards == game.scenario.meta.starting_shards + total
    assert state.ai_strength == game.scenario.meta.ai.strength - total


def test_day_one_offers_are_the_union_of_its_unlocks() -> None:
    """After day 1 the team's offers are exactly what day-1 missions unlock, each once."""
    game = real_game()
    state = play_all(game, team(game, 1))
    expected = {o for m in day_missions(game, 1) for o in m.unlocks}
    assert set(state.offers) == expected
    assert len(state.offers) == len(expected)


def test_day_one_events_announce_each_completion_and_offer_once() -> None:
    """Day 1's events: one `mission.completed` per mission, one `offer.unlocked` per offer."""
    game = real_game()
    log: list[dict[str, Any]] = []
    state = play_all(game, team(game, 1), log=log)
    completed = [e["mission"] for e in log if e["type"] == "mission.completed"]
    unlocked = [e["offer"] for e in log if e["type"] == "offer.unlocked"]
    assert sorted(completed) == sorted(m.id for m in day_missions(game, 1))
    assert unlocked == list(state.offers)


def test_day_one_newly_available_missions_were_locked_before() -> None:
    """Every mission announced available on day 1 is a day-1 mission with requirements."""
    game = real_game()
    log: list[dict[str, Any]] = []
    play_all(game, team(game, 1), log=log)
    announced = [m for e in log if e["type"] == "mission.available" for m in e["missions"]]
    with_requirements = [m.id for m in day_missions(game, 1) if m.requires]
    assert sorted(announced) == sorted(with_requirements)


def test_content_rewards_can_defeat_the_ai() -> None:
    """Tempo 2050's rewards add up to at least KRONOS's strength."""
    game = real_game()
    total = sum(m.reward for m in game.missions.values())
    assert total >= game.scenario.meta.ai.strength, (total, game.scenario.meta.ai.strength)


def test_all_days_every_mission_is_done() -> None:
    """With all ten days open, every mission of Tempo 2050 can be completed."""
    game = real_game()
    state = play_all(game, team(game, *range(1, 11)))
    assert set(game.statuses(state).values()) == {DONE}


def test_all_days_unlock_all_offers() -> None:
    """Completing all ten days unlocks all 25 offers of the content, each once."""
    game = real_game()
    state = play_all(game, team(game, *range(1, 11)))
    all_offers = {o.id for o in real_content().offers}
    assert len(all_offers) == 25
    assert set(state.offers) == all_offers
    assert len(state.offers) == 25


def test_all_days_defeat_kronos() -> None:
    """Completing all ten days brings KRONOS's strength to 0 and the team every reward."""
    game = real_game()
    state = play_all(game, team(game, *range(1, 11)))
    assert game.scenario.meta.ai.name == "KRONOS"
    assert state.ai_strength == 0
    start = game.scenario.meta.starting_shards
    assert state.shards == start + sum(m.reward for m in game.missions.values())


def test_days_opened_one_by_one_reach_the_same_end() -> None:
    """Opening the days one after another, as a cohort lives them, also completes everything."""
    game = real_game()
    state = team(game)
    for day in range(1, 11):
        state = replace(state, open_days=state.open_days | {day})
        state = play_all(game, state, PLAYERS)
        assert all(game.status(state, m.id) == DONE for m in day_missions(game, day)), day
    assert state.ai_strength == 0
    assert len(state.offers) == 25


def test_play_through_with_fewer_players_present() -> None:
    """A team with two players present can also finish every mission."""
    game = real_game()
    state = play_all(game, team(game, *range(1, 11)), present=("ana", "bilal"))
    assert set(game.statuses(state).values()) == {DONE}


def test_dialogue_flags_carry_over_between_days() -> None:
    """Flags set by day-1 dialogues are still the team's once later days are played."""
    game = real_game()
    day_one = play_all(game, team(game, 1))
    assert day_one.flags
    everything = play_all(game, replace(day_one, open_days=frozenset(range(1, 11))))
    assert all(everything.flags.get(f) for f in day_one.flags)
