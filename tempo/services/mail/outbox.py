"""The mail outbox: queue messages inside business transactions, deliver them from a job.

Why an outbox: a recap or a booking is committed whether or not the mail server answers, and
each message is sent at most once per idempotency key, so a day closed twice or a retried
request never mails twice. `queue_email` only inserts rows in the caller's transaction;
`deliver_due` (the scheduler leader's `mail:deliver` job, or `tempo mail deliver`) sends what is
due one message at a time: a refused recipient or a broken server delays that message with a
growing backoff and never blocks the others. Without `TEMPO_SMTP_HOST` (the embedded default)
messages are written as `.eml` files under `<instance>/outbox/` for someone to look at.
"""

from __future__ import annotations

import logging
import re
import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Protocol

from flask import Flask
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from tempo.extensions import db
from tempo.infra.transactions import write_transaction
from tempo.models import MailStatus, OutboundAttachment, OutboundEmail

log = logging.getLogger("tempo.mail")

# Minutes to wait before attempt 2, 3, 4, 5: a server down for an hour loses nothing.
BACKOFF_MINUTES = (1, 5, 15, 60)
# A claimed message is not picked again by another pass for this long (a crash mid-send).
CLAIM_MINUTES = 10
BATCH = 50


@dataclass(frozen=True)
class Attachment:
    """A file to attach: its name as the recipient sees it, its MIME type and its bytes."""

    filename: str
    content_type: str
    data: bytes


@dataclass
class DeliveryReport:
    """What one delivery pass did."""

    sent: list[str] = field(default_factory=list)
    retried: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def queue_email(
    session: Session,
    *,
    key: str,
    to: str,
    subject: str,
    text: str,
    now: datetime,
    html: str | None = None,
    attachments: Sequence[Attachment] = (),
    send_after: datetime | None = None,
) -> bool:
    """Queue one message in the caller's transaction; False if `key` was already queued."""
    if session.scalar(select(OutboundEmail.id).where(OutboundEmail.key == key)) is not None:
        return False
    message = OutboundEmail(
        key=key,
        to_address=to.strip(),
        subject=subject,
        text_body=text,
        html_body=html,
        next_attempt_at=max(now, send_after) if send_after else now,
        created_at=now,
        attachments=[
            OutboundAttachment(filename=a.filename, content_type=a.content_type, data=a.data)
            for a in attachments
        ],
    )
    try:
        # A savepoint: a concurrent twin of this key must not undo the caller's transaction.
        with session.begin_nested():
            session.add(message)
    except IntegrityError:
        return False
    return True


def cancel_email(session: Session, key: str) -> bool:
    """Drop a queued, unsent message (a reminder of a cancelled booking); True if dropped."""
    result = session.execute(
        update(OutboundEmail)
        .where(OutboundEmail.key == key, OutboundEmail.status == MailStatus.PENDING)
        .values(status=MailStatus.CANCELLED)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def build_message(email: OutboundEmail, sender: str, now: datetime) -> EmailMessage:
    """The MIME message: plain text, an HTML alternative if any, then the attachments."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = email.to_address
    msg["Subject"] = email.subject
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = make_msgid(domain=_domain(sender))
    msg.set_content(email.text_body)
    if email.html_body:
        msg.add_alternative(email.html_body, subtype="html")
    for part in email.attachments:
        maintype, _, subtype = part.content_type.partition("/")
        msg.add_attachment(
            part.data,
            maintype=maintype,
            subtype=subtype or "octet-stream",
            filename=part.filename,
        )
    return msg


def _domain(sender: str) -> str:
    match = re.search(r"@([A-Za-z0-9.-]+)", sender)
    return match.group(1) if match else "tempo.local"


class Transport(Protocol):
    """Somewhere messages go: an SMTP server, or a folder of .eml files."""

    def send(self, message: EmailMessage) -> None:
        """Send one message or raise."""

    def close(self) -> None:
        """Release the connection, if any."""


class SmtpTransport:
    """One SMTP connection for a delivery pass, reopened after a connection error."""

    def __init__(self, app: Flask) -> None:
        self.config = app.config
        self.conn: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        cfg = self.config
        conn = smtplib.SMTP(cfg["SMTP_HOST"], int(cfg["SMTP_PORT"]), timeout=cfg["SMTP_TIMEOUT"])
        if cfg["SMTP_STARTTLS"]:
            conn.starttls(context=ssl.create_default_context())
        if cfg["SMTP_USER"]:
            conn.login(cfg["SMTP_USER"], cfg["SMTP_PASSWORD"] or "")
        return conn

    def send(self, message: EmailMessage) -> None:
        """Send over the open connection (opened on first use)."""
        if self.conn is None:
            self.conn = self._connect()
        try:
            self.conn.send_message(message)
        except (smtplib.SMTPServerDisconnected, OSError):
            # The connection is gone: the next message gets a fresh one.
            self.close()
            raise

    def close(self) -> None:
        """Say goodbye to the server."""
        conn, self.conn = self.conn, None
        if conn is not None:
            try:
                conn.quit()
            except (smtplib.SMTPException, OSError):
                conn.close()


class FolderTransport:
    """The embedded default: each message becomes an .eml file in `<instance>/outbox/`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, message: EmailMessage) -> None:
        """Write the message as a file named after its Message-ID."""
        self.folder.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9.@-]", "", str(message["Message-ID"])) or "message"
        (self.folder / f"{name}.eml").write_bytes(message.as_bytes())

    def close(self) -> None:
        """Nothing to close."""


