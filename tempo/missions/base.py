"""The common interface every mission type implements (pure: no I/O, no clock, no framework)."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel, ConfigDict

JSON = dict[str, Any]


class Params(BaseModel):
    """Base class of every mission type's parameters: unknown keys are authoring mistakes."""

    model_config = ConfigDict(extra="forbid", frozen=True)


P = TypeVar("P", bound=Params)


@dataclass(frozen=True)
class MissionContext:
    """What a mission may know about the world when it handles an action."""

    now: datetime
    present_players: tuple[str, ...] = ()
    flags: Mapping[str, bool] = field(default_factory=dict)
    # How long a team's vote lasts before the most voted choice wins (tempo/missions/votes.py).
    vote_seconds: int = 60


@dataclass(frozen=True)
class Action:
    """A player's action on a mission: a kind and its data, from one player."""

    kind: str
    player: str
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class MissionError:
    """A refusal with a stable code (for clients) and a French message (for players)."""

    code: str
    message: str


@dataclass
class Outcome:
    """The result of handling an action: the new state and what happened."""

    state: JSON
    completed: bool = False
    wrong: bool = False
    error: MissionError | None = None
    events: list[JSON] = field(default_factory=list)
    set_flags: dict[str, bool] = field(default_factory=dict)
    # Extra fields of the `mission.updated` / `mission.attempted` event (a vote: who proposed
    # what, for teammates' live regions).
    detail: JSON = field(default_factory=dict)


@dataclass(frozen=True)
class Issue:
    """A content problem found by a type's own semantic checks, located inside `params`."""

    loc: tuple[str | int, ...]
    message: str


@dataclass(frozen=True)
class References:
    """Identifiers a mission's parameters point at, checked by the scenario validator."""

    characters: tuple[tuple[tuple[str | int, ...], str], ...] = ()
    checkpoints: tuple[tuple[tuple[str | int, ...], str], ...] = ()
    # Team flags the mission sets, and reads in its conditions (the validator pairs them up).
    flags_set: tuple[tuple[tuple[str | int, ...], str], ...] = ()
    flags_read: tuple[tuple[tuple[str | int, ...], str], ...] = ()
    # Images of the library the parameters show (checked against the library by name).
    images: tuple[tuple[tuple[str | int, ...], str], ...] = ()


@dataclass(frozen=True)
class ConsoleSummary:
    """What the counsellor's dashboard shows of one team's mission besides its status."""

    pending: bool = False  # waits for the counsellor's review
    photo: str | None = None
    text: str | None = None


class MissionType(Generic[P]):
    """A mission type: parameters schema, initial state, action handling and client view."""

    key: ClassVar[str]
    label: ClassVar[str]
    params_model: type[P]
    actions: ClassVar[frozenset[str]] = frozenset()
    # Actions that can be wrong answers, counted by the per-player and per-team rate limits.
    guesses: ClassVar[frozenset[str]] = frozenset()
    # Actions only the server sends, after its own checks (a scanned token, a booking, a
    # counsellor's review): a phone may never send them itself.
    server_actions: ClassVar[frozenset[str]] = frozenset()
    # Fields of an action's data only the server fills in (a stored photo's name): a phone's
    # action carrying one is refused.
    server_fields: ClassVar[frozenset[str]] = frozenset()
    # View fields holding authored Markdown, sent to phones as sanitised HTML under
    # `<name>_html` (see `markdown_to_html` for the path syntax).
    markdown: ClassVar[tuple[str, ...]] = ()
    # True when the state depends on who is present (split-clue fragments): the service
    # persists `regroup` whenever a teammate connects or leaves.
    dealt_by_presence: ClassVar[bool] = False
    # True when `view` differs from one player to another (split-clue fragments, a player's own
    # diagnostic): after a change the server pushes each present player their own view.
    view_per_player: ClassVar[bool] = False

    def parse(self, raw: Mapping[str, Any]) -> P:
        """Validate raw parameters into this type's model (raises pydantic.ValidationError)."""
        return self.params_model.model_validate(raw)

    def check(self, params: P) -> list[Issue]:
        """Semantic checks beyond the schema (dangling internal references, impossible answers)."""
        return []

    def references(self, params: P) -> References:
        """External identifiers (characters, checkpoints) the validator must resolve."""
        return References()

    def initial_state(self, params: P) -> JSON:
        """The state of this mission for a team when it becomes available."""
        return {}

    def handle(self, params: P, state: JSON, action: Action, ctx: MissionContext) -> Outcome:
        """Apply one action; never mutate `state`, return a new one in the outcome."""
        return Outcome(state=dict(state), error=unknown_action(action))

    def view(self, params: P, state: JSON, player: str, ctx: MissionContext) -> JSON:
        """What a client may see: never an accepted answer."""
        return {}

    def regroup(self, params: P, state: JSON, ctx: MissionContext) -> JSON:
        """The state once `ctx.present_players` are the players present; unchanged by default."""
        return state

    def console_summary(self, params: P, state: JSON) -> ConsoleSummary:
        """What the counsellor's dashboard shows of a team's state of this mission."""
        return ConsoleSummary()


