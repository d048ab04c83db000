"""The review queue: every pending proof of every day, oldest first, closed days included."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask

from tempo.extensions import db
from tempo.models import Cohort, Player, utcnow
from tempo.services.calendar import days as calendar
from tempo.services.cohorts import dashboard as console
from tempo.services.cohorts.reviews import pending_count, pending_proofs
from tempo.services.play.actions import perform
from tests.conftest import Demo

# Photo names are the server's (32 hex digits): the proof mission refuses any other.
CHLOE_PHOTO = "c" * 32 + ".jpg"


def _player(pseudonym: str) -> Player:
    return db.session.scalars(db.select(Player).filter_by(pseudonym=pseudonym)).one()


def _cohort(demo: Demo) -> Cohort:
    cohort = db.session.get(Cohort, demo.cohort_id)
    assert cohort is not None
    db.session.refresh(cohort)
    return cohort


def test_pending_proofs_of_several_days_oldest_first(app: Flask, demo: Demo) -> None:
    demo.join(0, "Alice")
    demo.join(1, "Chloé")
    start = utcnow()
    with app.app_context():
        assert pending_proofs(db.session, _cohort(demo)) == []
        for day in range(2, 11):
            calendar.unlock_day(db.session, demo.cohort_id, day, start)
        alice, chloe = _player("Alice"), _player("Chloé")
        sends = [
            (alice, "d09-notre-projet", {"text": "Notre projet : un café solidaire."}, 0),
            (chloe, "d06-photo-repere", {"photo": CHLOE_PHOTO}, 5),
            (alice, "d06-photo-repere", {"photo": "a" * 32 + ".jpg"}, 12),
        ]
        for player, mission, data, minutes in sends:
            at = start + timedelta(minutes=minutes)
            action_id = f"p-{mission}-{player.id}"
            reply = perform(db.session, player, action_id, mission, "submit", data, at)
            assert reply.ok, reply.error
        calendar.close_day(db.session, demo.cohort_id, 6, start + timedelta(minutes=20))

        queue = pending_proofs(db.session, _cohort(demo))
        assert [(p.team, p.mission_id, p.day, p.player) for p in queue] == [
            (demo.names[0], "d09-notre-projet", 9, "Alice"),
            (demo.names[1], "d06-photo-repere", 6, "Chloé"),  # day 6 is closed: still there
            (demo.names[0], "d06-photo-repere", 6, "Alice"),
        ]
        assert queue[0].text == "Notre projet : un café solidaire." and queue[0].photo is None
        assert queue[1].photo == CHLOE_PHOTO
        now = start + timedelta(minutes=95)
        assert [p.waited(now) for p in queue] == ["1 h 35", "1 h 30", "1 h 23"]
        assert queue[2].waited(start + timedelta(minutes=12, seconds=30)) == "moins d'une minute"

        # Reviewed from the queue (the dashboard's own review): it leaves the queue.
        out = console.review_proof(
            db.session, _cohort(demo), demo.team_ids[1], "d06-photo-repere", True, "Bravo", now
        )
        assert [e["type"] for e in out[demo.team_ids[1]]] == ["mission.completed"]
        assert [p.team for p in pending_proofs(db.session, _cohort(demo))] == [demo.names[0]] * 2
        assert pending_count(db.session, _cohort(demo)) == 2
