"""Phones and the 10-day clock: a day unlocked by its job, a pause and a resume, seen live."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from flask_socketio import SocketIOTestClient
from sqlalchemy import select

from tempo.extensions import db
from tempo.models import CohortDay
from tempo.realtime.publish import publish
from tempo.scheduler import DayScheduler
from tempo.services.calendar import days as calendar
from tests.conftest import Demo
from tests.realtime.helpers import NS, call, connect, content, team_events
from tests.scheduler_kit import Clock


@pytest.fixture
def phones(app: Flask, demo: Demo) -> Iterator[dict[str, SocketIOTestClient]]:
    """Alice in the first team, Chloé in the second, connected."""
    clients = {
        "alice": connect(app, demo.join(0, "Alice")),
        "chloe": connect(app, demo.join(1, "Chloé")),
    }
    yield clients
    for client in clients.values():
        if client.is_connected(NS):
            client.disconnect(namespace=NS)


@pytest.fixture
def clock(app: Flask, demo: Demo) -> Clock:
    """The app's clock, one minute before the demo's day 2 unlocks."""
    with app.app_context():
        day2 = db.session.scalars(
            select(CohortDay).where(CohortDay.cohort_id == demo.cohort_id, CohortDay.number == 2)
        ).one()
        clock = Clock(day2.unlock_at - timedelta(minutes=1))
    app.config["CLOCK"] = clock
    return clock


@pytest.fixture
def scheduler(app: Flask, clock: Clock) -> Iterator[DayScheduler]:
    """The in-process scheduler, leading, with APScheduler paused (the test fires the jobs)."""
    s = DayScheduler(app)
    s.start(paused=True)
    assert s.elect()
    yield s
    s.stop()


def day_missions(day: int) -> set[str]:
    """The ids of one day's missions in Tempo 2050."""
    return {m.id for d, m in content().scenarios["tempo-2050"].missions() if d.day == day}


def test_phone_sees_day_two_when_its_job_fires(
    phones: dict[str, SocketIOTestClient], clock: Clock, scheduler: DayScheduler
) -> None:
    """At 09:30 in Paris the day-2 job runs: each phone gets `day.unlocked`, then day 2's map."""
    alice = phones["alice"]
    before = call(alice, "state", {})["snapshot"]
    assert before["day"]["number"] == 1
    assert not day_missions(2) & {m["id"] for m in before["missions"]}
    alice.get_received(NS)
    phones["chloe"].get_received(NS)

    job = next(j for j in scheduler.jobs() if j.id.endswith(":2:unlock"))
    clock.now = job.next_run_time
    job.func(*job.args)

    title = content().scenarios["tempo-2050"].days[1].title
    for phone in phones.values():
        events = team_events(phone)
        assert [(e["type"], e["day"], e["title"]) for e in events] == [("day.unlocked", 2, title)]
    after = call(alice, "state", {})["snapshot"]
    assert after["version"] == before["version"] + 1
    assert after["day"]["number"] == 2 and after["day"]["title"] == title
    assert day_missions(2) <= {m["id"] for m in after["missions"]}
    assert [d["open"] for d in after["days"]][:3] == [True, True, False]


def test_pause_and_resume_reach_the_phones(
    app: Flask, demo: Demo, phones: dict[str, SocketIOTestClient], clock: Clock
) -> None:
    """The counsellor pauses: phones get `cohort.paused` and a paused snapshot; then resumes."""
    alice = phones["alice"]
    alice.get_received(NS)
    with app.app_context():
        publish(calendar.pause_cohort(db.session, demo.cohort_id, clock.now))
    assert [e["type"] for e in team_events(alice)] == ["cohort.paused"]
    paused = call(alice, "state", {})["snapshot"]
    assert paused["cohort"]["status"] == "paused"
    assert paused["missions"] == []
    mission_id = sorted(day_missions(1))[0]
    refused = call(alice, "view", {"mission": mission_id})
    assert refused["ok"] is False
    # The phone says why: the pause, not « pas encore disponible ».
    assert refused["error"]["code"] == "cohort_paused"
    assert "en pause" in refused["error"]["message"]
    acted = call(
        alice, "action", {"id": "p-1", "mission": mission_id, "kind": "answer", "data": {}}
    )
    assert acted["ok"] is False and acted["error"]["code"] == "cohort_paused"

    clock.now += timedelta(minutes=2)  # day 2's hour passes during the pause
    with app.app_context():
        publish(calendar.resume_cohort(db.session, demo.cohort_id, clock.now))
    kinds = [(e["type"], e.get("day")) for e in team_events(alice)]
    assert kinds == [
        ("cohort.resumed", None),
        ("day.closed", 1),
        ("recap.ready", 1),
        ("day.unlocked", 2),
    ]
    resumed = call(alice, "state", {})["snapshot"]
    assert resumed["cohort"]["status"] == "running"
    assert resumed["day"]["number"] == 2


def test_a_closed_day_is_marked_in_the_snapshot(
    app: Flask, demo: Demo, phones: dict[str, SocketIOTestClient], clock: Clock
) -> None:
    """A phone that was off when day 1 closed learns it from its next snapshot (the page then
    shows the day's end once): `days[0].closed` turns true with the close."""
    alice = phones["alice"]
    before = call(alice, "state", {})["snapshot"]
    assert [d["closed"] for d in before["days"]][:2] == [False, False]
    with app.app_context():
        publish(calendar.close_day(db.session, demo.cohort_id, 1, clock.now))
    assert "day.closed" in [e["type"] for e in team_events(alice)]
    after = call(alice, "state", {})["snapshot"]
    assert [d["closed"] for d in after["days"]][:2] == [True, False]
