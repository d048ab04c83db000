"""Split-clue: each present teammate receives a different fragment; the answer needs them all."""

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
    matches,
    text_answer,
    unknown_action,
)


class SplitClueParams(Params):
    """The question, 2 to 6 fragments (a team has at least 6 players) and accepted answers."""

    question: str = Field(min_length=1)
    fragments: list[str] = Field(min_length=2, max_length=6)
    answers: list[str] = Field(min_length=1)


def fragments_for(params: SplitClueParams, present: tuple[str, ...], player: str) -> list[int]:
    """Fragment indexes a player holds: dealt round-robin over the players present.

    With more players than fragments, fragments are shared; with fewer, a player holds several,
    so every fragment is always held by someone present, whoever joined late or left.
    """
    if player not in present:
        return []
    count, seats = len(params.fragments), len(present)
    seat = present.index(player)
    if seats >= count:
        return [seat % count]
    return [i for i in range(count) if i % seats == seat]


class SplitClue(MissionType[SplitClueParams]):
    """Collaborative clue split across teammates."""

    key = "split-clue"
    label = "Indices partagés"
    params_model = SplitClueParams
    actions = frozenset({"answer"})
    guesses = frozenset({"answer"})
    markdown = ("question", "fragments[].text")

    def initial_state(self, params: SplitClueParams) -> JSON:
        """No answer tried yet."""
        return {"attempts": 0}

    def handle(
        self, params: SplitClueParams, state: JSON, action: Action, ctx: MissionContext
    ) -> Outcome:
        """Check the team's combined answer."""
        if action.kind != "answer":
            return Outcome(state=dict(state), error=unknown_action(action))
        answer = text_answer(action)
        if isinstance(answer, MissionError):
            return Outcome(state=dict(state), error=answer)
        new = {**state, "attempts": int(state.get("attempts", 0)) + 1}
        if matches(answer, params.answers):
            return Outcome(state=new, completed=True)
        return Outcome(
            state=new,
            wrong=True,
            error=MissionError(
                "wrong_answer", "Ce n'est pas ça. Mettez bien tous vos fragments en commun !"
            ),
        )

    def view(self, params: SplitClueParams, state: JSON, player: str, ctx: MissionContext) -> JSON:
        """The question and only this player's fragments."""
        mine = fragments_for(params, ctx.present_players, player)
        return {
            "question": params.question,
            "fragment_count": len(params.fragments),
            "fragments": [{"index": i + 1, "text": params.fragments[i]} for i in mine],
            "attempts": state.get("attempts", 0),
        }


split_clue = SplitClue()
