"""A fresh temporary Tempo instance for the bench: a cohort on "Tempo 2050" and its players.

Players are created directly in the database (through the joining service) before the server
starts, so that joining does not dominate the measurement.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from tempo.config import Config
from tempo.models import utcnow

SCENARIO = "tempo-2050"
TEAM_SIZE = 12
# Day 1 is played; day 6 is opened too, for its QR checkpoint missions (scanned with /q/<token>).
OPEN_DAYS = (1, 6)


@dataclass(frozen=True)
class BenchPlayer:
    """A simulated phone: its team, its seat in the team and its personal rejoin code."""

    index: int
    player_id: int
    team_id: int
    seat: int
    rejoin_code: str


@dataclass(frozen=True)
class BenchWorld:
    """What the load generator needs to know about the instance it plays on."""

    instance_dir: Path
    cohort_id: int
    players: list[BenchPlayer]
    # Checkpoint id -> signed token (tokens are signed per cohort, valid for every team).
    checkpoint_tokens: dict[str, str]
    # The scenario as frozen for the cohort (JSON): the generator reads its answers from it.
    scenario: dict[str, Any]


def bench_config(instance_dir: Path) -> Config:
    """The configuration of the bench's own instance: SQLite in `instance_dir`, nothing shared."""
    base = Config.from_env()
    return dataclasses.replace(
        base,
        INSTANCE_DIR=instance_dir,
        DATABASE_URL=None,
        MESSAGE_QUEUE=None,
        ASYNC_MODE="threading",
        extra={},
    )


def build_world(instance_dir: Path, players: int, now: datetime | None = None) -> BenchWorld:
    """Migrate a new SQLite instance, create the cohort, open days 1 and 6, create the players."""
    from tempo import create_app
    from tempo.extensions import db
    from tempo.infra import db as schema
    from tempo.models import CohortStatus
    from tempo.services.cohorts.admin import create_cohort
    from tempo.services.content import games
    from tempo.services.content.publishing import load_valid_content, publish
    from tempo.services.play import checkpoints
    from tempo.services.play.players import join_team

    moment = now or utcnow()
    cfg = bench_config(instance_dir)
    app = create_app(cfg)
    content = load_valid_content(cfg.CONTENT_DIR)
    created: list[BenchPlayer] = []
    with app.app_context():
        session = db.session()
        schema.upgrade(db.engine)
        version = publish(session, content, SCENARIO)
        team_count = max(1, math.ceil(players / TEAM_SIZE))
        cohort = create_cohort(
            session,
            version,
            slug="bench",
            name="Banc d'essai",
            start=moment.astimezone(ZoneInfo(cfg.TIMEZONE)).date(),
            team_names=[f"Équipe {i + 1:03d}" for i in range(team_count)],
            timezone=cfg.TIMEZONE,
        )
        cohort.status = CohortStatus.RUNNING
        for day in cohort.days:
            if day.number in OPEN_DAYS:
                day.unlocked_at = moment
                # Open for the whole run whatever the time of day: at 17:00 the scheduler of
                # `tempo serve` would otherwise close day 1 (its recap) under the phones.
                day.recap_at = max(day.recap_at, moment + timedelta(hours=12))
        session.commit()
        cohort_id = cohort.id
        team_ids = [t.id for t in cohort.teams]
        scenario = version.content["scenario"]
        game = games.game_for(version)
        secret = app.config["SECRET_KEY"]
        tokens = {
            cp: checkpoints.sign(secret, cohort_id, cp)
            for cp, mission in checkpoints.checkpoints(game).items()
            if game.day_of[mission] in OPEN_DAYS
        }
        for index in range(players):
            team_id = team_ids[index // TEAM_SIZE]
            seat = index % TEAM_SIZE
            joined = join_team(session, team_id, f"Joueur {seat + 1:02d}", moment)
            created.append(
                BenchPlayer(index, joined.player.id, team_id, seat, joined.player.rejoin_code)
            )
        db.session.remove()
        db.engine.dispose()
    return BenchWorld(instance_dir, cohort_id, created, tokens, scenario)
