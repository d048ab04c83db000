"""Previews of a draft: the views the server builds for players, from the draft.

A mission of a draft day file is read with the validator's models, its type's `view` taken on
its initial state (nobody has played yet), and its Markdown rendered by the players' sanitiser,
so that the player page's own renderers (static/js/missions/) draw it as a phone would. A
dialogue comes with every step of its conversation, played by the type's own `handle` (flags,
reactions, « retry »), so the preview walks it without sending anything. A day's opening is its
card and its missions' cards; a celebration is what a phone shows when the mission succeeds.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import yaml
from pydantic import ValidationError

from tempo.engine.team import VIEW_MARKDOWN
from tempo.missions import registry
from tempo.missions.base import Action, MissionContext, MissionType
from tempo.scenarios.schema import Antagonist, Character, Day, Mission, ScenarioMeta
from tempo.services.play.snapshot import html_view
from tempo.services.studio.drafts import StudioError

#: The one player a preview shows the mission to.
PREVIEW_PLAYER = "apercu"
_BROKEN = "Cette mission a des erreurs : corrigez-les (voir la validation) pour la prévisualiser."
_BROKEN_DAY = "Ce jour a des erreurs : corrigez-les (voir la validation) pour le prévisualiser."
#: The conversation states a dialogue's preview holds at most (flags multiply them).
MAX_STEPS = 300


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
            "image": c.image,
        }
    return out


def _mission(files: dict[str, str], path: str, index: int) -> tuple[Any, Mission, Any, Any]:
    """The day file's data, mission `index`, its type and its parsed params."""
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
    return data, m, kind, params


def mission(
    files: dict[str, str], path: str, index: int, now: datetime, flags: Sequence[str] = ()
) -> dict[str, Any]:
    """Mission `index` of day file `path`, as an open mission's view for a player; a dialogue
    is walked from its start with `flags` set (by the team's earlier missions)."""
    data, m, kind, params = _mission(files, path, index)
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
        "image": m.image,
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
    out = html_view(view, markdown)
    if m.type == "dialogue":
        out["walk"] = _walk(kind, params, now, flags)
    return out


def _walk(
    kind: MissionType[Any], params: Any, now: datetime, flags: Sequence[str]
) -> dict[str, Any]:
    """Every step of a dialogue from its start: `views` (the play view of each conversation
    state, Markdown rendered) and `moves` (for each state, the state each visible reply leads
    to; "" past the preview's limit). Replies are taken on the first tap, as the team's
    decision; a vote's tallies are not previewed. `read` lists the flags its replies depend
    on, `flags` those the walk started with."""
    params = params.model_copy(update={"decision": "first_tap"})
    refs = kind.references(params)
    read = sorted({name for _loc, name in refs.flags_read})
    initial = {name: True for name in flags if name in read}

    def key(state: dict[str, Any], flags: dict[str, bool]) -> str:
        last = (state.get("path") or [None])[-1]
        on = sorted(f for f, v in flags.items() if v)
        return json.dumps([state.get("node"), bool(state.get("ended")), last, on], sort_keys=True)

    start = kind.initial_state(params)
    views: dict[str, Any] = {}
    moves: dict[str, list[str]] = {}
    todo: deque[tuple[dict[str, Any], dict[str, bool]]] = deque([(start, initial)])
    while todo:
        state, now_set = todo.popleft()
        here = key(state, now_set)
        if here in views or len(views) >= MAX_STEPS:
            continue
        ctx = MissionContext(now=now, flags=now_set)
        views[here] = html_view(kind.view(params, state, "", ctx), kind.markdown)
        moves[here] = []
        if state.get("ended"):
            continue
        for i in range(len(views[here].get("choices") or [])):
            act = Action("choose", "preview", {"node": state.get("node"), "choice": i})
            done = kind.handle(params, state, act, ctx)
            if done.error is not None:
                moves[here].append("")
                continue
            after = {**now_set, **done.set_flags}
            moves[here].append(key(done.state, after))
            todo.append((done.state, after))
    for targets in moves.values():  # a step past the limit is not drawn
        targets[:] = [t if t in views else "" for t in targets]
    return {
        "start": key(start, initial),
        "views": views,
        "moves": moves,
        "read": read,
        "flags": sorted(initial),
    }


