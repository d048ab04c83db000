"""The counsellors' digest of daily recaps: each closed day with every team's recap."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from tempo.engine import progress
from tempo.extensions import db
from tempo.infra.clock import now
from tempo.models import Cohort, Role, Team
from tempo.realtime.publish import publish
from tempo.services.calendar import days as calendar_service
from tempo.services.recaps import produce as recaps
from tempo.web.auth import no_store, staff_required
from tempo.web.console import COHORT_SECTIONS, _cohort_or_404, cohort_state
from tempo.web.journal import png, team_card

bp = Blueprint("digest", __name__, url_prefix="/console/cohortes/<slug>")
bp.after_request(no_store)

COHORT_SECTIONS.append(("digest.page", _l("Récaps")))


def closable_days(cohort: Cohort) -> list[int]:
    """Days open (recorded or by their hour) and not closed yet: a counsellor may close them."""
    opened = progress.playable_days(cohort.clocks(), now(), cohort.status.value)
    return [
        d.number
        for d in cohort.days
        if d.closed_at is None and (d.unlocked_at is not None or d.number in opened)
    ]


def _next_close(cohort: Cohort) -> Any:
    return next((d for d in cohort.days if d.closed_at is None), None)


@bp.get("/recaps")
@staff_required(Role.COUNSELLOR)
def page(slug: str) -> ResponseReturnValue:
    """Every closed day of the cohort, newest first, with each team's recap."""
    found = _cohort_or_404(slug)
    return render_template(
        "console/recaps.html",
        cohort=found,
        days=recaps.digests(db.session, found),
        closable=closable_days(found),
        next_close=_next_close(found),
        state=cohort_state(found, now()),
        section="digest.page",
    )


@bp.post("/recaps/clore")
@staff_required(Role.COUNSELLOR)
def close(slug: str) -> ResponseReturnValue:
    """Close a game day now: its recaps are produced at once (once, whoever closes it)."""
    found = _cohort_or_404(slug)
    raw = request.form.get("day", "")
    if not raw.isdigit():
        abort(400)
    number = int(raw)
    try:
        out = calendar_service.close_day(db.session, found.id, number, now())
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
    found = _cohort_or_404(slug)
    team = db.session.get(Team, team_id)
    if team is None or team.cohort_id != found.id:
        abort(404)
    view = recaps.team_recap(db.session, team_id, day)
    if view is None:
        abort(404)
    name = f"tempo-{slug}-jour-{day}-{team_id}.png"
    return png(team_card(view), name, request.args.get("telecharger") == "1")
