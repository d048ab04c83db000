"""Acceptance of the daily recaps with the 10-day clock and an injected clock.

Recaps are produced once per team and day: at the recap hour in Europe/Paris, after a manual
close followed by the scheduled job, and after a restart (a new app and scheduler on the same
database). APScheduler is started paused and its persisted jobs are fired by calling them at
their instants, as in tests/test_scheduler.py.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import Flask
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from tempo.extensions import db
from tempo.jobs import PERIODIC_JOBS, run_day_job
from tempo.models import OutboundEmail, Player, PlayerRecap, RecapDigest, TeamRecap
from tempo.scheduler import DayScheduler
from tempo.services.calendar import days as calendar
from tests import recap_kit as kit
from tests.scheduler_kit import Clock, Recorder, app_on, database_url, dispose
from tests.scheduler_kit import start_paused as start

PARIS = ZoneInfo("Europe/Paris")
RECAP_MAIL = PERIODIC_JOBS["recaps:mail"][0]


def recap_rows(session: Session) -> list[tuple[int, int]]:
    """(team id, day) of every team recap."""
    session.expire_all()
    return sorted((t, d) for t, d in session.execute(select(TeamRecap.team_id, TeamRecap.day)))


def player_rows(session: Session) -> list[tuple[int, int]]:
    """(player id, day) of every player recap."""
    session.expire_all()
    return sorted(
        (p, d) for p, d in session.execute(select(PlayerRecap.player_id, PlayerRecap.day))
    )


def ready(sent: Recorder, team_id: int) -> list[int | None]:
    """Days announced by recap.ready to one team."""
    return [day for kind, day in sent.kinds(team_id) if kind == "recap.ready"]


def test_recaps_come_once_per_team_and_day_at_the_paris_recap_hour(
    app: Flask, schedulers: list[DayScheduler]
) -> None:
    """Ten days across the spring DST change: each day's recaps at 17:00 in Paris, once."""
    start_day = date(2026, 3, 25)  # the clocks change on Sunday 29 March, day 5
    clock = Clock(datetime(2026, 3, 24, tzinfo=UTC))
    app.config["CLOCK"] = clock
    with app.app_context():
        cohort = kit.real_cohort(db.session, start=start_day)
        teams = [t.id for t in cohort.teams]
        players = [kit.join(db.session, t, f"Joueur {t.name}").id for t in cohort.teams]
        cohort_id = cohort.id
        # The calendar places the scenario's weekend days (6 and 7) on the next real weekend.
        dates = {d.number: d.date for d in cohort.days}
    sent = Recorder()
    scheduler = start(app, sent, schedulers)
    assert scheduler.elect() is True

    while jobs := scheduler.jobs():
        job = jobs[0]
        clock.now = job.next_run_time
        job.func(*job.args)
        if job.id.endswith(":close"):
            day = int(job.id.split(":")[2])
            with app.app_context():
                # Right at the close job, before any other: that day's recaps, nothing more.
                assert {d for _, d in recap_rows(db.session)} == set(range(1, day + 1))
        scheduler.tick()

    with app.app_context():
        assert recap_rows(db.session) == sorted((t, d) for t in teams for d in range(1, 11))
        assert player_rows(db.session) == sorted((p, d) for p in players for d in range(1, 11))
        digests = db.session.scalars(
            select(RecapDigest).where(RecapDigest.cohort_id == cohort_id).order_by(RecapDigest.day)
        ).all()
        hours = {d.day: d.recap_at for d in kit.content().scenarios["tempo-2050"].days}
        for digest in digests:
            local = digest.until.astimezone(PARIS)
            assert local.strftime("%H:%M") == hours[digest.day]  # 17:00, 16:30 on weekends
            assert local.date() == dates[digest.day]
        # Around the change (Sunday 29 March, day 5), 17:00 in Paris is 16:00 then 15:00 UTC.
        assert (digests[3].until.hour, digests[4].until.hour) == (16, 15)
    for team_id in teams:
        assert ready(sent, team_id) == list(range(1, 11))
    # Firing every close job again, or catching up much later, adds nothing.
    for n in range(1, 11):
        run_day_job(cohort_id, n, "close")
    clock.now += timedelta(days=30)
    scheduler.tick()
    with app.app_context():
        assert len(recap_rows(db.session)) == 10 * len(teams)
    assert all(ready(sent, t) == list(range(1, 11)) for t in teams)


