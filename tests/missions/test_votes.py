"""Team votes in dialogues and quizzes: majority of the present, timeout, ties, stale votes."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from tempo.missions.base import MissionContext, Outcome
from tests.missions.mission_samples import NOW, act, ctx, mission
from tests.missions.test_dialogue import RAW as DIALOGUE

VOTE_DIALOGUE: dict[str, Any] = {**DIALOGUE, "decision": "vote"}
QUIZ: dict[str, Any] = {
    "decision": "vote",
    "questions": [
        {
            "prompt": "Un contrat se lit…",
            "choices": [{"text": "avant", "correct": True}, {"text": "après"}],
        },
    ],
}


def later(seconds: int, present: tuple[str, ...] = ("ana", "bilal", "chloe")) -> MissionContext:
    """The context `seconds` after NOW with these players present."""
    return replace(ctx(present), now=NOW + timedelta(seconds=seconds))


class Play:
    """One mission's state, carried from action to action."""

    def __init__(self, key: str, raw: dict[str, Any]) -> None:
        self.mt = mission(key)
        self.params = self.mt.parse(raw)
        self.state: dict[str, Any] = self.mt.initial_state(self.params)

    def do(
        self, kind: str, player: str, context: MissionContext | None = None, **data: Any
    ) -> Outcome:
        """Apply one action; keep the new state."""
        outcome = self.mt.handle(
            self.params, self.state, act(kind, player, **data), context or ctx()
        )
        self.state = outcome.state
        return outcome

    def view(self, context: MissionContext | None = None) -> dict[str, Any]:
        """What ana sees."""
        result: dict[str, Any] = self.mt.view(self.params, self.state, "ana", context or ctx())
        return result


def test_a_vote_is_a_proposal_until_a_majority_of_the_present_agrees() -> None:
    """Three present: one vote is shown to all, the second vote for it decides."""
    d = Play("dialogue", VOTE_DIALOGUE)
    first = d.do("vote", "ana", node="accueil", choice=0)
    assert first.error is None and not first.completed
    assert first.detail == {"vote": {"choice": 0, "text": "Pas vraiment…"}}
    view = d.view()
    assert view["node"] == "accueil"
    assert view["votes"] == [{"player": "ana", "choice": 0}]
    assert view["decision"] == "vote" and view["seconds_left"] == 60
    second = d.do("vote", "bilal", node="accueil", choice=0)
    assert second.error is None and second.detail == {}
    assert d.state["node"] == "bilan" and "vote" not in d.state
    assert d.view()["votes"] == [] and d.view()["seconds_left"] is None


def test_a_player_alone_present_decides_at_once() -> None:
    """Alone (the voter always counts as present), the first vote is the decision."""
    d = Play("dialogue", VOTE_DIALOGUE)
    d.do("vote", "ana", ctx(present=()), node="accueil", choice=0)
    assert d.state["node"] == "bilan"


def test_absent_players_do_not_count_toward_the_majority() -> None:
    """With five in the team but two present, the two agreeing decide."""
    d = Play("dialogue", VOTE_DIALOGUE)
    d.do("vote", "ana", ctx(present=("ana", "bilal")), choice=1)
    assert d.state["node"] == "accueil"
    d.do("vote", "bilal", ctx(present=("ana", "bilal")), choice=1)
    assert d.state["node"] == "accueil" and d.state["path"][-1]["choice"] == "Je reviens plus tard."


def test_a_player_may_change_their_vote_before_the_decision() -> None:
    """A second vote of the same player replaces the first: still one vote each."""
    d = Play("dialogue", VOTE_DIALOGUE)
    d.do("vote", "ana", choice=0)
    d.do("vote", "ana", choice=1)
    assert d.view()["votes"] == [{"player": "ana", "choice": 1}]
    d.do("vote", "bilal", choice=1)
    assert d.state["path"][-1]["choice"] == "Je reviens plus tard."


