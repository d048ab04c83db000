"""What one player sees: the snapshot of their team and the views of its missions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy.orm import Session

from tempo.engine.team import Game, TeamState
from tempo.infra.markup import render
from tempo.missions.base import MissionContext, markdown_to_html
from tempo.models import Player, Team
from tempo.scenarios.schema import ScenarioMeta
from tempo.services.content.games import cohort_game
from tempo.services.play.actions import team_state


@lru_cache(maxsize=4096)
def _markdown(text: str) -> str:
    # Authored texts come from frozen scenario versions: the same few hundred strings are
    # rendered for every snapshot of every phone, so each is rendered once per process.
    return str(render(text))


def html_view(view: dict[str, Any], fields: Iterable[str]) -> dict[str, Any]:
    """A view whose declared Markdown fields are sent as sanitised HTML under `<name>_html`."""
    return markdown_to_html(view, fields, _markdown)


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
    view = game.mission_view(state, mission_id, str(player.id), ctx)
    return html_view(view, game.view_markdown(mission_id))


def adventure(meta: ScenarioMeta) -> dict[str, Any]:
    """The scenario's story as players read it: title, tagline, story, goal and opponent."""
    return {
        "title": meta.title,
        "tagline": meta.tagline,
        "story_html": _markdown(meta.story),
        "collective_goal_html": _markdown(meta.collective_goal) if meta.collective_goal else None,
        "ai_description_html": _markdown(meta.ai.description) if meta.ai.description else None,
    }


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
        "adventure": adventure(scenario.meta),
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
            c.id: {
                "name": c.name,
                "role": c.role,
                "voice": c.voice,
                "avatar": c.avatar,
                "color": c.color,
            }
            for c in scenario.characters
        },
    }
