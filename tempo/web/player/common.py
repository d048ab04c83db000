"""What the player pages share: the player signed in on this phone."""

from __future__ import annotations

from flask import session

from tempo.extensions import db
from tempo.models import Player

#: The session key naming the signed-in player (the console never reads it).
PLAYER_KEY = "player_id"


def current_player() -> Player | None:
    """The player signed in on this phone, if any."""
    player_id = session.get(PLAYER_KEY)
    return db.session.get(Player, player_id) if player_id else None


def sign_in(player: Player) -> None:
    """Make `player` the one signed in on this phone (nothing of a previous visitor stays)."""
    session.clear()
    session.permanent = True
    session[PLAYER_KEY] = player.id
