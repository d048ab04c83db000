"""The counsellors' pages of the self-diagnostic and the bilan.

Answers belong to the player: these pages are for the counsellors of the player's cohort (and
administrators): another cohort's staff get 404, authors 403, players the login page.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l

from tempo.extensions import db
from tempo.infra.clock import now
from tempo.models import Player, Role
from tempo.services.cohorts.state import cohort_state
from tempo.services.diagnostic import bilan as bilan_service
from tempo.services.diagnostic import runs as diagnostics
from tempo.services.documents.diagnostic_pdf import bilan_pdf, results_pdf
from tempo.web.auth import no_store, staff_required
from tempo.web.console.common import COHORT_SECTIONS, cohort_or_404
from tempo.web.files import file_slug, pdf
from tempo.web.params import bounded_int

bp = Blueprint("diagnostic_console", __name__, url_prefix="/console/cohortes/<slug>")
bp.after_request(no_store)

COHORT_SECTIONS.append(("diagnostic_console.overview", _l("Diagnostics et bilans")))


def _player_of(slug: str, player_id: int) -> tuple[Any, Player]:
    cohort = cohort_or_404(slug)
    player = db.session.get(Player, player_id)
    if player is None or player.team.cohort_id != cohort.id:
        abort(404)
    return cohort, player


@bp.get("/diagnostics")
@staff_required(Role.COUNSELLOR)
def overview(slug: str) -> ResponseReturnValue:
    """Every player of the cohort: diagnostic progress, results and bilan."""
    cohort = cohort_or_404(slug)
    players = diagnostics.cohort_players(db.session(), cohort.id)
    return render_template(
        "console/diagnostics.html",
        cohort=cohort,
        state=cohort_state(cohort, now()),
        section="diagnostic_console.overview",
        players=players,
        statuses=diagnostics.statuses(db.session(), players),
    )


@bp.get("/joueurs/<int:player_id>/diagnostic")
@staff_required(Role.COUNSELLOR)
def player_results(slug: str, player_id: int) -> ResponseReturnValue:
    """A player's diagnostic results (latest, or `?run=` one of their runs) for the counsellor."""
    cohort, player = _player_of(slug, player_id)
    raw_run = request.args.get("run")
    run = bounded_int(raw_run)
    if raw_run is not None and raw_run.isdigit() and run is None:  # no run has such an id
        abort(404)
    found = diagnostics.results(db.session(), player, run)
    if found is None and run is not None:
        abort(404)
    return render_template(
        "console/player_diagnostic.html",
        counsellor=True,
        cohort=cohort,
        state=cohort_state(cohort, now()),
        section="diagnostic_console.overview",
        player=player,
        results=found,
        status=diagnostics.status(db.session(), player),
        history=diagnostics.finished_runs(db.session(), player),
        pdf_url=url_for(
            "diagnostic_console.player_results_download",
            slug=slug,
            player_id=player.id,
            run_id=found.run_id,
        )
        if found
        else None,
        run_url=lambda r: url_for(
            "diagnostic_console.player_results", slug=slug, player_id=player.id, run=r
        ),
    )


@bp.get("/joueurs/<int:player_id>/diagnostic/<int:run_id>.pdf")
@staff_required(Role.COUNSELLOR)
def player_results_download(slug: str, player_id: int, run_id: int) -> ResponseReturnValue:
    """A player's diagnostic run as a PDF."""
    _cohort, player = _player_of(slug, player_id)
    found = diagnostics.results(db.session(), player, run_id)
    if found is None:
        abort(404)
    return pdf(results_pdf(found), f"auto-diagnostic-{file_slug(player.pseudonym)}.pdf")


@bp.get("/joueurs/<int:player_id>/bilan")
@staff_required(Role.COUNSELLOR)
def player_bilan(slug: str, player_id: int) -> ResponseReturnValue:
    """A player's bilan for their counsellor."""
    cohort, player = _player_of(slug, player_id)
    found = bilan_service.build(db.session(), player, now())
    return render_template(
        "console/player_bilan.html",
        counsellor=True,
        cohort=cohort,
        state=cohort_state(cohort, now()),
        section="diagnostic_console.overview",
        player=player,
        bilan=found,
        pdf_url=url_for("diagnostic_console.player_bilan_download", slug=slug, player_id=player.id)
        if found
        else None,
    )


@bp.get("/joueurs/<int:player_id>/bilan.pdf")
@staff_required(Role.COUNSELLOR)
def player_bilan_download(slug: str, player_id: int) -> ResponseReturnValue:
    """A player's bilan as a one-page PDF."""
    _cohort, player = _player_of(slug, player_id)
    found = bilan_service.build(db.session(), player, now())
    if found is None:
        abort(404)
    return pdf(bilan_pdf(found), f"bilan-tempo-{file_slug(player.pseudonym)}.pdf")
