"""Dialogue: a branching conversation with the scenario's characters.

Choices may be shown only when team flags are (or are not) set, and may set flags that later
dialogues read. Reaching a choice that ends with `success` completes the mission; `retry` goes
back to the start. With `decision: vote` a tap is a proposal the team votes on
(tempo/missions/votes.py); with `first_tap` (the default) the first tap decides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from pydantic import Field, model_validator

from tempo.missions import votes
from tempo.missions.base import (
    JSON,
    Action,
    Issue,
    MissionContext,
    MissionError,
    MissionType,
    Outcome,
    Params,
    References,
    unknown_action,
)

FLAG = r"^[a-z0-9][a-z0-9_-]*$"


# Steps of a dialogue's path kept in its state (and shown as its history).
MAX_PATH = 40


class DialogueChoice(Params):
    """A reply the team may pick: it leads to a node or ends the conversation."""

    text: str = Field(min_length=1)
    next: str | None = Field(default=None, json_schema_extra={"x-ref": "node"})
    end: Literal["success", "retry"] | None = None
    if_flags: list[str] = Field(default_factory=list)
    unless_flags: list[str] = Field(default_factory=list)
    set_flags: list[str] = Field(default_factory=list)
    reaction: str | None = None

    @model_validator(mode="after")
    def _one_target(self) -> DialogueChoice:
        if (self.next is None) == (self.end is None):
            raise ValueError("un choix doit avoir soit « next » soit « end »")
        for flag in (*self.if_flags, *self.unless_flags, *self.set_flags):
            if not re.match(FLAG, flag):
                raise ValueError(f"nom de drapeau invalide : {flag!r}")
        return self


class DialogueNode(Params):
    """One line spoken by a character, and the replies offered."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    speaker: str = Field(json_schema_extra={"x-ref": "character"})
    text: str = Field(min_length=1)
    choices: list[DialogueChoice] = Field(min_length=1)


class DialogueParams(Params):
    """The conversation graph and where it starts."""

    start: str = Field(json_schema_extra={"x-ref": "node"})
    nodes: list[DialogueNode] = Field(min_length=1)
    # How the team decides: the first tap, or a vote of the players present.
    decision: votes.Decision = "first_tap"

    def node(self, node_id: str) -> DialogueNode | None:
        """The node with this id, if any."""
        return next((n for n in self.nodes if n.id == node_id), None)


def _visible(choice: DialogueChoice, flags: dict[str, bool]) -> bool:
    return all(flags.get(f) for f in choice.if_flags) and not any(
        flags.get(f) for f in choice.unless_flags
    )


def _success_reachable(params: DialogueParams) -> bool:
    """True when some choice ending with success can be reached from `start` (flags ignored)."""
    seen: set[str] = set()
    todo = [params.start]
    while todo:
        node = params.node(todo.pop())
        if node is None or node.id in seen:
            continue
        seen.add(node.id)
        for choice in node.choices:
            if choice.end == "success":
                return True
            if choice.next is not None:
                todo.append(choice.next)
    return False


# Flags one node's conditions may combine before the « stranded » check stops enumerating.
MAX_NODE_FLAGS = 10


@dataclass(frozen=True)
class DialogueAnalysis:
    """What a dialogue's graph allows, flags ignored for reachability.

    `reachable`: the nodes some path of choices reaches from `start` (in the nodes' order);
    `unreachable`: the others; `stranded`: for each node where some flag state hides every
    choice, that state (flag → set or absent); `flags_set` / `flags_read`: the flags its
    choices set and read (if_flags, unless_flags), sorted.
    """

    reachable: tuple[str, ...]
    unreachable: tuple[str, ...]
    stranded: dict[str, dict[str, bool]]
    flags_set: tuple[str, ...]
    flags_read: tuple[str, ...]


def analyse(params: DialogueParams) -> DialogueAnalysis:
    """The reachable, unreachable and stranded nodes and the flags of a dialogue (pure).

    Used by the validator (`check`) and by the studio's dialogue map.
    """
    reached: set[str] = set()
    todo = [params.start]
    while todo:
        node = params.node(todo.pop())
        if node is None or node.id in reached:
            continue
        reached.add(node.id)
        todo += [c.next for c in node.choices if c.next is not None]
    stranded: dict[str, dict[str, bool]] = {}
    for node in params.nodes:
        hidden = _stranding_flags(node)
        if hidden is not None and node.id not in stranded:
            stranded[node.id] = hidden
    choices = [c for n in params.nodes for c in n.choices]
    return DialogueAnalysis(
        reachable=tuple(n.id for n in params.nodes if n.id in reached),
        unreachable=tuple(n.id for n in params.nodes if n.id not in reached),
        stranded=stranded,
        flags_set=tuple(sorted({f for c in choices for f in c.set_flags})),
        flags_read=tuple(sorted({f for c in choices for f in (*c.if_flags, *c.unless_flags)})),
    )


