"""What one player sees: the snapshot of their team and the views of its missions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tempo.engine.team import Game, TeamState
from tempo.infra.markup import render
from tempo.missions.base import MissionContext, markdown_to_html
from tempo.models import Cohort, Player, Team
from tempo.scenarios.schema import Scenario, ScenarioMeta
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
    player: Player | int,
    present: Sequence[int],
    now: datetime,
) -> dict[str, Any]:
    """One mission as this player (or player id) may see it, Markdown rendered."""
    ctx = MissionContext(now=now, present_players=tuple(str(p) for p in present))
    reader = player if isinstance(player, int) else player.id
    view = game.mission_view(state, mission_id, str(reader), ctx)
    return html_view(view, game.view_markdown(mission_id))


def card(game: Game, state: TeamState, mission_id: str, now: datetime) -> dict[str, Any]:
    """A mission as the snapshot lists it, seen by no player in particular (the per-player parts
    of a type's `play`, split-clue fragments, are empty: a phone asks for `view` when opened)."""
    view = game.mission_view(state, mission_id, "", MissionContext(now=now))
    return html_view(view, game.view_markdown(mission_id))


def day_entry(game: Game, number: int) -> dict[str, Any] | None:
    """The snapshot's `day`: the current day's card."""
    day = next((d for d in game.scenario.days if d.day == number), None)
    if day is None:
        return None
    return {
        "number": day.day,
        "title": day.title,
        "intro_html": _markdown(day.intro),
        "teaser": day.teaser,
    }


def day_patch(session: Session, team: Team, number: int, now: datetime) -> dict[str, Any]:
    """What `day.unlocked` carries for one team: the day's entry and its missions' cards."""
    game = cohort_game(team.cohort)
    state = team_state(session, team, now)
    day = next((d for d in game.scenario.days if d.day == number), None)
    return {
        "entry": day_entry(game, number),
        "missions": [card(game, state, m.id, now) for m in (day.missions if day else ())],
    }


def view_deltas(
    session: Session,
    team: Team,
    mission_ids: Iterable[str],
    present: Sequence[int],
    now: datetime,
    opened: Iterable[str] = (),
) -> list[tuple[int | None, dict[str, Any]]]:
    """The changing parts of missions' views after events, pushed to phones (`mission.view`).

    `(None, payload)` is the same for the whole team; `(player id, payload)` is that player's
    own (a type whose view differs per player, `view_per_player`), for each player present.
    """
    state = team_state(session, team, now)
    return deltas(cohort_game(team.cohort), state, mission_ids, present, now, opened)


def deltas(
    game: Game,
    state: TeamState,
    mission_ids: Iterable[str],
    present: Sequence[int],
    now: datetime,
    opened: Iterable[str] = (),
    before: TeamState | None = None,
) -> list[tuple[int | None, dict[str, Any]]]:
    """`view_deltas` from a state in hand (an action's result): no database.

    The missions `opened` (the engine's `mission.available`: a success made them playable) are
    pushed whole: the phones' cards of locked missions carry no narrative nor `play`, and a
    phone told here needs no `view` request when its player opens it, even on a weak street
    network.

    With `before` (the state the action started from), a type whose view differs per player is
    pushed in parts (`"part": true`, `play` holds some of its keys): what every present player
    sees alike goes once to the team, and a player is pushed the keys that are theirs alone only
    when those changed. A split clue's wrong answer then costs one frame per phone, not two.
    """
    named = [m for m in dict.fromkeys(mission_ids) if _visible(game, state, m)]
    whole = [m for m in dict.fromkeys(opened) if m not in named and _visible(game, state, m)]
    ctx = MissionContext(now=now, present_players=tuple(str(p) for p in present))
    out: list[tuple[int | None, dict[str, Any]]] = []
    for mission_id in [*named, *whole]:
        per_player = game.types[mission_id].view_per_player
        if per_player and before is not None and mission_id not in whole and present:
            out += _parts(game, before, state, mission_id, present, ctx)
            continue
        for reader in present if per_player else [None]:
            seen_by = "" if reader is None else str(reader)
            if mission_id in whole:
                view = _view(game, state, mission_id, seen_by, ctx)
            else:
                view = _dynamic(game, state, mission_id, seen_by, ctx)
            out.append((reader, {"mission": mission_id, "view": view}))
    return out


def _view(
    game: Game, state: TeamState, mission_id: str, reader: str, ctx: MissionContext
) -> dict[str, Any]:
    return html_view(
        game.mission_view(state, mission_id, reader, ctx), game.view_markdown(mission_id)
    )


def _dynamic(
    game: Game, state: TeamState, mission_id: str, reader: str, ctx: MissionContext
) -> dict[str, Any]:
    """The parts of a mission's view that change with play (`Game.dynamic_view`), rendered."""
    return html_view(
        game.dynamic_view(state, mission_id, reader, ctx), game.view_markdown(mission_id)
    )


def _parts(
    game: Game,
    before: TeamState,
    state: TeamState,
    mission_id: str,
    present: Sequence[int],
    ctx: MissionContext,
) -> list[tuple[int | None, dict[str, Any]]]:
    """A per-player mission's pushes after an action: the team's part, then each player's own
    keys of `play` (those that differ between players) where they changed."""
    plays = {r: game.play_view(state, mission_id, str(r), ctx) or {} for r in present}
    play = plays[present[0]]
    own = {key for key in play if any(v.get(key) != play[key] for v in plays.values())}
    team = _dynamic(game, state, mission_id, str(present[0]), ctx)
    if "play" in team:
        team["play"] = {k: v for k, v in team["play"].items() if k not in own}
    out: list[tuple[int | None, dict[str, Any]]] = [
        (None, {"mission": mission_id, "view": team, "part": True})
    ]
    if not own:
        return out
    olds = {r: game.play_view(before, mission_id, str(r), ctx) or {} for r in present}
    for reader in present:
        if all(olds[reader].get(k) == plays[reader].get(k) for k in own):
            continue
        mine = html_view(
            {"play": {k: v for k, v in plays[reader].items() if k in own}},
            game.view_markdown(mission_id),
        )
        out.append((reader, {"mission": mission_id, "view": mine, "part": True}))
    return out


def _visible(game: Game, state: TeamState, mission_id: str) -> bool:
    return mission_id in game.missions and game.day_of[mission_id] in state.open_days


def adventure(meta: ScenarioMeta) -> dict[str, Any]:
    """The scenario's story as players read it: title, tagline, story, goal and opponent."""
    return {
        "title": meta.title,
        "tagline": meta.tagline,
        "story_html": _markdown(meta.story),
        "collective_goal_html": _markdown(meta.collective_goal) if meta.collective_goal else None,
        "ai_description_html": _markdown(meta.ai.description) if meta.ai.description else None,
        # Sentences about the opponent, composed here with its article (« Le Brouillard
        # faiblit ! »): the page never glues a name into French.
        "opponent": meta.ai.phrases(),
        "day_count": meta.days,
    }


def cohort_ai(session: Session, cohort: Cohort) -> dict[str, int]:
    """The cohort-wide opponent every team weakens: the sum of its teams' strengths, out of the
    scenario's strength times the number of teams (the snapshot's and `cohort.ai`'s payload)."""
    teams, strength = session.execute(
        select(func.count(Team.id), func.coalesce(func.sum(Team.ai_strength), 0)).where(
            Team.cohort_id == cohort.id
        )
    ).one()
    full = cohort_game(cohort).scenario.meta.ai.strength
    return {"strength": int(strength), "max": int(teams) * full, "teams": int(teams)}


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
    missions = [
        mission_view(game, state, mission.id, player, present, now)
        for d in scenario.days
        if d.day in state.open_days
        for mission in d.missions
    ]
    online = set(present)
    # Closed days: a phone that was off when its day ended shows the day's end on its next load.
    closed = {d.number for d in cohort.days if d.closed_at is not None}
    return {
        "version": team.version,
        "me": {"id": player.id, "pseudonym": player.pseudonym, "rejoin_code": player.rejoin_code},
        "team": {
            "id": team.id,
            "name": team.name,
            "shards": state.shards,
            "ai_strength": state.ai_strength,
            "ai_max": scenario.meta.ai.strength,
            "ai_name": scenario.meta.ai.subject,
            "capacity": team.capacity,
        },
        "cohort": {"name": cohort.name, "status": cohort.status.value},
        "cohort_ai": cohort_ai(session, cohort),
        "adventure": adventure(scenario.meta),
        "day": None if current is None else day_entry(game, current),
        "days": [
            {
                "number": d.day,
                "title": d.title if d.day in state.open_days else None,
                "open": d.day in state.open_days,
                "closed": d.day in closed,
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
                "image": c.image,
                "wrong_answer_html": [_markdown(line) for line in c.wrong_answer],
            }
            for c in scenario.characters
        },
        "media": media_index(scenario, cohort.scenario_version_id),
    }


def media_index(scenario: Scenario, version_id: int) -> dict[str, dict[str, Any]]:
    """The images the scenario shows, by name: where the phone fetches each (the copy its
    version froze) and what it says to people who cannot see it."""
    return {
        name: {
            "src": f"/images/{version_id}/{name}",
            "alt": image.alt,
            "width": image.width,
            "height": image.height,
        }
        for name, image in scenario.media.items()
    }
