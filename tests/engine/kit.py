"""Helpers for engine tests: a small hand-built scenario, contexts, the real content, a solver.

The small scenario (`small_scenario`), by day:

    day 1  d1-enigme    enigma      reward 10  unlocks cej               hints cost 3, 5
           d1-dialogue  dialogue    reward 6   requires d1-enigme        unlocks cej, bilan-sante
                                               sets contrat-lu (read) or contrat-signe (sign now)
           d1-quiz      quiz        reward 4   requires d1-enigme
           d1-cadenas   code-lock   reward 5   requires d1-dialogue, d1-quiz
    day 2  d2-suite     dialogue    reward 3   requires d1-dialogue      choices gated by flags
           d2-indices   split-clue  reward 3   six fragments
           d2-preuve    proof       reward 3
           d2-tardif    enigma      reward 3   requires d1-enigme
    day 3  d3-rdv       appointment reward 2   unlocks permis
           d3-bilan     diagnostic  reward 2
           d3-balises   qr-checkpoint reward 2 two ordered checkpoints
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from tempo.engine.team import AVAILABLE, IN_PROGRESS, Game, Result, TeamState
from tempo.missions.base import Action, MissionContext
from tempo.scenarios import load_content
from tempo.scenarios.schema import (
    Antagonist,
    Character,
    Content,
    Day,
    Hint,
    Mission,
    Offer,
    Scenario,
    ScenarioMeta,
)

CONTENT_DIR = Path(__file__).resolve().parents[2] / "content"
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
PLAYERS = ("ana", "bilal", "chloe", "dina", "eli", "farah")
COUNSELLOR = "conseiller"

OFFERS = [
    Offer(
        id="cej",
        title="Contrat d'Engagement Jeune",
        family="emploi",
        summary="Un accompagnement vers l'emploi.",
        access="Parlez-en à votre conseiller.",
    ),
    Offer(
        id="bilan-sante",
        title="Bilan de santé",
        family="sante",
        summary="Un bilan complet.",
        access="Sur rendez-vous.",
    ),
    Offer(
        id="permis",
        title="Aide au permis",
        family="mobilite",
        summary="Un coup de pouce pour le permis.",
        access="Demandez à votre conseiller.",
    ),
]

CHARACTERS = [
    Character(
        id="maya",
        name="Maya",
        role="DRH",
        voice="Chaleureuse.",
        avatar="M",
        color="#7c3aed",
    ),
    Character(
        id="kronos",
        name="KRONOS",
        role="L'IA",
        voice="Froide.",
        avatar="K",
        color="#111111",
    ),
]

ENIGMA_ANSWER = "avenir"
CODE = "4821"
SPLIT_ANSWER = "solidarite"
FRAGMENTS = ["SO", "LI", "DA", "RI", "T", "É"]
HINTS = [("Pensez au futur.", 3), ("Ça commence par A.", 5)]
READ_CHOICE = "Choix des lecteurs"
SIGNED_CHOICE = "Choix des pressés"
NEUTRAL_CHOICE = "Choix neutre"


def mission(
    mission_id: str,
    mission_type: str,
    params: dict[str, Any],
    *,
    reward: int = 10,
    requires: Sequence[str] = (),
    unlocks: Sequence[str] = (),
    hints: Sequence[tuple[str, int]] = (),
) -> Mission:
    """A mission with defaults for the fields the engine does not care about."""
    return Mission(
        id=mission_id,
        type=mission_type,
        title=f"Mission {mission_id}",
        narrative=f"Le récit de {mission_id}.",
        character="maya",
        reward=reward,
        requires=list(requires),
        unlocks=list(unlocks),
        hints=[Hint(text=t, cost=c) for t, c in hints],
        params=params,
    )


def scenario(days: dict[int, list[Mission]], strength: int = 100) -> Scenario:
    """A scenario with these missions per day and the AI at `strength`."""
    return Scenario(
        meta=ScenarioMeta(
            slug="petit",
            title="Petit",
            tagline="Un petit scénario.",
            version="1",
            story="Une histoire.",
            company="Horizon 2050",
            ai=Antagonist(name="KRONOS", strength=strength),
        ),
        characters=CHARACTERS,
        days=[
            Day(
                day=n,
                title=f"Jour {n}",
                intro="Intro.",
                unlock_at="09:00",
                recap_at="17:00",
                missions=missions,
            )
            for n, missions in sorted(days.items())
        ],
    )


def enigma_params(answer: str = ENIGMA_ANSWER) -> dict[str, Any]:
    """An enigma accepting `answer`."""
    return {"question": "Qu'est-ce qui vous attend ?", "answers": [answer]}


FIRST_DIALOGUE = {
    "start": "accueil",
    "nodes": [
        {
            "id": "accueil",
            "speaker": "maya",
            "text": "Voici le contrat.",
            "choices": [
                {"text": "On le lit.", "next": "lecture", "set_flags": ["contrat-lu"]},
                {
                    "text": "On signe tout de suite.",
                    "end": "success",
                    "set_flags": ["contrat-signe"],
                },
                {"text": "On repassera.", "end": "retry"},
            ],
        },
        {
            "id": "lecture",
            "speaker": "maya",
            "text": "Alors ?",
            "choices": [{"text": "On signe après lecture.", "end": "success"}],
        },
    ],
}

SECOND_DIALOGUE = {
    "start": "bilan",
    "nodes": [
        {
            "id": "bilan",
            "speaker": "kronos",
            "text": "Et ce contrat ?",
            "choices": [
                {"text": READ_CHOICE, "if_flags": ["contrat-lu"], "end": "success"},
                {"text": SIGNED_CHOICE, "if_flags": ["contrat-signe"], "end": "success"},
                {
                    "text": NEUTRAL_CHOICE,
                    "unless_flags": ["contrat-lu", "contrat-signe"],
                    "end": "success",
                },
            ],
        }
    ],
}

QUIZ = {
    "questions": [
        {
            "prompt": "Combien de jours ?",
            "choices": [{"text": "Dix", "correct": True}, {"text": "Deux"}],
        },
        {
            "prompt": "Qui aide ?",
            "choices": [
                {"text": "Personne"},
                {"text": "Un conseiller", "correct": True},
                {"text": "Un ami", "correct": True},
            ],
        },
    ]
}
QUIZ_RIGHT = [[0], [1, 2]]
QUIZ_WRONG = [[1], [1, 2]]


def small_scenario(strength: int = 100) -> Scenario:
    """The small hand-built scenario described in this module's docstring."""
    return scenario(
        {
            1: [
                mission(
                    "d1-enigme", "enigma", enigma_params(), reward=10, unlocks=["cej"], hints=HINTS
                ),
                mission(
                    "d1-dialogue",
                    "dialogue",
                    FIRST_DIALOGUE,
                    reward=6,
                    requires=["d1-enigme"],
                    unlocks=["cej", "bilan-sante"],
                ),
                mission("d1-quiz", "quiz", QUIZ, reward=4, requires=["d1-enigme"]),
                mission(
                    "d1-cadenas",
                    "code-lock",
                    {"prompt": "Ouvrez.", "code": CODE},
                    reward=5,
                    requires=["d1-dialogue", "d1-quiz"],
                ),
            ],
            2: [
                mission(
                    "d2-suite", "dialogue", SECOND_DIALOGUE, reward=3, requires=["d1-dialogue"]
                ),
                mission(
                    "d2-indices",
                    "split-clue",
                    {"question": "Quel mot ?", "fragments": FRAGMENTS, "answers": [SPLIT_ANSWER]},
                    reward=3,
                ),
                mission(
                    "d2-preuve", "proof", {"kind": "text", "instructions": "Écrivez."}, reward=3
                ),
                mission("d2-tardif", "enigma", enigma_params(), reward=3, requires=["d1-enigme"]),
            ],
            3: [
                mission(
                    "d3-rdv",
                    "appointment",
                    {"instructions": "Réservez."},
                    reward=2,
                    unlocks=["permis"],
                ),
                mission("d3-bilan", "diagnostic", {"instructions": "Faites-le."}, reward=2),
                mission(
                    "d3-balises",
                    "qr-checkpoint",
                    {
                        "ordered": True,
                        "checkpoints": [
                            {"id": "cp-a", "label": "A", "clue": "Ici.", "placement": "Hall A"},
                            {"id": "cp-b", "label": "B", "clue": "Là.", "placement": "Hall B"},
                        ],
                    },
                    reward=2,
                ),
            ],
        },
        strength=strength,
    )


