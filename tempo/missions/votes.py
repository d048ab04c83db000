"""Team decisions by vote, shared by the dialogue and the quiz (pure: the time is passed in).

In `vote` mode a tap is a proposal: the mission's state keeps the current round (`vote`: its
key — the dialogue's node, the quiz's attempt number —, when it started and its votes in the
order they were cast, one per player). A choice is decided as soon as a strict majority of the
players present (the voter always counts as present) voted for it, or, once the round's time is
up, on the next vote or `decide` action: the most voted choice, ties going to the choice voted
first. In `first_tap` mode the first tap decides, as before votes existed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from tempo.missions.base import JSON, MissionContext, MissionError

Decision = Literal["vote", "first_tap"]

# Action kinds: a vote (or the former single-tap kind, which counts as one), and the request a
# phone sends when the countdown ends.
VOTE, DECIDE = "vote", "decide"

STALE_VOTE = "stale"


@dataclass(frozen=True)
class Cast:
    """The outcome of a vote: the round to keep, or the choice decided (the round then ends)."""

    round: JSON | None
    decided: Any = None

    @property
    def done(self) -> bool:
        """True when this vote settled the round."""
        return self.round is None


def current(state: JSON, key: Any) -> JSON | None:
    """The round in progress for this key (the current node or attempt), if any."""
    raw = state.get("vote")
    if isinstance(raw, dict) and raw.get("key") == key and isinstance(raw.get("votes"), list):
        return raw
    return None


def _majority(votes: list[JSON], present: set[str]) -> Any:
    counted = [v for v in votes if v["player"] in present]
    for vote in counted:
        if sum(1 for v in counted if v["choice"] == vote["choice"]) * 2 > len(present):
            return vote["choice"]
    return None


def _plurality(votes: list[JSON]) -> Any:
    """The most voted choice; ties go to the choice whose earliest vote came first."""
    best, best_count = None, 0
    for vote in votes:  # in casting order: a tie keeps the choice met first
        count = sum(1 for v in votes if v["choice"] == vote["choice"])
        if count > best_count:
            best, best_count = vote["choice"], count
    return best


def _expired(round_: JSON, now: datetime) -> bool:
    deadline = round_.get("deadline")
    return isinstance(deadline, str) and now >= datetime.fromisoformat(deadline)


def cast(
    state: JSON, key: Any, player: str, choice: Any, ctx: MissionContext, decision: Decision
) -> Cast:
    """Record `player`'s vote for `choice` in the round `key`; the choice decided, if any."""
    if decision == "first_tap":
        return Cast(None, choice)
    round_ = current(state, key) or {
        "key": key,
        "started": ctx.now.isoformat(),
        "deadline": (ctx.now + timedelta(seconds=ctx.vote_seconds)).isoformat(),
        "votes": [],
    }
    votes = [v for v in round_["votes"] if v.get("player") != player]
    votes.append({"player": player, "choice": choice, "at": ctx.now.isoformat()})
    present = {*ctx.present_players, player}
    decided = _majority(votes, present)
    if decided is None and _expired(round_, ctx.now):
        decided = _plurality(votes)
    if decided is not None:
        return Cast(None, decided)
    return Cast({**round_, "votes": votes})


def decide(state: JSON, key: Any, ctx: MissionContext) -> Cast | MissionError:
    """A `decide` request: the majority of those present now, or the plurality once time is up.

    Idempotent: once the round is decided, a late request finds no round and is refused.
    """
    round_ = current(state, key)
    if round_ is None or not round_["votes"]:
        return MissionError(STALE_VOTE, "Ce vote est déjà terminé : regarde la suite.")
    decided = _majority(round_["votes"], set(ctx.present_players))
    if decided is None and _expired(round_, ctx.now):
        decided = _plurality(round_["votes"])
    if decided is None:
        return MissionError("vote_open", "Le vote continue : le temps n'est pas encore écoulé.")
    return Cast(None, decided)


def stale() -> MissionError:
    """The refusal of a vote for a round already decided: nothing is recorded."""
    return MissionError(STALE_VOTE, "L'équipe a déjà décidé : ce vote arrive trop tard.")


def view(state: JSON, key: Any, ctx: MissionContext, decision: Decision) -> JSON:
    """What phones see of the round: the votes in casting order and the seconds left."""
    if decision == "first_tap":
        return {}
    round_ = current(state, key)
    left = None
    votes: list[JSON] = []
    if round_ is not None:
        votes = [{"player": v["player"], "choice": v["choice"]} for v in round_["votes"]]
        deadline = round_.get("deadline")
        if isinstance(deadline, str):
            remaining = (datetime.fromisoformat(deadline) - ctx.now).total_seconds()
            left = max(0, int(remaining + 0.999))
    return {"decision": "vote", "vote_round": key, "votes": votes, "seconds_left": left}


def ended(state: JSON) -> JSON:
    """The state without its round (after a decision)."""
    return {k: v for k, v in state.items() if k != "vote"}
