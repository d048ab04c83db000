"""A paused cohort plays nothing, by every way in, and records nothing; resuming plays on."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_socketio import SocketIOTestClient
from sqlalchemy import func, select

from tempo.extensions import db
from tempo.models import (
    ClientAction,
    Cohort,
    MissionProgress,
    ShardEntry,
    Team,
    TeamEvent,
    WrongAttempt,
    utcnow,
)
from tempo.realtime.publish import publish
from tempo.services.calendar import days as calendar
from tempo.services.cohorts.dashboard import review_proof
from tempo.services.play import checkpoints
from tests.conftest import Demo
from tests.realtime.helpers import NS, act, call, connect, first_of_type, solve_badge, team_events

SECRET = "test-secret"
PAUSED = "cohort_paused"


@pytest.fixture
def team(app: Flask, demo: Demo) -> Iterator[dict[str, Any]]:
    """Alice and Bilal on sockets and Inès on plain HTTP, all in the first team."""
    alice = connect(app, demo.join(0, "Alice"))
    bilal = connect(app, demo.join(0, "Bilal"))
    ines = app.test_client()
    ines.post("/retour", data={"rejoin": demo.join(0, "Inès")})
    yield {"alice": alice, "bilal": bilal, "ines": ines}
    for client in (alice, bilal):
        if client.is_connected(NS):
            client.disconnect(namespace=NS)


def _recorded(app: Flask, team_id: int) -> dict[str, Any]:
    """Everything an action could have written for the team."""
    with app.app_context():
        found = db.session.get(Team, team_id)
        assert found is not None

        def count(model: Any) -> int:
            return db.session.scalar(
                select(func.count()).select_from(model).where(model.team_id == team_id)
            )

        progress = db.session.scalars(
            select(MissionProgress).where(MissionProgress.team_id == team_id)
        ).all()
        return {
            "version": found.version,
            "shards": found.shards,
            "ai": found.ai_strength,
            "flags": dict(found.flags),
            "wrong": count(WrongAttempt),
            "client_actions": count(ClientAction),
            "shard_entries": count(ShardEntry),
            "events": count(TeamEvent),
            "progress": {
                p.mission_id: (p.status.value, dict(p.state), p.hints_used, p.wrong_attempts)
                for p in progress
            },
        }


def _set_paused(app: Flask, cohort_id: int, paused: bool) -> None:
    """What the console's « Mettre en pause » / « Reprendre » button runs."""
    with app.app_context():
        if paused:
            out = calendar.pause_cohort(db.session, cohort_id, utcnow())
        else:
            out = calendar.resume_cohort(db.session, cohort_id, utcnow())
        publish(out)


def _open_day(app: Flask, cohort_id: int, number: int) -> None:
    with app.app_context():
        cohort = db.session.get(Cohort, cohort_id)
        assert cohort is not None
        cohort.days[number - 1].unlocked_at = utcnow()
        db.session.commit()


def _refused(ack: dict[str, Any]) -> bool:
    return (
        ack["ok"] is False and ack["error"]["code"] == PAUSED and "pause" in ack["error"]["message"]
    )


