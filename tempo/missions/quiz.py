"""Quiz: single or multiple choice questions, answered together by the team."""

from __future__ import annotations

from typing import Any

from pydantic import Field

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


class Quiz(MissionType[QuizParams]):
    """Quiz with one submission of all answers at once."""

    key = "quiz"
    label = "Quiz"
    params_model = QuizParams
    actions = frozenset({"submit"})
    guesses = frozenset({"submit"})
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
        """Score a full submission: `answers` holds one list of choice indexes per question."""
        if action.kind != "submit":
            return Outcome(state=dict(state), error=unknown_action(action))
        answers = _parse_answers(action.data.get("answers"), params)
        if answers is None:
            return Outcome(
                state=dict(state),
                error=MissionError(
                    "invalid_answer", "Réponds à chaque question avant de valider le quiz."
                ),
            )
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
        }


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