def test_a_manual_close_then_the_scheduled_job_gives_one_recap(
    app: Flask, schedulers: list[DayScheduler]
) -> None:
    """The counsellor closes day 1 at 15:00; the 17:00 job finds it closed and adds nothing."""
    clock = Clock(kit.DAY1_UNLOCK)
    app.config["CLOCK"] = clock
    with app.app_context():
        cohort = kit.real_cohort(db.session)
        cohort_id, teams = cohort.id, [t.id for t in cohort.teams]
        comete = kit.join(db.session, cohort.teams[0], "Comète Agile").id
    sent = Recorder()
    scheduler = start(app, sent, schedulers)
    scheduler.elect()
    clock.now = kit.DAY1_UNLOCK + timedelta(hours=1)
    with app.app_context():
        player = db.session.get(Player, comete)
        assert player is not None
        kit.solve(db.session, player, "d01-badge-entree", clock.now)
    clock.now = kit.DAY1_CLOSE - timedelta(hours=2)
    with app.app_context():
        sent(calendar.close_day(db.session, cohort_id, 1, clock.now))
    scheduler.tick()  # the counsellor's console re-plans: the day-1 close job is gone
    assert f"day:{cohort_id}:1:close" not in {j.id for j in scheduler.jobs()}

    clock.now = kit.DAY1_CLOSE
    run_day_job(cohort_id, 1, "close")  # had it stayed planned, it would change nothing
    scheduler.tick()
    with app.app_context():
        assert recap_rows(db.session) == [(teams[0], 1), (teams[1], 1)]
        assert player_rows(db.session) == [(comete, 1)]
        data = db.session.scalars(select(TeamRecap.data).where(TeamRecap.team_id == teams[0]))
        assert [m["id"] for m in next(iter(data))["missions"]] == ["d01-badge-entree"]
    assert ready(sent, teams[0]) == [1] and ready(sent, teams[1]) == [1]


def test_a_restart_never_makes_a_second_recap(
    engine: Engine, tmp_path: Path, schedulers: list[DayScheduler]
) -> None:
    """Day 1 closed by a first server; a second one catches day 2 up; a third adds nothing.

    E-mails too: each consenting player's recap is queued once per day across the restarts.
    """
    with Session(engine) as session:
        cohort = kit.real_cohort(session)
        cohort_id, teams = cohort.id, [t.id for t in cohort.teams]
        comete = kit.join(session, cohort.teams[0], "Comète Agile", email="comete@example.org").id
    url = database_url(engine)
    clock = Clock(kit.DAY1_CLOSE)
    sent = Recorder()

    first_app = app_on(url, tmp_path / "first", clock)
    first = start(first_app, sent, schedulers)
    assert first.elect()  # catches up: day 1 opens and closes
    assert first.run_periodic(RECAP_MAIL, clock.now)
    first.stop()
    with Session(engine) as session:
        assert recap_rows(session) == [(teams[0], 1), (teams[1], 1)]

    clock.now = kit.DAY2_CLOSE + timedelta(hours=2)  # down over day 2's unlock and close
    second_app = app_on(url, tmp_path / "second", clock)
    second = start(second_app, sent, schedulers)
    assert second.elect()
    assert second.run_periodic(RECAP_MAIL, clock.now)
    second.stop()

    third_app = app_on(url, tmp_path / "third", clock)
    third = start(third_app, sent, schedulers)
    assert third.elect()
    assert third.run_periodic(RECAP_MAIL, clock.now)
    run_day_job(cohort_id, 1, "close")
    run_day_job(cohort_id, 2, "close")

    with Session(engine) as session:
        assert recap_rows(session) == sorted((t, d) for t in teams for d in (1, 2))
        assert player_rows(session) == [(comete, 1), (comete, 2)]
        keys = session.scalars(select(OutboundEmail.key).order_by(OutboundEmail.key)).all()
        assert keys == [f"recap:player:{comete}:day:1", f"recap:player:{comete}:day:2"]
        assert (
            session.scalar(
                select(func.count()).select_from(RecapDigest).where(RecapDigest.mailed_at.is_(None))
            )
            == 0
        )
    for team_id in teams:
        assert ready(sent, team_id) == [1, 2]
    for app in (first_app, second_app, third_app):
        dispose(app)
