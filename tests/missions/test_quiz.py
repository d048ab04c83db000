"""Quiz: single and multiple choice, scoring, pass mark and content checks."""

from __future__ import annotations

import pytest

from tempo.missions.base import Issue
from tests.missions.mission_samples import act, ctx, mission, run

SINGLE = {
    "prompt": "Combien de jours ?",
    "choices": [{"text": "Dix", "correct": True}, {"text": "Trois"}],
}
MULTIPLE = {
    "prompt": "Qui peut aider ?",
    "choices": [
        {"text": "Personne"},
        {"text": "Un conseiller", "correct": True},
        {"text": "Un ami", "correct": True},
    ],
}
THIRD = {
    "prompt": "Où ?",
    "choices": [{"text": "Ici"}, {"text": "Là", "correct": True}],
}
RAW = {"questions": [SINGLE, MULTIPLE]}


def submit(answers: object, raw: dict[str, object] = RAW) -> tuple[bool, bool, object, object]:
    """(completed, wrong, error code, last score) after one submission."""
    _, state, (outcome,) = run("quiz", raw, [act("submit", answers=answers)])
    code = outcome.error.code if outcome.error else None
    return outcome.completed, outcome.wrong, code, state["last_score"]


def test_all_right_completes() -> None:
    """Every question right: completed with the full score."""
    assert submit([[0], [1, 2]]) == (True, False, None, 2)


def test_single_answer_may_be_a_bare_index() -> None:
    """A single-choice answer may be given as an index instead of a list."""
    assert submit([0, [2, 1]]) == (True, False, None, 2)


def test_multiple_choice_needs_exactly_the_correct_set() -> None:
    """Missing or extra choices make a multiple-choice question wrong."""
    assert submit([[0], [1]])[:2] == (False, True)
    assert submit([[0], [0, 1, 2]])[:2] == (False, True)


def test_single_choice_with_extra_pick_is_wrong() -> None:
    """Ticking the right choice plus another one is not right."""
    assert submit([[0, 1], [1, 2]]) == (False, True, "wrong_answer", 1)


def test_duplicate_picks_count_once() -> None:
    """Repeating an index does not change the answer."""
    assert submit([[0, 0], [1, 2, 2]]) == (True, False, None, 2)


def test_wrong_answer_message_gives_score_and_need() -> None:
    """The refusal tells how many were right and how many are needed."""
    _, _, (outcome,) = run("quiz", RAW, [act("submit", answers=[[1], [1, 2]])])
    assert outcome.error is not None
    assert outcome.error.message.startswith("1 bonne(s) réponse(s) sur 2 : il en faut 2.")


def test_pass_mark_allows_some_mistakes() -> None:
    """With pass_mark 2 of 3, one mistake still passes and two do not."""
    raw = {"questions": [SINGLE, MULTIPLE, THIRD], "pass_mark": 2}
    assert submit([[0], [1, 2], [0]], raw) == (True, False, None, 2)
    assert submit([[1], [1, 2], [0]], raw) == (False, True, "wrong_answer", 1)


@pytest.mark.parametrize(
    "answers",
    [None, [], [[0]], [[0], [1, 2], [0]], [[0], []], [[0], [3]], [[-1], [1]], [[True], [1, 2]]],
)
def test_incomplete_or_invalid_submission_is_refused(answers: object) -> None:
    """Wrong length, empty picks, out-of-range or boolean indexes: invalid, no attempt counted."""
    _, state, (outcome,) = run("quiz", RAW, [act("submit", answers=answers)])
    assert outcome.error is not None
    assert outcome.error.code == "invalid_answer"
    assert not outcome.completed and not outcome.wrong
    assert state == {"attempts": 0, "last_score": None}


def test_attempts_and_last_score_are_tracked() -> None:
    """Each scored submission counts; the last score is kept."""
    _, state, _ = run(
        "quiz", RAW, [act("submit", answers=[[1], [0]]), act("submit", answers=[[0], [0]])]
    )
    assert state == {"attempts": 2, "last_score": 1, "last_results": [True, False]}