def markdown_to_html(view: JSON, fields: Iterable[str], render: Callable[[str], str]) -> JSON:
    """A copy of `view` whose declared Markdown fields are replaced by rendered `<name>_html`.

    A field is a dotted path: `name` is a string, `name[]` a list of strings, `items[].name`
    the `name` of each object of the list `items`, `play.name` a field of the object `play`.
    An absent field is skipped; None and "" give None.
    """
    out = view
    for path in fields:
        out = _render_path(out, path.split("."), render)
    return out


def _render_path(value: Any, path: list[str], render: Callable[[str], str]) -> Any:
    head, rest = path[0], path[1:]
    name = head.removesuffix("[]")
    if not isinstance(value, dict) or name not in value:
        return value
    item, many = value[name], head.endswith("[]")
    out = dict(value)
    if rest:
        if many and isinstance(item, list):
            out[name] = [_render_path(x, rest, render) for x in item]
        elif not many:
            out[name] = _render_path(item, rest, render)
        return out
    if many and isinstance(item, list):
        del out[name]
        out[f"{name}_html"] = [render(x) if isinstance(x, str) else x for x in item]
    elif not many and (item is None or isinstance(item, str)):
        del out[name]
        out[f"{name}_html"] = render(item) if item else None
    return out


def attempted(state: JSON, correct: bool, message: str) -> Outcome:
    """One more attempt counted: the mission is done, or a wrong answer with this message."""
    new = {**state, "attempts": int(state.get("attempts", 0)) + 1}
    if correct:
        return Outcome(state=new, completed=True)
    return Outcome(state=new, wrong=True, error=MissionError("wrong_answer", message))


def unknown_action(action: Action) -> MissionError:
    """The refusal for an action kind a mission type does not know."""
    return MissionError(
        "unknown_action", f"Action inconnue pour cette mission : « {action.kind} »."
    )


def compact_code(raw: str) -> str:
    """A typed code as printed: upper case, accents folded, spaces and dashes dropped."""
    decomposed = unicodedata.normalize("NFKD", raw.upper())
    return "".join(ch for ch in decomposed if ch.isalnum() and not unicodedata.combining(ch))


def normalise(text: str) -> str:
    """Fold case, accents, punctuation and spacing: 'Éclat  d’avenir!' -> 'eclat d avenir'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = []
    for ch in decomposed:
        if unicodedata.combining(ch):
            continue
        kept.append(ch if ch.isalnum() else " ")
    return " ".join("".join(kept).split())


def matches(answer: object, accepted: Sequence[str]) -> bool:
    """True when a submitted answer matches one of the accepted answers once normalised."""
    if not isinstance(answer, str):
        return False
    given = normalise(answer)
    return bool(given) and any(given == normalise(a) for a in accepted)


def text_answer(action: Action, field_name: str = "answer") -> str | MissionError:
    """Extract a non-empty text answer from an action, or the error to send back."""
    value = action.data.get(field_name)
    if not isinstance(value, str) or not value.strip():
        return MissionError("invalid_answer", "Écris une réponse avant de valider.")
    if len(value) > 200:
        return MissionError(
            "invalid_answer", "Cette réponse est trop longue (200 caractères au plus)."
        )
    return value
