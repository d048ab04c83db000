"""The self-diagnostic's pure rules: the funnel of questions, progress, scores and changes.

A family starts with its screening question; its detailed questions are asked only when the
screening answer is one of `opens_on`. A family's need score (0–100) comes from the questions
actually asked and answered: an answer that is a way of not answering (« je préfère ne pas
répondre ») is skipped, never scored as « no need ». Answers are a mapping of question id to
option value; nothing here reads a clock or a database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tempo.scenarios.schema import DiagnosticFamily, DiagnosticFile, Question, Scale, ScaleOption

# Content frozen before options had a `skip` flag still names its skip option this way.
LEGACY_SKIP_VALUES = frozenset({"je-prefere-ne-pas-repondre"})
# The share of families expected to open before any screening is answered (for the estimate),
# and how many screenings' worth of weight that guess keeps as real answers come in.
DEFAULT_OPEN_RATE = 1 / 3
PRIOR_WEIGHT = 3
HIGH, MEDIUM = 60, 30

Answers = Mapping[str, str]


@dataclass(frozen=True)
class Step:
    """One question of the flow, with its family and scale."""

    question: Question
    family: DiagnosticFamily
    family_index: int
    scale: Scale
    screening: bool


@dataclass(frozen=True)
class FamilyScore:
    """A family's need score from one set of answers."""

    family: DiagnosticFamily
    score: int | None  # None: nothing scored (every answer skipped)
    answered: int
    skipped: int

    @property
    def level(self) -> str:
        """`high`, `medium`, `low`, or `none` when nothing was scored."""
        if self.score is None:
            return "none"
        if self.score >= HIGH:
            return "high"
        return "medium" if self.score >= MEDIUM else "low"


def is_skip(option: ScaleOption) -> bool:
    """True for an option that means « I would rather not answer »."""
    return option.skip or option.value in LEGACY_SKIP_VALUES


class Flow:
    """The questions of one diagnostic file, in order, with the funnel and the scoring."""

    def __init__(self, diagnostic: DiagnosticFile) -> None:
        self.diagnostic = diagnostic
        self.families = list(diagnostic.families)
        scales = {s.id: s for s in diagnostic.scales}
        self.steps: dict[str, Step] = {}
        for index, family in enumerate(self.families):
            self.steps[family.screening.id] = Step(
                family.screening, family, index, scales[family.screening.scale], True
            )
            for question in family.questions:
                self.steps[question.id] = Step(
                    question, family, index, scales[question.scale], False
                )

    @classmethod
    def from_frozen(cls, raw: Mapping[str, Any]) -> Flow:
        """Build from the `diagnostic` part of a scenario version's frozen content."""
        return cls(DiagnosticFile.model_validate(raw))

    @property
    def question_count(self) -> int:
        """Every question, screening and detailed (51 in the real content)."""
        return len(self.steps)

    # --- the funnel -------------------------------------------------------------------------

    def opens(self, family: DiagnosticFamily, answers: Answers) -> bool | None:
        """Whether the family's detailed questions are asked; None while the screening is open."""
        value = answers.get(family.screening.id)
        if value is None:
            return None
        return value in family.screening.opens_on

    def path(self, answers: Answers) -> list[str]:
        """The questions asked given these answers, in order (screenings and opened details)."""
        out: list[str] = []
        for family in self.families:
            out.append(family.screening.id)
            if self.opens(family, answers):
                out += [q.id for q in family.questions]
        return out

    def next_unanswered(self, answers: Answers) -> str | None:
        """Where the player resumes: the first question of the path not answered yet."""
        return next((q for q in self.path(answers) if q not in answers), None)

    def after(self, answers: Answers, question_id: str) -> str | None:
        """The question following `question_id` in the path, else the first unanswered one."""
        path = self.path(answers)
        if question_id in path:
            index = path.index(question_id)
            if index + 1 < len(path):
                return path[index + 1]
        return self.next_unanswered(answers)

    def before(self, answers: Answers, question_id: str) -> str | None:
        """The question preceding `question_id` in the path (the back button)."""
        path = self.path(answers)
        if question_id not in path:
            return None
        index = path.index(question_id)
        return path[index - 1] if index > 0 else None

    def reachable(self, answers: Answers, question_id: str) -> bool:
        """Whether the player may see this question: on the path, answered or next to answer."""
        return question_id in self.path(answers) and (
            question_id in answers or question_id == self.next_unanswered(answers)
        )

    def complete(self, answers: Answers) -> bool:
        """Every question of the path is answered."""
        return self.next_unanswered(answers) is None

    def progress(self, answers: Answers, question_id: str) -> tuple[int, int, bool]:
        """(position of the question, total, whether the total is an estimate).

        Families whose screening is answered count exactly; the others count their screening
        plus their detailed questions weighted by the share of families opened so far, smoothed
        towards DEFAULT_OPEN_RATE so that one opened family does not announce all 51 questions.
        """
        path = self.path(answers)
        position = path.index(question_id) + 1 if question_id in path else len(path)
        screened = [f for f in self.families if f.screening.id in answers]
        opened = sum(1 for f in screened if self.opens(f, answers))
        rate = (opened + PRIOR_WEIGHT * DEFAULT_OPEN_RATE) / (len(screened) + PRIOR_WEIGHT)
        total = 0.0
        estimate = False
        for family in self.families:
            if family.screening.id in answers:
                total += 1 + (len(family.questions) if self.opens(family, answers) else 0)
            else:
                estimate = True
                total += 1 + len(family.questions) * rate
        return position, max(position, round(total)), estimate

    # --- validation and scoring -------------------------------------------------------------

    def option(self, question_id: str, value: str) -> ScaleOption | None:
        """The option `value` of a question's scale, if both exist."""
        step = self.steps.get(question_id)
        if step is None:
            return None
        return next((o for o in step.scale.options if o.value == value), None)

    def family_score(self, family: DiagnosticFamily, answers: Answers) -> FamilyScore:
        """A family's score from its asked and answered questions, skipped answers left out."""
        asked = [family.screening.id]
        if self.opens(family, answers):
            asked += [q.id for q in family.questions]
        need = maximum = answered = skipped = 0
        for question_id in asked:
            value = answers.get(question_id)
            if value is None:
                continue
            option = self.option(question_id, value)
            if option is None:
                continue  # an answer the content no longer offers: ignore it, never guess
            if is_skip(option):
                skipped += 1
                continue
            answered += 1
            need += option.need
            maximum += max(o.need for o in self.steps[question_id].scale.options)
        score = round(100 * need / maximum) if maximum else None
        if answered and maximum == 0:
            score = 0
        return FamilyScore(family, score, answered, skipped)

    def scores(self, answers: Answers) -> dict[str, int | None]:
        """Every family's need score (0–100, or None when nothing was scored), by family id."""
        return {f.id: self.family_score(f, answers).score for f in self.families}

    def ranking(self, answers: Answers) -> list[FamilyScore]:
        """Families by priority: highest need first, content order on ties, unscored last."""
        found = [self.family_score(f, answers) for f in self.families]
        order = {f.id: i for i, f in enumerate(self.families)}
        return sorted(
            found,
            key=lambda s: (s.score is None, -(s.score or 0), order[s.family.id]),
        )


def changes(
    current: Mapping[str, int | None], previous: Mapping[str, int | None]
) -> dict[str, int | None]:
    """Per family, how many points the need score moved since last time (None: not comparable)."""
    out: dict[str, int | None] = {}
    for family_id, score in current.items():
        before = previous.get(family_id)
        out[family_id] = None if score is None or before is None else score - before
    return out
