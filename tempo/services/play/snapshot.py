"""What one player sees: the snapshot of their team and the views of its missions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy.orm import Session

from tempo.engine.team import Game, TeamState
from tempo.infra.markup import render
from tempo.missions.base import MissionContext
from tempo.models import Player, Team
from tempo.services.content.games import cohort_game
from tempo.services.play.actions import team_state

# Plugin view fields that hold authored Markdown: sent as sanitised HTML under `<name>_html`.
_MARKDOWN_FIELDS = frozenset(
    {"narrative", "question", "prompt", "text", "instructions", "clue", "message"}
)
_MARKDOWN_LISTS = frozenset({"clues"})


@lru_cache(maxsize=4096)
def _markdown(text: str) -> str:
    # Authored texts come from frozen scenario versions: the same few hundred strings are
    # rendered for every snapshot of every phone, so each is rendered once per process.
    return str(render(text))


def _html(value: Any) -> Any:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if key in _MARKDOWN_FIELDS and (item is None or isinstance(item, str)):
                out[f"{key}_html"] = _markdown(item) if item else None
            elif key in _MARKDOWN_LISTS and isinstance(item, list):
                out[f"{key}_html"] = [_markdown(x) for x in item]
            elif key == "fragments" and isinstance(item, list):
                out[key] = [_html(x) for x in item]
            elif key in {"checkpoints", "play", "hints"}:
                out[key] = [_html(x) for x in item] if isinstance(item, list) else _html(item)
            else:
                out[key] = item
        return out
    return value


def mission_view(
    game: Game,
    state: TeamState,
    mission_id: str,
    player: Player,
    present: Sequence[int],
    now: datetime,
) -> dict[str, Any]:
    """One mission as this player may see it, Markdown rendered."""
    ctx = MissionContext(now=now, present_players=tuple(str(p) for p in present))
    return _html(game.mission_view(state, mission_id, str(player.id), ctx))


def snapshot(
    session: Session, player: Player, present: Sequence[int], now: datetime
) -> dict[str, Any]:
    """Everything the player page needs to draw itself."""
    team: Team = player.team
    cohort = team.cohort
    game = cohort_game(cohort)
    state = team_state(session, team, now)
    scenario = game.scenario
    opened = sorted(state.open_days)
    current = opened[-1] if opened else None
    day = next((d for d in scenario.days if d.day == current), None)
    missions = [
        mission_view(game, state, mission.id, player, present, now)
        for d in scenario.days
        if d.day in state.open_days
        for mission in d.missions
    ]
    online = set(present)
    return {
        "version": team.version,
        "me": {"id": player.id, "pseudonym": player.pseudonym, "rejoin_code": player.rejoin_code},
        "team": {
            "id": team.id,
            "name": team.name,
            "shards": state.shards,
            "ai_strength": state.ai_strength,
            "ai_max": scenario.meta.ai.strength,
            "ai_name": scenario.meta.ai.name,
            "capacity": team.capacity,
        },
        "cohort": {"name": cohort.name, "status": cohort.status.value},
        "day": None
        if day is None
        else {
            "number": day.day,
            "title": day.title,
            "intro_html": _markdown(day.intro),
            "teaser": day.teaser,
        },
        "days": [
            {
                "number": d.day,
                "title": d.title if d.day in state.open_days else None,
                "open": d.day in state.open_days,
            }
            for d in scenario.days
        ],
        "missions": missions,
        "offers": [game.offers[o].model_dump(mode="json") for o in state.offers],
        "players": [
            {"id": p.id, "pseudonym": p.pseudonym, "online": p.id in online} for p in team.players
        ],
        "characters": {
            c.id: {"name": c.name, "role": c.role, "avatar": c.avatar, "color": c.color}
            for c in scenario.characters
        },
    }
