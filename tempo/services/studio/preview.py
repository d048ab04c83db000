"""Previews of a draft's missions: the view the server builds for players, from the draft.

A mission of a draft day file is read with the validator's models, its type's `view` taken on
its initial state (nobody has played yet), and its Markdown rendered by the players' sanitiser,
so that the player page's own renderers (static/js/missions/) draw it as a phone would.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import yaml
from pydantic import ValidationError

from tempo.engine.team import VIEW_MARKDOWN
from tempo.missions import registry
from tempo.missions.base import MissionContext
from tempo.scenarios.schema import Character, Day, Mission
from tempo.services.play.snapshot import html_view
from tempo.services.studio.drafts import StudioError

#: The one player a preview shows the mission to.
PREVIEW_PLAYER = "apercu"
_BROKEN = "Cette mission a des erreurs : corrigez-les (voir la validation) pour la prévisualiser."


def _load(text: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise StudioError("preview", _BROKEN) from exc


def characters(files: dict[str, str]) -> dict[str, dict[str, Any]]:
    """The draft's characters as the player page's snapshot lists them (the readable ones)."""
    data = _load(files.get("characters.yaml", "")) or {}
    out: dict[str, dict[str, Any]] = {}
    for raw in data.get("characters", []) if isinstance(data, dict) else []:
        try:
            c = Character.model_validate(raw)
        except ValidationError:
            continue
        out[c.id] = {
            "name": c.name,
            "role": c.role,
            "voice": c.voice,
            "avatar": c.avatar,
            "color": c.color,
        }
    return out


def mission(files: dict[str, str], path: str, index: int, now: datetime) -> dict[str, Any]:
    """Mission `index` of day file `path`, as an open mission's view for a player."""
    data = _load(files.get(path, ""))
    raw = data.get("missions") if isinstance(data, dict) else None
    if not isinstance(raw, list) or not 0 <= index < len(raw):
        raise StudioError("not-found", "Cette mission n'existe pas dans ce fichier.")
    try:
        m = Mission.model_validate(raw[index])
        kind = registry.get(m.type)
        if kind is None:
            raise StudioError("preview", _BROKEN)
        params = kind.params_model.model_validate(m.params)
    except ValidationError as exc:
        raise StudioError("preview", _BROKEN) from exc
    day = data.get("day") if isinstance(data.get("day"), int) else 1
    view: dict[str, Any] = {
        "id": m.id,
        "day": day,
        "type": m.type,
        "title": m.title,
        "character": m.character,
        "reward": m.reward,
        "status": "open",
        "requires": list(m.requires),
        "offer_count": len(m.unlocks),
        "skills": list(m.skills),
        "hints": [{"index": i, "cost": h.cost, "text": None} for i, h in enumerate(m.hints)],
        "narrative": m.narrative,
        # Seen by one player alone: a split clue deals every fragment to them, so the author
        # reads all the fragments they wrote.
        "play": kind.view(
            params,
            kind.initial_state(params),
            PREVIEW_PLAYER,
            MissionContext(now=now, present_players=(PREVIEW_PLAYER,)),
        ),
    }
    if m.on_wrong is not None:
        view["on_wrong"] = {
            "character": m.on_wrong.character or m.character,
            "text": m.on_wrong.text,
        }
    markdown = VIEW_MARKDOWN + tuple(f"play.{p}" for p in kind.markdown)
    return html_view(view, markdown)


def day_intro(files: dict[str, str], path: str) -> dict[str, Any]:
    """A day's title and intro as the day card shows them."""
    try:
        day = Day.model_validate(_load(files.get(path, "")))
    except ValidationError as exc:
        raise StudioError("preview", _BROKEN) from exc
    return html_view({"day": day.day, "title": day.title, "intro": day.intro}, ("intro",))
