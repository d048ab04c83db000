"""The parsed game of a scenario version, parsed once per process (versions are immutable)."""

from __future__ import annotations

import threading

from tempo.engine.team import Game
from tempo.models import Cohort, ScenarioVersion

_games: dict[int, Game] = {}
_games_lock = threading.Lock()


def game_for(version: ScenarioVersion) -> Game:
    """The parsed game of a scenario version (parsed once per process: versions are immutable)."""
    game = _games.get(version.id)
    if game is None:
        with _games_lock:
            game = _games.get(version.id)
            if game is None:
                game = Game.from_frozen(version.content)
                _games[version.id] = game
    return game


def cohort_game(cohort: Cohort) -> Game:
    """The game a cohort plays; its frozen content is read from the database once per process.

    Going through `cohort.scenario_version` would load (and JSON-decode) the whole frozen
    scenario on every action only to find the game already parsed.
    """
    game = _games.get(cohort.scenario_version_id)
    return game if game is not None else game_for(cohort.scenario_version)


def cached(version_id: int) -> Game | None:
    """The game of a version this process has already parsed, if any."""
    return _games.get(version_id)