EXPLAINED = {
    "questions": [
        {**SINGLE, "explanation": "Dix jours, **week-end compris**."},
        {**MULTIPLE, "explanation": "Un conseiller ou un ami : demander, c'est avancer."},
    ]
}


def test_explanations_are_not_sent_before_the_team_submits() -> None:
    """A quiz never answered shows no explanation and no result, even when authored."""
    mt = mission("quiz")
    params = mt.parse(EXPLAINED)
    view = mt.view(params, mt.initial_state(params), "ana", ctx())
    assert all(set(q) == {"prompt", "multiple", "choices"} for q in view["questions"])
    assert "week-end" not in str(view) and "demander" not in str(view)


def test_after_a_wrong_submission_each_question_says_right_or_wrong_and_explains() -> None:
    """After a wrong submission every teammate sees which questions were right and why."""
    params, state, (outcome,) = run("quiz", EXPLAINED, [act("submit", answers=[[0], [0]])])
    assert outcome.wrong
    for player in ("ana", "bilal"):
        view = mission("quiz").view(params, state, player, ctx())
        assert [(q["answered_right"], q["explanation"]) for q in view["questions"]] == [
            (True, "Dix jours, **week-end compris**."),
            (False, "Un conseiller ou un ami : demander, c'est avancer."),
        ]
        assert all(
            set(q) == {"prompt", "multiple", "choices", "explanation", "answered_right"}
            for q in view["questions"]
        )


def test_explanations_stay_once_the_quiz_is_done() -> None:
    """The completed quiz keeps its explanations (the team reads them after succeeding)."""
    params, state, (outcome,) = run("quiz", EXPLAINED, [act("submit", answers=[[0], [1, 2]])])
    assert outcome.completed
    view = mission("quiz").view(params, state, "ana", ctx())
    assert [q["answered_right"] for q in view["questions"]] == [True, True]
    assert view["questions"][0]["explanation"] == "Dix jours, **week-end compris**."


def test_a_state_saved_before_results_were_kept_still_explains() -> None:
    """A team that answered before `last_results` existed gets explanations, no verdicts."""
    mt = mission("quiz")
    params = mt.parse(EXPLAINED)
    view = mt.view(params, {"attempts": 1, "last_score": 1}, "ana", ctx())
    assert [q["answered_right"] for q in view["questions"]] == [None, None]
    assert view["questions"][1]["explanation"].startswith("Un conseiller")


def test_view_marks_multiple_questions_without_correct_flags() -> None:
    """The view says which questions take several answers, never which are correct."""
    mt = mission("quiz")
    params = mt.parse(RAW)
    view = mt.view(params, mt.initial_state(params), "ana", ctx())
    assert view["questions"] == [
        {"prompt": "Combien de jours ?", "multiple": False, "choices": ["Dix", "Trois"]},
        {
            "prompt": "Qui peut aider ?",
            "multiple": True,
            "choices": ["Personne", "Un conseiller", "Un ami"],
        },
    ]
    assert view["pass_mark"] == 2


def test_check_reports_question_without_correct_choice() -> None:
    """A question where nothing is marked correct can never be answered."""
    mt = mission("quiz")
    params = mt.parse(
        {"questions": [SINGLE, {"prompt": "?", "choices": [{"text": "a"}, {"text": "b"}]}]}
    )
    assert mt.check(params) == [
        Issue(("questions", 1, "choices"), "aucune réponse n'est marquée « correct: true »")
    ]


def test_check_reports_unreachable_pass_mark() -> None:
    """A pass mark above the number of questions can never be reached."""
    mt = mission("quiz")
    params = mt.parse({"questions": [SINGLE], "pass_mark": 2})
    assert mt.check(params) == [
        Issue(("pass_mark",), "le seuil (2) dépasse le nombre de questions (1)")
    ]


def test_schema_needs_two_choices_and_positive_pass_mark() -> None:
    """A question with one choice, or a pass mark of 0, is refused by the schema."""
    mt = mission("quiz")
    with pytest.raises(ValueError):
        mt.parse({"questions": [{"prompt": "?", "choices": [{"text": "a", "correct": True}]}]})
    with pytest.raises(ValueError):
        mt.parse({"questions": [SINGLE], "pass_mark": 0})
