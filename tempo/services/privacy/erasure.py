"""Erasing a player, a team or a cohort: every personal field deleted or anonymised.

A player's own rows (diagnostic runs and answers, personal recaps, message reads, messages to
them, bookings, wrong answers, e-mails to them) are deleted; what the cohort's statistics still
need (the team's progress, its éclats, completed missions, the team log) stays, credited to
nobody: player ids become null and the pseudonym becomes « Joueur effacé » wherever a JSON
payload or a text carried it. Their proof photos and recap cards are deleted from disk.
The caller closes the player's sockets (`tempo.realtime.owners`) after the commit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import delete, or_, select, text, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from tempo.infra.transactions import write_transaction
from tempo.models import (
    Booking,
    ClientAction,
    Cohort,
    DiagnosticAnswer,
    DiagnosticSession,
    DismissedAlert,
    Message,
    MessageRead,
    MissionProgress,
    OutboundAttachment,
    OutboundEmail,
    Player,
    PlayerRecap,
    PlayerSession,
    RecapDigest,
    ShardEntry,
    Team,
    TeamEvent,
    TeamRecap,
    UnlockedOffer,
    WrongAttempt,
)
from tempo.services.errors import ServiceError
from tempo.services.events import Broadcasts
from tempo.services.play.proofs import remove_photo
from tempo.services.play.teamlog import lock_team, record_event
from tempo.services.recaps.cards import CARD_VERSION
from tempo.services.recaps.mailing import player_key

#: What the console and the exports show in place of an erased player.
ERASED = "Joueur effacé"
#: JSON keys whose value names the acting player (an id, as a number or a string).
_ACTOR_KEYS = frozenset({"by", "player", "player_id", "completed_by"})


class ErasureError(ServiceError):
    """A refused erasure, with a French message."""


@dataclass
class Folders:
    """Where a player's files are: proof photos and recap cards (inside the instance folder)."""

    photos: Path
    cards: Path


@dataclass
class Erased:
    """What an erasure did: the player's former team, what it deleted, events to publish."""

    player_id: int
    team_id: int
    cohort_id: int
    photos: int = 0
    broadcasts: Broadcasts = field(default_factory=dict)


def _is(value: object, player_id: int) -> bool:
    return value == player_id or value == str(player_id)


def scrub(value: Any, player_id: int, pseudonym: str) -> Any:
    """`value` (a JSON document) with every mention of the player replaced by nobody."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if key in _ACTOR_KEYS and isinstance(item, dict) and _is(item.get("id"), player_id):
                out[key] = {**scrub(item, player_id, pseudonym), "id": None}
            elif key in _ACTOR_KEYS and _is(item, player_id):
                out[key] = None
            else:
                out[key] = scrub(item, player_id, pseudonym)
        return out
    if isinstance(value, list):
        return [scrub(item, player_id, pseudonym) for item in value]
    if isinstance(value, str) and pseudonym and pseudonym in value:
        return scrub_text(value, pseudonym)
    return value


def scrub_text(text: str, pseudonym: str) -> str:
    """A free text (a message, an e-mail) with the pseudonym, as a word, replaced."""
    if not pseudonym:
        return text
    return re.sub(rf"(?<!\w){re.escape(pseudonym)}(?!\w)", ERASED, text)


def _scrub_proofs(
    state: dict[str, Any], player_id: int, folder: Path
) -> tuple[dict[str, Any], int]:
    """A mission state with the player's proof emptied (text gone, photo deleted from disk)."""
    submission = state.get("submission")
    if not isinstance(submission, dict) or not _is(submission.get("by"), player_id):
        return state, 0
    photo = submission.get("photo")
    removed = 0
    if isinstance(photo, str) and photo:
        remove_photo(folder, photo)
        removed = 1
    return {**state, "submission": {"by": None, "text": None, "photo": None}}, removed


def player_photos(session: Session, player: Player) -> list[str]:
    """The stored proof photos the player sent (still referenced by their team's missions)."""
    names = []
    for state in session.scalars(
        select(MissionProgress.state).where(MissionProgress.team_id == player.team_id)
    ):
        submission = (state or {}).get("submission")
        if isinstance(submission, dict) and _is(submission.get("by"), player.id):
            photo = submission.get("photo")
            if isinstance(photo, str) and photo:
                names.append(photo)
    return names


