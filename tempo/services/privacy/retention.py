"""Retention: what Tempo deletes once it has served its purpose (settings in docs/privacy.md).

- play data and diagnostics: a cohort's players are erased (`erasure.erase_player`: their rows
  deleted, the team's statistics kept anonymously) `RETENTION_PLAY_MONTHS` after its last day;
- proof photos: deleted from disk `RETENTION_PHOTO_MONTHS` after the cohort's last day;
- the mail outbox: a message (address, body, attachments) `RETENTION_MAIL_DAYS` after it was
  sent, cancelled or given up;
- staff login addresses: a console session's IP address and failed logins after
  `RETENTION_IP_DAYS`.

`purge(..., dry_run=True)` counts without changing anything (counts only, never a name).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from tempo.infra.transactions import write_transaction
from tempo.models import (
    Cohort,
    CohortDay,
    LoginFailure,
    MailStatus,
    MissionProgress,
    OutboundAttachment,
    OutboundEmail,
    Player,
    StaffSession,
    Team,
)
from tempo.services.events import Broadcasts, merge
from tempo.services.play.proofs import remove_photo
from tempo.services.privacy.erasure import Folders, erase_player

#: The kinds a purge counts, in the order it prints them, with their French labels.
KINDS = {
    "players": "joueurs effacés (données de jeu et diagnostics)",
    "photos": "photos de preuve",
    "mails": "courriels de la file d'envoi",
    "staff_ips": "adresses IP de connexion du personnel",
    "login_failures": "échecs de connexion",
}


@dataclass(frozen=True)
class Retention:
    """How long each kind of data is kept (from the TEMPO_RETENTION_* settings)."""

    play_months: int = 6
    photo_months: int = 1
    mail_days: int = 30
    ip_days: int = 30

    @classmethod
    def from_config(cls, config: Any) -> Retention:
        """The settings of an app's config mapping."""
        return cls(
            int(config["RETENTION_PLAY_MONTHS"]),
            int(config["RETENTION_PHOTO_MONTHS"]),
            int(config["RETENTION_MAIL_DAYS"]),
            int(config["RETENTION_IP_DAYS"]),
        )


@dataclass
class Purge:
    """What a purge deleted (or would delete, on a dry run), kind by kind."""

    counts: dict[str, int]
    broadcasts: Broadcasts

    def lines(self) -> list[str]:
        """One French line per kind: « 3 joueurs effacés … »."""
        return [f"{self.counts.get(k, 0)} {label}" for k, label in KINDS.items()]


def add_months(day: date, months: int) -> date:
    """`day` plus `months` calendar months (the 31st becomes the month's last day)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def cohort_ends(session: Session) -> dict[int, date]:
    """Each cohort's last game day (its start date when it has no calendar)."""
    ends = dict(
        session.execute(
            select(CohortDay.cohort_id, func.max(CohortDay.date)).group_by(CohortDay.cohort_id)
        ).all()
    )
    return {
        cid: ends.get(cid) or start
        for cid, start in session.execute(select(Cohort.id, Cohort.start_date)).all()
    }


def _expired(ends: dict[int, date], months: int, now: datetime) -> list[int]:
    """The cohorts whose last day plus `months` is over."""
    return [
        cid
        for cid, end in ends.items()
        if datetime.combine(add_months(end, months) + timedelta(days=1), time(), UTC) <= now
    ]


def _photos_of(session: Session, cohort_ids: list[int]) -> list[tuple[MissionProgress, str]]:
    if not cohort_ids:
        return []
    rows = session.scalars(
        select(MissionProgress).where(
            MissionProgress.team_id.in_(select(Team.id).where(Team.cohort_id.in_(cohort_ids)))
        )
    ).all()
    out = []
    for row in rows:
        submission = (row.state or {}).get("submission")
        if isinstance(submission, dict) and isinstance(submission.get("photo"), str):
            out.append((row, submission["photo"]))
    return out


def purge(
    session: Session, retention: Retention, folders: Folders, now: datetime, dry_run: bool = False
) -> Purge:
    """Delete what outlived its retention; with `dry_run`, only count it."""
    ends = cohort_ends(session)
    counts: dict[str, int] = dict.fromkeys(KINDS, 0)
    broadcasts: Broadcasts = {}

    # Proof photos.
    photos = _photos_of(session, _expired(ends, retention.photo_months, now))
    counts["photos"] = len(photos)
    if not dry_run and photos:
        with write_transaction(session):
            for row, name in _photos_of(session, _expired(ends, retention.photo_months, now)):
                remove_photo(folders.photos, name)
                row.state = {**row.state, "submission": {**row.state["submission"], "photo": None}}

    # Players of cohorts over their play-data retention.
    old = _expired(ends, retention.play_months, now)
    player_ids = (
        session.scalars(
            select(Player.id)
            .join(Team, Team.id == Player.team_id)
            .where(Team.cohort_id.in_(old))
            .order_by(Player.id)
        ).all()
        if old
        else []
    )
    counts["players"] = len(player_ids)
    if not dry_run:
        for player_id in player_ids:
            merge(broadcasts, erase_player(session, player_id, folders, now).broadcasts)

    # The mail outbox: sent, cancelled or failed messages past their retention.
    mail_cutoff = now - timedelta(days=retention.mail_days)
    done = OutboundEmail.status != MailStatus.PENDING
    old_mail = or_(
        OutboundEmail.sent_at <= mail_cutoff,
        (OutboundEmail.sent_at.is_(None)) & (OutboundEmail.created_at <= mail_cutoff),
    )
    mail_ids = select(OutboundEmail.id).where(done, old_mail)
    counts["mails"] = session.scalar(select(func.count()).select_from(mail_ids.subquery())) or 0

    # Staff login addresses.
    ip_cutoff = now - timedelta(days=retention.ip_days)
    ips = StaffSession.ip.is_not(None), StaffSession.created_at <= ip_cutoff
    counts["staff_ips"] = (
        session.scalar(select(func.count()).select_from(StaffSession).where(*ips)) or 0
    )
    failures = LoginFailure.at <= ip_cutoff
    counts["login_failures"] = (
        session.scalar(select(func.count()).select_from(LoginFailure).where(failures)) or 0
    )
    if not dry_run:
        with write_transaction(session):
            session.execute(
                delete(OutboundAttachment).where(OutboundAttachment.email_id.in_(mail_ids))
            )
            session.execute(delete(OutboundEmail).where(OutboundEmail.id.in_(mail_ids)))
            session.execute(update(StaffSession).where(*ips).values(ip=None))
            session.execute(delete(LoginFailure).where(failures))
    session.expire_all()
    return Purge(counts, broadcasts)
