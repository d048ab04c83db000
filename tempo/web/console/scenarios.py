"""Scenario versions: the content folder's scenarios, publishing them, every published version.

Each scenario folder is loaded on its own: a broken folder shows its errors next to it and
hides no other folder's publish button.
"""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from tempo.extensions import db
from tempo.infra.clock import now
from tempo.services.content import publishing as content_service
from tempo.services.studio import catalogue
from tempo.web.auth import staff_required
from tempo.web.console.common import bp, me, version_label


@bp.get("/scenarios")
@staff_required()
def scenarios() -> ResponseReturnValue:
    """The scenarios of the content folder, each with its own errors, and every version."""
    on_disk = content_service.scenarios_on_disk(current_app.config["CONTENT_DIR"])
    current = []
    for slug, loaded in on_disk.items():
        scenario = loaded.content.scenarios.get(slug) if loaded.content is not None else None
        current.append(
            {
                "slug": slug,
                "scenario": scenario,
                "errors": [str(e) for e in loaded.errors],
                "missions": sum(len(d.missions) for d in scenario.days) if scenario else 0,
                "published": content_service.published_version(db.session(), loaded.content, slug)
                if loaded.content is not None and scenario is not None
                else None,
            }
        )
    return render_template(
        "console/scenarios.html",
        current=current,
        versions=content_service.versions(db.session()),
        uses=content_service.version_uses(db.session()),
        current_ids=set(content_service.current_versions(db.session()).values()),
    )


@bp.post("/scenarios/publier")
@staff_required()
def publish() -> ResponseReturnValue:
    """Publish one scenario folder of content/ as a frozen version (other folders may be broken)."""
    slug = request.form.get("slug", "")
    root = current_app.config["CONTENT_DIR"]
    loaded = content_service.scenarios_on_disk(root).get(slug)
    if loaded is not None and catalogue.latest(db.session()) is not None:
        # The Mission Locale's published catalogue replaces content/'s offers and diagnostic.
        loaded = catalogue.load(db.session(), root, only=root.resolve() / "scenarios" / slug)
    if loaded is None or loaded.content is None or slug not in loaded.content.scenarios:
        flash(_("Ce scénario ne peut pas être publié : il contient des erreurs."))
        return redirect(url_for("console.scenarios"))
    version = content_service.publish_now(
        db.session(),
        loaded.content,
        slug,
        now(),
        files=content_service.folder_files(root.resolve() / "scenarios" / slug),
        author=me(),
        media_folder=root.resolve() / "scenarios" / slug,
    )
    flash(_("Version publiée : %(label)s.", label=version_label(version)))
    return redirect(url_for("console.scenarios"))
