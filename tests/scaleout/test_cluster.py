"""The scale-out shape on real PostgreSQL and Redis: two `tempo serve --worker`, one scheduler.

Each test gets a fresh PostgreSQL schema and a Redis channel of its own (tests/scaleout/conftest.py)
and starts real processes; phones are python-socketio clients over WebSocket.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import redis
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tempo.models import CohortDay, PlayerRecap, TeamEvent, TeamRecap, utcnow
from tests.realtime.helpers import first_of_type, start_shards
from tests.scaleout.cluster import Cluster, Phone, drain

ENIGMA = first_of_type("enigma")  # day 1's first mission, available at once
SPLIT = first_of_type("split-clue")  # requires the enigma; six fragments dealt over the team


def _fragments(phone: Phone) -> set[int]:
    view = phone.call("view", {"mission": SPLIT.id})
    assert view["ok"], view
    return {f["index"] for f in view["mission"]["play"]["fragments"]}


def _completed(phone: Phone, mission: str) -> dict[str, object]:
    """The mission.completed event a phone received for `mission`."""
    found = [e for e in phone.seen if e["type"] == "mission.completed" and e["mission"] == mission]
    assert len(found) == 1, phone.seen
    return found[0]


def _progress(snapshot: dict[str, Any]) -> dict[str, Any]:
    """What a reconnecting player must find intact (not who is online, nor split-clue dealing)."""
    missions = [{k: v for k, v in m.items() if k != "play"} for m in snapshot["missions"]]
    kept = {"version", "me", "team", "cohort", "day", "days", "offers"}
    return {**{k: v for k, v in snapshot.items() if k in kept}, "missions": missions}


def test_teammates_on_two_workers_see_each_other(cluster: Cluster) -> None:
    """Presence, actions and split-clue dealing span the two processes; other teams see nothing."""
    cluster.start("a", "b", scheduler=False)
    a, b = cluster.workers["a"], cluster.workers["b"]
    alice_id, alice = cluster.phone(0, "Alice")
    bilal_id, bilal = cluster.phone(0, "Bilal")
    _chloe_id, chloe = cluster.phone(1, "Chloé")
    alice.connect(a)
    bilal.connect(b)
    chloe.connect(b)

    both = [alice_id, bilal_id]
    alice.presence_where(lambda online: online == both, "Bilal (worker b) online")
    bilal.presence_where(lambda online: online == both, "Alice (worker a) online")
    snapshot = bilal.call("state", {})["snapshot"]
    assert {p["pseudonym"] for p in snapshot["players"] if p["online"]} == {"Alice", "Bilal"}

    # Alice acts on worker a; Bilal, on worker b, receives every event of it through Redis.
    ack = alice.act(ENIGMA.id, "answer", answer=ENIGMA.params["answers"][0])
    assert ack["ok"], ack
    bilal.event_with(ack["version"])
    assert _completed(bilal, ENIGMA.id)["by"] == alice_id

    # Fragments are dealt over the players of both processes: three each, none twice.
    mine, theirs = _fragments(alice), _fragments(bilal)
    assert len(mine) == len(theirs) == 3
    assert mine | theirs == set(range(1, 7)) and not mine & theirs

    # Bilal answers on worker b; Alice, on worker a, sees the mission done.
    ack = bilal.act(SPLIT.id, "answer", answer=SPLIT.params["answers"][0])
    assert ack["ok"], ack
    alice.event_with(ack["version"])
    assert _completed(alice, SPLIT.id)["by"] == bilal_id
    assert alice.version == bilal.version == ack["version"] == cluster.team_version(0)

    # Chloé, in the other team on worker b, got none of team 1's events.
    assert drain(chloe.events) == []


def test_a_killed_workers_players_reconnect_to_the_other_with_state_intact(
    cluster: Cluster,
) -> None:
    """SIGKILL mid-game: its phones resume on the live worker at the same version and progress."""
    cluster.start("a", "b", scheduler=False)
    a, b = cluster.workers["a"], cluster.workers["b"]
    alice_id, alice = cluster.phone(0, "Alice")
    bilal_id, bilal = cluster.phone(0, "Bilal")
    chloe_id, chloe = cluster.phone(0, "Chloé")
    alice.connect(a)
    bilal.connect(b)
    chloe.connect(b)
    everyone = [alice_id, bilal_id, chloe_id]
    alice.presence_where(lambda online: online == everyone, "the three online")

    ack = bilal.act(ENIGMA.id, "answer", answer=ENIGMA.params["answers"][0])
    assert ack["ok"], ack
    wrong = alice.act(SPLIT.id, "answer", answer="pas-ça")
    assert wrong["error"]["code"] == "wrong_answer"
    bilal.event_with(wrong["version"])
    before = bilal.call("state", {})["snapshot"]
    assert before["version"] == wrong["version"] == bilal.version

    b.kill()
    assert b.process.proc.returncode == -9

    # nginx sends Bilal's phone to the live worker; it syncs from its last version.
    last = bilal.version
    bilal.connect(a)
    sync = bilal.call("sync", {"version": last})
    assert sync == {"ok": True, "version": last, "events": []}
    after = bilal.call("state", {})["snapshot"]
    assert _progress(after) == _progress(before)
    assert after["team"]["shards"] == start_shards() + ENIGMA.reward
    statuses = {m["id"]: m["status"] for m in after["missions"]}
    assert (statuses[ENIGMA.id], statuses[SPLIT.id]) == ("done", "in_progress")

    # Chloé's phone stays off: the dead worker's heartbeat lapses and worker a tells the team.
    online = alice.presence_where(lambda o: chloe_id not in o, "Chloé gone with her worker")
    assert online == [alice_id, bilal_id]

    # Play goes on from the same state.
    ack = bilal.act(SPLIT.id, "answer", answer=SPLIT.params["answers"][0])
    assert ack["ok"] and ack["version"] > last, ack
    alice.event_with(ack["version"])
    assert a.process.proc.poll() is None


def test_sigterm_stops_a_worker_cleanly_and_withdraws_its_phones(cluster: Cluster) -> None:
    """A stopped worker exits 0 and its phones leave the shared online list at once."""
    cluster.start("a", "b", scheduler=False)
    a, b = cluster.workers["a"], cluster.workers["b"]
    alice_id, alice = cluster.phone(0, "Alice")
    bilal_id, bilal = cluster.phone(0, "Bilal")
    alice.connect(a)
    bilal.connect(b)
    alice.presence_where(lambda online: online == [alice_id, bilal_id], "both online")

    assert b.terminate() == 0
    assert "Tempo arrêté." in b.process.output()
    # No waiting for a heartbeat to expire: the worker withdrew its entries before exiting.
    store = redis.Redis.from_url(cluster.redis_url)
    team_key = f"tempo:{cluster.channel}:presence:team:{cluster.team_ids[0]}"
    entries = [value.decode() for value in store.hvals(team_key)]
    store.close()
    assert [entry.split("|")[0] for entry in entries] == [str(alice_id)]
    online = alice.presence_where(lambda o: bilal_id not in o, "Bilal gone")
    assert online == [alice_id]


def test_the_day_closes_once_with_two_workers_and_the_scheduler(cluster: Cluster) -> None:
    """The scheduler closes day 1 once; phones on both workers hear it once; no worker clock."""
    cluster.start("a", "b")
    a, b = cluster.workers["a"], cluster.workers["b"]
    _, alice = cluster.phone(0, "Alice")
    _, bilal = cluster.phone(0, "Bilal")
    _, chloe = cluster.phone(1, "Chloé")
    alice.connect(a)
    bilal.connect(b)
    chloe.connect(a)

    # Day 1's recap hour comes in a second; the scheduler re-reads the calendar every second.
    cluster.set_day(1, recap_at=utcnow() + timedelta(seconds=1))
    for phone in (alice, bilal, chloe):
        assert phone.event_of_type("day.closed")["day"] == 1

    # One event after the close in each team: a second day.closed would have come before it.
    for team_phones in ((alice, bilal), (chloe,)):
        ack = team_phones[0].act(ENIGMA.id, "answer", answer="pas-ça")
        for phone in team_phones:
            phone.event_with(ack["version"])
    for phone in (alice, bilal, chloe):
        assert [e["day"] for e in phone.seen if e["type"] == "day.closed"] == [1], phone.name
        assert [e["day"] for e in phone.seen if e["type"] == "recap.ready"] == [1], phone.name

    with Session(cluster.engine) as session:
        day = session.scalar(
            select(CohortDay).where(CohortDay.cohort_id == cluster.cohort_id, CohortDay.number == 1)
        )
        assert day is not None and day.closed_at is not None
        closes = session.execute(
            select(TeamEvent.team_id, func.count())
            .where(TeamEvent.type == "day.closed")
            .group_by(TeamEvent.team_id)
        ).all()
    assert sorted(tuple(row) for row in closes) == [(team, 1) for team in sorted(cluster.team_ids)]
    with Session(cluster.engine) as session:
        # The recap job ran once: one team recap per team, one player recap per player.
        team_recaps = session.execute(
            select(TeamRecap.team_id, TeamRecap.day).order_by(TeamRecap.team_id)
        ).all()
        player_recaps = session.scalar(select(func.count()).select_from(PlayerRecap))
    assert [tuple(r) for r in team_recaps] == [(team, 1) for team in sorted(cluster.team_ids)]
    assert player_recaps == 3

    scheduler = cluster.others[0]
    assert scheduler.output().count("jour 1 clos") == 1, scheduler.output()
    for worker in (a, b):
        # TEMPO_SCHEDULER is left at "inprocess": --worker runs no clock all the same.
        assert "sans ordonnanceur" in worker.process.output()
        assert "Ordonnanceur" not in worker.process.output(), worker.process.output()
