"""The room's screen: a cohort's projector view, opened by a counsellor in a new tab."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, render_template, url_for
from flask.typing import ResponseReturnValue

from tempo.extensions import db
from tempo.infra.clock import now
from tempo.models import Cohort, Role
from tempo.realtime.presence import presence
from tempo.services.cohorts import projector as service
from tempo.services.play import qr
from tempo.web.auth import no_store, staff_required
from tempo.web.console.common import NAV, cohort_or_404
from tempo.web.urls import public_url

bp = Blueprint("projector", __name__, url_prefix="/console/cohortes/<slug>/ecran")
bp.after_request(no_store)

NAV["projector.screen"] = "cohorts"


def _screen(found: Cohort) -> dict[str, Any]:
    online = {t.id: presence.online(t.id) for t in found.teams}
    out = service.screen(db.session(), found, now(), online)
    # Where a player types a join code by hand: the site's address, as phones reach it.
    out["site"] = urlsplit(public_url("/")).netloc
    return out


@bp.get("")
@staff_required(Role.COUNSELLOR)
def screen(slug: str) -> ResponseReturnValue:
    """The room's screen: join codes while players arrive, then the cohort's play, live."""
    found = cohort_or_404(slug)
    return render_template("console/projector.html", cohort=found, screen=_screen(found))


@bp.get("/etat")
@staff_required(Role.COUNSELLOR)
def screen_part(slug: str) -> ResponseReturnValue:
    """The live part of the screen, redrawn by the page when something happens."""
    found = cohort_or_404(slug)
    return render_template("console/_projector.html", cohort=found, screen=_screen(found))


@bp.get("/equipes/<int:team_id>/qr.svg")
@staff_required(Role.COUNSELLOR)
def team_qr(slug: str, team_id: int) -> ResponseReturnValue:
    """The join QR code of one of the cohort's teams, for the screen."""
    found = cohort_or_404(slug)
    team = next((t for t in found.teams if t.id == team_id), None)
    if team is None:
        abort(404)
    data = public_url(url_for("play.join", code=team.join_code))
    return Response(qr.svg(data), mimetype="image/svg+xml")
