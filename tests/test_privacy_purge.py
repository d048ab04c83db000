"""Retention: the daily purge job and `tempo purge` (with --dry-run), on both databases."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import func, select

from tempo.cli import cli
from tempo.extensions import db
from tempo.jobs import PERIODIC_JOBS, run_purge
from tempo.models import (
    Cohort,
    CohortDay,
    DiagnosticAnswer,
    LoginFailure,
    OutboundEmail,
    Player,
    StaffSession,
    utcnow,
)
from tests import factories
from tests.conftest import Demo, cli_env
from tests.services.test_privacy_erasure import ANSWER, PSEUDO, database_dump, populate


def _staff_traces(app: Flask) -> None:
    """A console session with its IP address and a failed login, both a month old."""
    with app.app_context():
        staff = factories.staff(db.session)
        old = utcnow() - timedelta(days=40)
        db.session.add(
            StaffSession(
                token_hash="h" * 64,
                staff_id=staff.id,
                created_at=old,
                last_seen_at=old,
                ip="203.0.113.7",
            )
        )
        db.session.add(LoginFailure(email="x@example.org", ip="203.0.113.8", at=old))
        db.session.commit()


def _count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_the_purge_job_deletes_what_outlived_its_retention(app: Flask, demo: Demo) -> None:
    with app.app_context():
        ids = populate(app, demo)
    _staff_traces(app)
    soon, late = utcnow() + timedelta(days=20), utcnow() + timedelta(days=400)

    dry = run_purge(app, late, dry_run=True)
    assert dry.counts == {
        "players": 2,
        "photos": 1,
        "mails": 2,
        "staff_ips": 1,
        "login_failures": 1,
    }
    assert all(PSEUDO not in line for line in dry.lines())
    with app.app_context():
        assert _count(Player) == 2 and _count(OutboundEmail) == 2 and ids["photo"].is_file()

    # Before the cohort's end plus a month: only the staff addresses are old enough.
    job = PERIODIC_JOBS["privacy:purge"][0]
    job(app, soon)
    with app.app_context():
        assert _count(Player) == 2 and ids["photo"].is_file()
        assert db.session.scalar(select(StaffSession.ip)) is None
        assert _count(LoginFailure) == 0
        assert _count(OutboundEmail) == 2  # sent less than 30 days before
    job(app, late)
    with app.app_context():
        assert _count(Player) == 0 and _count(DiagnosticAnswer) == 0
        assert not ids["photo"].exists()
        dump = database_dump()
        assert PSEUDO not in dump and ANSWER not in dump
        assert _count(Cohort) == 1  # the cohort's anonymous statistics stay


def test_tempo_purge_prints_counts_and_dry_run_deletes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tempo import create_app
    from tempo.infra import db as schema
    from tests.conftest import make_config

    app = create_app(make_config(tmp_path))
    with app.app_context():
        schema.upgrade(db.engine)
    demo = Demo(app)
    with app.app_context():
        populate(app, demo)
        cohort = db.session.get(Cohort, demo.cohort_id)
        assert cohort is not None
        cohort.start_date = date(2024, 1, 1)
        for day in db.session.scalars(select(CohortDay).where(CohortDay.cohort_id == cohort.id)):
            day.date = date(2024, 1, day.number)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    cli_env(monkeypatch, tmp_path / "instance")
    runner = CliRunner()

    dry = runner.invoke(cli, ["purge", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "2 joueurs effacés" in dry.output and "1 photos de preuve" in dry.output
    assert "rien n'a été supprimé" in dry.output and PSEUDO not in dry.output
    with app.app_context():
        assert _count(Player) == 2
        db.session.remove()
        db.engine.dispose()

    done = runner.invoke(cli, ["purge"])
    assert done.exit_code == 0, done.output
    assert "Supprimé" in done.output
    with app.app_context():
        assert _count(Player) == 0
        assert PSEUDO not in database_dump()
        db.session.remove()
        db.engine.dispose()
