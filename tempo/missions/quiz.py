"""Quiz: single or multiple choice questions, answered together by the team.

With `decision: vote` each player proposes a full set of answers (or votes for a teammate's)
and the team's choice is graded once decided (tempo/missions/votes.py); with `first_tap` (the
default) the first submission is graded at once.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from tempo.missions import votes
from tempo.missions.base import (
    JSON,
    Action,
    Issue,
    MissionContext,
    MissionError,
    MissionType,
    Outcome,
    Params,
    unknown_action,
)


class QuizChoice(Params):
    """One choice; `correct` marks the right ones."""

    text: str = Field(min_length=1)
    correct: bool = False


class QuizQuestion(Params):
    """A question with two or more choices; several correct choices make it multiple-choice."""

    prompt: str = Field(min_length=1)
    choices: list[QuizChoice] = Field(min_length=2)
    explanation: str | None = None

    @property
    def correct_indexes(self) -> frozenset[int]:
        """Indexes of the correct choices."""
        return frozenset(i for i, c in enumerate(self.choices) if c.correct)


class QuizParams(Params):
    """The questions and how many must be right to pass (all by default)."""

    questions: list[QuizQuestion] = Field(min_length=1)
    pass_mark: int | None = Field(default=None, ge=1)
    # How the team decides: the first submission, or a vote of the players present.
    decision: votes.Decision = "first_tap"


class Quiz(MissionType[QuizParams]):
    """Quiz with one submission of all answers at once."""

    key = "quiz"
    label = "Quiz"
    params_model = QuizParams
    # `submit` and `vote` are the same tap: a proposal in vote mode, graded at once otherwise.
    actions = frozenset({"submit", votes.VOTE, votes.DECIDE})
    guesses = frozenset({"submit", votes.VOTE})
    # Explanations are sent only once the team has submitted (see `view`).
    markdown = ("questions[].explanation",)

    def check(self, params: QuizParams) -> list[Issue]:
        """Every question has a correct choice; the pass mark is reachable."""
        issues = [
            Issue(("questions", i, "choices"), "aucune réponse n'est marquée « correct: true »")
            for i, q in enumerate(params.questions)
            if not q.correct_indexes
        ]
        if params.pass_mark is not None and params.pass_mark > len(params.questions):
            issues.append(
                Issue(
                    ("pass_mark",),
                    f"le seuil ({params.pass_mark}) dépasse le nombre de questions "
                    f"({len(params.questions)})",
                )
            )
        return issues

    def initial_state(self, params: QuizParams) -> JSON:
        """No submission yet."""
        return {"attempts": 0, "last_score": None}

    def handle(
        self, params: QuizParams, state: JSON, action: Action, ctx: MissionContext
    ) -> Outcome:
        """Vote for (or, first tap, submit) a full set of answers: `answers` holds one list of
        choice indexes per question; or ask for the decision once the vote's time is up."""
        if action.kind not in self.actions:
            return Outcome(state=dict(state), error=unknown_action(action))
        round_key = int(state.get("attempts", 0))
        expected = action.data.get("round")
        if expected is not None and expected != round_key:
            return Outcome(state=dict(state), error=votes.stale())
        if action.kind == votes.DECIDE:
            cast = votes.decide(state, round_key, ctx)
            if isinstance(cast, MissionError):
                return Outcome(state=dict(state), error=cast)
        else:
            answers = _parse_answers(action.data.get("answers"), params)
            if answers is None:
                return Outcome(
                    state=dict(state),
                    error=MissionError(
                        "invalid_answer", "Réponds à chaque question avant de valider le quiz."
                    ),
                )
            proposal = [sorted(a) for a in answers]
            cast = votes.cast(state, round_key, action.player, proposal, ctx, params.decision)
            if not cast.done:
                return Outcome(
                    state={**state, "vote": cast.round}, detail={"vote": {"answers": proposal}}
                )
        return _grade(params, votes.ended(state), [frozenset(a) for a in cast.decided])

    def view(self, params: QuizParams, state: JSON, player: str, ctx: MissionContext) -> JSON:
        """Questions and choices without the correct flags.

        Once the team has submitted, each question also carries its `explanation` and whether
        the last submission got it right (`answered_right`); never before.
        """
        submitted = int(state.get("attempts", 0)) > 0
        results = state.get("last_results")
        if not isinstance(results, list) or len(results) != len(params.questions):
            results = [None] * len(params.questions)  # a state saved before results were kept
        return {
            "questions": [
                {
                    "prompt": q.prompt,
                    "multiple": len(q.correct_indexes) > 1,
                    "choices": [c.text for c in q.choices],
                    **(
                        {"explanation": q.explanation, "answered_right": right} if submitted else {}
                    ),
                }
                for q, right in zip(params.questions, results, strict=True)
            ],
            "pass_mark": params.pass_mark or len(params.questions),
            "attempts": state.get("attempts", 0),
            "last_score": state.get("last_score"),
            **votes.view(state, int(state.get("attempts", 0)), ctx, params.decision),
        }


def _grade(params: QuizParams, state: JSON, answers: list[frozenset[int]]) -> Outcome:
    """The team's answers graded: the mission is done, or a wrong attempt (a new round)."""
    results = [a == q.correct_indexes for q, a in zip(params.questions, answers, strict=True)]
    score = sum(results)
    needed = params.pass_mark or len(params.questions)
    new = {
        **state,
        "attempts": int(state.get("attempts", 0)) + 1,
        "last_score": score,
        "last_results": results,
    }
    if score >= needed:
        return Outcome(state=new, completed=True)
    return Outcome(
        state=new,
        wrong=True,
        error=MissionError(
            "wrong_answer",
            f"{score} bonne(s) réponse(s) sur {len(params.questions)} : il en faut {needed}. "
            "Réessayez !",
        ),
    )


def _parse_answers(raw: Any, params: QuizParams) -> list[frozenset[int]] | None:
    if not isinstance(raw, list) or len(raw) != len(params.questions):
        return None
    parsed: list[frozenset[int]] = []
    for question, item in zip(params.questions, raw, strict=True):
        picks = item if isinstance(item, list) else [item]
        if not picks or not all(
            isinstance(p, int) and not isinstance(p, bool) and 0 <= p < len(question.choices)
            for p in picks
        ):
            return None
        parsed.append(frozenset(picks))
    return parsed


quiz = Quiz()