def small_game(strength: int = 100) -> Game:
    """A Game on the small scenario."""
    return Game(small_scenario(strength), OFFERS)


def team(game: Game, *days: int) -> TeamState:
    """A new team of `game` with these days open."""
    return game.initial_team(open_days=frozenset(days))


def ctx(present: Iterable[str] = PLAYERS) -> MissionContext:
    """A context at NOW with these players present."""
    return MissionContext(now=NOW, present_players=tuple(present))


def act(kind: str, player: str = "ana", **data: Any) -> Action:
    """An action of `player` with keyword data."""
    return Action(kind=kind, player=player, data=data)


def event_types(result: Result) -> list[str]:
    """The types of a result's events, in order."""
    return [e["type"] for e in result.events]


# --- the real content -------------------------------------------------------------------


@cache
def real_content() -> Content:
    """The project's real content, loaded once."""
    loaded = load_content(CONTENT_DIR)
    assert loaded.content is not None, [str(e) for e in loaded.errors]
    return loaded.content


def real_game() -> Game:
    """A Game on the real "Tempo 2050" scenario."""
    content = real_content()
    return Game(content.scenarios["tempo-2050"], content.offers)


# --- a generic solver: plays any mission to completion from the content's own params -----


def dialogue_path(params: dict[str, Any], node: str, flags: dict[str, bool]) -> list[int]:
    """Indexes (among visible choices) leading from `node` to an `end: success` choice.

    Breadth-first over (node, flags) so that flags set along the way are taken into account.
    """
    nodes = {n["id"]: n for n in params["nodes"]}

    def visible(choice: dict[str, Any], current: frozenset[str]) -> bool:
        return all(f in current for f in choice.get("if_flags", [])) and not any(
            f in current for f in choice.get("unless_flags", [])
        )

    start = (node, frozenset(f for f, on in flags.items() if on))
    todo: deque[tuple[tuple[str, frozenset[str]], list[int]]] = deque([(start, [])])
    seen = {start}
    while todo:
        (node_id, current), path = todo.popleft()
        choices = [c for c in nodes[node_id]["choices"] if visible(c, current)]
        for i, choice in enumerate(choices):
            after = current | frozenset(choice.get("set_flags", []))
            if choice.get("end") == "success":
                return [*path, i]
            if choice.get("next") is not None:
                key = (choice["next"], after)
                if key not in seen:
                    seen.add(key)
                    todo.append((key, [*path, i]))
    raise AssertionError(f"no path to success from {node!r} with flags {sorted(start[1])}")


