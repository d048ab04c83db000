"""The live dashboard of a cohort and the counsellor's actions on its teams."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from tempo.extensions import db
from tempo.infra.clock import now
from tempo.jobs import folders_of
from tempo.models import Cohort, Role
from tempo.realtime.owners import owners, player_owner
from tempo.realtime.presence import presence
from tempo.realtime.publish import PLAY, disconnect, disconnect_player, notice, publish
from tempo.services.calendar import days as calendar_service
from tempo.services.cohorts import alerts, messages, roster
from tempo.services.cohorts import dashboard as service
from tempo.services.cohorts.reviews import pending_proofs
from tempo.services.cohorts.state import cohort_state
from tempo.services.diagnostic import runs as diagnostics
from tempo.services.documents import exports, printkit
from tempo.services.play import proofs
from tempo.services.studio.patches import patches_of
from tempo.web.auth import no_store, staff_required
from tempo.web.console.common import COHORT_SECTIONS, cohort_or_404, me
from tempo.web.files import CSV, attachment, pdf
from tempo.web.params import bounded_int

bp = Blueprint("dashboard", __name__, url_prefix="/console/cohortes/<slug>")
bp.after_request(no_store)

COHORT_SECTIONS.insert(0, ("dashboard.board", _l("Tableau de bord")))

STATUS_LABELS = {
    "locked": _l("verrouillée"),
    "available": _l("disponible"),
    "in_progress": _l("en cours"),
    "done": _l("terminée"),
}


def _board(found: Cohort) -> dict[str, Any]:
    online = {t.id: presence.online(t.id) for t in found.teams}
    out = service.board(db.session(), found, now(), online, alerts.thresholds(current_app.config))
    out["messages"] = messages.console_list(db.session(), found)
    return out


def _back(slug: str) -> ResponseReturnValue:
    # The review queue's forms come back to it; every other action to the dashboard.
    if request.form.get("back") == "queue":
        return redirect(url_for("dashboard.queue", slug=slug))
    return redirect(url_for("dashboard.board", slug=slug))


def _int(name: str) -> int:
    value = bounded_int(request.form.get(name))
    if value is None:
        abort(400)
    return value


@bp.get("/tableau")
@staff_required(Role.COUNSELLOR)
def board(slug: str) -> ResponseReturnValue:
    """The live dashboard: teams × missions of the current day, alerts, feed and actions."""
    found = cohort_or_404(slug)
    return render_template(
        "console/dashboard.html",
        cohort=found,
        board=_board(found),
        labels=STATUS_LABELS,
        state=cohort_state(found, now()),
        section="dashboard.board",
        patches=patches_of(db.session(), found),
    )


@bp.get("/tableau/etat")
@staff_required(Role.COUNSELLOR)
def board_part(slug: str) -> ResponseReturnValue:
    """The live part of the dashboard, redrawn by the page when something happens."""
    found = cohort_or_404(slug)
    return render_template(
        "console/_board.html", cohort=found, board=_board(found), labels=STATUS_LABELS
    )


@bp.post("/ouvrir-jour")
@staff_required(Role.COUNSELLOR)
def unlock(slug: str) -> ResponseReturnValue:
    """Open a game day now."""
    found = cohort_or_404(slug)
    number = _int("day")
    try:
        out = calendar_service.unlock_day(db.session(), found.id, number, now())
    except calendar_service.CalendarError as exc:
        flash(exc.message)
        return _back(slug)
    publish(out)
    flash(
        _("Jour %(n)s ouvert.", n=number)
        if out
        else _("Le jour %(n)s était déjà ouvert.", n=number)
    )
    return _back(slug)


@bp.post("/pause")
@staff_required(Role.COUNSELLOR)
def pause(slug: str) -> ResponseReturnValue:
    """Pause or resume the cohort."""
    found = cohort_or_404(slug)
    resume = request.form.get("resume") == "1"
    try:
        if resume:
            out = calendar_service.resume_cohort(db.session(), found.id, now())
        else:
            out = calendar_service.pause_cohort(db.session(), found.id, now())
    except calendar_service.CalendarError as exc:
        flash(exc.message)
        return _back(slug)
    publish(out)
    flash(_("La cohorte reprend.") if resume else _("La cohorte est en pause."))
    return _back(slug)


@bp.post("/message")
@staff_required(Role.COUNSELLOR)
def message(slug: str) -> ResponseReturnValue:
    """A message or a hint to one team's phones, or to the whole cohort: kept, then sent."""
    found = cohort_or_404(slug)
    target = request.form.get("team", "")
    # An id beyond any team's is no team of this cohort (the service says so).
    team_id = bounded_int(target) if target else None
    if target and team_id is None:
        flash(_("Cette équipe n'existe pas."))
        return _back(slug)
    try:
        sent = messages.send(
            db.session(), found, me(), request.form.get("message", ""), now(), team_id=team_id
        )
    except messages.MessageError as exc:
        flash(exc.message)
        return _back(slug)
    notice(
        messages.item(sent, found.timezone),
        sent.cohort_id,
        team_id=sent.team_id,
        player_id=sent.player_id,
    )
    if sent.team_id is not None:
        name = service.team_of(db.session(), found, sent.team_id).name
        flash(_("Message envoyé à l'équipe %(team)s.", team=name))
    else:
        flash(_("Message envoyé à toute la cohorte."))
    return _back(slug)