def erase_player(session: Session, player_id: int, folders: Folders, now: Any) -> Erased:
    """Delete or anonymise every personal field of a player, in one transaction."""
    with write_transaction(session):
        player = session.get(Player, player_id)
        if player is None:
            raise ErasureError("unknown_player", "Ce joueur n'existe pas ou a déjà été effacé.")
        team = lock_team(session, player.team_id)
        assert team is not None  # the player's foreign key
        erased = erase_locked(session, player, team, folders)
        erased.broadcasts = {team.id: [record_event(session, team, "player.erased", {}, now)]}
    session.expire_all()
    forget_on_disk(session)
    return erased


def forget_on_disk(session: Session) -> None:
    """On SQLite, fold the write-ahead log into the database and empty it (with secure_delete
    on, the erased values are then gone from the files too). Best effort: a busy reader only
    delays it to the next checkpoint."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        session.commit()


def erase_locked(session: Session, player: Player, team: Team, folders: Folders) -> Erased:
    """The erasure itself; the caller holds the team's lock inside a write transaction."""
    pid, pseudonym, email = player.id, player.pseudonym, player.email
    erased = Erased(pid, team.id, team.cohort_id)

    # Their own rows: deleted.
    runs = select(DiagnosticSession.id).where(DiagnosticSession.player_id == pid)
    session.execute(delete(DiagnosticAnswer).where(DiagnosticAnswer.session_id.in_(runs)))
    session.execute(delete(DiagnosticSession).where(DiagnosticSession.player_id == pid))
    recap_ids = session.scalars(select(PlayerRecap.id).where(PlayerRecap.player_id == pid)).all()
    session.execute(delete(PlayerRecap).where(PlayerRecap.player_id == pid))
    for recap_id in recap_ids:
        (folders.cards / f"player-{recap_id}-v{CARD_VERSION}.png").unlink(missing_ok=True)
    session.execute(delete(MessageRead).where(MessageRead.player_id == pid))
    _delete_messages(session, Message.player_id == pid)
    session.execute(delete(WrongAttempt).where(WrongAttempt.player_id == pid))
    session.execute(delete(PlayerSession).where(PlayerSession.player_id == pid))

    # E-mails to them (recaps, appointment mails) and their bookings.
    delete_player_mail(session, pid, email)
    session.execute(delete(Booking).where(Booking.player_id == pid))
    # Other e-mails (a counsellor's digest) may name them.
    for mail in session.scalars(
        select(OutboundEmail).where(
            or_(
                OutboundEmail.subject.contains(pseudonym),
                OutboundEmail.text_body.contains(pseudonym),
                OutboundEmail.html_body.contains(pseudonym),
            )
        )
    ):
        mail.subject = scrub_text(mail.subject, pseudonym)
        mail.text_body = scrub_text(mail.text_body, pseudonym)
        mail.html_body = scrub_text(mail.html_body, pseudonym) if mail.html_body else None

    # What the team keeps: credited to nobody.
    session.execute(update(ShardEntry).where(ShardEntry.player_id == pid).values(player_id=None))
    session.execute(
        update(MissionProgress)
        .where(MissionProgress.completed_by_id == pid)
        .values(completed_by_id=None)
    )
    cohort_teams = select(Team.id).where(Team.cohort_id == team.cohort_id)
    for progress in session.scalars(
        select(MissionProgress).where(MissionProgress.team_id.in_(cohort_teams))
    ):
        state, removed = _scrub_proofs(dict(progress.state or {}), pid, folders.photos)
        erased.photos += removed
        cleaned = scrub(state, pid, pseudonym)
        if cleaned != progress.state:
            progress.state = cleaned
    for event in session.scalars(select(TeamEvent).where(TeamEvent.team_id.in_(cohort_teams))):
        cleaned = scrub(event.payload, pid, pseudonym)
        if cleaned != event.payload:
            event.payload = cleaned
        if event.player_id == pid:
            event.player_id = None
    for action in session.scalars(
        select(ClientAction).where(ClientAction.team_id.in_(cohort_teams))
    ):
        cleaned = scrub(action.reply, pid, pseudonym)
        if cleaned != action.reply:
            action.reply = cleaned
        if action.player_id == pid:
            action.player_id = None
    for recap in session.scalars(select(TeamRecap).where(TeamRecap.cohort_id == team.cohort_id)):
        cleaned = scrub(recap.data, pid, pseudonym)
        if cleaned != recap.data:
            recap.data = cleaned
    for message in session.scalars(
        select(Message).where(Message.cohort_id == team.cohort_id, Message.body.contains(pseudonym))
    ):
        message.body = scrub_text(message.body, pseudonym)
    session.delete(player)
    session.flush()
    return erased


