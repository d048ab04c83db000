"""The self-diagnostic and the bilan: the player's pages (the counsellors' are in the console).

Answers belong to the player. Player pages only ever read the signed-in player's own runs
(another run id answers 404).
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from tempo.extensions import db
from tempo.infra.clock import now
from tempo.models import Player
from tempo.realtime.publish import publish
from tempo.services.diagnostic import bilan as bilan_service
from tempo.services.diagnostic import runs as diagnostics
from tempo.services.documents.diagnostic_pdf import bilan_pdf, opening_sentences, results_pdf
from tempo.web.auth import no_store
from tempo.web.files import file_slug, pdf
from tempo.web.player.common import current_player

bp = Blueprint("diagnostic", __name__)
bp.after_request(no_store)  # answers are personal: never kept in a shared cache


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    return {"player_diagnostic": player_summary, "opening_sentences": opening_sentences}


def player_summary(player: Player) -> dict[str, Any]:
    """What the player page shows about the diagnostic: status and links (template helper)."""
    status = diagnostics.status(db.session(), player)
    return {
        "status": status,
        "start_url": url_for("diagnostic.intro"),
        "results_url": url_for("diagnostic.latest") if status.finished else None,
        "bilan_url": url_for("diagnostic.bilan") if status.closing_done else None,
    }


def _me() -> Player:
    player = current_player()
    if player is None:
        abort(_redirect_home())
    return player


def _redirect_home() -> Response:
    flash(_("Rejoins d'abord ton équipe avec son code ou ton code personnel."))
    return redirect(url_for("main.home"))


# --- the player's flow ---------------------------------------------------------------------


@bp.get("/diagnostic")
def intro() -> ResponseReturnValue:
    """The diagnostic's welcome; an interrupted run resumes at its next unanswered question."""
    player = _me()
    question = diagnostics.resume_point(db.session(), player)
    run = diagnostics.open_run(db.session(), player)
    if question is not None and run is not None and run.answers:
        flash(_("On reprend là où tu t'étais arrêté·e."))
        return redirect(url_for("diagnostic.question", question_id=question))
    flow = diagnostics.flow_for(player.team.cohort.scenario_version)
    return render_template(
        "diagnostic/intro.html",
        player=player,
        flow=flow,
        summary=player_summary(player),
    )


@bp.post("/diagnostic/commencer")
def begin() -> ResponseReturnValue:
    """Start a run (or go back to the open one)."""
    player = _me()
    diagnostics.start(db.session(), player, now())
    question = diagnostics.resume_point(db.session(), player)
    if question is None:  # pragma: no cover - a new run always has a first question
        return redirect(url_for("diagnostic.intro"))
    return redirect(url_for("diagnostic.question", question_id=question))


@bp.route("/diagnostic/question/<question_id>", methods=["GET", "POST"])
def question(question_id: str) -> ResponseReturnValue:
    """One question per screen: a radio group, progress, back and next."""
    player = _me()
    error = None
    if request.method == "POST":
        value = request.form.get("value", "")
        try:
            done = diagnostics.answer(db.session(), player, question_id, value, now())
        except diagnostics.DiagnosticError as exc:
            if exc.code != "invalid_answer":
                flash(exc.message)
                return redirect(url_for("diagnostic.intro"))
            error = exc.message
        else:
            if done.events and done.team_id is not None:
                publish({done.team_id: done.events})
            if done.finished_run is not None:
                flash(_("Bravo, ton auto-diagnostic est terminé !"))
                return redirect(url_for("diagnostic.results", run_id=done.finished_run))
            assert done.next_question is not None
            return redirect(url_for("diagnostic.question", question_id=done.next_question))
    try:
        screen = diagnostics.screen(db.session(), player, question_id)
    except diagnostics.DiagnosticError:
        resume = diagnostics.resume_point(db.session(), player)
        if resume is None:
            return redirect(url_for("diagnostic.intro"))
        return redirect(url_for("diagnostic.question", question_id=resume))
    back = url_for("diagnostic.question", question_id=screen.previous) if screen.previous else None
    return render_template(
        "diagnostic/question.html",
        player=player,
        screen=screen,
        back_url=back,
        error=error,
    ), (400 if error else 200)


def _results_page(player: Player, run_id: int | None) -> ResponseReturnValue:
    found = diagnostics.results(db.session(), player, run_id)
    if found is None:
        if run_id is not None:
            abort(404)
        flash(_("Tu n'as pas encore terminé d'auto-diagnostic."))
        return redirect(url_for("diagnostic.intro"))
    history = diagnostics.finished_runs(db.session(), player)
    return render_template(
        "diagnostic/results.html",
        player=player,
        results=found,
        history=history,
        summary=player_summary(player),
        pdf_url=url_for("diagnostic.results_download", run_id=found.run_id),
        run_url=lambda run: url_for("diagnostic.results", run_id=run),
    )


@bp.get("/diagnostic/resultats")
def latest() -> ResponseReturnValue:
    """The player's latest results."""
    return _results_page(_me(), None)


@bp.get("/diagnostic/resultats/<int:run_id>")
def results(run_id: int) -> ResponseReturnValue:
    """One of the player's finished runs (another player's run does not exist for them)."""
    return _results_page(_me(), run_id)


@bp.get("/diagnostic/resultats/<int:run_id>.pdf")
def results_download(run_id: int) -> ResponseReturnValue:
    """One of the player's runs as a PDF."""
    player = _me()
    found = diagnostics.results(db.session(), player, run_id)
    if found is None:
        abort(404)
    return pdf(results_pdf(found), f"auto-diagnostic-{file_slug(player.pseudonym)}.pdf")


@bp.get("/bilan")
def bilan() -> ResponseReturnValue:
    """The player's « bilan Tempo », once the closing diagnostic is done."""
    player = _me()
    found = bilan_service.build(db.session(), player, now())
    return render_template(
        "diagnostic/bilan.html",
        player=player,
        bilan=found,
        summary=player_summary(player),
        pdf_url=url_for("diagnostic.bilan_download") if found else None,
    )


@bp.get("/bilan.pdf")
def bilan_download() -> ResponseReturnValue:
    """The player's bilan as a one-page PDF."""
    player = _me()
    found = bilan_service.build(db.session(), player, now())
    if found is None:
        abort(404)
    return pdf(bilan_pdf(found), f"bilan-tempo-{file_slug(player.pseudonym)}.pdf")
