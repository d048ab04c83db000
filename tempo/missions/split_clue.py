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


def _rank(player: str) -> tuple[int, str]:
    # Player ids are decimal strings: shorter first, then text order, is numeric order.
    return len(player), player


def _holdings(state: JSON, count: int) -> dict[str, list[int]]:
    """The persisted holdings, cleaned of anything a malformed or older state may hold."""
    raw = state.get("holders")
    if not isinstance(raw, dict):
        return {}
    return {
        str(player): [i for i in held if isinstance(i, int) and 0 <= i < count]
        for player, held in raw.items()
        if isinstance(held, list)
    }


def deal(params: SplitClueParams, state: JSON, present: tuple[str, ...]) -> JSON:
    """The state with fragments dealt over the players present, moving as few as possible.

    A present holder keeps their fragments. A departed holder's fragments that no one present
    still holds go, one by one, to the present teammate holding the fewest (ties: lowest id);
    what they held is remembered under `left`. A newcomer first takes back what they held
    when they left (unless that leaves its holder empty-handed), then any fragment no one
    holds; one still empty-handed takes the last fragment of the teammate holding the most if
    that teammate keeps at least one, else shares a copy of the least shared fragment. Dealing
    again with the same players present changes nothing. With no one present nothing moves.
    """
    if not present:
        return dict(state)
    count = len(params.fragments)
    holders = _holdings(state, count)
    left = {p: list(held) for p, held in _holdings({"holders": state.get("left")}, count).items()}
    here = sorted(set(present), key=_rank)
    for player in sorted(holders, key=_rank):
        if player not in here:
            left[player] = holders.pop(player)
    newcomers = [p for p in here if p not in holders]
    for player in newcomers:
        holders[player] = []
    before = {p: left.pop(p, []) for p in newcomers}
    for player in newcomers:  # a returning player takes back what they held
        for i in before[player]:
            owners = [p for p in here if i in holders[p] and p != player]
            if owners:
                owner = min(owners, key=lambda p: (-len(holders[p]), _rank(p)))
                if len(holders[owner]) < 2:
                    continue  # taking it would leave its holder empty-handed
                holders[owner].remove(i)
            holders[player].append(i)
    for i in range(count):  # fragments no one present holds
        if not any(i in held for held in holders.values()):
            fewest = min(here, key=lambda p: (len(holders[p]), _rank(p)))
            holders[fewest].append(i)
    for player in newcomers:
        if holders[player]:
            continue
        richest = min(here, key=lambda p: (-len(holders[p]), _rank(p)))
        if len(holders[richest]) > 1:
            holders[player].append(holders[richest].pop())
        else:
            # A copy, of what they held before if they did (it was shared then too).
            choices = before[player] or list(range(count))
            shared = min(choices, key=lambda i: (sum(i in h for h in holders.values()), i))
            holders[player].append(shared)
    new = {**state, "holders": {p: holders[p] for p in here}}
    if left:
        new["left"] = left
    else:
        new.pop("left", None)
    return new


def held_by(
    params: SplitClueParams, state: JSON, present: tuple[str, ...], player: str
) -> list[int]:
    """Fragment indexes a player holds once the fragments are dealt over the players present."""
    if player not in present:
        return []
    holders = deal(params, state, present)["holders"]
    return sorted(holders.get(player, []))


def fragments_for(params: SplitClueParams, present: tuple[str, ...], player: str) -> list[int]:
    """Fragment indexes a player holds in a first deal over the players present.

    With more players than fragments, fragments are shared; with fewer, a player holds several,
    so every fragment is always held by someone present, whoever joined late or left.
    """
    return held_by(params, {}, present, player)


class SplitClue(MissionType[SplitClueParams]):
    """Collaborative clue split across teammates."""

    key = "split-clue"
    label = "Indices partagés"
    params_model = SplitClueParams
    actions = frozenset({"answer"})
    guesses = frozenset({"answer"})
    markdown = ("question", "fragments[].text")
    dealt_by_presence = True

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

    def regroup(self, params: SplitClueParams, state: JSON, ctx: MissionContext) -> JSON:
        """Fragments dealt over the players present (see `deal`)."""
        return deal(params, state, ctx.present_players)

    def view(self, params: SplitClueParams, state: JSON, player: str, ctx: MissionContext) -> JSON:
        """The question and only this player's fragments."""
        mine = held_by(params, state, ctx.present_players, player)
        return {
            "question": params.question,
            "fragment_count": len(params.fragments),
            "fragments": [{"index": i + 1, "text": params.fragments[i]} for i in mine],
            "attempts": state.get("attempts", 0),
        }


split_clue = SplitClue()