def delete_player_mail(session: Session, player_id: int, email: str | None) -> int:
    """Delete every outbox row to a player (recaps, appointment mails, sent or not) with its
    attachments; the number deleted. Call inside a write transaction, before their bookings and
    recaps are deleted (their keys name them)."""
    days = session.scalars(select(PlayerRecap.day).where(PlayerRecap.player_id == player_id)).all()
    keys = [player_key(player_id, day) for day in days]
    booking_ids = session.scalars(select(Booking.id).where(Booking.player_id == player_id)).all()
    mails: list[ColumnElement[bool]] = [OutboundEmail.key.in_(keys)] if keys else []
    mails += [OutboundEmail.key.like(f"booking:{b}:%") for b in booking_ids]
    mails.append(OutboundEmail.key.like(f"recap:player:{player_id}:%"))
    if email:
        mails.append(OutboundEmail.to_address == email)
    ids = session.scalars(select(OutboundEmail.id).where(or_(*mails))).all()
    if ids:
        session.execute(delete(OutboundAttachment).where(OutboundAttachment.email_id.in_(ids)))
        session.execute(delete(OutboundEmail).where(OutboundEmail.id.in_(ids)))
    return len(ids)


def erase_team(session: Session, team_id: int, folders: Folders, now: Any) -> int:
    """Delete a team with its players' data (each erased first); the number of players."""
    team = session.get(Team, team_id)
    if team is None:
        raise ErasureError("unknown_team", "Cette équipe n'existe pas ou a déjà été supprimée.")
    ids = [p.id for p in team.players]
    for player_id in ids:
        erase_player(session, player_id, folders, now)
    with write_transaction(session):
        team = session.get(Team, team_id)
        if team is not None:
            _delete_team_rows(session, [team_id])
            session.delete(team)
    session.expire_all()
    return len(ids)


def erase_cohort(session: Session, cohort_id: int, folders: Folders, now: Any) -> int:
    """Delete a whole cohort: its teams, players and everything they did; the players count."""
    cohort = session.get(Cohort, cohort_id)
    if cohort is None:
        raise ErasureError("unknown_cohort", "Cette cohorte n'existe pas ou a déjà été supprimée.")
    count = 0
    for team_id in [t.id for t in cohort.teams]:
        count += erase_team(session, team_id, folders, now)
    with write_transaction(session):
        cohort = session.get(Cohort, cohort_id)
        if cohort is not None:
            _delete_messages(session, Message.cohort_id == cohort_id)
            session.execute(delete(TeamRecap).where(TeamRecap.cohort_id == cohort_id))
            session.execute(delete(RecapDigest).where(RecapDigest.cohort_id == cohort_id))
            session.execute(delete(DismissedAlert).where(DismissedAlert.cohort_id == cohort_id))
            digests = select(OutboundEmail.id).where(
                OutboundEmail.key.like(f"recap:digest:cohort:{cohort_id}:%")
            )
            session.execute(
                delete(OutboundAttachment).where(OutboundAttachment.email_id.in_(digests))
            )
            session.execute(delete(OutboundEmail).where(OutboundEmail.id.in_(digests)))
            session.delete(cohort)
    session.expire_all()
    return count


def _delete_team_rows(session: Session, team_ids: list[int]) -> None:
    """Rows of a team that SQLite without cascades would leave behind."""
    session.execute(delete(TeamEvent).where(TeamEvent.team_id.in_(team_ids)))
    session.execute(delete(ClientAction).where(ClientAction.team_id.in_(team_ids)))
    session.execute(delete(ShardEntry).where(ShardEntry.team_id.in_(team_ids)))
    session.execute(delete(WrongAttempt).where(WrongAttempt.team_id.in_(team_ids)))
    session.execute(delete(MissionProgress).where(MissionProgress.team_id.in_(team_ids)))
    session.execute(delete(UnlockedOffer).where(UnlockedOffer.team_id.in_(team_ids)))
    session.execute(delete(TeamRecap).where(TeamRecap.team_id.in_(team_ids)))
    session.execute(delete(PlayerRecap).where(PlayerRecap.team_id.in_(team_ids)))
    _delete_messages(session, Message.team_id.in_(team_ids))


def _delete_messages(session: Session, where: Any) -> None:
    """Delete messages (and who read them) matching `where`."""
    doomed = select(Message.id).where(where)
    session.execute(delete(MessageRead).where(MessageRead.message_id.in_(doomed)))
    session.execute(delete(Message).where(Message.id.in_(doomed)))
