"""A player's data: download and erasure, by the player (journal) or their counsellor (console).

Erasing closes the player's sockets on every server process (`tempo.realtime.owners`) and tells
their former team (a `player.erased` event: phones reload the team); a player erasing themselves
is signed out and sees a French confirmation page.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from tempo.extensions import db
from tempo.infra import signals
from tempo.infra.clock import now
from tempo.jobs import folders_of
from tempo.models import Cohort, Player, Role, Team
from tempo.realtime.owners import owners, player_owner
from tempo.realtime.publish import PLAY, disconnect, publish
from tempo.services.privacy import export
from tempo.services.privacy.erasure import erase_cohort, erase_player, erase_team
from tempo.web.auth import no_store, staff_required
from tempo.web.console.common import cohort_or_404
from tempo.web.files import attachment, file_slug
from tempo.web.player.common import current_player

bp = Blueprint("privacy", __name__)
bp.after_request(no_store)

KINDS = {
    "json": "application/json",
    "pdf": "application/pdf",
    "zip": "application/zip",
}


def _download(player: Player, kind: str) -> ResponseReturnValue:
    if kind not in KINDS:
        abort(404)
    at = now()
    data = export.player_data(db.session(), player, at)
    if kind == "json":
        body = export.data_json(data)
    elif kind == "pdf":
        body = export.data_pdf(data, at)
    else:
        body = export.data_zip(data, at, folders_of(current_app).photos)
    return attachment(body, KINDS[kind], f"tempo-donnees-{file_slug(player.pseudonym)}.{kind}")


def _erase(player: Player) -> None:
    player_id = player.id
    erased = erase_player(db.session(), player_id, folders_of(current_app), now())
    disconnect(owners.sids(player_owner(player_id)), PLAY)
    publish(erased.broadcasts, erased.cohort_id)


# --- the player's own ----------------------------------------------------------------------------


def _me() -> Player:
    player = current_player()
    if player is None:
        abort(404)
    return player


@bp.get("/journal/mes-donnees.<kind>")
def my_data(kind: str) -> ResponseReturnValue:
    """The signed-in player's data: JSON, PDF or zip (with their proof photos)."""
    return _download(_me(), kind)


@bp.get("/journal/effacer")
def erase_mine_confirm() -> ResponseReturnValue:
    """What erasing deletes and what stays anonymously; asks for a confirmation."""
    player = current_player()
    if player is None:
        return redirect(url_for("main.home"))
    return render_template("privacy_erase.html", player=player)


@bp.post("/journal/effacer")
def erase_mine() -> ResponseReturnValue:
    """Erase the signed-in player, sign them out, and confirm in French."""
    player = _me()
    _erase(player)
    session.clear()
    return render_template("privacy_erased.html")


# --- the counsellor's -----------------------------------------------------------------------------


def _player_of(slug: str, player_id: int) -> tuple[object, Player]:
    cohort = cohort_or_404(slug)
    player = db.session.get(Player, player_id)
    if player is None or player.team.cohort_id != cohort.id:
        abort(404)
    return cohort, player


@bp.get("/console/cohortes/<slug>/joueurs/<int:player_id>/donnees.<kind>")
@staff_required(Role.COUNSELLOR)
def player_data(slug: str, player_id: int, kind: str) -> ResponseReturnValue:
    """A player's data for their counsellor (a right-of-access request)."""
    return _download(_player_of(slug, player_id)[1], kind)


@bp.get("/console/cohortes/<slug>/joueurs/<int:player_id>/effacer")
@staff_required(Role.COUNSELLOR)
def erase_confirm(slug: str, player_id: int) -> ResponseReturnValue:
    """The console's confirmation before erasing a player."""
    cohort, player = _player_of(slug, player_id)
    return render_template("console/privacy_erase.html", cohort=cohort, player=player)


@bp.post("/console/cohortes/<slug>/joueurs/<int:player_id>/effacer")
@staff_required(Role.COUNSELLOR)
def erase(slug: str, player_id: int) -> ResponseReturnValue:
    """Erase a player (their team keeps its progress, credited to « Joueur effacé »)."""
    _cohort, player = _player_of(slug, player_id)
    _erase(player)
    flash(_("Les données du joueur ont été effacées."))
    return redirect(url_for("diagnostic_console.overview", slug=slug))


# --- the administrator's: a team or a whole cohort ----------------------------------------------


def _team_of(cohort: Cohort, raw: str | None) -> Team | None:
    if raw is None:
        return None
    team = next((t for t in cohort.teams if str(t.id) == raw), None)
    if team is None:
        abort(404)
    return team


@bp.route("/console/cohortes/<slug>/supprimer", methods=["GET", "POST"])
@staff_required(Role.ADMIN)
def delete(slug: str) -> ResponseReturnValue:
    """Delete a team (`?equipe=<id>`) or the whole cohort, once its name is typed."""
    cohort = cohort_or_404(slug)
    team = _team_of(cohort, request.values.get("equipe"))
    error = None
    if request.method == "POST":
        typed = " ".join(request.form.get("confirm", "").split())
        if typed != " ".join(cohort.name.split()):
            error = _(
                "Tapez exactement le nom de la cohorte, « %(name)s », pour confirmer.",
                name=cohort.name,
            )
        else:
            sockets = [
                sid
                for t in ([team] if team else cohort.teams)
                for p in t.players
                for sid in owners.sids(player_owner(p.id))
            ]
            folders, at = folders_of(current_app), now()
            if team is not None:
                count = erase_team(db.session(), team.id, folders, at)
                flash(_("Équipe supprimée avec les données de ses %(n)s joueur(s).", n=count))
            else:
                cohort_id = cohort.id
                count = erase_cohort(db.session(), cohort_id, folders, at)
                signals.calendar_changed.send(
                    cohort_id, days=[]
                )  # the scheduler drops its day jobs
                flash(_("Cohorte supprimée avec les données de ses %(n)s joueur(s).", n=count))
            disconnect(sockets, PLAY)
            if team is not None:
                return redirect(url_for("console.cohort", slug=slug))
            return redirect(url_for("console.cohorts"))
    return render_template("console/privacy_delete.html", cohort=cohort, team=team, error=error), (
        400 if error else 200
    )