def _run(slug: str, action: Any, done: str, then: Any = None) -> ResponseReturnValue:
    found = cohort_or_404(slug)
    try:
        out = action(found)
    except service.DashboardError as exc:
        flash(exc.message)
        return _back(slug)
    publish(out)
    if then is not None:
        then()
    flash(done)
    return _back(slug)


@bp.post("/preuve")
@staff_required(Role.COUNSELLOR)
def review(slug: str) -> ResponseReturnValue:
    """Validate or refuse a team's pending proof, with a comment."""
    accepted = request.form.get("accepted") == "1"
    team_id, mission = _int("team"), request.form.get("mission", "")
    comment = request.form.get("comment", "")
    folder = proofs.photo_folder(current_app.config["TEMPO_CONFIG"].INSTANCE_DIR)
    return _run(
        slug,
        lambda c: service.review_proof(
            db.session(), c, team_id, mission, accepted, comment, now(), photos=folder
        ),
        _("Preuve validée.") if accepted else _("Preuve refusée."),
    )


def _queue(found: Cohort) -> dict[str, Any]:
    return {"proofs": pending_proofs(db.session(), found), "now": now()}


@bp.get("/a-valider")
@staff_required(Role.COUNSELLOR)
def queue(slug: str) -> ResponseReturnValue:
    """Every proof waiting for review, of every day, oldest first."""
    found = cohort_or_404(slug)
    return render_template(
        "console/review_queue.html",
        cohort=found,
        queue=_queue(found),
        state=cohort_state(found, now()),
        section="dashboard.board",
    )


@bp.get("/a-valider/etat")
@staff_required(Role.COUNSELLOR)
def queue_part(slug: str) -> ResponseReturnValue:
    """The live part of the review queue, redrawn by the page when something happens."""
    found = cohort_or_404(slug)
    return render_template("console/_review_queue.html", cohort=found, queue=_queue(found))


@bp.post("/alertes/ignorer")
@staff_required(Role.COUNSELLOR)
def dismiss_alert(slug: str) -> ResponseReturnValue:
    """Hide an alert for every counsellor of the cohort until its situation changes."""
    found = cohort_or_404(slug)
    alerts.dismiss(db.session(), found, request.form.get("key", ""), me().id, now())
    flash(_("Alerte masquée."))
    return _back(slug)


@bp.post("/alertes/indice")
@staff_required(Role.COUNSELLOR)
def give_hint(slug: str) -> ResponseReturnValue:
    """Offer a team a mission's next hint from an alert, which is then dismissed."""
    found = cohort_or_404(slug)
    team_id, mission = _int("team"), request.form.get("mission", "")
    try:
        out, index = service.give_hint(db.session(), found, team_id, mission, now())
    except service.DashboardError as exc:
        flash(exc.message)
        return _back(slug)
    publish(out)
    alerts.dismiss(db.session(), found, request.form.get("key", ""), me().id, now())
    flash(_("Indice %(n)s envoyé à l'équipe.", n=index + 1))
    return _back(slug)


@bp.post("/reinitialiser")
@staff_required(Role.COUNSELLOR)
def reset(slug: str) -> ResponseReturnValue:
    """Reset a mission for a team."""
    team_id, mission = _int("team"), request.form.get("mission", "")
    return _run(
        slug,
        lambda c: service.reset_mission(db.session(), c, team_id, mission, now()),
        _("Mission réinitialisée."),
    )


