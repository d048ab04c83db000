"""The registry of mission types, keyed by stable strings used in content files."""

from __future__ import annotations

from typing import Any

from tempo.missions.base import MissionType

_REGISTRY: dict[str, MissionType[Any]] = {}


def register(mission_type: MissionType[Any]) -> MissionType[Any]:
    """Add a mission type under its key; a key can be registered only once."""
    key = mission_type.key
    if key in _REGISTRY:
        raise ValueError(f"mission type {key!r} is already registered")
    _REGISTRY[key] = mission_type
    return mission_type


def get(key: str) -> MissionType[Any] | None:
    """The mission type registered under `key`, or None."""
    return _REGISTRY.get(key)


def keys() -> list[str]:
    """Every registered key, in registration order."""
    return list(_REGISTRY)


def server_fields() -> frozenset[str]:
    """Action data fields that only the server may fill in, whatever the mission type."""
    return frozenset().union(*(t.server_fields for t in _REGISTRY.values()))


def server_actions() -> frozenset[str]:
    """Action kinds that only the server may send, whatever the mission type."""
    return frozenset().union(*(t.server_actions for t in _REGISTRY.values()))
