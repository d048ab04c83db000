"""Helpers for scheduler tests: an injectable clock, an event recorder, apps on one database."""

from __future__ import annotations

import threading
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import Engine, text

from tempo import create_app
from tempo.extensions import db
from tempo.scheduler import DayScheduler
from tempo.services.events import Broadcasts
from tests.conftest import make_config


class Clock:
    """A clock the test moves by hand (`app.config["CLOCK"]`)."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class Recorder:
    """An emitter that keeps what the scheduler would send to phones."""

    def __init__(self) -> None:
        self.sent: list[tuple[int, dict[str, Any]]] = []
        self.lock = threading.Lock()
        self.changed = threading.Condition(self.lock)

    def __call__(self, broadcasts: Broadcasts) -> None:
        with self.changed:
            for team_id, events in broadcasts.items():
                self.sent.extend((team_id, e) for e in events)
            self.changed.notify_all()

    def kinds(self, team_id: int) -> list[tuple[str, int | None]]:
        """(type, day) of the events sent to one team, in order."""
        with self.lock:
            return [(e["type"], e.get("day")) for t, e in self.sent if t == team_id]

    def wait_for(self, count: int, timeout: float = 30) -> bool:
        """Wait until `count` events were sent (for the one test that lets APScheduler fire)."""
        with self.changed:
            return self.changed.wait_for(lambda: len(self.sent) >= count, timeout)


def database_url(engine: Engine) -> str:
    """A URL reaching the engine's database (on PostgreSQL, its test schema included)."""
    if engine.dialect.name == "sqlite":
        return engine.url.render_as_string(hide_password=False)
    with engine.connect() as conn:
        schema = conn.execute(text("SELECT current_schema()")).scalar_one()
    url = engine.url.update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


def app_on(url: str, folder: Path, clock: Clock | None = None) -> Flask:
    """A Tempo app (its own instance folder) on an existing, migrated database."""
    app = create_app(make_config(folder, DATABASE_URL=url))
    if clock is not None:
        app.config["CLOCK"] = clock
    return app


def dispose(app: Flask) -> None:
    """Close an app's database connections."""
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def start_paused(app: Flask, emit: Recorder, started: list[DayScheduler]) -> DayScheduler:
    """A scheduler for `app` with APScheduler started paused (jobs are fired by the test)."""
    scheduler = DayScheduler(app, emit)
    scheduler.start(paused=True)
    started.append(scheduler)
    return scheduler
