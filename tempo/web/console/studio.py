"""The authoring studio: an author's drafts, the source editor with autosave, import/export,
publishing a draft as a numbered version, a version's diff and rolling back."""

from __future__ import annotations

from typing import Any

from flask import (
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from tempo.extensions import db
from tempo.infra.clock import now
from tempo.models import Role, ScenarioDraft, ScenarioVersion
from tempo.scenarios.schema import SKILL_LABELS
from tempo.services.content import publishing as content_service
from tempo.services.errors import ServiceError
from tempo.services.studio import archive, catalogue, forms, preview
from tempo.services.studio import drafts as studio
from tempo.web.auth import staff_required
from tempo.web.console.common import NAV, bp, content_dir, me
from tempo.web.console.studio_forms import (
    draft_or_404,
    draft_refs,
    errors_payload,
    field_errors,
    field_label,
    fr_time,
    item_label,
    mission_types,
    option_label,
    placed,
    ref_empty,
    ref_label,
)

NAV.update(
    {
        "console.studio_home": "studio",
        "console.studio_new": "studio",
        "console.studio_copy": "studio",
        "console.studio_import": "studio",
        "console.studio_draft": "studio",
        "console.studio_version": "scenarios",
    }
)


@bp.get("/studio")
@staff_required(Role.AUTHOR)
def studio_home() -> ResponseReturnValue:
    """My drafts, and the three ways to start one: template, copy of a version, zip."""
    copyable = [v for v in content_service.versions(db.session()) if v.files]
    return render_template(
        "console/studio.html",
        drafts=studio.my_drafts(db.session(), me()),
        copyable=copyable,
        max_zip_mb=archive.MAX_ZIP_BYTES // 1024 // 1024,
    )


def _to_draft(draft: ScenarioDraft, message: str) -> ResponseReturnValue:
    flash(message)
    return redirect(url_for("console.studio_draft", draft_id=draft.id))


def _refused(exc: ServiceError, target: str) -> ResponseReturnValue:
    flash(_("Refusé : %(message)s", message=exc.message), "error")
    return redirect(target)


@bp.post("/studio/nouveau")
@staff_required(Role.AUTHOR)
def studio_new() -> ResponseReturnValue:
    """A new draft from the template."""
    try:
        title = request.form.get("title", "")
        draft = studio.create_from_template(db.session(), me(), title, now())
    except ServiceError as exc:
        return _refused(exc, url_for("console.studio_home"))
    return _to_draft(draft, _("Brouillon créé depuis le modèle."))


@bp.post("/studio/copier")
@staff_required(Role.AUTHOR)
def studio_copy() -> ResponseReturnValue:
    """A new draft copying a published version's sources."""
    try:
        version_id = int(request.form.get("version", ""))
        draft = studio.create_from_version(db.session(), me(), version_id, now())
    except ValueError:
        flash(_("Choisissez une version à copier."), "error")
        return redirect(url_for("console.studio_home"))
    except ServiceError as exc:
        return _refused(exc, url_for("console.studio_home"))
    return _to_draft(draft, _("Brouillon créé : copie de la version publiée."))


@bp.post("/studio/importer")
@staff_required(Role.AUTHOR)
def studio_import() -> ResponseReturnValue:
    """A new draft from an uploaded zip of a scenario folder."""
    upload = request.files.get("archive")
    if upload is None or not upload.filename:
        flash(_("Choisissez une archive zip à importer."), "error")
        return redirect(url_for("console.studio_home"))
    data = upload.stream.read(archive.MAX_ZIP_BYTES + 1)
    try:
        draft = studio.import_zip(db.session(), me(), data, now())
    except ServiceError as exc:
        return _refused(exc, url_for("console.studio_home"))
    return _to_draft(draft, _("Archive importée : %(n)s fichiers.", n=len(draft.files)))


@bp.get("/studio/<int:draft_id>")
@staff_required(Role.AUTHOR)
def studio_draft(draft_id: int) -> ResponseReturnValue:
    """The source editor: the file list, one file's text, its validation messages."""
    draft = draft_or_404(draft_id)
    paths = sorted(draft.files, key=lambda p: (p.startswith("days/"), p))
    path = request.args.get("fichier", "scenario.yaml")
    if path not in draft.files:
        path = paths[0]
    errors = errors_payload(draft)
    form = forms.file_form(path, draft.files[path], draft_refs(draft))
    placed(errors, path, form)
    view = "source" if form is None or request.args.get("vue") == "source" else "formulaire"
    return render_template(
        "console/studio_draft.html",
        form=form,
        view=view,
        has_form=forms.file_model(path) is not None,
        field_errors=field_errors(errors),
        field_label=field_label,
        item_label=item_label,
        option_label=option_label,
        ref_label=ref_label,
        ref_empty=ref_empty,
        mission_types=mission_types(),
        skill_label=lambda key: _(SKILL_LABELS.get(key) or key),
        preview_url=lambda index, moment=None: url_for(
            "console.studio_preview", draft_id=draft.id, fichier=path, mission=index, moment=moment
        ),
        previews=preview.outline(draft.files),
        draft=draft,
        paths=paths,
        path=path,
        text=draft.files[path],
        errors=errors,
        counts={p: sum(1 for e in errors if e["file"] == p) for p in paths},
        revisions=studio.revisions(db.session(), draft)[:20],
        last=content_service.last_version(db.session(), draft.slug),
    )


@bp.post("/studio/<int:draft_id>/enregistrer")
@staff_required(Role.AUTHOR)
def studio_save(draft_id: int) -> ResponseReturnValue:
    """Autosave one file (JSON: path, text); answer the save time and the validation messages."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("path"), str):
        return jsonify(ok=False, error=_("Requête invalide.")), 400
    text = body.get("text")
    if not isinstance(text, str):
        return jsonify(ok=False, error=_("Requête invalide.")), 400
    try:
        draft = studio.save_file(db.session(), me(), draft_id, body["path"], text, now())
    except studio.StudioError as exc:
        status = 404 if exc.code == "not-found" else 400
        return jsonify(ok=False, error=exc.message), status
    except ServiceError as exc:
        return jsonify(ok=False, error=exc.message), 400
    return jsonify(
        ok=True,
        saved_at=fr_time(draft.updated_at),
        title=draft.title,
        errors=errors_payload(draft),
    )


@bp.get("/studio/<int:draft_id>/exporter")
@staff_required(Role.AUTHOR)
def studio_export(draft_id: int) -> ResponseReturnValue:
    """The draft as a zip of its scenario folder."""
    draft = draft_or_404(draft_id)
    return Response(
        studio.export_zip(db.session(), draft),
        mimetype="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{draft.slug}.zip"'},
    )


@bp.post("/studio/<int:draft_id>/restaurer")
@staff_required(Role.AUTHOR)
def studio_restore(draft_id: int) -> ResponseReturnValue:
    """Bring back an earlier save of the draft."""
    target = url_for("console.studio_draft", draft_id=draft_id)
    try:
        revision_id = int(request.form.get("revision", ""))
        studio.restore(db.session(), me(), draft_id, revision_id, now())
    except ValueError:
        abort(400)
    except ServiceError as exc:
        return _refused(exc, target)
    flash(_("Enregistrement restauré."))
    return redirect(target)


@bp.post("/studio/<int:draft_id>/supprimer")
@staff_required(Role.AUTHOR)
def studio_delete(draft_id: int) -> ResponseReturnValue:
    """Delete the draft (published versions stay)."""
    try:
        studio.delete(db.session(), me(), draft_id)
    except ServiceError as exc:
        return _refused(exc, url_for("console.studio_home"))
    flash(_("Brouillon supprimé."))
    return redirect(url_for("console.studio_home"))


@bp.post("/studio/<int:draft_id>/publier")
@staff_required(Role.AUTHOR)
def studio_publish(draft_id: int) -> ResponseReturnValue:
    """Publish the draft as the next version of its scenario."""
    target = url_for("console.studio_draft", draft_id=draft_id)
    try:
        version = studio.publish(
            db.session(),
            me(),
            draft_id,
            request.form.get("changelog", ""),
            content_dir(),
            now(),
            catalogue.files_base(db.session(), content_dir()),
        )
    except ServiceError as exc:
        return _refused(exc, target)
    flash(_("Version %(n)s publiée.", n=version.number))
    return redirect(url_for("console.studio_version", version_id=version.id))


@bp.get("/scenarios/versions/<int:version_id>")
@staff_required()
def studio_version(version_id: int) -> ResponseReturnValue:
    """A version: number, date, author, changelog, and its diff against the previous one."""
    version = db.session.get(ScenarioVersion, version_id)
    if version is None:
        abort(404)
    previous = studio.previous_version(db.session(), version)
    return render_template(
        "console/studio_version.html",
        version=version,
        previous=previous,
        diff=studio.diff(previous, version),
        current=content_service.current_versions(db.session()).get(version.slug) == version.id,
    )


@bp.post("/scenarios/versions/<int:version_id>/actuelle")
@staff_required(Role.AUTHOR)
def studio_rollback(version_id: int) -> ResponseReturnValue:
    """Make this version the one new cohorts start from."""
    try:
        version = studio.rollback(db.session(), version_id, now())
    except ServiceError as exc:
        return _refused(exc, url_for("console.scenarios"))
    flash(
        _(
            "La version %(n)s est maintenant la version actuelle : les nouvelles cohortes la "
            "joueront, les cohortes en cours gardent la leur.",
            n=version.number,
        )
    )
    return redirect(url_for("console.studio_version", version_id=version.id))


_REVISION_KINDS = {
    "creation": _l("création"),
    "import": _l("import"),
    "autosave": _l("enregistrement automatique"),
    "restore": _l("restauration"),
}
_DIFF_STATUS = {"added": _l("ajouté"), "removed": _l("supprimé"), "changed": _l("modifié")}


@bp.app_context_processor
def studio_context() -> dict[str, Any]:
    """Labels of revision kinds and diff statuses."""
    return {
        "revision_kind": lambda kind: _REVISION_KINDS.get(kind, kind),
        "diff_status": lambda status: _DIFF_STATUS.get(status, status),
    }