def flag_words(flags: dict[str, bool]) -> str:
    """A flag state in French: « 'a' est posé et 'b' est absent »."""
    return " et ".join(f"{name!r} est {'posé' if on else 'absent'}" for name, on in flags.items())


def _graph_issues(params: DialogueParams) -> list[Issue]:
    """Nodes no path from `start` reaches, and nodes where some flags hide every choice."""
    analysis = analyse(params)
    issues = [
        Issue(
            ("nodes", i, "id"),
            f"nœud inaccessible : aucun choix n'y mène depuis le départ {params.start!r}",
        )
        for i, node in enumerate(params.nodes)
        if node.id in analysis.unreachable
    ]
    for i, node in enumerate(params.nodes):
        hidden = _stranding_flags(node)
        if hidden is not None:
            issues.append(
                Issue(
                    ("nodes", i, "choices"),
                    f"aucun choix n'est visible quand {flag_words(hidden)} : l'équipe serait "
                    "bloquée (ajoutez un choix sans condition)",
                )
            )
    return issues


def _stranding_flags(node: DialogueNode) -> dict[str, bool] | None:
    """A flag state hiding every choice of `node` (flag → set), or None."""
    if any(not c.if_flags and not c.unless_flags for c in node.choices):
        return None
    names = sorted({f for c in node.choices for f in (*c.if_flags, *c.unless_flags)})
    if len(names) > MAX_NODE_FLAGS:
        return None
    for mask in range(2 ** len(names)):
        flags = {name: bool(mask >> k & 1) for k, name in enumerate(names)}
        if not any(_visible(c, flags) for c in node.choices):
            return flags
    return None


