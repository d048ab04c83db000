"""Scenario versions: the content folder's scenarios, publishing them, every published version."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from tempo.extensions import db
from tempo.infra.clock import now
from tempo.services.content import publishing as content_service
from tempo.web.auth import staff_required
from tempo.web.console.common import bp, version_label


@bp.get("/scenarios")
@staff_required()
def scenarios() -> ResponseReturnValue:
    """The scenarios of the content folder, whether published, and every published version."""
    loaded = content_service.current_content(current_app.config["CONTENT_DIR"])
    current = []
    if loaded.content is not None:
        for slug, scenario in loaded.content.scenarios.items():
            current.append(
                {
                    "slug": slug,
                    "scenario": scenario,
                    "missions": sum(len(d.missions) for d in scenario.days),
                    "published": content_service.published_version(
                        db.session(), loaded.content, slug
                    ),
                }
            )
    return render_template(
        "console/scenarios.html",
        current=current,
        errors=[str(e) for e in loaded.errors],
        versions=content_service.versions(db.session()),
        uses=content_service.version_uses(db.session()),
    )


@bp.post("/scenarios/publier")
@staff_required()
def publish() -> ResponseReturnValue:
    """Publish the content folder's scenario as a frozen version."""
    slug = request.form.get("slug", "")
    loaded = content_service.current_content(current_app.config["CONTENT_DIR"])
    if loaded.content is None or slug not in loaded.content.scenarios:
        flash(_("Ce scénario ne peut pas être publié : le contenu contient des erreurs."))
        return redirect(url_for("console.scenarios"))
    version = content_service.publish_now(db.session(), loaded.content, slug, now())
    flash(_("Version publiée : %(label)s.", label=version_label(version)))
    return redirect(url_for("console.scenarios"))