@bp.post("/deplacer")
@staff_required(Role.COUNSELLOR)
def move(slug: str) -> ResponseReturnValue:
    """Move a player to another team."""
    player_id, team_id = _int("player"), _int("team")
    return _run(
        slug,
        lambda c: service.move_player(db.session(), c, player_id, team_id, now()),
        _("Joueur déplacé."),
        # Their phones stop hearing the old team at once: the server ends their connections (on
        # whichever process holds them), they reconnect into the new team's rooms, and both
        # teams' presence and split-clue fragments are dealt again as they leave and come back.
        then=lambda: disconnect(owners.sids(player_owner(player_id)), PLAY),
    )


@bp.post("/absence")
@staff_required(Role.COUNSELLOR)
def absence(slug: str) -> ResponseReturnValue:
    """Mark a player absent or present."""
    player_id, absent = _int("player"), request.form.get("absent") == "1"

    def mark(cohort: Cohort) -> dict[int, list[dict[str, Any]]]:
        out = service.set_absent(db.session(), cohort, player_id, absent, now())
        if absent:  # the diagnostic mission may have been waiting only for this player
            for team_id in list(out):
                out[team_id] += diagnostics.recheck_team(db.session(), team_id, now())
        return out

    return _run(slug, mark, _("Joueur marqué absent.") if absent else _("Joueur marqué présent."))


@bp.post("/equipe/fermeture")
@staff_required(Role.COUNSELLOR)
def team_lock(slug: str) -> ResponseReturnValue:
    """Close a team to new arrivals, or open it again."""
    team_id, locked = _int("team"), request.form.get("locked") == "1"
    return _run(
        slug,
        lambda c: roster.set_team_locked(db.session(), c, team_id, locked, now()),
        _("Équipe fermée aux nouvelles arrivées.") if locked else _("Équipe de nouveau ouverte."),
    )


@bp.post("/retirer")
@staff_required(Role.COUNSELLOR)
def remove(slug: str) -> ResponseReturnValue:
    """Remove a player from their team (their sessions end, their sockets close)."""
    player_id = _int("player")

    def act(cohort: Cohort) -> dict[int, list[dict[str, Any]]]:
        removed = roster.remove_player(
            db.session(), cohort, player_id, folders_of(current_app), now()
        )
        disconnect_player(removed.player_id)
        return removed.broadcasts

    return _run(slug, act, _("Joueur retiré de son équipe."))


@bp.post("/nouveau-code")
@staff_required(Role.COUNSELLOR)
def new_code(slug: str) -> ResponseReturnValue:
    """A new rejoin code for a player: the old one (and its card) stops, every session ends."""
    found = cohort_or_404(slug)
    try:
        _team_id, code = roster.new_rejoin_code(db.session(), found, _int("player"), now())
    except service.DashboardError as exc:
        flash(exc.message)
        return _back(slug)
    disconnect_player(_int("player"))
    flash(_("Nouveau code personnel : %(code)s. L'ancien ne marche plus.", code=code))
    return _back(slug)


@bp.get("/preuves/<name>")
@staff_required(Role.COUNSELLOR)
def proof_photo(slug: str, name: str) -> ResponseReturnValue:
    """A proof photo sent by a team of this cohort (never public)."""
    found = cohort_or_404(slug)
    if not service.proof_belongs(db.session(), found, name):
        abort(404)
    return send_from_directory(
        proofs.photo_folder(current_app.config["TEMPO_CONFIG"].INSTANCE_DIR), name
    )


@bp.get("/kit.pdf")
@staff_required(Role.COUNSELLOR)
def kit(slug: str) -> ResponseReturnValue:
    """The cohort's print kit."""
    found = cohort_or_404(slug)
    kit_pdf = printkit.build_kit(
        db.session(),
        found,
        secret=current_app.config["SECRET_KEY"],
        public_url=current_app.config["PUBLIC_URL_BASE"],
        now=now(),
    )
    return pdf(kit_pdf, f"kit-{slug}.pdf")


@bp.get("/export/<kind>")
@staff_required(Role.COUNSELLOR)
def export(slug: str, kind: str) -> ResponseReturnValue:
    """The players or teams CSV, or the PDF report."""
    found = cohort_or_404(slug)
    stats = exports.cohort_stats(db.session(), found, now())
    if kind == "joueurs.csv":
        return attachment(exports.players_csv(stats), CSV, f"{slug}-joueurs.csv")
    if kind == "equipes.csv":
        return attachment(exports.teams_csv(stats), CSV, f"{slug}-equipes.csv")
    if kind == "rapport.pdf":
        return pdf(exports.report_pdf(stats), f"{slug}-rapport.pdf")
    abort(404)
