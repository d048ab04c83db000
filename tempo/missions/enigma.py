"""Enigma: a free-text answer, normalised for case, accents and spacing; several may be accepted."""

from __future__ import annotations

from pydantic import Field

from tempo.missions.base import (
    JSON,
    Action,
    MissionContext,
    MissionError,
    MissionType,
    Outcome,
    Params,
    attempted,
    matches,
    text_answer,
    unknown_action,
)


class EnigmaParams(Params):
    """An enigma's question and its accepted answers."""

    question: str = Field(min_length=1)
    answers: list[str] = Field(min_length=1)
    placeholder: str | None = None


class Enigma(MissionType[EnigmaParams]):
    """Free-text enigma."""

    key = "enigma"
    label = "Énigme"
    params_model = EnigmaParams
    actions = frozenset({"answer"})
    guesses = frozenset({"answer"})
    markdown = ("question",)

    def initial_state(self, params: EnigmaParams) -> JSON:
        """No answer tried yet."""
        return {"attempts": 0}

    def handle(
        self, params: EnigmaParams, state: JSON, action: Action, ctx: MissionContext
    ) -> Outcome:
        """Check a submitted answer."""
        if action.kind != "answer":
            return Outcome(state=dict(state), error=unknown_action(action))
        answer = text_answer(action)
        if isinstance(answer, MissionError):
            return Outcome(state=dict(state), error=answer)
        return attempted(
            state, matches(answer, params.answers), "Ce n'est pas la bonne réponse. Réessayez !"
        )

    def view(self, params: EnigmaParams, state: JSON, player: str, ctx: MissionContext) -> JSON:
        """The question, never the answers."""
        return {
            "question": params.question,
            "placeholder": params.placeholder,
            "attempts": state.get("attempts", 0),
        }


enigma = Enigma()
