"""The player's journal: every past recap, its shareable cards, and the recap e-mail consent."""

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
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from tempo.extensions import db
from tempo.infra.clock import now
from tempo.models import Player
from tempo.services.recaps import email_consent as player_email
from tempo.services.recaps import produce as recaps
from tempo.web.files import player_card, png, team_card
from tempo.web.player.common import current_player

bp = Blueprint("journal", __name__)

SEEN_KEY = "journal_seen"


@bp.app_template_global()
def unseen_recap_day(player: Player) -> int | None:
    """The latest day whose recap this phone has not opened in the journal yet."""
    latest = recaps.latest_team_recap_day(db.session(), player.team_id)
    seen = session.get(SEEN_KEY)
    if latest is None or (isinstance(seen, int) and seen >= latest):
        return None
    return latest


def _signed_in() -> Player:
    player = current_player()
    if player is None:
        abort(404)
    return player


@bp.get("/journal")
def page() -> ResponseReturnValue:
    """Every past recap of the player, newest first, with its card and the e-mail form."""
    player = current_player()
    if player is None:
        flash(_("Rejoins d'abord ton équipe avec son code ou ton code personnel."))
        return redirect(url_for("main.home"))
    return _render(player)


def _render(
    player: Player, errors: dict[str, str] | None = None, form: dict[str, Any] | None = None
) -> ResponseReturnValue:
    entries = recaps.journal(db.session(), player)
    if entries:
        session[SEEN_KEY] = max(e.day for e in entries)
    return render_template(
        "journal.html",
        player=player,
        team=player.team,
        entries=entries,
        personal_lines=recaps.personal_lines,
        next_recap=recaps.next_recap(db.session(), player.team.cohort),
        subscribed=player_email.wants_recaps(player),
        errors=errors or {},
        form=form or {"email": player.email or "", "consent": False},
    ), (400 if errors else 200)


@bp.get("/journal/jour-<int:day>.png")
def my_card(day: int) -> ResponseReturnValue:
    """The player's own card of `day` (only for them: their session names them)."""
    player = _signed_in()
    view = recaps.player_recap(db.session(), player, day)
    if view is None:
        abort(404)
    name = f"tempo-jour-{day}.png"
    return png(player_card(view), name, request.args.get("telecharger") == "1")


@bp.get("/journal/jour-<int:day>-equipe.png")
def my_team_card(day: int) -> ResponseReturnValue:
    """The card of the player's team on `day` (the team they were in that day)."""
    player = _signed_in()
    team_id = recaps.team_on_day(db.session(), player.id, day)
    view = recaps.team_recap(db.session(), team_id or player.team_id, day)
    if view is None:
        abort(404)
    name = f"tempo-jour-{day}-equipe.png"
    return png(team_card(view), name, request.args.get("telecharger") == "1")


@bp.post("/journal/e-mail")
def subscribe() -> ResponseReturnValue:
    """Record the address and the consent to receive recaps by e-mail."""
    player = _signed_in()
    email = request.form.get("email", "")[:300]
    consent = bool(request.form.get("consent"))
    form: dict[str, Any] = {"email": email, "consent": consent}
    try:
        player_email.subscribe(db.session(), player.id, email, consent, now())
    except player_email.EmailError as exc:
        field = "consent" if exc.code == "no_consent" else "email"
        return _render(player, {field: exc.message}, form)
    flash(_("C'est noté : tes prochains récaps arriveront à cette adresse."))
    return redirect(url_for("journal.page", _anchor="e-mail"))


@bp.post("/journal/e-mail/arret")
def withdraw() -> ResponseReturnValue:
    """Stop the recap e-mails and forget the address."""
    player = _signed_in()
    player_email.withdraw(db.session(), player.id)
    flash(_("C'est fait : tu ne recevras plus de récaps par e-mail et ton adresse est effacée."))
    return redirect(url_for("journal.page", _anchor="e-mail"))


@bp.route("/recaps/arret/<token>", methods=["GET", "POST"])
def unsubscribe(token: str) -> ResponseReturnValue:
    """The « stop » link of every recap e-mail: works without being signed in."""
    secret = current_app.config["SECRET_KEY"]
    found = player_email.read_unsubscribe_token(secret, token)
    player = db.session.get(Player, found.player_id) if found else None
    if found is None or player is None:
        message = _(
            "Ce lien n'est pas valide. Ouvre ton journal dans Tempo pour arrêter les e-mails."
        )
        return render_template("unsubscribe.html", done=False, error=message), 404
    # A link of an older address, or of e-mails already stopped, has nothing left to stop.
    current = player_email.wants_recaps(player) and player_email.token_matches(
        secret, token, player
    )
    if request.method == "POST" and current:
        player_email.withdraw(db.session(), player.id)
        return render_template("unsubscribe.html", done=True, error=None)
    # A GET only asks: mail scanners open links, and must not unsubscribe anyone.
    return render_template("unsubscribe.html", done=not current, error=None, token=token)