def _meta(files: dict[str, str]) -> tuple[int | None, dict[str, str]]:
    """The scenario's number of days (None when scenario.yaml does not read) and the
    pre-composed sentences about its opponent."""
    data = _load(files.get("scenario.yaml", "")) or {}
    try:
        meta = ScenarioMeta.model_validate(data)
        return meta.days, meta.ai.phrases()
    except ValidationError:
        pass
    raw = data.get("ai", data.get("opponent")) if isinstance(data, dict) else None
    try:
        return None, Antagonist.model_validate(raw).phrases()
    except ValidationError:
        return None, {"weakens": "L'adversaire faiblit\u00a0!"}


def day_intro(files: dict[str, str], path: str) -> dict[str, Any]:
    """A day's opening as the phone shows it: the day card (« Jour 2 sur 3 », title, intro,
    teaser) and its missions' cards, those waiting for another mission of the day locked."""
    try:
        day = Day.model_validate(_load(files.get(path, "")))
    except ValidationError as exc:
        raise StudioError("preview", _BROKEN_DAY) from exc
    count, _phrases = _meta(files)
    today = {m.id: m for m in day.missions}
    cards = [
        {
            "id": m.id,
            "day": day.day,
            "type": m.type,
            "title": m.title,
            "reward": m.reward,
            "offer_count": len(m.unlocks),
            "requires": [r for r in m.requires if r in today],
            "status": "locked" if any(r in today for r in m.requires) else "available",
        }
        for m in day.missions
    ]
    card = {"number": day.day, "title": day.title, "intro": day.intro, "teaser": day.teaser}
    return {
        "day": html_view(card, ("intro",)),
        "count": count,
        "missions": cards,
        "titles": {m.id: m.title for m in day.missions},
    }


def celebration(files: dict[str, str], path: str, index: int, offers_text: str) -> dict[str, Any]:
    """What a phone shows when mission `index` succeeds: its reward, the sentence about the
    opponent, and the catalogue's offers it unlocks (title and summary)."""
    _data, m, _kind, _params = _mission(files, path, index)
    _count, phrases = _meta(files)
    catalogue = _load(offers_text) or {}
    known = {
        o["id"]: o
        for o in (catalogue.get("offers") or [] if isinstance(catalogue, dict) else [])
        if isinstance(o, dict) and isinstance(o.get("id"), str)
    }
    offers = [
        {
            "id": i,
            "title": str(known[i].get("title", i)),
            "summary": str(known[i].get("summary", "")),
        }
        for i in m.unlocks
        if i in known
    ]
    return {
        "mission": m.id,
        "title": m.title,
        "reward": m.reward,
        "weakens": phrases["weakens"],
        "offers": offers,
    }


def outline(files: dict[str, str]) -> list[dict[str, Any]]:
    """What the draft page offers to preview: each day file (its title when it reads) and its
    missions (index, title, type), in the files' order; files that do not parse are left out."""
    out: list[dict[str, Any]] = []
    for path in sorted(p for p in files if p.startswith("days/")):
        try:
            data = yaml.safe_load(files[path])
        except yaml.YAMLError:
            continue
        if not isinstance(data, dict):
            continue
        found = data.get("missions")
        raw: list[Any] = found if isinstance(found, list) else []
        missions = [
            {
                "index": i,
                "title": str(m.get("title") or m.get("id") or i + 1),
                "type": m.get("type"),
            }
            for i, m in enumerate(raw)
            if isinstance(m, dict)
        ]
        number = data.get("day") if isinstance(data.get("day"), int) else None
        title = str(data.get("title") or path)
        out.append({"path": path, "day": number, "title": title, "missions": missions})
    return out
