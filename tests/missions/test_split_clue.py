"""Split-clue: fragments dealt over present players; the team's combined answer."""

from __future__ import annotations

import json

import pytest

from tempo.missions.split_clue import SplitClueParams, deal, fragments_for, hands, held_by
from tests.missions.mission_samples import act, ctx, mission, run

FRAGMENTS = ["SOLI", "DA", "RI", "TÉ", "EN", "SEMBLE"]


def params(count: int) -> SplitClueParams:
    """Params with `count` fragments."""
    return SplitClueParams(question="Quel mot ?", fragments=FRAGMENTS[:count], answers=["x"])


def players(n: int) -> tuple[str, ...]:
    """n distinct player ids."""
    return tuple(f"p{i}" for i in range(n))


@pytest.mark.parametrize("team", range(1, 13))
@pytest.mark.parametrize("count", range(2, 7))
def test_every_fragment_is_held_by_a_present_player(team: int, count: int) -> None:
    """Whatever the team size (1..12) and fragment count (2..6), nothing is lost."""
    p = params(count)
    present = players(team)
    held = [i for player in present for i in fragments_for(p, present, player)]
    assert set(held) == set(range(count))
    assert all(fragments_for(p, present, player) for player in present)


@pytest.mark.parametrize("team", range(1, 13))
@pytest.mark.parametrize("count", range(2, 7))
def test_fragments_are_shared_evenly(team: int, count: int) -> None:
    """No one holds more than their share, and each fragment is held at most ceil(team/count)."""
    p = params(count)
    present = players(team)
    held = [i for player in present for i in fragments_for(p, present, player)]
    assert max(len(fragments_for(p, present, pl)) for pl in present) == -(-count // team)
    assert max(held.count(i) for i in range(count)) == -(-team // count)


def test_absent_player_gets_no_fragment() -> None:
    """A player who is not present holds nothing."""
    assert fragments_for(params(4), players(6), "absent") == []
    assert fragments_for(params(4), (), "p0") == []


def test_late_joiner_gets_a_fragment() -> None:
    """A player who joins after the deal still receives a fragment."""
    p = params(3)
    before = players(6)
    after = (*before, "late")
    assert fragments_for(p, before, "late") == []
    assert fragments_for(p, after, "late") == [6 % 3]


def test_late_joiner_in_small_team_keeps_everything_covered() -> None:
    """With fewer players than fragments, a join redeals and still covers every fragment."""
    p = params(5)
    present = (*players(2), "late")
    held = {i for pl in present for i in fragments_for(p, present, pl)}
    assert held == set(range(5))
    assert fragments_for(p, present, "late") == [2]


def test_single_player_holds_every_fragment() -> None:
    """Alone, a player sees the whole clue."""
    assert fragments_for(params(6), ("solo",), "solo") == list(range(6))


def test_view_shows_only_this_players_fragments() -> None:
    """The view lists the player's fragments (1-based) and the total, not the others'."""
    mt = mission("split-clue")
    p = params(4)
    context = ctx(present=players(2))
    view = mt.view(p, mt.initial_state(p), "p1", context)
    assert view["fragments"] == [{"index": 2, "text": "DA"}, {"index": 4, "text": "TÉ"}]
    assert view["fragment_count"] == 4
    assert "SOLI" not in str(view)
    assert mt.view(p, {}, "absent", context)["fragments"] == []


RAW = {"question": "Quel mot ?", "fragments": ["SOLI", "DARITÉ"], "answers": ["Solidarité"]}


def test_combined_answer_is_normalised() -> None:
    """The team's answer matches regardless of case and accents."""
    _, _, (outcome,) = run("split-clue", RAW, [act("answer", answer="  SOLIDARITE ")])
    assert outcome.completed and outcome.error is None


def test_wrong_combined_answer_counts_an_attempt() -> None:
    """A wrong answer is wrong and counted."""
    _, state, (outcome,) = run("split-clue", RAW, [act("answer", answer="soli")])
    assert outcome.wrong and outcome.error is not None and outcome.error.code == "wrong_answer"
    assert state["attempts"] == 1


@pytest.mark.parametrize("fragments", [["seul"], ["a", "b", "c", "d", "e", "f", "g"]])
def test_schema_allows_two_to_six_fragments(fragments: list[str]) -> None:
    """One fragment or seven are refused by the schema."""
    with pytest.raises(ValueError):
        mission("split-clue").parse({**RAW, "fragments": fragments})


# Stable dealing: `deal` takes the persisted state and the players present, returns the new state.


def test_a_departed_holders_fragments_go_to_the_teammate_with_fewest() -> None:
    """Only what the departed player held moves, one by one to whoever holds the fewest."""
    p = params(5)
    first = deal(p, {}, ("1", "2", "3"))
    assert hands(p, first, ("1", "2", "3")) == {"1": [0, 3], "2": [1, 4], "3": [2]}
    after = deal(p, first, ("1", "3"))
    # Fragment 2 goes to "3" (one fragment), then fragment 5 to "1" (a tie at two: lowest id).
    assert hands(p, after, ("1", "3")) == {"1": [0, 3, 4], "3": [1, 2]}
    assert after["dealt"]["2"] == [1, 4]  # still theirs, for when they come back


def test_ties_for_fewest_go_to_the_lowest_id() -> None:
    """Two teammates holding as few: the departed holder's fragment goes to the lowest id."""
    p = params(3)
    first = deal(p, {}, ("12", "9", "30"))
    assert hands(p, first, ("12", "9", "30")) == {"9": [0], "12": [1], "30": [2]}
    assert hands(p, first, ("12", "30")) == {"12": [0, 1], "30": [2]}


def test_present_holders_keep_their_fragments_through_departures_and_returns() -> None:
    """Whoever stays reads the same fragments, whoever else leaves or comes back."""
    p = params(4)
    everyone = ("1", "2", "3", "4", "5", "6")
    state = deal(p, {}, everyone)
    kept = {pl: held_by(p, state, everyone, pl) for pl in ("1", "2")}
    for present in [("1", "2", "4", "5", "6"), ("1", "2", "5"), ("1", "2", "3", "5"), ("1", "2")]:
        state = deal(p, state, present)
        for pl in ("1", "2"):
            assert set(kept[pl]) <= set(held_by(p, state, present, pl))
        assert {i for held in hands(p, state, present).values() for i in held} == set(range(4))


def test_a_returning_player_gets_their_fragments_back() -> None:
    """A reload (leave, then come back) gives everyone what they held before."""
    p = params(3)
    everyone = ("1", "2", "3")
    first = deal(p, {}, everyone)
    gone = deal(p, first, ("2", "3"))
    assert hands(p, gone, ("2", "3")) == {"2": [0, 1], "3": [2]}
    assert hands(p, deal(p, gone, everyone), everyone) == hands(p, first, everyone)


def test_a_newcomer_takes_one_from_the_richest_or_shares_a_copy() -> None:
    """A first-time player takes the last fragment of whoever was dealt two or more (they keep
    the rest); when everyone holds one, the newcomer gets a copy of the least shared one."""
    p = params(3)
    two = deal(p, {}, ("1", "2"))
    assert hands(p, two, ("1", "2")) == {"1": [0, 2], "2": [1]}
    three = deal(p, two, ("1", "2", "3"))
    assert hands(p, three, ("1", "2", "3")) == {"1": [0], "2": [1], "3": [2]}
    four = deal(p, three, ("1", "2", "3", "4"))
    assert hands(p, four, ("1", "2", "3", "4")) == {"1": [0], "2": [1], "3": [2], "4": [0]}


def test_phones_arriving_one_by_one_each_get_their_own_fragment() -> None:
    """The first phone holds all six; each next one takes one: six phones, six fragments."""
    p = params(6)
    state: dict[str, object] = {}
    for n in range(1, 7):
        state = deal(p, state, tuple(str(i) for i in range(1, n + 1)))
    held = hands(p, state, tuple(str(i) for i in range(1, 7)))
    assert sorted(i for fs in held.values() for i in fs) == list(range(6))
    assert all(len(fs) == 1 for fs in held.values())


def test_dealing_is_stable_through_json_and_a_restart() -> None:
    """Persisted as JSON and dealt again, nothing moves; after a restart phones come back one by
    one (in any order) and end up with the same fragments."""
    p = params(4)
    everyone = ("1", "2", "3", "4", "5")
    state = deal(p, deal(p, deal(p, {}, everyone), ("1", "3", "4", "5")), ("1", "3", "5"))
    stored = json.loads(json.dumps(state))
    assert deal(p, stored, ("1", "3", "5")) == stored
    for order in [("5", "1", "3"), ("3", "5", "1"), ("1", "3", "5")]:
        again = stored
        for n in range(1, len(order) + 1):
            again = deal(p, again, order[:n])
        assert hands(p, again, order) == hands(p, stored, order)


def test_nobody_present_moves_nothing() -> None:
    """With every phone gone the deal is kept for when they come back."""
    p = params(3)
    state = deal(p, {}, ("1", "2", "3"))
    assert deal(p, state, ()) == state


def test_regroup_is_what_the_view_shows() -> None:
    """The view deals from the persisted state: what `regroup` stores is what players read."""
    mt = mission("split-clue")
    p = params(3)
    state = mt.regroup(p, mt.initial_state(p), ctx(present=("1", "2", "3")))
    state = mt.regroup(p, state, ctx(present=("1", "3")))
    view = mt.view(p, state, "1", ctx(present=("1", "3")))
    assert [f["index"] for f in view["fragments"]] == [1, 2]
    assert [f["index"] for f in mt.view(p, state, "3", ctx(present=("1", "3")))["fragments"]] == [3]
    assert mt.regroup(p, state, ctx(present=("1", "3"))) == state
