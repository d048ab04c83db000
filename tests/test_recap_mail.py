"""Recap e-mails end to end: a day closes, the scheduler queues and sends over real SMTP."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from flask import Flask
from PIL import Image
from sqlalchemy import select

from tempo import create_app
from tempo.extensions import db
from tempo.infra import db as schema
from tempo.jobs import PERIODIC_JOBS
from tempo.models import MailStatus, OutboundEmail, Player, RecapDigest
from tempo.scheduler import DayScheduler
from tempo.services.calendar import days as calendar
from tempo.services.mail.outbox import deliver_due
from tempo.services.recaps import email_consent as player_email
from tempo.services.recaps import mailing as recap_mail
from tests import factories
from tests import recap_kit as kit
from tests.conftest import make_config
from tests.mailserver import SmtpServer
from tests.scheduler_kit import Clock, Recorder

RECAP_MAIL = PERIODIC_JOBS["recaps:mail"][0]
DELIVER = PERIODIC_JOBS["mail:deliver"][0]


@pytest.fixture
def mail_app(tmp_path: Path, smtp_server: SmtpServer) -> Iterator[Flask]:
    """An app sending over the loopback SMTP server, with a public URL and a clock."""
    app = create_app(
        make_config(
            tmp_path,
            SMTP_HOST="127.0.0.1",
            SMTP_PORT=smtp_server.port,
            MAIL_FROM="Tempo <tempo@ml-test.fr>",
            PUBLIC_URL="https://tempo.ml-test.fr",
        )
    )
    app.config["CLOCK"] = Clock(kit.DAY1_UNLOCK - timedelta(hours=1))
    with app.app_context():
        schema.upgrade(db.engine)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def leader(mail_app: Flask) -> Iterator[DayScheduler]:
    """The app's scheduler, leading, APScheduler paused (the test runs the jobs)."""
    scheduler = DayScheduler(mail_app, Recorder())
    scheduler.start(paused=True)
    assert scheduler.elect()
    yield scheduler
    scheduler.stop()


def parts(message: EmailMessage) -> dict[str, list[EmailMessage]]:
    """The message's leaf parts by content type."""
    out: dict[str, list[EmailMessage]] = {}
    for part in message.walk():
        if not part.is_multipart():
            out.setdefault(part.get_content_type(), []).append(part)  # type: ignore[arg-type]
    return out


def test_each_consenting_player_and_counsellor_gets_the_day_by_mail(
    mail_app: Flask, leader: DayScheduler, smtp_server: SmtpServer
) -> None:
    """Text and HTML parts, the card attached; one refused address never stops the others."""
    clock: Clock = mail_app.config["CLOCK"]
    smtp_server.reject("refuse@example.org")
    with mail_app.app_context():
        session = db.session
        counsellor = factories.staff(session)
        counsellor.email = "ines@ml-test.fr"
        session.commit()
        cohort = kit.real_cohort(session, counsellors=(counsellor,))
        alpha, bravo = cohort.teams
        comete = kit.join(session, alpha, "Comète Agile", "Jessica", "jessica@example.org")
        kit.join(session, alpha, "Hibou Malin", "Karim", "refuse@example.org")
        kit.join(session, bravo, "Lynx Vif", "Lina", "lina@example.org")
        kit.join(session, bravo, "Panda Calme", "Paul")  # no address: nothing sent
        # An address without consent is never used.
        kit.join(session, bravo, "Koala Zen", None, "koala@example.org", consent=False)
        comete_id, cohort_id = comete.id, cohort.id
        cohort_name, cohort_slug = cohort.name, cohort.slug
    assert leader.tick() == []  # nothing due before 09:30
    clock.now = kit.DAY1_UNLOCK + timedelta(hours=1)
    leader.tick()
    with mail_app.app_context():
        player = db.session.get(Player, comete_id)
        assert player is not None
        kit.solve(db.session, player, "d01-badge-entree", clock.now)

    clock.now = kit.DAY1_CLOSE
    leader.fire(cohort_id)  # the 17:00 job closes day 1 and writes the recaps
    assert leader.run_periodic(RECAP_MAIL, clock.now)
    assert leader.run_periodic(DELIVER, clock.now)

    assert sorted(m["To"] for m in smtp_server.messages) == [
        "ines@ml-test.fr",
        "jessica@example.org",
        "lina@example.org",
    ]
    mine = smtp_server.to("jessica@example.org")[0]
    assert mine["Subject"] == "Tempo — ton récap du jour 1 : Bienvenue chez Horizon 2050"
    found = parts(mine)
    text = found["text/plain"][0].get_content()
    html = found["text/html"][0].get_content()
    assert "Bonjour Comète Agile," in text and "Le badge d'entrée (+6)" in text
    assert "Tu as réussi 1 mission : «\u00a0Le badge d'entrée\u00a0»." in text
    assert "https://tempo.ml-test.fr/journal#jour-1" in text
    assert "https://tempo.ml-test.fr/recaps/arret/" in text
    assert "Toi, ce jour-là" in html and "https://tempo.ml-test.fr/journal#jour-1" in html
    assert "Jessica" not in text and "Jessica" not in html  # the pseudonym only
    (card,) = found["image/png"]
    assert card.get_filename() == "tempo-jour-1.png"
    image = Image.open(io.BytesIO(card.get_content()))
    assert image.size == (1080, 1920)

    digest = smtp_server.to("ines@ml-test.fr")[0]
    assert digest["Subject"] == f"Tempo — récap du jour 1 de « {cohort_name} »"
    digest_text = parts(digest)["text/plain"][0].get_content()
    assert "* Alpha" in digest_text and "* Bravo" in digest_text
    assert f"https://tempo.ml-test.fr/console/cohortes/{cohort_slug}/recaps#jour-1" in digest_text
    assert "text/html" in parts(digest)

    with mail_app.app_context():
        refused = db.session.scalars(
            select(OutboundEmail).where(OutboundEmail.to_address == "refuse@example.org")
        ).one()
        assert refused.status == MailStatus.PENDING and refused.attempts == 1
        assert refused.next_attempt_at > clock.now  # retried later, with backoff

    # The jobs running again (next sync, another close) send nothing twice.
    clock.now += timedelta(minutes=1)
    leader.run_periodic(RECAP_MAIL, clock.now)
    leader.run_periodic(DELIVER, clock.now)
    assert len(smtp_server.messages) == 3


