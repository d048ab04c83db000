"""The studio's form view (forms generated from the validator's models) and its saving."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import (
    abort,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from tempo.extensions import db
from tempo.infra.clock import now
from tempo.missions import registry
from tempo.models import Role, ScenarioDraft
from tempo.services.errors import ServiceError
from tempo.services.studio import catalogue, forms, media, preview
from tempo.services.studio import drafts as studio
from tempo.web.auth import staff_required
from tempo.web.console.common import NAV, bp, content_dir, me
from tempo.web.headers import content_security_policy

NAV.update({"console.studio_preview": "studio"})

#: French labels of the models' field names (the field's name when missing).
LABELS: dict[str, Any] = {
    "slug": _l("Identifiant du scénario"),
    "title": _l("Titre"),
    "tagline": _l("Accroche"),
    "version": _l("Version"),
    "story": _l("Histoire"),
    "company": _l("Entreprise"),
    "ai": _l("Adversaire"),
    "name": _l("Nom"),
    "strength": _l("Force"),
    "description": _l("Description"),
    "article": _l("Article"),
    "gender": _l("Genre"),
    "days": _l("Nombre de jours"),
    "offers": _l("Offres révélées"),
    "collective_goal": _l("Objectif collectif"),
    "starting_shards": _l("Éclats de départ"),
    "counsellor": _l("Personnage du conseiller"),
    "characters": _l("Personnages"),
    "id": _l("Identifiant"),
    "role": _l("Rôle"),
    "voice": _l("Façon de parler"),
    "avatar": _l("Avatar (emoji)"),
    "image": _l("Image (page « Images » du studio)"),
    "color": _l("Couleur"),
    "wrong_answer": _l("Répliques après une mauvaise réponse"),
    "day": _l("Numéro du jour"),
    "intro": _l("Introduction du jour"),
    "unlock_at": _l("Ouverture (HH:MM)"),
    "recap_at": _l("Bilan (HH:MM)"),
    "weekend": _l("Jour de week-end"),
    "teaser": _l("Teaser du lendemain"),
    "missions": _l("Missions"),
    "type": _l("Type"),
    "narrative": _l("Récit"),
    "character": _l("Personnage"),
    "reward": _l("Récompense (éclats)"),
    "requires": _l("Missions requises"),
    "unlocks": _l("Offres débloquées"),
    "skills": _l("Compétences"),
    "hints": _l("Indices"),
    "text": _l("Texte"),
    "cost": _l("Coût (éclats)"),
    "on_wrong": _l("Réaction à une mauvaise réponse"),
    "params": _l("Paramètres de la mission"),
    "question": _l("Question"),
    "answers": _l("Réponses acceptées"),
    "placeholder": _l("Texte d'exemple du champ"),
    "questions": _l("Questions"),
    "prompt": _l("Énoncé"),
    "choices": _l("Choix"),
    "correct": _l("Bonne réponse"),
    "explanation": _l("Explication"),
    "pass_mark": _l("Bonnes réponses nécessaires"),
    "decision": _l("Décision de l'équipe"),
    "code": _l("Code"),
    "clues": _l("Indices affichés"),
    "fragments": _l("Fragments"),
    "start": _l("Nœud de départ"),
    "nodes": _l("Nœuds du dialogue"),
    "speaker": _l("Qui parle"),
    "next": _l("Nœud suivant"),
    "end": _l("Fin"),
    "if_flags": _l("Visible si drapeaux"),
    "unless_flags": _l("Caché si drapeaux"),
    "set_flags": _l("Drapeaux posés"),
    "reaction": _l("Réaction"),
    "checkpoints": _l("Balises"),
    "label": _l("Nom affiché"),
    "clue": _l("Indice"),
    "placement": _l("Emplacement (pour l'animateur)"),
    "message": _l("Message au scan"),
    "ordered": _l("Dans l'ordre"),
    "instructions": _l("Consignes"),
    "kind": _l("Forme de la preuve"),
    "moment": _l("Moment"),
    "bring": _l("À apporter"),
}


def draft_or_404(draft_id: int) -> ScenarioDraft:
    """The signed-in author's draft `draft_id` (404 for anyone else's)."""
    try:
        return studio.draft_of(db.session(), me(), draft_id)
    except ServiceError:
        abort(404)


def errors_payload(draft: ScenarioDraft) -> list[dict[str, Any]]:
    """The validator's messages for the draft (against the published catalogue), as dicts."""
    content = content_dir()
    return [
        {"file": e.file, "line": e.line, "path": e.path, "message": e.message, "text": e.text}
        for e in studio.validate(
            draft,
            content,
            catalogue.files_base(db.session(), content),
            media.index(db.session()),
        )
    ]


