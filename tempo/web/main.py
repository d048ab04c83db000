"""Public pages: home, team code lookup, health check."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import text

from tempo import throttle
from tempo.extensions import db
from tempo.realtime.presence import current_presence
from tempo.services.play.teams import team_by_code
from tempo.throttle import client_ip
from tempo.web.errors import too_many

bp = Blueprint("main", __name__)


@bp.get("/")
def home() -> ResponseReturnValue:
    """The landing page: what Tempo is, and a field for the team code."""
    return render_template("home.html")


@bp.get("/rejoindre")
def join_form() -> ResponseReturnValue:
    """Handle the home page's code field."""
    code = request.args.get("code", "")
    wait = throttle.blocked("code", client_ip())
    if wait is not None:
        return too_many(wait, template="home.html", code=code[:16])
    team = team_by_code(db.session(), code)
    if team is None:
        if code.strip():
            throttle.spend("code", client_ip())
        error = (
            _("Entre le code de ton équipe.")
            if not code.strip()
            else _(
                "Aucune équipe n'a le code « %(code)s ». Vérifie-le auprès de ton conseiller.",
                code=code.strip()[:16],
            )
        )
        return render_template("home.html", error=error, code=code[:16]), 404 if code else 400
    return redirect(url_for("play.join", code=team.join_code))


@bp.get("/healthz")
def health() -> ResponseReturnValue:
    """Liveness, database and (in the scale-out shape) Redis reachability, for monitoring."""
    db.session.execute(text("SELECT 1"))
    presence = current_presence()
    if presence.shared:
        # A worker cut off from Redis would leave its phones out of their teammates' updates.
        try:
            presence.ping()
        except Exception:
            return {"status": "error", "problem": "redis"}, 503
    return {"status": "ok"}
