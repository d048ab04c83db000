"""What is derived from a scenario version, computed once per process (versions are immutable).

The parsed game (`game_for`), the diagnostic flow, the recaps' text index… each is a
`VersionCache`: building one costs a JSON decode and a parse, while a version never changes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import ClassVar, Generic, TypeVar

from sqlalchemy.orm import Session

from tempo.engine.team import Game
from tempo.models import Cohort, ScenarioVersion

T = TypeVar("T")


class VersionCache(Generic[T]):
    """One value per scenario version id, built on first use by `build`."""

    every: ClassVar[list[VersionCache[object]]] = []

    def __init__(self, build: Callable[[ScenarioVersion], T]) -> None:
        self._build = build
        self._values: dict[int, T] = {}
        self._lock = threading.Lock()
        VersionCache.every.append(self)  # type: ignore[arg-type]

    def get(self, version: ScenarioVersion) -> T:
        """The value of this version, built once."""
        value = self._values.get(version.id)
        if value is None:
            with self._lock:
                value = self._values.get(version.id)
                if value is None:
                    value = self._build(version)
                    self._values[version.id] = value
        return value

    def cached(self, version_id: int) -> T | None:
        """The value of a version already built by this process, if any."""
        return self._values.get(version_id)

    def clear(self) -> None:
        """Forget every value."""
        with self._lock:
            self._values.clear()


def forget_all() -> None:
    """Forget everything derived from versions: for a process that moves to another database.

    Version ids are unique within one database only; a server never switches databases, the
    tests do (each test's database numbers its versions from 1).
    """
    for cache in VersionCache.every:
        cache.clear()


_games: VersionCache[Game] = VersionCache(lambda version: Game.from_frozen(version.content))


def game_for(version: ScenarioVersion) -> Game:
    """The parsed game of a scenario version (parsed once per process: versions are immutable)."""
    return _games.get(version)


def cohort_game(cohort: Cohort) -> Game:
    """The game a cohort plays; its frozen content is read from the database once per process.

    Going through `cohort.scenario_version` would load (and JSON-decode) the whole frozen
    scenario on every action only to find the game already parsed.
    """
    game = _games.cached(cohort.scenario_version_id)
    return game if game is not None else game_for(cohort.scenario_version)


def version_game(session: Session, version_id: int) -> Game | None:
    """The game of a version known by id: parsed once per process, read through `session` the
    first time; None for a version that does not exist."""
    game = _games.cached(version_id)
    if game is not None:
        return game
    version = session.get(ScenarioVersion, version_id)
    return None if version is None else game_for(version)


def cached(version_id: int) -> Game | None:
    """The game of a version this process has already parsed, if any."""
    return _games.cached(version_id)
