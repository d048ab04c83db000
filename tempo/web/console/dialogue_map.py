"""The studio's dialogue map: a draft's (or a published version's) dialogues drawn as graphs.

The page lists the scenario's dialogue missions, the chosen one's flag analysis and its graph
as a nested list; `static/js/dialogue-map.js` draws the same graph from the JSON route.
"""

from __future__ import annotations

from flask import abort, jsonify, render_template, request, url_for
from flask.typing import ResponseReturnValue

from tempo.extensions import db
from tempo.models import Role, ScenarioVersion
from tempo.services.errors import ServiceError
from tempo.services.studio import dialogue_map
from tempo.services.studio import drafts as studio
from tempo.web.auth import staff_required
from tempo.web.console.common import NAV, bp, me

NAV.update(
    {
        "console.studio_dialogues": "studio",
        "console.version_dialogues": "scenarios",
    }
)


def _draft_story(draft_id: int) -> tuple[str, str, dialogue_map.Story]:
    try:
        draft = studio.draft_of(db.session(), me(), draft_id)
    except ServiceError:
        abort(404)
    back = url_for("console.studio_draft", draft_id=draft.id)
    return draft.title, back, dialogue_map.story_of_files(draft.files)


def _version_story(version_id: int) -> tuple[str, str, dialogue_map.Story]:
    version = db.session.get(ScenarioVersion, version_id)
    if version is None:
        abort(404)
    title = f"{version.title} — version {version.number or version.label}"
    back = url_for("console.studio_version", version_id=version.id)
    return title, back, dialogue_map.story_of_version(version.content)


def _page(title: str, back: str, story: dialogue_map.Story, json_url: str) -> ResponseReturnValue:
    dialogues = story.dialogues()
    wanted = request.args.get("mission") or (dialogues[0][1].id if dialogues else "")
    data = dialogue_map.map_data(story, wanted) if dialogues else None
    if dialogues and data is None:
        abort(404)
    return render_template(
        "console/studio_dialogues.html",
        title=title,
        back=back,
        dialogues=dialogues,
        data=data,
        json_url=json_url.replace("__mission__", wanted),
    )


def _json(story: dialogue_map.Story, mission_id: str) -> ResponseReturnValue:
    data = dialogue_map.map_data(story, mission_id)
    if data is None:
        return jsonify(ok=False, error="Ce dialogue n'existe pas."), 404
    return jsonify(ok=True, **data)


@bp.get("/studio/<int:draft_id>/dialogues")
@staff_required(Role.AUTHOR)
def studio_dialogues(draft_id: int) -> ResponseReturnValue:
    """The dialogue map of one of the draft's dialogues (`?mission=`; the first by default)."""
    title, back, story = _draft_story(draft_id)
    url = url_for("console.studio_dialogue_json", draft_id=draft_id, mission_id="__mission__")
    return _page(title, back, story, url)


@bp.get("/studio/<int:draft_id>/dialogues/<mission_id>.json")
@staff_required(Role.AUTHOR)
def studio_dialogue_json(draft_id: int, mission_id: str) -> ResponseReturnValue:
    """One dialogue of the draft as a graph: nodes, edges, reachability and flags."""
    return _json(_draft_story(draft_id)[2], mission_id)


@bp.get("/scenarios/versions/<int:version_id>/dialogues")
@staff_required()
def version_dialogues(version_id: int) -> ResponseReturnValue:
    """The dialogue map of a published version."""
    title, back, story = _version_story(version_id)
    url = url_for("console.version_dialogue_json", version_id=version_id, mission_id="__mission__")
    return _page(title, back, story, url)


@bp.get("/scenarios/versions/<int:version_id>/dialogues/<mission_id>.json")
@staff_required()
def version_dialogue_json(version_id: int, mission_id: str) -> ResponseReturnValue:
    """One dialogue of a published version as a graph."""
    return _json(_version_story(version_id)[2], mission_id)
