"""Kept for `tempo.cli`, which imports `public_url` from here: import `tempo.web.urls` instead.

The players' pages moved to `tempo.web.player.play`; remove this module once the CLI's import
points at `tempo.web.urls`.
"""

from __future__ import annotations

from tempo.web.urls import public_url

__all__ = ["public_url"]
