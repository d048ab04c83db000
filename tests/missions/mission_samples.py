"""Helpers for mission-type tests: a fixed clock, contexts, and one valid sample per type.

Every registered mission type MUST have an entry in SAMPLES: the contract test fails otherwise.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import tempo.missions  # noqa: F401  (registers every mission type)
from tempo.missions import registry
from tempo.missions.base import Action, MissionContext, MissionType, Outcome

NOW = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
TEAM = ("ana", "bilal", "chloe")


def ctx(present: Iterable[str] = TEAM, flags: Mapping[str, bool] | None = None) -> MissionContext:
    """A context at NOW with these present players and team flags."""
    return MissionContext(now=NOW, present_players=tuple(present), flags=dict(flags or {}))


def act(kind: str, player: str = "ana", **data: Any) -> Action:
    """An action of `player` with keyword data."""
    return Action(kind=kind, player=player, data=data)


def mission(key: str) -> MissionType[Any]:
    """The registered mission type under `key`."""
    found = registry.get(key)
    assert found is not None, f"mission type {key!r} is not registered"
    return found


def dumps(value: Any) -> str:
    """Strict JSON (no NaN, no fallback), keeping accents readable for substring checks."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


def run(
    key: str,
    raw: Mapping[str, Any],
    actions: Iterable[Action],
    context: MissionContext | None = None,
) -> tuple[Any, dict[str, Any], list[Outcome]]:
    """Parse `raw`, apply `actions` from the initial state; return params, state, outcomes."""
    mt = mission(key)
    params = mt.parse(raw)
    state: dict[str, Any] = mt.initial_state(params)
    outcomes = []
    for action in actions:
        outcome = mt.handle(params, state, action, context or ctx())
        outcomes.append(outcome)
        state = outcome.state
    return params, state, outcomes


@dataclass(frozen=True)
class Sample:
    """Valid params for one type, actions completing it from scratch (with `ctx()`), secrets."""

    params: dict[str, Any]
    complete: tuple[Action, ...]
    secrets: tuple[str, ...] = ()
    # Secrets a view may show once the team has acted (a quiz's explanations), never before.
    after_answer: tuple[str, ...] = ()
    # Action kinds signalled by the service layer: their data is ignored, so they may complete.
    signals: frozenset[str] = field(default_factory=frozenset)


SAMPLES: dict[str, Sample] = {
    "enigma": Sample(
        params={"question": "Quel mot ouvre la porte ?", "answers": ["Tempête", "orage"]},
        complete=(act("answer", answer="tempete"),),
        secrets=("Tempête", "tempete", "orage"),
    ),
    "quiz": Sample(
        params={
            "questions": [
                {
                    "prompt": "Combien de jours dure l'aventure ?",
                    "choices": [{"text": "Dix", "correct": True}, {"text": "Trois"}],
                    "explanation": "Dix jours, week-end compris.",
                },
                {
                    "prompt": "Qui peut vous aider ?",
                    "choices": [
                        {"text": "Personne"},
                        {"text": "Un conseiller", "correct": True},
                        {"text": "Un ami", "correct": True},
                    ],
                },
            ]
        },
        complete=(act("submit", answers=[[0], [1, 2]]),),
        secrets=('"correct"', "Dix jours, week-end compris."),
        after_answer=("Dix jours, week-end compris.",),
    ),
    "dialogue": Sample(
        params={
            "start": "bonjour",
            "nodes": [
                {
                    "id": "bonjour",
                    "speaker": "maya",
                    "text": "Bienvenue !",
                    "choices": [
                        {"text": "Merci.", "next": "contrat"},
                        {
                            "text": "Montrer le badge secret",
                            "if_flags": ["badge"],
                            "next": "contrat",
                        },
                    ],
                },
                {
                    "id": "contrat",
                    "speaker": "kronos",
                    "text": "SIGNEZ.",
                    "choices": [
                        {
                            "text": "On lit d'abord.",
                            "set_flags": ["contrat-lu"],
                            "end": "success",
                            "reaction": "KRONOS clignote, vexé.",
                        }
                    ],
                },
            ],
        },
        complete=(act("choose", choice=0), act("choose", choice=0)),
        secrets=("Montrer le badge secret", "KRONOS clignote, vexé."),
        after_answer=("KRONOS clignote, vexé.",),
    ),
    "split-clue": Sample(
        params={
            "question": "Quel mot forment vos fragments ?",
            "fragments": ["SOLI", "DA", "RI", "TÉ"],
            "answers": ["solidarité"],
        },
        complete=(act("answer", answer="Solidarite !"),),
        secrets=("solidarité", "solidarite"),
    ),
    "code-lock": Sample(
        params={"prompt": "Ouvrez le casier.", "code": "K7Q2X", "clues": ["Sous la table."]},
        complete=(act("try", code="k7q 2x"),),
        secrets=("K7Q2X", "k7q2x"),
    ),
    "qr-checkpoint": Sample(
        params={
            "checkpoints": [
                {
                    "id": "cp-mediatheque",
                    "label": "Médiathèque",
                    "clue": "Là où dorment les livres.",
                    "placement": "Hall d'accueil de la médiathèque, près des casiers",
                },
                {
                    "id": "cp-gare",
                    "label": "Gare",
                    "clue": "Là où partent les trains.",
                    "placement": "Panneau des départs, hall de la gare",
                    "message": "Bravo, la **gare** est validée.",
                },
            ]
        },
        complete=(act("scan", checkpoint="cp-gare"), act("scan", checkpoint="cp-mediatheque")),
        secrets=("près des casiers", "Panneau des départs"),
    ),
    "proof": Sample(
        params={"instructions": "Prenez en photo votre badge."},
        complete=(
            act("submit", text="Voici notre badge."),
            act("review", player="conseiller", accepted=True),
        ),
    ),
    "appointment": Sample(
        params={"instructions": "Réservez un rendez-vous.", "bring": ["Pièce d'identité"]},
        complete=tuple(act("booked", player=p) for p in TEAM),
        signals=frozenset({"booked"}),
    ),
    "diagnostic": Sample(
        params={"instructions": "Faites votre auto-diagnostic.", "moment": "closing"},
        complete=tuple(act("completed", player=p) for p in TEAM),
        signals=frozenset({"completed"}),
    ),
}
