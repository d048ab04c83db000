"""HTTP blueprints: public pages (`main`), the players' pages (`player/`), the staff sign-in
(`auth`) and the counsellors' console (`console/`)."""

from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    """Attach every blueprint, error handler and template filter to the app."""
    from tempo.infra import markup
    from tempo.web import auth, errors, headers, main, params, privacy
    from tempo.web.console import (
        accounts,  # noqa: F401  (its routes are on the `console` blueprint of `common`)
        calendar,  # noqa: F401  (idem)
        catalogue,  # noqa: F401  (idem)
        cohorts,  # noqa: F401  (idem)
        common,
        dashboard,
        dialogue_map,  # noqa: F401  (idem)
        digest,
        media,  # noqa: F401  (idem)
        projector,
        sandbox,  # noqa: F401  (idem)
        scenarios,  # noqa: F401  (idem)
        studio,  # noqa: F401  (idem)
        studio_forms,  # noqa: F401  (idem)
    )
    from tempo.web.console import booking as console_booking
    from tempo.web.console import diagnostic as console_diagnostic
    from tempo.web.player import booking, diagnostic, journal, offline, play

    app.url_map.converters["int"] = params.BoundedIntConverter  # before any route is added
    app.register_blueprint(main.bp)
    app.register_blueprint(play.bp)
    app.register_blueprint(offline.bp)
    app.register_blueprint(booking.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(common.bp)
    app.register_blueprint(dashboard.bp)
    app.register_blueprint(projector.bp)
    app.register_blueprint(journal.bp)
    app.register_blueprint(digest.bp)
    app.register_blueprint(diagnostic.bp)
    app.register_blueprint(console_diagnostic.bp)
    app.register_blueprint(privacy.bp)
    app.register_blueprint(console_booking.bp)
    errors.register(app)
    headers.register(app)
    app.add_template_filter(markup.render, "markdown")
