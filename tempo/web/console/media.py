"""The studio's « Images » page: the library of images content refers to by name (upload with
an alternative text, change the text, delete), and the images' bytes for the studio."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from tempo.extensions import db
from tempo.infra.clock import now
from tempo.models import Role
from tempo.scenarios.images import MAX_BYTES, MAX_SIDE
from tempo.services.errors import ServiceError
from tempo.services.studio import media
from tempo.web.auth import staff_required
from tempo.web.console.common import NAV, bp, me
from tempo.web.files import stored_image

NAV.update({"console.studio_images": "studio"})


def _back() -> ResponseReturnValue:
    return redirect(url_for("console.studio_images"))


@bp.get("/studio/images")
@staff_required(Role.AUTHOR)
def studio_images() -> ResponseReturnValue:
    """The library: each image's thumbnail, name, alternative text and size; the upload form."""
    found = media.images(db.session())
    return render_template(
        "console/studio_images.html",
        images=found,
        used={i.name: media.users(db.session(), i.name) for i in found},
        max_mb=MAX_BYTES // 1024 // 1024,
        max_side=MAX_SIDE,
    )


@bp.post("/studio/images")
@staff_required(Role.AUTHOR)
def studio_image_upload() -> ResponseReturnValue:
    """Add an image to the library (processed: upright, shrunk, without metadata)."""
    upload = request.files.get("image")
    if upload is None or not upload.filename:
        flash(_("Choisissez une image à envoyer (JPEG, PNG ou WebP)."), "error")
        return _back()
    data = upload.stream.read(MAX_BYTES + 1)
    try:
        stored = media.upload(
            db.session(),
            me(),
            name=request.form.get("name", ""),
            alt=request.form.get("alt", ""),
            data=data,
            filename=upload.filename,
            now=now(),
        )
    except ServiceError as exc:
        flash(_("Refusé : %(message)s", message=exc.message), "error")
        return _back()
    flash(
        _(
            "Image « %(name)s » ajoutée (%(w)s × %(h)s pixels). Dans un scénario, écrivez "
            "image: %(name)s.",
            name=stored.name,
            w=stored.width,
            h=stored.height,
        )
    )
    return _back()


@bp.post("/studio/images/<name>/texte")
@staff_required(Role.AUTHOR)
def studio_image_alt(name: str) -> ResponseReturnValue:
    """Change an image's alternative text."""
    try:
        media.set_alt(db.session(), name, request.form.get("alt", ""))
    except ServiceError as exc:
        flash(_("Refusé : %(message)s", message=exc.message), "error")
        return _back()
    flash(_("Texte alternatif de « %(name)s » enregistré.", name=name))
    return _back()


@bp.post("/studio/images/<name>/supprimer")
@staff_required(Role.AUTHOR)
def studio_image_delete(name: str) -> ResponseReturnValue:
    """Remove an image no draft uses (published versions keep their copy)."""
    try:
        media.delete(db.session(), name)
    except ServiceError as exc:
        flash(_("Refusé : %(message)s", message=exc.message), "error")
        return _back()
    flash(_("Image « %(name)s » supprimée de la bibliothèque.", name=name))
    return _back()


@bp.get("/studio/images/<name>")
@staff_required(Role.AUTHOR)
def studio_image_file(name: str) -> ResponseReturnValue:
    """An image of the library (thumbnails, previews of drafts)."""
    try:
        found = media.image(db.session(), name, with_data=True)
    except ServiceError:
        abort(404)
    # Console responses are never cached (auth.no_store); a name may also be given to another
    # image after a deletion.
    return stored_image(found, "no-store")
