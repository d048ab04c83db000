"""Split-clue: fragments dealt over present players; the team's combined answer."""

from __future__ import annotations

import pytest

from tempo.missions.split_clue import SplitClueParams, fragments_for
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