def test_withdrawing_consent_cancels_what_is_not_sent_yet(mail_app: Flask) -> None:
    """A recap queued but not delivered stays unsent once the player withdraws: the outbox
    keeps neither their address nor the body (docs/privacy.md)."""
    with mail_app.app_context():
        session = db.session
        cohort = kit.real_cohort(session)
        player = kit.join(session, cohort.teams[0], "Comète Agile", email="comete@example.org")
        calendar.close_day(session, cohort.id, 1, kit.DAY1_CLOSE)
        links = recap_mail.links_for(mail_app)
        assert (
            recap_mail.queue_pending(
                session, kit.DAY1_CLOSE, links, recap_mail.card_folder(mail_app)
            )
            == 1
        )
        assert player_email.withdraw(session, player.id) is True
        assert session.scalars(select(OutboundEmail)).all() == []
        report = deliver_due(mail_app, kit.DAY1_CLOSE)
        assert report.sent == []
        again = session.get(Player, player.id)
        assert again is not None and again.email is None and not again.email_consent


def test_a_player_who_withdraws_while_mails_are_built_gets_nothing(
    mail_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cards are drawn outside the queueing transaction; consent is checked again inside it."""
    with mail_app.app_context():
        session = db.session
        cohort = kit.real_cohort(session)
        alpha = cohort.teams[0]
        leaving = kit.join(session, alpha, "Comète Agile", email="comete@example.org")
        kit.join(session, alpha, "Hibou Malin", email="hibou@example.org")
        calendar.close_day(session, cohort.id, 1, kit.DAY1_CLOSE)
        digest_id = session.scalars(select(RecapDigest.id)).one()
        links, folder = recap_mail.links_for(mail_app), recap_mail.card_folder(mail_app)
        built = recap_mail._messages(session, session.get(RecapDigest, digest_id), links, folder)
        assert sorted(m.to for m in built) == ["comete@example.org", "hibou@example.org"]
        original = recap_mail._messages

        def withdraw_meanwhile(*args: object) -> list[recap_mail.Message]:
            messages = original(*args)  # type: ignore[arg-type]
            player_email.withdraw(session, leaving.id)  # e.g. from another phone, just now
            return messages

        monkeypatch.setattr(recap_mail, "_messages", withdraw_meanwhile)
        assert recap_mail.queue_day(session, digest_id, kit.DAY1_CLOSE, links, folder) == 1
        assert session.scalars(select(OutboundEmail.to_address)).all() == ["hibou@example.org"]