def test_a_paused_cohort_refuses_every_way_in_and_records_nothing(
    app: Flask, demo: Demo, team: dict[str, Any]
) -> None:
    """Answers, choices, hints, proofs and scans are refused during the pause; then play on."""
    alice: SocketIOTestClient = team["alice"]
    bilal: SocketIOTestClient = team["bilal"]
    ines: FlaskClient = team["ines"]
    clue, dialogue, proof = (
        first_of_type("split-clue"),
        first_of_type("dialogue"),
        first_of_type("proof"),
    )
    qr = first_of_type("qr-checkpoint", day=6)
    checkpoint = qr.params["checkpoints"][0]["id"]
    _open_day(app, demo.cohort_id, 6)
    # Missions in progress: the badge solved (shards to spend), a wrong guess, a dialogue begun.
    assert solve_badge(alice)["ok"] is True
    assert act(alice, clue.id, "answer", answer="faux")["error"]["code"] == "wrong_answer"
    # Two phones are present: a dialogue step is decided by both votes.
    assert act(alice, dialogue.id, "choose", node="accueil", choice=1)["ok"] is True
    assert act(bilal, dialogue.id, "choose", node="accueil", choice=1)["ok"] is True
    _set_paused(app, demo.cohort_id, True)
    assert [e["type"] for e in team_events(bilal)][-1] == "cohort.paused"
    before = _recorded(app, demo.team_ids[0])
    assert before["progress"][clue.id][0] == "in_progress"

    right = act(alice, clue.id, "answer", "clue-right", answer=clue.params["answers"][0])
    assert _refused(right)
    for n in range(12):  # more than the rate limit: none of them counts
        assert _refused(act(alice, clue.id, "answer", answer=f"faux {n}"))
    choice = act(alice, dialogue.id, "choose", "dialogue-1", node="contrat", choice=0)
    assert _refused(choice)
    hint = call(alice, "hint", {"id": "hint-1", "mission": clue.id, "index": 0})
    assert _refused(hint)
    uploaded = ines.post(f"/jouer/preuve/{proof.id}", data={"id": "proof-1", "text": "Nos règles"})
    assert uploaded.status_code == 400 and _refused(uploaded.get_json())
    scanned = ines.get(f"/q/{checkpoints.sign(SECRET, demo.cohort_id, checkpoint)}")
    assert scanned.status_code == 400 and "Le jeu est en pause" in scanned.get_data(as_text=True)
    code = checkpoints.short_code(SECRET, demo.cohort_id, checkpoint)
    typed = ines.post("/jouer/balise", json={"code": code})
    assert typed.status_code == 400 and _refused(typed.get_json())
    # The phones are told why, and the state says the pause.
    assert _refused(call(alice, "view", {"mission": clue.id}))
    assert call(alice, "state", {})["snapshot"]["cohort"]["status"] == "paused"
    assert _recorded(app, demo.team_ids[0]) == before
    assert team_events(bilal) == []

    _set_paused(app, demo.cohort_id, False)
    assert "cohort.resumed" in [e["type"] for e in team_events(bilal)]
    # The same client ids are applied now, not answered with the pause.
    bought = call(alice, "hint", {"id": "hint-1", "mission": clue.id, "index": 0})
    assert bought["ok"] is True and "duplicate" not in bought
    again = act(alice, clue.id, "answer", "clue-right", answer=clue.params["answers"][0])
    assert again["ok"] is True and "duplicate" not in again
    chosen = act(alice, dialogue.id, "choose", "dialogue-1", node="contrat", choice=0)
    assert chosen["ok"] is True and "duplicate" not in chosen
    kinds = [e["type"] for e in team_events(bilal)]
    assert kinds.count("hint.bought") == 1 and kinds.count("mission.completed") == 1
    after = _recorded(app, demo.team_ids[0])
    assert after["wrong"] == before["wrong"] and after["progress"][clue.id][0] == "done"
    assert after["shards"] == before["shards"] - clue.hints[0].cost + clue.reward
    assert act(alice, dialogue.id, "choose", node="zzz", choice=0)["error"]["code"] != PAUSED
    assert ines.get(f"/q/{checkpoints.sign(SECRET, demo.cohort_id, checkpoint)}").status_code == 302


def test_a_counsellor_review_still_applies_during_the_pause(
    app: Flask, demo: Demo, team: dict[str, Any]
) -> None:
    """Validating a proof is the counsellor's own action: allowed while the phones wait."""
    alice: SocketIOTestClient = team["alice"]
    ines: FlaskClient = team["ines"]
    dialogue, proof = first_of_type("dialogue"), first_of_type("proof")
    assert solve_badge(alice)["ok"] is True
    bilal: SocketIOTestClient = team["bilal"]
    for node, choice in (("accueil", 1), ("contrat", 0), ("lecture", 0), ("clause", 1)):
        for phone in (alice, bilal):  # both present phones vote
            assert act(phone, dialogue.id, "choose", node=node, choice=choice)["ok"] is True
    assert ines.post(f"/jouer/preuve/{proof.id}", data={"text": "Nos règles"}).status_code == 200
    _set_paused(app, demo.cohort_id, True)
    with app.app_context():
        cohort = db.session.get(Cohort, demo.cohort_id)
        assert cohort is not None
        out = review_proof(db.session, cohort, demo.team_ids[0], proof.id, True, "Bravo", utcnow())
    assert "mission.completed" in [e["type"] for es in out.values() for e in es]
    assert _recorded(app, demo.team_ids[0])["progress"][proof.id][0] == "done"
