"""HTTP blueprints."""

from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    """Attach every blueprint, error handler and template filter to the app."""
    from tempo.web import errors, main, markdown

    app.register_blueprint(main.bp)
    errors.register(app)
    app.add_template_filter(markdown.render, "markdown")
