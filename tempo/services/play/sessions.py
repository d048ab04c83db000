"""Players' sessions, kept server-side so that they can be ended: « Quitter », a new rejoin code,
the player's removal.

A phone holds a random token (in Flask's signed cookie); the table holds its SHA-256, the player,
and when it was created, last seen and revoked. Every request and socket connection resolves the
token here, so a revoked session stops working at once (open sockets are closed by the caller,
see `tempo.realtime.publish.disconnect_player`).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from tempo.infra.transactions import lock_row, write_transaction
from tempo.models import Player, PlayerSession
from tempo.services.play.actions import PlayError
from tempo.services.play.codes import new_code

#: The key of Flask's session (the signed cookie) holding the token; the console never reads it.
PLAYER_KEY = "player_session"
# Sessions end after this long without a visit (the printed card brings the player back).
IDLE = timedelta(days=30)
# last_seen_at is written at most this often per session (every request would be a write).
TOUCH_EVERY = timedelta(minutes=5)


# Built once: it runs on every page a phone opens (a poster's QR code among them) and every
# socket connection, and building it cost about as much as running it.
_RESUME = (
    select(Player, PlayerSession.id, PlayerSession.revoked_at, PlayerSession.last_seen_at)
    .join(PlayerSession, PlayerSession.player_id == Player.id)
    .where(PlayerSession.token_hash == bindparam("token_hash"))
)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def open_session(session: Session, player_id: int, now: datetime) -> str:
    """Start a session for this player on this phone; return the token the cookie keeps."""
    token = secrets.token_urlsafe(32)
    with write_transaction(session):
        session.add(
            PlayerSession(
                token_hash=_hash(token), player_id=player_id, created_at=now, last_seen_at=now
            )
        )
    return token


def resume(session: Session, token: str, now: datetime) -> Player | None:
    """The player of a live session token (None when unknown, revoked or idle too long)."""
    # One statement for the session and its player.
    found = session.execute(_RESUME, {"token_hash": _hash(token)}).first()
    if found is None:
        return None
    player, row_id, revoked_at, last_seen_at = found
    if revoked_at is not None or now - last_seen_at >= IDLE:
        return None
    if now - last_seen_at >= TOUCH_EVERY:
        with write_transaction(session):
            session.execute(
                update(PlayerSession).where(PlayerSession.id == row_id).values(last_seen_at=now)
            )
    return player


def revoke(session: Session, token: str, now: datetime) -> None:
    """End this session (« Quitter » on this phone); unknown tokens are ignored."""
    with write_transaction(session):
        session.execute(
            update(PlayerSession)
            .where(PlayerSession.token_hash == _hash(token), PlayerSession.revoked_at.is_(None))
            .values(revoked_at=now)
        )


def revoke_player(
    session: Session, player_id: int, now: datetime, keep_token: str | None = None
) -> int:
    """End every session of a player (but `keep_token`'s); return how many were ended.

    Call it inside the caller's write transaction (it does not open one)."""
    query = update(PlayerSession).where(
        PlayerSession.player_id == player_id, PlayerSession.revoked_at.is_(None)
    )
    if keep_token is not None:
        query = query.where(PlayerSession.token_hash != _hash(keep_token))
    result = session.execute(query.values(revoked_at=now))
    return int(getattr(result, "rowcount", 0) or 0)


def rotate_rejoin_code(
    session: Session, player_id: int, now: datetime, keep_token: str | None = None
) -> str:
    """Give a player a new rejoin code: the old one (and its printed card) stops working, and
    every session ends but `keep_token`'s (the phone asking keeps playing). Returns the code."""
    with write_transaction(session):
        player = lock_row(session, Player, Player.id == player_id)
        if player is None:
            raise PlayError("unknown_player", "Ce joueur n'existe plus.")
        player.rejoin_code = new_code(session, Player.rejoin_code, len(player.rejoin_code))
        revoke_player(session, player_id, now, keep_token)
        code = player.rejoin_code
    return code
