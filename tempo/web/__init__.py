"""HTTP blueprints."""

from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    """Attach every blueprint, error handler and template filter to the app."""
    from tempo.infra import markup
    from tempo.web import (
        auth,
        booking,
        console,
        console_booking,
        dashboard,
        diagnostic,
        digest,
        errors,
        journal,
        main,
        play,
    )

    app.register_blueprint(main.bp)
    app.register_blueprint(play.bp)
    app.register_blueprint(booking.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(console.bp)
    app.register_blueprint(dashboard.bp)
    app.register_blueprint(journal.bp)
    app.register_blueprint(digest.bp)
    app.register_blueprint(diagnostic.bp)
    app.register_blueprint(diagnostic.console_bp)
    app.register_blueprint(console_booking.bp)
    errors.register(app)
    app.add_template_filter(markup.render, "markdown")
