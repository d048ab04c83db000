"""What the player pages share: the player signed in on this phone.

The signed cookie carries only `session["player_session"]`, a random token whose session lives
in the database (`tempo.services.play.sessions`): « Quitter », a new rejoin code or the player's
removal ends it there, and the cookie stops working at once.
"""

from __future__ import annotations

from typing import cast

from flask import g, session

from tempo.extensions import db
from tempo.infra.clock import now
from tempo.models import Player
from tempo.services.play import sessions

PLAYER_KEY = sessions.PLAYER_KEY


def session_token() -> str | None:
    """This phone's player session token, if it has one."""
    token = session.get(PLAYER_KEY)
    return token if isinstance(token, str) else None


def current_player() -> Player | None:
    """The player signed in on this phone, if its session is still valid."""
    if "player" in g:
        return cast(Player | None, g.player)
    token = session_token()
    player = sessions.resume(db.session(), token, now()) if token else None
    if token and player is None:
        session.pop(PLAYER_KEY, None)  # revoked or expired: forget it
    g.player = player
    return player


def sign_in(player: Player) -> None:
    """Make `player` the one signed in on this phone (nothing of a previous visitor stays)."""
    old = session_token()
    if old:
        sessions.revoke(db.session(), old, now())
    token = sessions.open_session(db.session(), player.id, now())
    session.clear()
    session.permanent = True
    session[PLAYER_KEY] = token
    g.player = player


def sign_out() -> None:
    """End this phone's player session (server-side too) and forget it."""
    token = session_token()
    if token:
        sessions.revoke(db.session(), token, now())
    session.clear()
    g.player = None