def draft_refs(draft: ScenarioDraft) -> forms.Refs:
    """The ids the draft's reference fields may take: its characters and missions, the
    offers of the catalogue scenarios use now, and the images of the studio's library."""
    session = db.session()
    return forms.references(
        draft.files,
        catalogue.offers_text(session, content_dir()),
        [(i.name, i.alt) for i in media.images(session)],
    )


@bp.app_template_filter("fr_time")
def fr_time(value: datetime) -> str:
    """« 14:02 » in the default timezone."""
    return format_datetime(value, "HH:mm")


#: What one item of a list is called, in a fieldset's legend (« Mission 3 »).
ITEM_LABELS: dict[str, Any] = {
    "missions": _l("Mission"),
    "characters": _l("Personnage"),
    "hints": _l("Indice"),
    "questions": _l("Question"),
    "choices": _l("Choix"),
    "nodes": _l("Nœud"),
    "checkpoints": _l("Balise"),
}


def item_label(name: str) -> str:
    """The legend of list item `name` (`missions[2]` -> « Mission 3 », with its title if any)."""
    head, _sep, index = name.rpartition("[")
    key = head.rsplit(".", 1)[-1]
    return f"{ITEM_LABELS.get(key, _('Élément'))} {int(index.rstrip(']')) + 1}"


#: French words for the schemas' fixed choices (the stored value stays the YAML's), by field.
OPTION_LABELS: dict[str, dict[str, Any]] = {
    "moment": {"start": _l("au début de l'aventure"), "closing": _l("à la fin de l'aventure")},
    "decision": {
        "first_tap": _l("le premier qui répond décide"),
        "vote": _l("l'équipe vote"),
    },
    "kind": {
        "photo": _l("une photo"),
        "text": _l("un texte"),
        "photo-or-text": _l("une photo ou un texte"),
    },
    "end": {"success": _l("mission réussie"), "retry": _l("recommencer le dialogue")},
    "gender": {"m": _l("masculin"), "f": _l("féminin")},
}


def option_label(key: str, option: str) -> str:
    """What a select shows for `option`: a mission type's French label, a fixed choice's French
    words, else the value."""
    kind = registry.get(option) if key == "type" else None
    if kind is not None:
        return kind.label
    return str(OPTION_LABELS.get(key, {}).get(option, option))


_REF_EMPTY: dict[str, Any] = {
    "character": _l("Aucun personnage : ajoutez-en dans characters.yaml."),
    "mission": _l("Aucune mission dans les jours du brouillon."),
    "offer": _l("Aucune offre dans le catalogue de la Mission Locale."),
    "node": _l("Aucun nœud dans ce dialogue : ajoutez-en un."),
    "media": _l("Aucune image : ajoutez-en dans la page « Images » du studio."),
}


def ref_label(f: forms.FormField, option: str) -> str:
    """What a reference picker shows for an id: « m3 — La porte du labo », or that it is
    unknown (no file of the draft defines it)."""
    if not option:
        return _("(aucun)")
    if option == f.whole:
        return _("Toutes les offres du catalogue (« %(all)s »)", all=option)
    if option in f.labels:
        return f.labels[option]
    return _("%(id)s — inconnu : choisissez un élément existant", id=option)


def ref_empty(kind: str | None) -> str:
    """The empty state of a reference picker with nothing to pick."""
    return str(_REF_EMPTY.get(kind or "", _("Aucun choix possible pour l'instant.")))


def field_label(key: str) -> str:
    """The French label of a field name, else the name itself."""
    return str(LABELS.get(key, key))


def mission_types() -> list[tuple[str, str]]:
    """(key, French label) of every mission type, for « Ajouter une mission »."""
    kinds = registry.keys()
    return [(k, t.label) for k in kinds if (t := registry.get(k)) is not None]


def placed(errors: list[dict[str, Any]], path: str, form: forms.FormField | None) -> None:
    """Give each message of file `path` the form field it concerns (`field`, or None)."""
    names = {f.name for f in form.walk() if f.name} if form else set()
    for e in errors:
        e["field"] = forms.field_for(e["path"], names) if e["file"] == path and names else None


def field_errors(errors: list[dict[str, Any]]) -> dict[str, list[str]]:
    """The messages placed on each form field, by field name."""
    out: dict[str, list[str]] = {}
    for e in errors:
        if e.get("field"):
            out.setdefault(e["field"], []).append(e["message"])
    return out


