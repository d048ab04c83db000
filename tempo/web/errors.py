"""French error pages."""

from __future__ import annotations

from typing import Any

from flask import Flask, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError
from werkzeug.exceptions import HTTPException

from tempo import throttle
from tempo.web.params import OutOfRange, out_of_range


def register(app: Flask) -> None:
    """Render HTTP errors as French pages with a way back home."""

    @app.errorhandler(CSRFError)
    def _csrf_error(error: CSRFError) -> tuple[str, int]:
        if request.path.startswith("/console"):
            message = _(
                "Ce formulaire a expiré ou ne vient pas de Tempo : rien n'a été enregistré. "
                "Rechargez la page et recommencez."
            )
        else:
            message = _(
                "Ce formulaire a expiré : rien n'a été enregistré. Recharge la page et recommence."
            )
        return _page(400, message), 400

    @app.errorhandler(OverflowError)
    @app.errorhandler(DataError)
    def _out_of_range(error: Exception) -> tuple[str, int]:
        # The last guard: a number or a date beyond what Python's dates or the database hold
        # (routes bound their numbers with tempo.web.params first).
        return _http_error(out_of_range())

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> tuple[str, int]:
        if isinstance(error, OutOfRange):
            return _page(400, str(error.description)), 400
        messages = {
            403: _("Votre compte n'a pas accès à cette page."),
            404: _("Cette page n'existe pas (ou plus)."),
            405: _("Cette action n'est pas possible ici."),
            500: _("Une erreur est survenue de notre côté. Réessaie dans un instant."),
        }
        code = error.code or 500
        message = messages.get(code, _("Une erreur est survenue."))
        return _page(code, message), code


def _page(code: int, message: str) -> str:
    # Console visitors get the console's layout and a way back to the console.
    template = "console/error.html" if request.path.startswith("/console") else "error.html"
    return render_template(template, code=code, message=message)


def too_many(
    wait: int, *, json: bool = False, template: str | None = None, **context: Any
) -> ResponseReturnValue:
    """A French 429 with the wait (and Retry-After): JSON, the form's own page, or the error page.

    `template` with `context` re-renders the form the attempt came from, `context["field"]`
    naming the template variable that carries the message (e.g. `rejoin_error`).
    """
    message = throttle.wait_message(wait)
    headers = {"Retry-After": str(wait)}
    if json:
        body = {"ok": False, "error": {"code": "too_many", "message": message, "wait": wait}}
        return body, 429, headers
    if template is not None:
        field = context.pop("field", "error")
        return render_template(template, **{field: message}, **context), 429, headers
    return _page(429, message), 429, headers
