"""The Mission Locale's catalogue in the studio: administrators edit the offers and the
diagnostic's families → offers links and publish them as numbered versions; authors read."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from tempo.extensions import db
from tempo.infra.clock import now
from tempo.models import Role
from tempo.services.errors import ServiceError
from tempo.services.studio import archive, catalogue
from tempo.web.auth import staff_required
from tempo.web.console.common import NAV, bp, content_dir, me

NAV.update({"console.studio_catalogue": "studio"})


def _back() -> ResponseReturnValue:
    return redirect(url_for("console.studio_catalogue"))


@bp.get("/studio/catalogue")
@staff_required(Role.AUTHOR)
def studio_catalogue() -> ResponseReturnValue:
    """The catalogue's draft (editable by administrators), its validation, its versions."""
    row = catalogue.draft(db.session(), content_dir(), now())
    return render_template(
        "console/studio_catalogue.html",
        draft=row,
        check=catalogue.check(row.files(), content_dir()),
        versions=catalogue.published(db.session()),
        can_edit=me().role is Role.ADMIN,
    )


@bp.post("/studio/catalogue/enregistrer")
@staff_required(Role.ADMIN)
def studio_catalogue_save() -> ResponseReturnValue:
    """Save the draft's offers.yaml and diagnostic.yaml."""
    try:
        catalogue.save(
            db.session(),
            me(),
            request.form.get("offers", ""),
            request.form.get("diagnostic", ""),
            content_dir(),
            now(),
        )
    except ServiceError as exc:
        flash(_("Refusé : %(message)s", message=exc.message), "error")
        return _back()
    flash(_("Catalogue enregistré (brouillon)."))
    return _back()


@bp.post("/studio/catalogue/importer")
@staff_required(Role.ADMIN)
def studio_catalogue_import() -> ResponseReturnValue:
    """Replace the draft with content/'s offers.yaml and diagnostic.yaml."""
    catalogue.import_content(db.session(), me(), content_dir(), now())
    flash(_("Brouillon du catalogue remplacé par les fichiers du dossier content/."))
    return _back()


@bp.post("/studio/catalogue/publier")
@staff_required(Role.ADMIN)
def studio_catalogue_publish() -> ResponseReturnValue:
    """Publish the draft as the next numbered catalogue."""
    try:
        version = catalogue.publish(
            db.session(), me(), request.form.get("changelog", ""), content_dir(), now()
        )
    except ServiceError as exc:
        flash(_("Refusé : %(message)s", message=exc.message), "error")
        return _back()
    flash(
        _(
            "Catalogue %(n)s publié : les scénarios publiés désormais figent ces offres ; les "
            "versions déjà publiées gardent les leurs.",
            n=version.number,
        )
    )
    return _back()


@bp.get("/studio/catalogue/exporter")
@staff_required(Role.AUTHOR)
def studio_catalogue_export() -> ResponseReturnValue:
    """A zip of offers.yaml and diagnostic.yaml: published catalogue `?version=N`, else the
    draft; `tempo validate --catalogue` reads it."""
    number = request.args.get("version", "")
    if number:
        row = catalogue.by_number(db.session(), int(number)) if number.isdigit() else None
        if row is None:
            abort(404)
        name = f"catalogue-{row.number}.zip"
    else:
        row = catalogue.draft(db.session(), content_dir(), now())
        name = "catalogue-brouillon.zip"
    return Response(
        archive.write_catalogue_zip(row.files()),
        mimetype="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
