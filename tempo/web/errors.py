"""French error pages."""

from __future__ import annotations

from flask import Flask, render_template
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException


def register(app: Flask) -> None:
    """Render HTTP errors as French pages with a way back home."""

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> tuple[str, int]:
        messages = {
            404: _("Cette page n'existe pas (ou plus)."),
            405: _("Cette action n'est pas possible ici."),
            500: _("Une erreur est survenue de notre côté. Réessaie dans un instant."),
        }
        code = error.code or 500
        message = messages.get(code, _("Une erreur est survenue."))
        return render_template("error.html", code=code, message=message), code