def test_a_split_vote_waits_then_the_timeout_decides_the_most_voted() -> None:
    """Four present, two against one: no majority; after the time, `decide` takes the most voted."""
    team = ("ana", "bilal", "chloe", "dan")
    d = Play("dialogue", VOTE_DIALOGUE)
    d.do("vote", "ana", later(0, team), choice=0)
    d.do("vote", "bilal", later(5, team), choice=1)
    d.do("vote", "chloe", later(6, team), choice=1)
    assert d.state["node"] == "accueil"
    early = d.do("decide", "dan", later(30, team), node="accueil")
    assert early.error is not None and early.error.code == "vote_open"
    assert d.view(later(30, team))["seconds_left"] == 30
    decided = d.do("decide", "dan", later(60, team), node="accueil")
    assert decided.error is None
    assert d.state["path"][-1]["choice"] == "Je reviens plus tard."
    again = d.do("decide", "ana", later(61, team), node="accueil")
    assert again.error is not None and again.error.code == "stale"


def test_a_tie_at_the_timeout_goes_to_the_earliest_vote() -> None:
    """One vote each at the timeout: the choice proposed first wins."""
    team = ("ana", "bilal", "chloe", "dan")
    d = Play("dialogue", VOTE_DIALOGUE)
    d.do("vote", "ana", later(0, team), choice=1)
    d.do("vote", "bilal", later(1, team), choice=0)
    d.do("decide", "chloe", later(61, team))
    assert d.state["path"][-1]["choice"] == "Je reviens plus tard."


def test_a_vote_after_the_timeout_decides() -> None:
    """Nobody asked for the decision in time: the next vote settles the round, counting itself."""
    team = ("ana", "bilal", "chloe", "dan")
    d = Play("dialogue", VOTE_DIALOGUE)
    d.do("vote", "ana", later(0, team), choice=1)
    d.do("vote", "bilal", later(90, team), choice=0)
    assert d.state["path"][-1]["choice"] == "Je reviens plus tard."  # tie: the earliest vote


def test_a_late_vote_for_a_past_node_is_refused_and_changes_nothing() -> None:
    """Votes for a node the team has left are `stale`, in French, and record nothing."""
    d = Play("dialogue", VOTE_DIALOGUE)
    d.do("vote", "ana", node="accueil", choice=0)
    d.do("vote", "bilal", node="accueil", choice=0)
    before = dict(d.state)
    late = d.do("vote", "chloe", node="accueil", choice=1)
    assert late.error is not None and late.error.code == "stale"
    assert "trop tard" in late.error.message
    assert d.state == before


def test_first_tap_mode_is_unchanged() -> None:
    """Without `decision` (first tap), a choice applies at once and the view has no votes."""
    d = Play("dialogue", DIALOGUE)
    d.do("choose", "ana", node="accueil", choice=0)
    assert d.state == {
        "node": "bilan",
        "path": [{"node": "accueil", "choice": "Pas vraiment…", "reaction": None}],
    }
    assert "votes" not in d.view()
    # A vote in first-tap mode is a first tap.
    d.do("vote", "bilal", node="bilan", choice=1)
    assert d.state["node"] == "accueil"


def test_the_decision_parameter_is_validated() -> None:
    """Only `vote` and `first_tap` are accepted."""
    import pydantic
    import pytest

    with pytest.raises(pydantic.ValidationError):
        mission("dialogue").parse({**DIALOGUE, "decision": "hasard"})


def test_a_quiz_vote_grades_the_answer_set_the_majority_chose() -> None:
    """Quiz: proposals are full answer sets; the majority's is graded; a wrong one opens a new
    round."""
    q = Play("quiz", QUIZ)
    q.do("vote", "ana", round=0, answers=[[1]])
    assert q.view()["votes"] == [{"player": "ana", "choice": [[1]]}]
    assert "explanation" not in q.view()["questions"][0] and q.state["attempts"] == 0
    wrong = q.do("vote", "bilal", round=0, answers=[1])
    assert wrong.wrong and q.state["attempts"] == 1 and "vote" not in q.state
    stale = q.do("vote", "chloe", round=0, answers=[[0]])
    assert stale.error is not None and stale.error.code == "stale"
    q.do("vote", "chloe", round=1, answers=[[0]])
    done = q.do("vote", "ana", round=1, answers=[[0]])
    assert done.completed
