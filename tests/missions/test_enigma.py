"""Enigma: free-text answers normalised for case, accents, spacing and punctuation."""

from __future__ import annotations

import pytest

from tempo.missions.base import normalise
from tests.missions.mission_samples import act, ctx, mission, run

RAW = {"question": "Qu'est-ce qui vous attend ?", "answers": ["L'Éclat d'avenir", "le futur"]}


def answer(text: object) -> tuple[bool, bool, str | None]:
    """(completed, wrong, error code) after one answer from scratch."""
    _, _, (outcome,) = run("enigma", RAW, [act("answer", answer=text)])
    return outcome.completed, outcome.wrong, outcome.error.code if outcome.error else None


@pytest.mark.parametrize(
    "text",
    [
        "L'Éclat d'avenir",
        "l'eclat d'avenir",
        "L ECLAT D AVENIR",
        "  l’éclat   d’avenir !  ",
        "l'éclat-d'avenir...",
        "Le futur",
        "LE FUTUR?",
    ],
)
def test_accepted_answers_match_once_normalised(text: str) -> None:
    """Case, accents, spaces, apostrophes and punctuation do not matter; any answer is fine."""
    assert answer(text) == (True, False, None)


@pytest.mark.parametrize("text", ["l'eclat", "eclat davenir", "futur", "le futur proche"])
def test_other_answers_are_wrong(text: str) -> None:
    """Near misses are wrong answers, not errors of form."""
    assert answer(text) == (False, True, "wrong_answer")


@pytest.mark.parametrize("text", ["", "   ", None, 42, ["le futur"]])
def test_empty_or_non_text_answer_is_invalid(text: object) -> None:
    """Nothing to check: refused as invalid, not counted as an attempt."""
    assert answer(text) == (False, False, "invalid_answer")
    _, state, _ = run("enigma", RAW, [act("answer", answer=text)])
    assert state["attempts"] == 0


def test_punctuation_only_answer_is_wrong() -> None:
    """An answer that normalises to nothing never matches."""
    assert answer("?!") == (False, True, "wrong_answer")


def test_answer_longer_than_200_characters_is_invalid() -> None:
    """Very long answers are refused before any comparison."""
    assert answer("le futur " + "x" * 200) == (False, False, "invalid_answer")


def test_attempts_count_checked_answers() -> None:
    """Each checked answer, right or wrong, counts one attempt."""
    _, state, _ = run("enigma", RAW, [act("answer", answer="non"), act("answer", answer="futur")])
    assert state["attempts"] == 2
    _, state, _ = run(
        "enigma", RAW, [act("answer", answer="non"), act("answer", answer="le futur")]
    )
    assert state["attempts"] == 2


def test_view_shows_question_and_placeholder_only() -> None:
    """The view has the question, the placeholder and the attempts."""
    mt = mission("enigma")
    params = mt.parse({**RAW, "placeholder": "Deux mots"})
    view = mt.view(params, {"attempts": 3}, "ana", ctx())
    assert view == {"question": RAW["question"], "placeholder": "Deux mots", "attempts": 3}


def test_normalise_folds_case_accents_and_spacing() -> None:
    """The shared normaliser used by text answers."""
    assert normalise("Éclat  d’avenir!") == normalise("eclat d'avenir") == "eclat d avenir"
    assert normalise("  ÇA   VA ?  ") == "ca va"
