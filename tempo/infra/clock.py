"""The application's clock: the real time, or a clock injected by tests (config `CLOCK`)."""

from __future__ import annotations

from datetime import datetime

from flask import current_app

from tempo.models import utcnow


def now() -> datetime:
    """The current instant (timezone-aware, UTC)."""
    clock = current_app.config.get("CLOCK")
    return clock() if clock else utcnow()