def voters(params: dict[str, Any], present: Sequence[str]) -> list[str]:
    """Who taps for the team: a bare majority of the present in `decision: vote`, else one."""
    if params.get("decision") != "vote" or not present:
        return [present[0] if present else PLAYERS[0]]
    return list(present[: len(present) // 2 + 1])


def solve(
    game: Game,
    state: TeamState,
    mission_id: str,
    present: Sequence[str],
    log: list[dict[str, Any]] | None = None,
) -> TeamState:
    """Play `mission_id` to completion with the right answers read from the content.

    Every action must be accepted and the mission must end done; returns the new state and
    appends the events to `log` if given.
    """
    m = game.missions[mission_id]
    p = m.params
    context = ctx(present)

    def apply(action: Action) -> None:
        nonlocal state
        result = game.play(state, mission_id, action, context)
        assert result.error is None, (mission_id, action, result.error)
        state = result.state
        if log is not None:
            log.extend(result.events)

    if m.type in ("enigma", "split-clue"):
        apply(act("answer", answer=p["answers"][0]))
    elif m.type == "code-lock":
        apply(act("try", code=p["code"]))
    elif m.type == "quiz":
        answers = [
            [i for i, c in enumerate(q["choices"]) if c.get("correct")] for q in p["questions"]
        ]
        for voter in voters(p, present):
            apply(act("vote", player=voter, answers=answers))
    elif m.type == "dialogue":
        for index in dialogue_path(p, p["start"], dict(state.flags)):
            for voter in voters(p, present):
                apply(act("vote", player=voter, choice=index))
    elif m.type == "proof":
        apply(act("submit", text="Notre preuve.", photo="0123456789abcdef0123456789abcdef.jpg"))
        apply(act("review", player=COUNSELLOR, accepted=True))
    elif m.type == "qr-checkpoint":
        for checkpoint in p["checkpoints"]:
            apply(act("scan", checkpoint=checkpoint["id"]))
    elif m.type == "appointment":
        for player in present:
            apply(act("booked", player=player))
    elif m.type == "diagnostic":
        for player in present:
            apply(act("completed", player=player))
    else:  # pragma: no cover - a new mission type needs a branch here
        raise AssertionError(f"no solver for mission type {m.type!r}")
    assert game.status(state, mission_id) == "done", mission_id
    return state


def play_all(
    game: Game,
    state: TeamState,
    present: Sequence[str] = PLAYERS,
    log: list[dict[str, Any]] | None = None,
) -> TeamState:
    """Solve every playable mission, again and again, until none is available."""
    while True:
        playable = [m for m, s in game.statuses(state).items() if s in (AVAILABLE, IN_PROGRESS)]
        if not playable:
            return state
        state = solve(game, state, playable[0], present, log)
