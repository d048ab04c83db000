"""The player's journal: every past recap, its shareable cards, and the recap e-mail consent."""

from __future__ import annotations

import functools
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

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
from sqlalchemy import func, select

from tempo.extensions import db
from tempo.infra.clock import now
from tempo.models import CohortDay, Player, PlayerRecap, TeamRecap
from tempo.services.recaps import email_consent as player_email
from tempo.services.recaps import mailing as recap_mail
from tempo.services.recaps import produce as recaps
from tempo.services.recaps.cards import cached_card
from tempo.web.play import current_player

bp = Blueprint("journal", __name__)

SEEN_KEY = "journal_seen"


def card_folder() -> Path:
    """Where drawn cards are kept (they never change once drawn)."""
    return recap_mail.card_folder(current_app)


def player_card(view: recaps.RecapView) -> bytes:
    """A player's card of one day, drawn once."""
    return cached_card(
        card_folder(), f"player-{view.player_recap_id}", functools.partial(recaps.card_of, view)
    )


def team_card(view: recaps.RecapView) -> bytes:
    """A team's card of one day, drawn once."""
    return cached_card(
        card_folder(), f"team-{view.team_recap_id}", functools.partial(recaps.card_of, view)
    )


def png(body: bytes, name: str, download: bool, cache: str = "private") -> Response:
    """A card as a response: inline, or as a file to save."""
    response = Response(body, mimetype="image/png")
    disposition = "attachment" if download else "inline"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{name}"'
    response.headers["Cache-Control"] = f"{cache}, max-age=86400"
    return response


@bp.app_template_global()
def unseen_recap_day(player: Player) -> int | None:
    """The latest day whose recap this phone has not opened in the journal yet."""
    latest = db.session.scalar(
        select(func.max(TeamRecap.day)).where(TeamRecap.team_id == player.team_id)
    )
    seen = session.get(SEEN_KEY)
    if latest is None or (isinstance(seen, int) and seen >= latest):
        return None
    return int(latest)


def _next_recap(player: Player) -> dict[str, Any] | None:
    """When the next recap comes: the first day of the cohort that is not closed yet."""
    cohort = player.team.cohort
    day = db.session.scalar(
        select(CohortDay)
        .where(CohortDay.cohort_id == cohort.id, CohortDay.closed_at.is_(None))
        .order_by(CohortDay.number)
    )
    if day is None:
        return None
    at: datetime = day.recap_at.astimezone(ZoneInfo(cohort.timezone))
    return {"day": day.number, "date": at.date(), "hour": at.strftime("%H:%M")}


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
    entries = recaps.journal(db.session, player)
    if entries:
        session[SEEN_KEY] = max(e.day for e in entries)
    return render_template(
        "journal.html",
        player=player,
        team=player.team,
        entries=entries,
        personal_lines=recaps.personal_lines,
        next_recap=_next_recap(player),
        subscribed=player_email.wants_recaps(player),
        errors=errors or {},
        form=form or {"email": player.email or "", "consent": False},
    ), (400 if errors else 200)


@bp.get("/journal/jour-<int:day>.png")
def my_card(day: int) -> ResponseReturnValue:
    """The player's own card of `day` (only for them: their session names them)."""
    player = _signed_in()
    view = recaps.player_recap(db.session, player, day)
    if view is None:
        abort(404)
    name = f"tempo-jour-{day}.png"
    return png(player_card(view), name, request.args.get("telecharger") == "1")


@bp.get("/journal/jour-<int:day>-equipe.png")
def my_team_card(day: int) -> ResponseReturnValue:
    """The card of the player's team on `day` (the team they were in that day)."""
    player = _signed_in()
    team_id = db.session.scalar(
        select(PlayerRecap.team_id).where(
            PlayerRecap.player_id == player.id, PlayerRecap.day == day
        )
    )
    view = recaps.team_recap(db.session, team_id or player.team_id, day)
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
        player_email.subscribe(db.session, player.id, email, consent, now())
    except player_email.EmailError as exc:
        field = "consent" if exc.code == "no_consent" else "email"
        return _render(player, {field: exc.message}, form)
    flash(_("C'est noté : tes prochains récaps arriveront à cette adresse."))
    return redirect(url_for("journal.page", _anchor="e-mail"))


@bp.post("/journal/e-mail/arret")
def withdraw() -> ResponseReturnValue:
    """Stop the recap e-mails and forget the address."""
    player = _signed_in()
    player_email.withdraw(db.session, player.id)
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
        player_email.withdraw(db.session, player.id)
        return render_template("unsubscribe.html", done=True, error=None)
    # A GET only asks: mail scanners open links, and must not unsubscribe anyone.
    return render_template("unsubscribe.html", done=not current, error=None, token=token)
