"""The scheduler's jobs, in one place: the day jobs and the leader's periodic work.

`tempo.scheduler` imports this module and hands APScheduler the functions themselves. Periodic
jobs live in APScheduler's memory store (re-added at every start); only day jobs are persisted,
in `apscheduler_jobs`, where APScheduler pickles a textual "module:function" reference to
`run_day_job` (see `tempo.scheduler.DayScheduler._plan` for jobs saved by older versions).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from flask import Flask

from tempo.extensions import db
from tempo.services.booking.appointments import send_reminders
from tempo.services.events import Broadcasts
from tempo.services.mail.outbox import deliver_due
from tempo.services.play.proofs import photo_folder, sweep_orphans
from tempo.services.privacy.erasure import Folders
from tempo.services.privacy.retention import Purge, Retention, purge
from tempo.services.recaps.mailing import card_folder, links_for, queue_pending

#: A periodic job: fn(app, now), returning team events to publish, or None.
Periodic = Callable[[Flask, datetime], Broadcasts | None]


def run_day_job(cohort_id: int, day: int, kind: str) -> None:
    """APScheduler's entry point for a calendar job: the leader applies what the cohort owes."""
    from tempo import scheduler  # the scheduler imports this module to plan with this function

    scheduler.fire_day_job(cohort_id, day, kind)


def deliver_mail(app: Flask, now: datetime) -> None:
    """`mail:deliver`: send the outbox's due e-mails."""
    report = deliver_due(app, now)
    if report.sent or report.retried or report.failed:
        logging.getLogger("tempo.mail").info(
            "Courriels : %d envoyés, %d à réessayer, %d abandonnés.",
            len(report.sent),
            len(report.retried),
            len(report.failed),
        )


def queue_recap_mail(app: Flask, now: datetime) -> None:
    """`recaps:mail`: closed days' recap e-mails (consenting players, counsellors' digest)."""
    with app.app_context():
        try:
            count = queue_pending(db.session(), now, links_for(app), card_folder(app))
        finally:
            db.session.remove()
    if count:
        logging.getLogger("tempo.recaps").info(
            "Récaps : %d courriel(s) mis en file d'envoi.", count
        )


def remind_bookings(app: Flask, now: datetime) -> Broadcasts:
    """`booking:remind`: appointment reminders, as events for the players' phones."""
    with app.app_context():
        try:
            return send_reminders(db.session(), now)
        finally:
            db.session.remove()


def sweep_proofs(app: Flask, now: datetime) -> None:
    """`proofs:sweep`: delete the stored photos no proof needs (refused, replaced, re-posted)."""
    with app.app_context():
        try:
            removed = sweep_orphans(
                db.session(), photo_folder(app.config["TEMPO_CONFIG"].INSTANCE_DIR), now
            )
        finally:
            db.session.remove()
    if removed:
        logging.getLogger("tempo.proofs").info(
            "Preuves : %d photo(s) inutilisée(s) supprimée(s).", len(removed)
        )


def folders_of(app: Flask) -> Folders:
    """Where the app keeps players' files (proof photos, recap cards)."""
    return Folders(photo_folder(app.config["TEMPO_CONFIG"].INSTANCE_DIR), card_folder(app))


def run_purge(app: Flask, now: datetime, dry_run: bool = False) -> Purge:
    """Delete (or count, on a dry run) what outlived its retention (docs/privacy.md)."""
    with app.app_context():
        try:
            return purge(
                db.session(), Retention.from_config(app.config), folders_of(app), now, dry_run
            )
        finally:
            db.session.remove()


def purge_expired(app: Flask, now: datetime) -> Broadcasts:
    """`privacy:purge`: the daily purge of data past its retention; counts only in the log."""
    done = run_purge(app, now)
    if any(done.counts.values()):
        logging.getLogger("tempo.privacy").info("Purge : %s.", ", ".join(done.lines()))
    return done.broadcasts


#: The leader's periodic work: job id -> (function, the config key of its interval in seconds).
PERIODIC_JOBS: dict[str, tuple[Periodic, str]] = {
    "mail:deliver": (deliver_mail, "MAIL_INTERVAL"),
    "recaps:mail": (queue_recap_mail, "MAIL_INTERVAL"),
    "booking:remind": (remind_bookings, "BOOKING_REMINDER_SECONDS"),
    "proofs:sweep": (sweep_proofs, "PROOF_SWEEP_SECONDS"),
    "privacy:purge": (purge_expired, "PURGE_SECONDS"),
}
