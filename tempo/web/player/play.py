"""Players' pages: join a team, come back with a personal code, play, scan QR codes."""

from __future__ import annotations

import uuid
from functools import partial

from flask import (
    Blueprint,
    Response,
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

from tempo import throttle
from tempo.extensions import db
from tempo.infra.clock import now
from tempo.infra.offload import run_blocking
from tempo.realtime.play import limits
from tempo.realtime.presence import presence
from tempo.realtime.publish import disconnect_player, publish, views_after
from tempo.services.cohorts import messages
from tempo.services.play import actions as play
from tempo.services.play import checkpoints, proofs, qr, sessions
from tempo.services.play.players import (
    join_closed,
    join_team,
    places_left,
    player_by_rejoin_code,
    suggest_pseudonym,
)
from tempo.services.play.teams import team_by_code
from tempo.services.studio import media
from tempo.staff_session import current_staff
from tempo.throttle import client_ip
from tempo.web.errors import too_many
from tempo.web.files import stored_image
from tempo.web.player.common import current_player, session_token, sign_in, sign_out
from tempo.web.player.offline import shell_copy
from tempo.web.urls import public_url

bp = Blueprint("play", __name__)


@bp.route("/rejoindre/<code>", methods=["GET", "POST"])
def join(code: str) -> ResponseReturnValue:
    """The join page a team's QR code opens: pick a pseudonym, enter the lobby."""
    ip = client_ip()
    wait = throttle.blocked("code", ip)
    if wait is not None:
        return too_many(wait, template="home.html", code=code[:16])
    team = team_by_code(db.session(), code)
    if team is None:
        throttle.spend("code", ip)
        unknown = _(
            "Aucune équipe n'a le code « %(code)s ». Vérifie-le auprès de ton conseiller.",
            code=code[:16],
        )
        return render_template("home.html", error=unknown, code=code[:16]), 404
    me = current_player()
    if me is not None and me.team_id == team.id:
        return redirect(url_for("play.game"))
    error = None
    pseudonym = request.form.get("pseudonym", "") if request.method == "POST" else ""
    if request.method == "POST":
        wait = throttle.blocked("join", ip)
        if wait is not None:
            return too_many(wait)
        try:
            joined = join_team(
                db.session(), team.id, pseudonym, now(), request.form.get("first_name")
            )
        except play.PlayError as exc:
            error = exc.message
        else:
            throttle.spend("join", ip)
            publish({team.id: [joined.event]})
            sign_in(joined.player)
            flash(_("Bienvenue dans l'équipe %(team)s !", team=team.name))
            return redirect(url_for("play.game"))
    return render_template(
        "join.html",
        team=team,
        places=places_left(db.session(), team),
        closed=join_closed(team),
        error=error,
        pseudonym=pseudonym or suggest_pseudonym(),
        switching=me,
    ), (400 if error else 200)


@bp.get("/pseudo")
def pseudonym_suggestion() -> ResponseReturnValue:
    """Another generated pseudonym (the join page's « Autre idée » button)."""
    return {"pseudonym": suggest_pseudonym()}


@bp.route("/retour", methods=["POST"])
@bp.get("/retour/<code>")
def rejoin(code: str | None = None) -> ResponseReturnValue:
    """Come back as the same player on any phone, with the personal code or its QR.

    A link (GET) only asks « C'est bien toi ? »: switching the phone to another player takes the
    confirmation form's POST (CSRF-protected), so a link sent by someone else switches nothing.
    """
    ip = client_ip()
    raw = code if code is not None else request.form.get("rejoin", "")
    wait = throttle.blocked("code", ip)
    if wait is not None:
        return too_many(wait, template="home.html", field="rejoin_error", rejoin=raw[:16])
    player = player_by_rejoin_code(db.session(), raw)
    if player is None:
        throttle.spend("code", ip)
        error = _("Ce code personnel n'existe pas. Vérifie les 8 caractères de ta carte.")
        return render_template("home.html", rejoin_error=error, rejoin=raw[:16]), 404
    if request.method == "GET":
        me = current_player()
        if me is not None and me.id == player.id:
            return redirect(url_for("play.game"))
        return render_template("rejoin.html", player=player, me=me)
    sign_in(player)
    flash(_("Content de te revoir, %(name)s !", name=player.pseudonym))
    return redirect(url_for("play.game"))


@bp.get("/jouer")
def game() -> ResponseReturnValue:
    """The game page (the live part runs over Socket.IO)."""
    player = current_player()
    if player is None:
        flash(_("Rejoins d'abord ton équipe avec son code ou ton code personnel."))
        return redirect(url_for("main.home"))
    if not shell_copy():
        # Opening the game renews the phone's 30 days; the worker's background copy must not
        # write the cookie (see SESSION_REFRESH_EACH_REQUEST in tempo.config).
        session.modified = True
    return render_template(
        "play.html",
        player=player,
        team=player.team,
        rejoin_url=public_url(url_for("play.rejoin", code=player.rejoin_code)),
        inbox_title=messages.inbox_title(player.team.cohort),
        day_count=len(player.team.cohort.days),
    )


@bp.get("/jouer/carte.svg")
def rejoin_qr() -> ResponseReturnValue:
    """The player's personal rejoin QR code."""
    player = current_player()
    if player is None:
        return Response(status=404)
    data = public_url(url_for("play.rejoin", code=player.rejoin_code))
    return Response(qr.svg(data), mimetype="image/svg+xml", headers={"Cache-Control": "private"})


@bp.get("/equipe/<code>/qr.svg")
def team_qr(code: str) -> ResponseReturnValue:
    """A team's join QR code (for posters and the counsellor's screen)."""
    team = team_by_code(db.session(), code)
    if team is None:
        return Response(status=404)
    data = public_url(url_for("play.join", code=team.join_code))
    return Response(qr.svg(data), mimetype="image/svg+xml")


@bp.post("/jouer/quitter")
def leave() -> ResponseReturnValue:
    """End this phone's session (their progress stays with the team); its sockets close."""
    player = current_player()
    sign_out()
    if player is not None:
        disconnect_player(player.id)  # the others reconnect, this one cannot
    flash(_("Tu as quitté Tempo sur ce téléphone. Ton code personnel te permet de revenir."))
    return redirect(url_for("main.home"))


@bp.post("/jouer/nouveau-code")
def new_rejoin_code() -> ResponseReturnValue:
    """« Changer mon code personnel »: the old code and every other phone's session stop working."""
    player = current_player()
    if player is None:
        flash(_("Rejoins d'abord ton équipe avec son code ou ton code personnel."))
        return redirect(url_for("main.home"))
    code = sessions.rotate_rejoin_code(db.session(), player.id, now(), keep_token=session_token())
    disconnect_player(player.id)  # this phone reconnects at once, no other can
    flash(
        _(
            "Ton nouveau code personnel est %(code)s. L'ancien ne marche plus et les autres "
            "téléphones connectés avec lui sont déconnectés.",
            code=code,
        )
    )
    return redirect(url_for("play.game", _anchor="carte"))


def _json_error(code: str, message: str, status: int) -> ResponseReturnValue:
    return {"ok": False, "error": {"code": code, "message": message}}, status


def _scan_reply(scanner: checkpoints.Scanner, cohort_id: int, checkpoint_id: str) -> play.Reply:
    reply = checkpoints.scan(
        db.session(),
        scanner,
        cohort_id,
        checkpoint_id,
        now(),
        presence.online(scanner.team_id),
        limits(),
    )
    team_id = reply.team_id or scanner.team_id
    publish({team_id: reply.events}, reply.cohort_id, views_after(reply.after, team_id))
    return reply


@bp.get("/q/<token>")
def scan(token: str) -> ResponseReturnValue:
    """A checkpoint's QR code scanned with the phone's camera app."""
    wait = throttle.blocked("code", client_ip())
    if wait is not None:
        return too_many(wait)
    found = checkpoints.read(current_app.config["SECRET_KEY"], token)
    if found is None:
        throttle.spend("code", client_ip())
        message = _(
            "Ce code QR n'est pas un code Tempo valide. Demande de l'aide à ton conseiller."
        )
        return render_template("scan.html", ok=False, message=message), 400
    player = current_player()
    if player is None:
        message = _(
            "Rejoins d'abord ton équipe (ou reviens avec ton code personnel), "
            "puis scanne à nouveau ce code."
        )
        return render_template("scan.html", ok=False, message=message), 401
    scanner = checkpoints.Scanner.of(db.session(), player)
    try:
        reply = _scan_reply(scanner, *found)
    except play.PlayError as exc:
        return render_template("scan.html", ok=False, message=exc.message), 400
    repeat = _repeat(scanner, found[1], reply)
    if repeat is not None:
        # Not an error: a teammate found the poster first. Show the mission and its story.
        flash(_repeat_message(repeat))
        return redirect(url_for("play.game", mission=repeat.mission_id))
    if reply.error:
        return render_template("scan.html", ok=False, message=reply.error["message"]), 400
    flash(_("Balise validée pour ton équipe !"))
    return redirect(url_for("play.game"))


def _repeat(
    scanner: checkpoints.Scanner, checkpoint_id: str, reply: play.Reply
) -> checkpoints.Repeat | None:
    if not reply.error or reply.error["code"] not in checkpoints.REPEATED:
        return None
    return checkpoints.already_validated(db.session(), scanner, checkpoint_id)


def _repeat_message(repeat: checkpoints.Repeat) -> str:
    if repeat.by is None:
        return _("« %(label)s » : déjà validée par ton équipe.", label=repeat.label)
    return _("« %(label)s » : déjà validée par %(name)s.", label=repeat.label, name=repeat.by)


@bp.post("/jouer/balise")
def checkpoint_code() -> ResponseReturnValue:
    """A checkpoint's short code typed in the mission (fallback when scanning is impossible)."""
    player = current_player()
    if player is None:
        return _json_error("unknown_player", _("Rejoins d'abord ton équipe."), 401)
    wait = throttle.blocked("code", client_ip())
    if wait is not None:
        return too_many(wait, json=True)
    raw = (request.get_json(silent=True) or {}).get("code", "")
    scanner = checkpoints.Scanner.of(db.session(), player)
    checkpoint_id = checkpoints.by_short_code(
        current_app.config["SECRET_KEY"], scanner.cohort_id, scanner.game, str(raw)
    )
    if checkpoint_id is None:
        throttle.spend("code", client_ip())
        message = _("Ce code de balise n'existe pas. Vérifie les 6 caractères.")
        return _json_error("wrong_checkpoint", message, 400)
    try:
        reply = _scan_reply(scanner, scanner.cohort_id, checkpoint_id)
    except play.PlayError as exc:
        return _json_error(exc.code, exc.message, 400)
    repeat = _repeat(scanner, checkpoint_id, reply)
    if repeat is not None:
        body = {"ok": True, "version": reply.version, "already": True}
        return {**body, "mission": repeat.mission_id, "message": _repeat_message(repeat)}
    return reply.ack(), (200 if reply.ok else 400)


@bp.post("/jouer/preuve/<mission_id>")
def upload_proof(mission_id: str) -> ResponseReturnValue:
    """A proof (photo and/or text) sent for the counsellor's validation."""
    player = current_player()
    if player is None:
        return _json_error("unknown_player", _("Rejoins d'abord ton équipe."), 401)
    data: dict[str, object] = {}
    text = request.form.get("text", "").strip()
    if text:
        data["text"] = text  # its length is checked by the mission, as for a socket's proof
    folder = proofs.photo_folder(current_app.config["TEMPO_CONFIG"].INSTANCE_DIR)
    upload = request.files.get("photo")
    if upload is not None and upload.filename:
        try:
            data["photo"] = proofs.store_photo(
                upload.stream,
                folder,
                max_pixels=current_app.config["PROOF_MAX_PIXELS"],
                run=partial(run_blocking, current_app.config["ASYNC_MODE"]),
            )
        except proofs.ProofError as exc:
            return _json_error("invalid_photo", str(exc), 400)
    action_id = request.form.get("id") or play.server_action_id("proof", uuid.uuid4())
    online = presence.online(player.team_id)
    try:
        reply = play.perform(
            db.session(), player, action_id, mission_id, "submit", data, now(), online, limits()
        )
    except play.PlayError as exc:
        reply = play.Reply(ok=False, version=0, error={"code": exc.code, "message": exc.message})
    if "photo" in data and (not reply.ok or reply.duplicate):
        # Refused, or a re-post of a proof already recorded (which keeps its first photo).
        proofs.remove_photo(folder, str(data["photo"]))
    if reply.error:
        return _json_error(reply.error["code"], reply.error["message"], 400)
    publish({player.team_id: reply.events})
    return reply.ack(), (200 if reply.ok else 400)


@bp.get("/images/<int:version_id>/<name>")
def scenario_image(version_id: int, name: str) -> ResponseReturnValue:
    """An image of a published version, as it froze it: for the players of a cohort on that
    version, and for staff (the studio, the console)."""
    player = current_player()
    allowed = (
        player is not None and player.team.cohort.scenario_version_id == version_id
    ) or current_staff() is not None
    if not allowed:
        abort(404)
    found = media.version_image(db.session(), version_id, name)
    if found is None:
        abort(404)
    # A version's image never changes: the phone keeps it (private: only signed-in people).
    return stored_image(found, "private, max-age=31536000, immutable")
