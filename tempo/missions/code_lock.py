"""Code-lock: an escape-game padlock opened by a short code found from clues."""

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
    compact_code,
    unknown_action,
)


class CodeLockParams(Params):
    """The padlock's prompt, its code (3 to 8 digits or capital letters) and the clues shown."""

    prompt: str = Field(min_length=1)
    code: str = Field(pattern=r"^[0-9A-Z]{3,8}$")
    clues: list[str] = Field(default_factory=list)


class CodeLock(MissionType[CodeLockParams]):
    """Escape-game code lock."""

    key = "code-lock"
    label = "Cadenas à code"
    params_model = CodeLockParams
    actions = frozenset({"try"})
    guesses = frozenset({"try"})
    markdown = ("prompt", "clues[]")

    def initial_state(self, params: CodeLockParams) -> JSON:
        """Closed, no attempt."""
        return {"attempts": 0}

    def handle(
        self, params: CodeLockParams, state: JSON, action: Action, ctx: MissionContext
    ) -> Outcome:
        """Try a code; spaces and case do not matter."""
        if action.kind != "try":
            return Outcome(state=dict(state), error=unknown_action(action))
        code = action.data.get("code")
        if not isinstance(code, str) or not code.strip() or len(code) > 20:
            return Outcome(
                state=dict(state),
                error=MissionError("invalid_answer", "Entre un code avant d'essayer d'ouvrir."),
            )
        return attempted(
            state,
            compact_code(code) == params.code,
            "Le cadenas reste fermé. Vérifiez vos indices !",
        )

    def view(self, params: CodeLockParams, state: JSON, player: str, ctx: MissionContext) -> JSON:
        """The prompt, clues and code length, never the code."""
        return {
            "prompt": params.prompt,
            "clues": list(params.clues),
            "length": len(params.code),
            "numeric": params.code.isdigit(),
            "attempts": state.get("attempts", 0),
        }


code_lock = CodeLock()
