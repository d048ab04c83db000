"""The mail outbox: idempotent queuing, delivery over real SMTP, retries, the .eml fallback."""

from __future__ import annotations

import email
from datetime import UTC, datetime, timedelta
from email.policy import default
from pathlib import Path

from click.testing import CliRunner
from flask import Flask
from sqlalchemy import select

from tempo import create_app
from tempo.extensions import db
from tempo.infra import db as schema
from tempo.infra.transactions import write_transaction
from tempo.models import MailStatus, OutboundEmail
from tempo.services.mail.outbox import Attachment, cancel_email, deliver_due, queue_email
from tests.conftest import cli_env, make_config
from tests.mailserver import SmtpServer

NOW = datetime(2026, 3, 20, 18, 0, tzinfo=UTC)
PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 64


def _smtp_app(tmp_path: Path, server: SmtpServer) -> Flask:
    app = create_app(
        make_config(tmp_path, SMTP_HOST="127.0.0.1", SMTP_PORT=server.port, MAIL_FROM="t@ml.fr")
    )
    with app.app_context():
        schema.upgrade(db.engine)
    return app


def _queue(app: Flask, key: str, to: str, **kw: object) -> bool:
    with app.app_context(), write_transaction(db.session):
        return queue_email(
            db.session,
            key=key,
            to=to,
            subject="Ton récap du jour 1",
            text="Bravo l'équipe !",
            html="<p>Bravo <strong>l'équipe</strong> !</p>",
            attachments=[Attachment("recap.png", "image/png", PNG)],
            now=NOW,
            **kw,  # type: ignore[arg-type]
        )


def _status(app: Flask, key: str) -> OutboundEmail:
    with app.app_context():
        email = db.session.scalars(select(OutboundEmail).where(OutboundEmail.key == key)).one()
        db.session.expunge(email)
        return email


def test_a_message_arrives_with_text_html_and_attachment(
    tmp_path: Path, smtp_server: SmtpServer
) -> None:
    app = _smtp_app(tmp_path, smtp_server)
    assert _queue(app, "recap:1", "lea@example.org")
    report = deliver_due(app, NOW)
    assert report.sent == ["recap:1"]
    [msg] = smtp_server.to("lea@example.org")
    assert msg["Subject"] == "Ton récap du jour 1"
    assert msg["From"] == "t@ml.fr"
    body = msg.get_body(("plain",))
    html = msg.get_body(("html",))
    assert body is not None and "Bravo l'équipe" in body.get_content()
    assert html is not None and "<strong>l'équipe</strong>" in html.get_content()
    [card] = list(msg.iter_attachments())
    assert card.get_filename() == "recap.png"
    assert card.get_content() == PNG
    assert _status(app, "recap:1").status == MailStatus.SENT


def test_queuing_twice_with_one_key_sends_once(tmp_path: Path, smtp_server: SmtpServer) -> None:
    app = _smtp_app(tmp_path, smtp_server)
    assert _queue(app, "recap:1", "lea@example.org")
    assert not _queue(app, "recap:1", "lea@example.org")
    deliver_due(app, NOW)
    deliver_due(app, NOW + timedelta(hours=1))
    assert len(smtp_server.messages) == 1


def test_a_refused_recipient_does_not_stop_the_others_and_is_retried(
    tmp_path: Path, smtp_server: SmtpServer
) -> None:
    app = _smtp_app(tmp_path, smtp_server)
    smtp_server.reject("inconnu@example.org")
    _queue(app, "a", "lea@example.org")
    _queue(app, "b", "inconnu@example.org")
    _queue(app, "c", "sam@example.org")
    report = deliver_due(app, NOW)
    assert sorted(report.sent) == ["a", "c"]
    assert report.retried == ["b"]
    assert {m["To"] for m in smtp_server.messages} == {"lea@example.org", "sam@example.org"}
    failed = _status(app, "b")
    assert failed.attempts == 1 and failed.status == MailStatus.PENDING
    assert failed.last_error and "550" in failed.last_error
    # Not retried before its backoff; retried after it, and delivered once the mailbox exists.
    assert deliver_due(app, NOW + timedelta(seconds=30)).retried == []
    smtp_server.rejected.clear()
    assert deliver_due(app, NOW + timedelta(minutes=2)).sent == ["b"]
    assert len(smtp_server.to("inconnu@example.org")) == 1


def test_a_message_is_given_up_after_max_attempts(tmp_path: Path, smtp_server: SmtpServer) -> None:
    app = _smtp_app(tmp_path, smtp_server)
    smtp_server.reject("inconnu@example.org")
    _queue(app, "b", "inconnu@example.org")
    at = NOW
    for _ in range(app.config["MAIL_MAX_ATTEMPTS"]):
        deliver_due(app, at)
        at += timedelta(hours=2)
    failed = _status(app, "b")
    assert failed.status == MailStatus.FAILED and failed.attempts == app.config["MAIL_MAX_ATTEMPTS"]
    assert deliver_due(app, at + timedelta(days=1)).retried == []


def test_a_server_down_delays_every_message_and_loses_none(
    tmp_path: Path, smtp_server: SmtpServer
) -> None:
    app = _smtp_app(tmp_path, smtp_server)
    _queue(app, "a", "lea@example.org")
    _queue(app, "c", "sam@example.org")
    smtp_server.stop()
    try:
        report = deliver_due(app, NOW)
        assert sorted(report.retried) == ["a", "c"]
    finally:
        smtp_server.start()
    assert sorted(deliver_due(app, NOW + timedelta(minutes=1)).sent) == ["a", "c"]


def test_send_after_holds_a_reminder_and_cancel_drops_it(
    tmp_path: Path, smtp_server: SmtpServer
) -> None:
    app = _smtp_app(tmp_path, smtp_server)
    _queue(app, "rappel:veille", "lea@example.org", send_after=NOW + timedelta(days=1))
    _queue(app, "rappel:heure", "lea@example.org", send_after=NOW + timedelta(days=2))
    assert deliver_due(app, NOW).sent == []
    assert deliver_due(app, NOW + timedelta(days=1)).sent == ["rappel:veille"]
    with app.app_context(), write_transaction(db.session):
        assert cancel_email(db.session, "rappel:heure")
        assert not cancel_email(db.session, "rappel:veille")  # already sent
    assert deliver_due(app, NOW + timedelta(days=3)).sent == []
    assert _status(app, "rappel:heure").status == MailStatus.CANCELLED


def test_without_smtp_messages_are_written_to_the_outbox_folder(app: Flask) -> None:
    _queue(app, "recap:1", "lea@example.org")
    assert deliver_due(app, NOW).sent == ["recap:1"]
    [eml] = list((Path(app.instance_path) / "outbox").glob("*.eml"))
    message = email.message_from_bytes(eml.read_bytes(), policy=default)
    assert message["Subject"] == "Ton récap du jour 1"
    assert message["To"] == "lea@example.org"


def test_tempo_mail_deliver_sends_now(tmp_path: Path, smtp_server: SmtpServer, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from tempo.cli import cli

    app = _smtp_app(tmp_path, smtp_server)
    _queue(app, "recap:1", "lea@example.org")
    cli_env(
        monkeypatch, tmp_path / "instance", SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp_server.port)
    )
    result = CliRunner().invoke(cli, ["mail", "deliver"])
    assert result.exit_code == 0, result.output
    assert "1 courriel(s) envoyé(s)" in result.output
    assert len(smtp_server.messages) == 1
