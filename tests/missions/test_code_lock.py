"""Code-lock: a short code, tried with case and spacing ignored."""

from __future__ import annotations

import pytest

from tempo.missions.base import compact_code
from tests.missions.mission_samples import act, ctx, mission, run

RAW = {"prompt": "Ouvrez le casier.", "code": "AB12", "clues": ["Regardez sous la table."]}


def try_code(code: object) -> tuple[bool, bool, str | None]:
    """(completed, wrong, error code) after one try from scratch."""
    _, _, (outcome,) = run("code-lock", RAW, [act("try", code=code)])
    return outcome.completed, outcome.wrong, outcome.error.code if outcome.error else None


@pytest.mark.parametrize("code", ["AB12", "ab12", "a b 1 2", " Ab12 ", "AB-12"])
def test_code_ignores_case_and_spaces(code: str) -> None:
    """Lower case, spaces and separators still open the lock."""
    assert try_code(code) == (True, False, None)


@pytest.mark.parametrize("code", ["AB13", "AB1", "AB123", "BA12"])
def test_wrong_code_keeps_lock_closed(code: str) -> None:
    """Any other code is wrong."""
    assert try_code(code) == (False, True, "wrong_answer")


@pytest.mark.parametrize("code", ["", "  ", None, 1234, "A" * 21])
def test_missing_or_oversized_code_is_invalid(code: object) -> None:
    """No code, a non-text code or more than 20 characters is refused without an attempt."""
    assert try_code(code) == (False, False, "invalid_answer")
    _, state, _ = run("code-lock", RAW, [act("try", code=code)])
    assert state["attempts"] == 0


def test_attempts_are_counted() -> None:
    """Every real try counts."""
    _, state, _ = run("code-lock", RAW, [act("try", code="0000"), act("try", code="AB12")])
    assert state["attempts"] == 2


def test_view_gives_length_and_kind_not_code() -> None:
    """The view tells the code's length and whether it is numeric."""
    mt = mission("code-lock")
    params = mt.parse(RAW)
    assert mt.view(params, mt.initial_state(params), "ana", ctx()) == {
        "prompt": "Ouvrez le casier.",
        "clues": ["Regardez sous la table."],
        "length": 4,
        "numeric": False,
        "attempts": 0,
    }
    assert mt.view(mt.parse({**RAW, "code": "4821"}), {}, "ana", ctx())["numeric"] is True


@pytest.mark.parametrize("code", ["12", "123456789", "ab12", "AB 12", "ÉTÉ"])
def test_schema_requires_three_to_eight_digits_or_capitals(code: str) -> None:
    """Codes must be 3 to 8 digits or capital letters."""
    with pytest.raises(ValueError):
        mission("code-lock").parse({**RAW, "code": code})


@pytest.mark.parametrize("code", ["48 21", " 4-8 2-1 ", "4 8 2 1"])
def test_numeric_code_typed_with_spaces_opens(code: str) -> None:
    """A numeric padlock read aloud and typed in pairs (« 48 21 ») opens all the same."""
    _, _, (outcome,) = run("code-lock", {**RAW, "code": "4821"}, [act("try", code=code)])
    assert outcome.completed and outcome.error is None


def test_codes_are_compacted_as_printed() -> None:
    """One helper turns any typed code into its printed form."""
    assert compact_code(" azm ndg ") == compact_code("AZM-NDG") == "AZMNDG"
    assert compact_code("é-1") == "E1"
