"""Counsellors' messages to the phones: sent from the console, kept, read in each phone's inbox.

A message goes to a whole cohort (`team_id` null), one team, or one player of a team. Its
recipients are the players who are in that cohort, team or seat when anyone looks: a player who
joins later finds the cohort's and the team's earlier messages in their inbox. Each player's
first opening of their inbox with a message in it is kept (`MessageRead`), so the console says
who has read what.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, selectinload

from tempo.infra.transactions import write_transaction
from tempo.models import Cohort, Message, MessageRead, Player, StaffAccount, Team
from tempo.services.booking.appointments import when_label
from tempo.services.content.games import cohort_game
from tempo.services.errors import ServiceError

MAX_LENGTH = 500
INBOX_SIZE = 50  # the newest messages a phone gets; older ones stay in the console's list
CONSOLE_SIZE = 30
DEFAULT_TITLE = "Messages de ton conseiller ou ta conseillère"
_VOWELS = "aeiouyhàâäéèêëîïôöùûüœæ"


class MessageError(ServiceError):
    """A message the console cannot send, with a stable code and a French message."""


def inbox_title(cohort: Cohort) -> str:
    """« Messages d'Inès » after the scenario's counsellor character, else a neutral title."""
    game = cohort_game(cohort)
    char_id = game.scenario.meta.counsellor
    character = next((ch for ch in game.scenario.characters if ch.id == char_id), None)
    if character is None:
        return DEFAULT_TITLE
    first = character.name.split()[0]
    # Elision before a vowel or a mute h: « d'Inès », « de Maya ».
    return f"Messages d'{first}" if first[0].lower() in _VOWELS else f"Messages de {first}"


def send(
    session: Session,
    cohort: Cohort,
    author: StaffAccount,
    body: str,
    now: datetime,
    team_id: int | None = None,
    player_id: int | None = None,
) -> Message:
    """Keep a message to the cohort, one of its teams, or one of its players; return it."""
    text = body.strip()
    if not text:
        raise MessageError("empty_message", "Écrivez le message à envoyer.")
    if len(text) > MAX_LENGTH:
        raise MessageError(
            "message_too_long", f"Le message dépasse {MAX_LENGTH} caractères : raccourcissez-le."
        )
    if player_id is not None:
        player = session.get(Player, player_id)
        if player is None or player.team.cohort_id != cohort.id:
            raise MessageError("unknown_player", "Ce joueur n'appartient pas à la cohorte.")
        team_id = player.team_id
    elif team_id is not None:
        team = session.get(Team, team_id)
        if team is None or team.cohort_id != cohort.id:
            raise MessageError("unknown_team", "Cette équipe n'appartient pas à la cohorte.")
    cohort_id = cohort.id
    with write_transaction(session):
        message = Message(
            cohort_id=cohort_id,
            team_id=team_id,
            player_id=player_id,
            author_id=author.id,
            author_name=author.display_name,
            body=text,
            created_at=now,
        )
        session.add(message)
    return message


def _visible_to(player: Player) -> Any:
    """The messages a player receives where they are now."""
    return and_(
        Message.cohort_id == player.team.cohort_id,
        or_(
            Message.player_id == player.id,
            and_(
                Message.player_id.is_(None),
                or_(Message.team_id.is_(None), Message.team_id == player.team_id),
            ),
        ),
    )


def item(message: Message, timezone: str, read: bool | None = None) -> dict[str, Any]:
    """One message as a phone shows it (the `notice` payload and the inbox's entries)."""
    out: dict[str, Any] = {
        "id": message.id,
        "from": message.author_name,
        "message": message.body,
        "at": message.created_at.isoformat(),
        "at_label": when_label(message.created_at, timezone),
        "scope": "player"
        if message.player_id is not None
        else "team"
        if message.team_id is not None
        else "cohort",
    }
    if read is not None:
        out["read"] = read
    return out


def inbox(session: Session, player: Player) -> dict[str, Any]:
    """A player's inbox: its title, their messages newest first, and how many are unread."""
    cohort = player.team.cohort
    messages = session.scalars(
        select(Message)
        .where(_visible_to(player))
        .order_by(Message.created_at.desc(), Message.id.desc())
        .limit(INBOX_SIZE)
    ).all()
    read = set(
        session.scalars(
            select(MessageRead.message_id).where(
                MessageRead.player_id == player.id,
                MessageRead.message_id.in_([m.id for m in messages]),
            )
        )
    )
    items = [item(m, cohort.timezone, m.id in read) for m in messages]
    return {
        "title": inbox_title(cohort),
        "messages": items,
        "unread": sum(1 for i in items if not i["read"]),
    }


def valid_ids(values: Iterable[object]) -> set[int]:
    """The message ids among what a phone sent (integers; anything else is ignored)."""
    return {i for i in values if isinstance(i, int) and not isinstance(i, bool)}


def mark_read(
    session: Session, player: Player, message_ids: Iterable[int], now: datetime
) -> list[int]:
    """Record that the player read these messages of theirs (again: nothing); the new ones."""
    wanted = valid_ids(message_ids)
    if not wanted:
        return []
    player_id = player.id
    mine = set(
        session.scalars(select(Message.id).where(_visible_to(player), Message.id.in_(wanted)))
    )
    with write_transaction(session):
        known = set(
            session.scalars(
                select(MessageRead.message_id).where(
                    MessageRead.player_id == player_id, MessageRead.message_id.in_(mine)
                )
            )
        )
        new = sorted(mine - known)
        session.add_all(
            MessageRead(message_id=mid, player_id=player_id, read_at=now) for mid in new
        )
    return new


def _names(players: Sequence[Player]) -> str:
    return ", ".join(p.pseudonym for p in players)


def console_list(session: Session, cohort: Cohort) -> list[dict[str, Any]]:
    """The cohort's latest messages for the console, newest first, with who has read them."""
    messages = session.scalars(
        select(Message)
        .where(Message.cohort_id == cohort.id)
        .options(selectinload(Message.reads))
        .order_by(Message.created_at.desc(), Message.id.desc())
        .limit(CONSOLE_SIZE)
    ).all()
    teams = sorted(cohort.teams, key=lambda t: t.id)
    by_team = {t.id: list(t.players) for t in teams}
    everyone = [p for t in teams for p in t.players]
    names = {t.id: t.name for t in teams}
    out = []
    for m in messages:
        if m.player_id is not None:
            recipients = [p for p in everyone if p.id == m.player_id]
            target = _names(recipients) or "un joueur parti"
        elif m.team_id is not None:
            recipients = by_team.get(m.team_id, [])
            target = f"l'équipe {names.get(m.team_id, '?')}"
        else:
            recipients = everyone
            target = "toute la cohorte"
        readers = {r.player_id for r in m.reads}
        out.append(
            {
                "id": m.id,
                "author": m.author_name,
                "body": m.body,
                "at": m.created_at,
                "target": target,
                "read_by": _names([p for p in recipients if p.id in readers]),
                "unread_by": _names([p for p in recipients if p.id not in readers]),
                "recipients": len(recipients),
            }
        )
    return out
