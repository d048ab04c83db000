"""A player's e-mail address, given with explicit consent, for their daily recaps.

E-mail is optional in Tempo: a player gives an address only to receive their recaps, ticks a
consent box to do so (the moment is kept), and can withdraw at any time, from the journal or
from the link at the bottom of every e-mail — withdrawing forgets the address and deletes the
player's e-mails from the outbox (queued ones are never sent, sent ones keep nothing).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.orm import Session

from tempo.infra.transactions import write_transaction
from tempo.models import Player
from tempo.services.errors import ServiceError

MAX_LENGTH = 254
# Deliberately loose: one @, a dot in the domain, no spaces. The mail server has the last word.
_EMAIL = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;.]{2,}$")
_SALT = "tempo-recap-unsubscribe"


class EmailError(ServiceError):
    """A refused address or a missing consent, with a stable code and a French message."""


def normalise_email(raw: str) -> str:
    """The address as typed, trimmed, with its domain in lower case."""
    value = (raw or "").strip()
    local, _, domain = value.rpartition("@")
    return f"{local}@{domain.lower()}" if local else value


def check_email(raw: str) -> str:
    """The normalised address, or an EmailError saying in French what is wrong."""
    value = normalise_email(raw)
    if not value:
        raise EmailError("missing_email", "Écris ton adresse e-mail.")
    if len(value) > MAX_LENGTH or not _EMAIL.match(value):
        raise EmailError(
            "invalid_email",
            "Cette adresse e-mail ne semble pas valide : vérifie-la (exemple : prenom@exemple.fr).",
        )
    return value


def subscribe(session: Session, player_id: int, raw: str, consent: bool, now: datetime) -> Player:
    """Record the address and the consent; a repeat with the same address changes nothing."""
    email = check_email(raw)
    if not consent:
        raise EmailError(
            "no_consent",
            "Coche la case pour accepter de recevoir tes récaps : sans ton accord, "
            "on n'enregistre pas ton adresse.",
        )
    with write_transaction(session):
        player = session.get(Player, player_id)
        if player is None:
            raise EmailError("unknown_player", "Joueur inconnu : reconnecte-toi avec ton code.")
        if player.email != email or not player.email_consent:
            player.email = email
            player.email_consent = True
            player.email_consent_at = now
    return player


def withdraw(session: Session, player_id: int) -> bool:
    """Stop the e-mails and forget the address; False when there was nothing to withdraw."""
    with write_transaction(session):
        player = session.get(Player, player_id)
        if player is None or (player.email is None and not player.email_consent):
            return False
        address = player.email
        player.email = None
        player.email_consent = False
        player.email_consent_at = None
        # Imported here: the erasure module imports the recap mailing, which reads this module.
        from tempo.services.privacy.erasure import delete_player_mail

        # Queued e-mails stay unsent, and sent ones no longer keep the address or the body.
        delete_player_mail(session, player_id, address)
    return True


def wants_recaps(player: Player) -> bool:
    """Whether recaps may be e-mailed to this player."""
    return bool(player.email and player.email_consent)


def _fingerprint(email: str) -> str:
    # The token names the address without showing it (links end up in logs and histories).
    return hashlib.sha256(email.lower().encode("utf-8")).hexdigest()[:16]


def unsubscribe_token(secret: str, player: Player) -> str:
    """A signed token for the e-mail's « stop » link, bound to the player and the address."""
    return str(
        URLSafeSerializer(secret, salt=_SALT).dumps([player.id, _fingerprint(player.email or "")])
    )


def token_matches(secret: str, token: str, player: Player) -> bool:
    """Whether `token` was made for this player and their current address."""
    found = read_unsubscribe_token(secret, token)
    return (
        found is not None
        and found.player_id == player.id
        and player.email is not None
        and found.fingerprint == _fingerprint(player.email)
    )


@dataclass(frozen=True)
class Unsubscribe:
    """Whom an unsubscribe token names: a player, and a fingerprint of their address."""

    player_id: int
    fingerprint: str


def read_unsubscribe_token(secret: str, token: str) -> Unsubscribe | None:
    """The player and address fingerprint a token was made for, or None if not genuine."""
    try:
        found = URLSafeSerializer(secret, salt=_SALT).loads(token)
    except BadSignature:
        return None
    if (
        not isinstance(found, list)
        or len(found) != 2
        or not isinstance(found[0], int)
        or not isinstance(found[1], str)
    ):
        return None
    return Unsubscribe(found[0], found[1])
