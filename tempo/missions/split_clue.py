"""Split-clue: each present teammate receives a different fragment; the answer needs them all."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

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


class SplitClueParams(Params):
    """The question, 2 to 6 fragments (a team has at least 6 players) and accepted answers."""

    question: str = Field(min_length=1)
    fragments: list[str] = Field(min_length=2, max_length=6)
    answers: list[str] = Field(min_length=1)


def _rank(player: str) -> tuple[int, str]:
    # Player ids are decimal strings: shorter first, then text order, is numeric order.
    return len(player), player


def _indexes(value: object, count: int) -> list[int]:
    if not isinstance(value, list):
        return []
    return [i for i in value if isinstance(i, int) and 0 <= i < count]


def _mapping(state: JSON, key: str) -> dict[str, Any]:
    value = state.get(key)
    return {str(k): v for k, v in value.items()} if isinstance(value, dict) else {}


def _players(value: object) -> list[str]:
    return [str(p) for p in value] if isinstance(value, list) else []


def deal(params: SplitClueParams, state: JSON, present: tuple[str, ...]) -> JSON:
    """The state with fragments dealt over the players present, moving as few as possible.

    `dealt` is each player's own fragments, kept while they are away; `lent` is, for a fragment
    none of whose holders is present, who stands in for them, in order. A present player always
    holds their own. A fragment whose holders are all away is held by the first present player
    of its `lent` list, else by the present player holding the fewest (ties: lowest id), who is
    added to the list; it goes back when one of its holders returns (or an earlier stand-in).
    A fragment no one was ever dealt goes to the player holding the fewest. A first-time player
    takes the last fragment of the player dealt the most while that player would still hold at
    least as many as they do (hands within one of each other); one still empty-handed, like
    anyone present holding none, gets a copy of the least shared fragment. So departures never
    take anything from anyone present; a return only takes back what the returner held; a
    newcomer only takes from teammates holding two more than them, who keep at least one.
    Dealing again with the same players present changes nothing, so a reload or a restart
    (phones reconnecting in any order) gives everyone the same fragments; with no one present
    nothing moves.
    """
    if not present:
        return dict(state)
    count = len(params.fragments)
    dealt = {p: _indexes(held, count) for p, held in _mapping(state, "dealt").items()}
    raw_lent = _mapping(state, "lent")
    here = sorted(set(present), key=_rank)
    newcomers = [p for p in here if p not in dealt]
    for player in newcomers:
        dealt[player] = []
    holding = {p: list(dealt[p]) for p in here}
    for i in range(count):  # never dealt yet (the first deal): to whoever holds the fewest
        if not any(i in held for held in dealt.values()):
            fewest = min(here, key=lambda p: (len(holding[p]), _rank(p)))
            dealt[fewest].append(i)
            holding[fewest].append(i)
    lent: dict[str, list[str]] = {}
    for i in range(count):  # fragments whose holders are all away
        if any(i in holding[p] for p in here):
            continue
        standins = _players(raw_lent.get(str(i)))
        standin = next((p for p in standins if p in holding), None)
        if standin is None:
            standin = min(here, key=lambda p: (len(holding[p]), _rank(p)))
            standins.append(standin)
        holding[standin].append(i)
        lent[str(i)] = standins
    for player in newcomers:  # a first-time player evens hands out with whoever has the most
        while True:
            richest = min(here, key=lambda p: (-len(dealt[p]), _rank(p)))
            if len(dealt[richest]) < len(holding[player]) + 2:
                break
            taken = dealt[richest].pop()
            holding[richest].remove(taken)
            dealt[player].append(taken)
            holding[player].append(taken)
    for player in here:  # empty-handed (new, or a fragment went back): a copy of the least shared
        if not holding[player]:
            # Preferably one its own holder is here for, so no stand-in's list changes.
            own = [i for i in range(count) if str(i) not in lent] or list(range(count))
            shared = min(own, key=lambda i: (sum(i in h for h in holding.values()), i))
            if str(shared) in lent:  # every fragment is lent: its stand-in becomes a holder
                standins = lent.pop(str(shared))
                dealt[next(p for p in standins if p in holding)].append(shared)
            dealt[player].append(shared)
            holding[player].append(shared)
    return {**state, "dealt": dealt, "lent": lent}


# Recent deals, by what a deal reads: the parameters, the `dealt` and `lent` parts of the
# state and who is present. An answer changes neither, so the views drawn after it (for each
# present player, before and after the action) and after the team's next answers are dealt
# once, until someone comes or goes: with twelve players a deal is the costliest part of a
# split clue's views.
_DEALS: OrderedDict[tuple[Any, ...], tuple[SplitClueParams, dict[str, list[int]]]] = OrderedDict()
_DEALS_KEPT = 256


def _frozen(value: object) -> object:
    if isinstance(value, dict):
        return tuple(sorted((str(k), _frozen(v)) for k, v in value.items()))
    if isinstance(value, list):
        return tuple(_frozen(v) for v in value)
    return value


# The last deal, by identity: the views after an action are drawn for each present player in
# turn from the same state objects.
_last: tuple[SplitClueParams, JSON, tuple[str, ...], dict[str, list[int]]] | None = None


def _hands(params: SplitClueParams, state: JSON, present: tuple[str, ...]) -> dict[str, list[int]]:
    """`hands`, shared with the caches: never modified."""
    global _last
    last = _last
    if last is not None and last[0] is params and last[1] is state and last[2] == present:
        return last[3]
    key = (id(params), _frozen(state.get("dealt")), _frozen(state.get("lent")), present)
    found = _DEALS.get(key)
    if found is not None and found[0] is params:  # `is`: an id may be reused once freed
        _DEALS.move_to_end(key)
        held = found[1]
    else:
        dealt = deal(params, state, present)
        held = {p: sorted(dealt["dealt"][p]) for p in present}
        for i, standins in dealt["lent"].items():
            standin = next(p for p in standins if p in held)
            held[standin] = sorted([*held[standin], int(i)])
        _DEALS[key] = (params, held)
        if len(_DEALS) > _DEALS_KEPT:
            _DEALS.popitem(last=False)
    _last = (params, state, present, held)
    return held


def hands(params: SplitClueParams, state: JSON, present: tuple[str, ...]) -> dict[str, list[int]]:
    """Fragment indexes each present player holds (theirs and those they stand in for)."""
    if not present:
        return {}
    return {p: list(held) for p, held in _hands(params, state, present).items()}


def held_by(
    params: SplitClueParams, state: JSON, present: tuple[str, ...], player: str
) -> list[int]:
    """Fragment indexes a player holds once the fragments are dealt over the players present."""
    if player not in present:
        return []
    return list(_hands(params, state, present).get(player, []))


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
    view_per_player = True

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
        return attempted(
            state,
            matches(answer, params.answers),
            "Ce n'est pas ça. Mettez bien tous vos fragments en commun !",
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
