"""The counsellors' digest of daily recaps: each closed day with every team's recap."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from tempo.extensions import db
from tempo.infra.clock import now
from tempo.models import Role, Team
from tempo.realtime.publish import publish
from tempo.services.calendar import days as calendar_service
from tempo.services.cohorts.state import cohort_state
from tempo.services.recaps import produce as recaps
from tempo.web.auth import no_store, staff_required
from tempo.web.console.common import COHORT_SECTIONS, cohort_or_404
from tempo.web.files import png, team_card
from tempo.web.params import bounded_int

bp = Blueprint("digest", __name__, url_prefix="/console/cohortes/<slug>")
bp.after_request(no_store)

COHORT_SECTIONS.append(("digest.page", _l("Récaps")))


@bp.get("/recaps")
@staff_required(Role.COUNSELLOR)
def page(slug: str) -> ResponseReturnValue:
    """Every closed day of the cohort, newest first, with each team's recap."""
    found = cohort_or_404(slug)
    return render_template(
        "console/recaps.html",
        cohort=found,
        days=recaps.digests(db.session(), found),
        closable=calendar_service.closable_days(found, now()),
        next_close=calendar_service.next_to_close(found),
        state=cohort_state(found, now()),
        section="digest.page",
    )


@bp.post("/recaps/clore")
@staff_required(Role.COUNSELLOR)
def close(slug: str) -> ResponseReturnValue:
    """Close a game day now: its recaps are produced at once (once, whoever closes it)."""
    found = cohort_or_404(slug)
    number = bounded_int(request.form.get("day"))
    if number is None:
        abort(400)
    try:
        out = calendar_service.close_day(db.session(), found.id, number, now())
    except calendar_service.CalendarError as exc:
        flash(exc.message)
        return redirect(url_for("digest.page", slug=slug))
    publish(out)
    flash(
        _("Jour %(n)s clôturé : les récaps des équipes et des joueurs sont prêts.", n=number)
        if out
        else _("Le jour %(n)s était déjà clôturé : ses récaps existent déjà.", n=number)
    )
    return redirect(url_for("digest.page", slug=slug, _anchor=f"jour-{number}"))


@bp.get("/recaps/jour-<int:day>/equipe-<int:team_id>.png")
@staff_required(Role.COUNSELLOR)
def card(slug: str, day: int, team_id: int) -> ResponseReturnValue:
    """A team's recap card (for the projector, or to send to the team)."""
    found = cohort_or_404(slug)
    team = db.session.get(Team, team_id)
    if team is None or team.cohort_id != found.id:
        abort(404)
    view = recaps.team_recap(db.session(), team_id, day)
    if view is None:
        abort(404)
    name = f"tempo-{slug}-jour-{day}-{team_id}.png"
    return png(team_card(view), name, request.args.get("telecharger") == "1")