class Dialogue(MissionType[DialogueParams]):
    """Branching conversation."""

    key = "dialogue"
    label = "Dialogue"
    params_model = DialogueParams
    # `choose` and `vote` are the same tap: a proposal in vote mode, the decision otherwise.
    actions = frozenset({"choose", votes.VOTE, votes.DECIDE})
    # A reaction is the line a character says right after the team's choice.
    markdown = ("text", "reaction", "history[].reaction")

    def check(self, params: DialogueParams) -> list[Issue]:
        """Node ids are unique; `start` and every `next` exist; some path reaches success."""
        issues: list[Issue] = []
        ids = [n.id for n in params.nodes]
        for i, node_id in enumerate(ids):
            if node_id in ids[:i]:
                issues.append(Issue(("nodes", i, "id"), f"nœud en double : {node_id!r}"))
        if params.start not in ids:
            issues.append(Issue(("start",), f"nœud inconnu : {params.start!r}"))
        for i, node in enumerate(params.nodes):
            for j, choice in enumerate(node.choices):
                if choice.next is not None and choice.next not in ids:
                    issues.append(
                        Issue(("nodes", i, "choices", j, "next"), f"nœud inconnu : {choice.next!r}")
                    )
        if not any(c.end == "success" for n in params.nodes for c in n.choices):
            issues.append(
                Issue(("nodes",), "aucun choix ne termine le dialogue avec « end: success »")
            )
        elif not issues and not _success_reachable(params):
            issues.append(
                Issue(
                    ("start",),
                    "aucun chemin depuis ce nœud n'atteint un choix « end: success »",
                )
            )
        return issues or _graph_issues(params)

    def references(self, params: DialogueParams) -> References:
        """Every node's speaker is a character; the flags the choices set and read."""
        choices = [
            (("nodes", i, "choices", j), c)
            for i, n in enumerate(params.nodes)
            for j, c in enumerate(n.choices)
        ]
        return References(
            characters=tuple(
                (("nodes", i, "speaker"), n.speaker) for i, n in enumerate(params.nodes)
            ),
            flags_set=tuple(
                ((*loc, "set_flags", k), f) for loc, c in choices for k, f in enumerate(c.set_flags)
            ),
            flags_read=tuple(
                ((*loc, key, k), f)
                for loc, c in choices
                for key, flags in (("if_flags", c.if_flags), ("unless_flags", c.unless_flags))
                for k, f in enumerate(flags)
            ),
        )

    def initial_state(self, params: DialogueParams) -> JSON:
        """At the start node, nothing said."""
        return {"node": params.start, "path": []}

    def handle(
        self, params: DialogueParams, state: JSON, action: Action, ctx: MissionContext
    ) -> Outcome:
        """Vote for (or, first tap, pick) the choice at index `choice` of the current node (an
        index among the visible ones), or ask for the decision once the vote's time is up."""
        if action.kind not in self.actions:
            return Outcome(state=dict(state), error=unknown_action(action))
        node = params.node(str(state.get("node", params.start)))
        if node is None:
            return Outcome(
                state=dict(state), error=MissionError("invalid_state", "Dialogue perdu.")
            )
        expected = action.data.get("node")
        if expected is not None and expected != node.id:
            refusal = (
                votes.stale()
                if action.kind != "choose"
                else MissionError("stale", "La conversation a déjà avancé : regarde la suite.")
            )
            return Outcome(state=dict(state), error=refusal)
        visible = [c for c in node.choices if _visible(c, dict(ctx.flags))]
        if action.kind == votes.DECIDE:
            cast = votes.decide(state, node.id, ctx)
            if isinstance(cast, MissionError):
                return Outcome(state=dict(state), error=cast)
        else:
            index = action.data.get("choice")
            if (
                not isinstance(index, int)
                or isinstance(index, bool)
                or not 0 <= index < len(visible)
            ):
                return Outcome(
                    state=dict(state),
                    error=MissionError("invalid_choice", "Ce choix n'existe pas."),
                )
            cast = votes.cast(state, node.id, action.player, index, ctx, params.decision)
        if not cast.done:
            proposed = action.data["choice"]
            return Outcome(
                state={**state, "vote": cast.round},
                detail={"vote": {"choice": proposed, "text": visible[proposed].text}},
            )
        return _apply(params, node, visible[cast.decided], votes.ended(state))

    def view(self, params: DialogueParams, state: JSON, player: str, ctx: MissionContext) -> JSON:
        """The current line and the replies whose conditions hold (and the round's votes)."""
        node = params.node(str(state.get("node", params.start)))
        if node is None:
            return {"node": None, "choices": []}
        flags = dict(ctx.flags)
        return {
            "node": node.id,
            "speaker": node.speaker,
            "text": node.text,
            "choices": [c.text for c in node.choices if _visible(c, flags)],
            "history": list(state.get("path", [])),
            **_last_reaction(params, state),
            "ended": bool(state.get("ended")),
            **votes.view(state, node.id, ctx, params.decision),
        }


def _apply(
    params: DialogueParams, node: DialogueNode, choice: DialogueChoice, state: JSON
) -> Outcome:
    """The team's reply `choice` at `node`: the conversation goes on, restarts or ends."""
    set_flags = dict.fromkeys(choice.set_flags, True)
    step = {"node": node.id, "choice": choice.text, "reaction": choice.reaction}
    # Only the latest steps are kept: a team looping on « retry » must not grow its state
    # (and every snapshot sent to its phones) without end. The game reads the last one.
    path = [*state.get("path", []), step][-MAX_PATH:]
    if choice.end == "success":
        return Outcome(
            state={"node": node.id, "path": path, "ended": True},
            completed=True,
            set_flags=set_flags,
        )
    target = params.start if choice.end == "retry" else str(choice.next)
    return Outcome(state={"node": target, "path": path}, set_flags=set_flags)


def _last_reaction(params: DialogueParams, state: JSON) -> JSON:
    """The reaction to the team's last choice and who says it: the speaker of that choice's node.

    Nothing before the team has chosen: a reaction belongs to a choice already made.
    """
    path = state.get("path") or []
    last = path[-1] if path and isinstance(path[-1], dict) else {}
    node = params.node(str(last.get("node"))) if last.get("reaction") else None
    return {
        "reaction": last.get("reaction") if node is not None else None,
        "reaction_speaker": node.speaker if node is not None else None,
        "reaction_to": last.get("choice") if node is not None else None,
    }


dialogue = Dialogue()
