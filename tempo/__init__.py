"""Tempo: a 10-day team adventure that helps young people discover their Mission Locale."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

    from tempo.config import Config


def create_app(config: Config | dict[str, Any] | None = None) -> Flask:
    """Build the Flask application: configuration, extensions, blueprints, namespaces, CLI.

    Imports are local so that `tempo serve` can monkey-patch for gevent before Flask loads.
    """
    from tempo.app import build_app

    return build_app(config)