def transport_for(app: Flask) -> Transport:
    """SMTP when TEMPO_SMTP_HOST is set, else the outbox folder."""
    if app.config.get("SMTP_HOST"):
        return SmtpTransport(app)
    return FolderTransport(Path(app.instance_path) / "outbox")


def _claim(session: Session, email_id: int, now: datetime) -> bool:
    # Moving next_attempt_at forward claims the message: a concurrent pass skips it.
    with write_transaction(session):
        result = session.execute(
            update(OutboundEmail)
            .where(
                OutboundEmail.id == email_id,
                OutboundEmail.status == MailStatus.PENDING,
                OutboundEmail.next_attempt_at <= now,
            )
            .values(next_attempt_at=now + timedelta(minutes=CLAIM_MINUTES))
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]


def _record(
    session: Session, email_id: int, now: datetime, error: str | None, max_attempts: int
) -> MailStatus:
    with write_transaction(session):
        email = session.get(OutboundEmail, email_id)
        assert email is not None
        email.attempts += 1
        if error is None:
            email.status = MailStatus.SENT
            email.sent_at = now
            email.last_error = None
        else:
            email.last_error = error[:500]
            if email.attempts >= max_attempts:
                email.status = MailStatus.FAILED
            else:
                wait = BACKOFF_MINUTES[min(email.attempts, len(BACKOFF_MINUTES)) - 1]
                email.next_attempt_at = now + timedelta(minutes=wait)
        return email.status


def deliver_due(app: Flask, now: datetime, limit: int = BATCH) -> DeliveryReport:
    """Send the messages due by `now`, each on its own; failures are retried later."""
    report = DeliveryReport()
    sender = app.config["MAIL_FROM"]
    max_attempts = int(app.config["MAIL_MAX_ATTEMPTS"])
    transport = transport_for(app)
    with app.app_context():
        session = db.session()
        try:
            due = session.scalars(
                select(OutboundEmail.id)
                .where(
                    OutboundEmail.status == MailStatus.PENDING,
                    OutboundEmail.next_attempt_at <= now,
                )
                .order_by(OutboundEmail.next_attempt_at, OutboundEmail.id)
                .limit(limit)
            ).all()
            session.rollback()
            for email_id in due:
                if not _claim(session, email_id, now):
                    continue
                email = session.scalars(
                    select(OutboundEmail)
                    .options(selectinload(OutboundEmail.attachments))
                    .where(OutboundEmail.id == email_id)
                ).one()
                key, message = email.key, build_message(email, sender, now)
                session.rollback()  # no transaction stays open while the server answers
                error: str | None = None
                try:
                    transport.send(message)
                except (smtplib.SMTPException, OSError) as exc:
                    error = f"{type(exc).__name__}: {exc}"
                    log.warning("Courriel %s non envoyé : %s", key, error)
                status = _record(session, email_id, now, error, max_attempts)
                if status == MailStatus.SENT:
                    report.sent.append(key)
                elif status == MailStatus.FAILED:
                    report.failed.append(key)
                else:
                    report.retried.append(key)
        finally:
            transport.close()
            db.session.remove()
    return report