@bp.post("/studio/<int:draft_id>/formulaire")
@staff_required(Role.AUTHOR)
def studio_form_save(draft_id: int) -> ResponseReturnValue:
    """Save one file from its form (autosave as JSON, or a plain post for Ajouter/Retirer)."""
    wants_json = request.accept_mimetypes.best == "application/json"
    draft = draft_or_404(draft_id)
    path = request.form.get("_path", "")
    data = forms.submitted(path, draft.files.get(path, ""), request.form.getlist, draft_refs(draft))
    back = url_for("console.studio_draft", draft_id=draft_id, fichier=path, vue="formulaire")
    try:
        if data is None:
            raise studio.StudioError("no-form", _("Ce fichier n'a pas de formulaire."))
        draft = studio.save_file(db.session(), me(), draft_id, path, forms.to_yaml(data), now())
    except ServiceError as exc:
        if wants_json:
            return jsonify(ok=False, error=exc.message), 400
        flash(_("Refusé : %(message)s", message=exc.message), "error")
        return redirect(back)
    if not wants_json:  # « Ajouter » / « Retirer »: back to the list, on the new item if any
        return redirect(back + _anchor(data))
    errors = errors_payload(draft)
    placed(errors, path, forms.file_form(path, draft.files[path], draft_refs(draft)))
    return jsonify(ok=True, saved_at=fr_time(draft.updated_at), title=draft.title, errors=errors)


def _anchor(data: dict[str, Any]) -> str:
    added, removed = request.form.get("_add"), request.form.get("_remove")
    if added:
        items = forms.value_at(data, added)
        return f"#f-{added}[{len(items) - 1}]" if isinstance(items, list) and items else ""
    return f"#f-{removed.rsplit('[', 1)[0]}" if removed else ""


#: What a preview shows: a mission (a dialogue walks), the day's opening, a mission's success.
MOMENTS = ("mission", "jour", "reussite")


def _preview_target() -> tuple[str, int | None, str]:
    path = request.args.get("fichier", "")
    try:
        index = int(request.args["mission"]) if "mission" in request.args else None
    except ValueError:
        abort(400)
    moment = "jour" if index is None else request.args.get("moment", "mission")
    if moment not in MOMENTS:
        abort(400)
    return path, index, moment


_PREVIEW_TITLES = {
    "mission": _l("Aperçu de la mission sur un téléphone"),
    "jour": _l("Aperçu de l'ouverture du jour sur un téléphone"),
    "reussite": _l("Aperçu de la célébration d'une mission réussie sur un téléphone"),
}


@bp.get("/studio/<int:draft_id>/apercu")
@staff_required(Role.AUTHOR)
def studio_preview(draft_id: int) -> ResponseReturnValue:
    """« Aperçu téléphone »: a mission (a dialogue walked reply by reply), a day's opening or a
    mission's celebration, as the phone page draws it, in a 360×740 frame."""
    draft = draft_or_404(draft_id)
    path, index, moment = _preview_target()
    if path not in draft.files:
        abort(404)
    return render_template(
        "console/studio_preview.html",
        draft=draft,
        path=path,
        index=index,
        moment=moment,
        frame_title=str(_PREVIEW_TITLES[moment]),
    )


def _preview_media(draft: ScenarioDraft) -> dict[str, dict[str, Any]]:
    """The library's images the draft shows, as the player page's snapshot lists them."""
    used = media.references(draft.files)
    return {
        i.name: {
            "src": url_for("console.studio_image_file", name=i.name),
            "alt": i.alt,
            "width": i.width,
            "height": i.height,
        }
        for i in media.images(db.session())
        if i.name in used
    }


@bp.get("/studio/<int:draft_id>/apercu/telephone")
@staff_required(Role.AUTHOR)
def studio_preview_phone(draft_id: int) -> ResponseReturnValue:
    """The previewed moment drawn by the player page's own renderers, nothing ever sent; this
    page alone may be framed, by the studio's own pages."""
    draft = draft_or_404(draft_id)
    path, index, moment = _preview_target()
    error, view = None, None
    try:
        if index is None:
            view = preview.day_intro(draft.files, path)
        elif moment == "reussite":
            offers = catalogue.offers_text(db.session(), content_dir())
            view = preview.celebration(draft.files, path, index, offers)
        else:
            flags = [f for f in request.args.get("drapeaux", "").split(",") if f]
            view = preview.mission(draft.files, path, index, now(), flags)
    except ServiceError as exc:
        error = exc.message
    urls = {
        # A mission card of the day's preview opens that mission's: this URL + "&mission=<i>".
        "day": url_for("console.studio_preview_phone", draft_id=draft.id, fichier=path),
        "celebration": url_for(
            "console.studio_preview_phone",
            draft_id=draft.id,
            fichier=path,
            mission=index or 0,
            moment="reussite",
        ),
    }
    response = make_response(
        render_template(
            "studio_preview_phone.html",
            error=error,
            view=view,
            moment=moment,
            urls=urls,
            characters=preview.characters(draft.files) if moment == "mission" and view else {},
            media=_preview_media(draft) if moment == "mission" and view else {},
        )
    )
    policy = content_security_policy(request.host).replace(
        "frame-ancestors 'none'", "frame-ancestors 'self'"
    )
    response.headers["Content-Security-Policy"] = policy
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response
