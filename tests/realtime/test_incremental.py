"""Phones patch their state from `team.event`s and `mission.view` pushes: no snapshot per event."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask_socketio import SocketIOTestClient

from tempo.extensions import db
from tempo.models import Cohort, utcnow
from tempo.realtime.publish import publish
from tempo.services.calendar import days as calendar
from tempo.services.cohorts import dashboard
from tests.conftest import Demo
from tests.realtime.helpers import (
    NS,
    act,
    call,
    connect,
    content,
    first_of_type,
    solve_badge,
    start_shards,
    views_in,
)


@pytest.fixture
def phones(app: Flask, demo: Demo) -> Iterator[dict[str, SocketIOTestClient]]:
    """Alice and Bilal in team 1, connected, their first messages read."""
    clients = {name: connect(app, demo.join(0, name)) for name in ("Alice", "Bilal")}
    for client in clients.values():
        client.get_received(NS)
    yield clients
    for client in clients.values():
        if client.is_connected(NS):
            client.disconnect(namespace=NS)


def _received(client: SocketIOTestClient) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The versioned events and the `mission.view` pushes received since last asked."""
    got = client.get_received(NS)
    events = [e["args"][0] for e in got if e["name"] == "team.event"]
    views = views_in(got)
    return events, views


def _apply(snap: dict[str, Any], events: list[dict[str, Any]], views: list[dict[str, Any]]) -> None:
    """What static/js/play.js does with them (the parts a snapshot would otherwise bring)."""
    missions = {m["id"]: m for m in snap["missions"]}
    for ev in events:
        assert ev["version"] == snap["version"] + 1, "no gap"
        snap["version"] = ev["version"]
        kind, m = ev["type"], missions.get(ev.get("mission", ""))
        if kind == "mission.completed":
            snap["team"].update(shards=ev["shards"], ai_strength=ev["ai_strength"])
            m["status"] = "done"  # type: ignore[index]
        elif kind == "mission.available":
            for mission_id in ev["missions"]:
                missions[mission_id]["status"] = "available"
        elif kind == "offer.unlocked":
            snap["offers"].append(ev["details"])
        elif kind == "day.unlocked":
            for card in ev["missions"]:
                missions[card["id"]] = card
            snap["day"] = ev["entry"]
            for d in snap["days"]:
                if d["number"] == ev["day"]:
                    d.update(open=True, title=ev["title"])
        elif kind == "day.closed":
            for d in snap["days"]:
                if d["number"] == ev["day"]:
                    d["closed"] = True
        elif kind == "mission.reset":
            snap["team"].update(shards=ev["shards"], ai_strength=ev["ai_strength"])
            for mission_id, status in ev["statuses"].items():
                missions[mission_id]["status"] = status
    for push in views:
        missions[push["mission"]].update(push["view"])
    snap["missions"] = list(missions.values())


def _summary(snap: dict[str, Any]) -> Any:
    return (
        snap["version"],
        snap["team"]["shards"],
        snap["team"]["ai_strength"],
        snap["day"],
        snap["days"],
        sorted(o["id"] for o in snap["offers"]),
        sorted((m["id"], m["status"], m.get("unlocks")) for m in snap["missions"]),
    )


def test_a_teammate_patches_a_completion_and_a_new_day_without_a_snapshot(
    app: Flask, demo: Demo, phones: dict[str, SocketIOTestClient]
) -> None:
    """Alice answers right, a day opens, a mission is reset: Bilal's state, patched from what
    he received alone, is the state the server would send him."""
    bilal = phones["Bilal"]
    snap = call(bilal, "sync", {"version": -1})["snapshot"]
    bilal.get_received(NS)
    badge = first_of_type("enigma")

    assert solve_badge(phones["Alice"])["ok"] is True
    events, views = _received(bilal)
    done = next(e for e in events if e["type"] == "mission.completed")
    assert done["shards"] == start_shards() + badge.reward and isinstance(done["ai_strength"], int)
    # The badge's changing parts, then each mission it opened, whole: a phone opening one of
    # those needs no `view` request (what `view` answers is what was pushed).
    opened = [
        m.id for _d, m in content().scenarios["tempo-2050"].missions() if badge.id in m.requires
    ]
    assert opened and [v["mission"] for v in views] == [badge.id, *opened]
    assert views[0]["view"]["status"] == "done" and "unlocks" in views[0]["view"]
    assert "narrative_html" not in views[0]["view"]  # what never changes is not sent again
    for push in views[1:]:
        asked = call(bilal, "view", {"mission": push["mission"]})["mission"]
        assert push["view"] == asked and asked["status"] == "available" and "play" in asked
    _apply(snap, events, views)
    assert _summary(snap) == _summary(call(bilal, "state", {})["snapshot"])

    with app.app_context():
        publish(calendar.unlock_day(db.session, demo.cohort_id, 2, utcnow()))
    events, views = _received(bilal)
    unlocked = events[0]
    assert unlocked["type"] == "day.unlocked" and unlocked["entry"]["number"] == 2
    assert {c["day"] for c in unlocked["missions"]} == {2} and unlocked["missions"]
    _apply(snap, events, views)
    assert _summary(snap) == _summary(call(bilal, "state", {})["snapshot"])

    with app.app_context():
        cohort = db.session.get(Cohort, demo.cohort_id)
        assert cohort is not None
        publish(dashboard.reset_mission(db.session, cohort, demo.team_ids[0], badge.id, utcnow()))
    events, views = _received(bilal)
    assert events[0]["type"] == "mission.reset" and events[0]["statuses"][badge.id] == "available"
    _apply(snap, events, views)
    fresh = call(bilal, "state", {})["snapshot"]
    assert _summary(snap)[:5] == _summary(fresh)[:5]
    assert {m["id"]: m["status"] for m in snap["missions"]} == {
        m["id"]: m["status"] for m in fresh["missions"]
    }


def test_each_player_is_pushed_their_own_fragments(app: Flask, demo: Demo) -> None:
    """A split clue's fragments differ per player: each phone is pushed its own, in its room."""
    split = first_of_type("split-clue")
    clients = [connect(app, demo.join(0, f"Joueur {n}")) for n in range(3)]
    solve_badge(clients[0])  # opens the split clue
    for client in clients:
        client.get_received(NS)
    late = connect(app, demo.join(0, "Joueur 3"))  # a fourth phone: fragments dealt again
    for client in clients:
        _events, views = _received(client)
        mine = [v for v in views if v["mission"] == split.id]
        assert len(mine) == 1, "one push, to this player's own room"
        fresh = call(client, "view", {"mission": split.id})["mission"]
        assert mine[0]["view"]["play"]["fragments"] == fresh["play"]["fragments"]
    for client in [*clients, late]:
        client.disconnect(namespace=NS)


def test_a_split_clue_answer_is_one_frame_and_leaves_each_fragment_with_its_holder(
    app: Flask, demo: Demo
) -> None:
    """A wrong answer on a split clue: each of three phones receives one frame, the event with
    the clue's shared part (its attempts); nobody's fragments are sent again, and each phone's
    view, patched from it, is the one `view` reads back."""
    split = first_of_type("split-clue")
    clients = [connect(app, demo.join(0, f"Joueur {n}")) for n in range(3)]
    try:
        solve_badge(clients[0])  # opens the split clue
        held = {}
        for n, client in enumerate(clients):
            client.get_received(NS)
            held[n] = call(client, "view", {"mission": split.id})["mission"]
        assert act(clients[1], split.id, "answer", answer="faux")["error"]["code"] == "wrong_answer"
        for n, client in enumerate(clients):
            got = client.get_received(NS)
            assert [f["name"] for f in got] == ["team.event"], n
            (push,) = views_in(got)
            assert push["mission"] == split.id and push["part"] is True
            assert "fragments" not in push["view"]["play"]
            assert push["view"]["play"]["attempts"] == held[n]["play"]["attempts"] + 1
            mine = held[n]
            mine.update({k: v for k, v in push["view"].items() if k != "play"})
            mine["play"] = {**mine["play"], **push["view"]["play"]}
            assert mine == call(client, "view", {"mission": split.id})["mission"]
    finally:
        for client in clients:
            client.disconnect(namespace=NS)


def test_pushes_after_an_action_match_the_views_read_back(
    phones: dict[str, SocketIOTestClient],
) -> None:
    """The `mission.view` pushes after an action are drawn from the action's own result, not
    read again from the database: they are what a `view` request reads back."""
    alice, bilal = phones["Alice"], phones["Bilal"]
    solve_badge(alice)  # the badge done, the missions it opens available
    _events, views = _received(bilal)
    assert views, "the touched missions are pushed"
    for push in views:
        fresh = call(bilal, "view", {"mission": push["mission"]})["mission"]
        assert push["view"] == {k: fresh[k] for k in push["view"]}, push["mission"]
        assert set(push["view"]) >= {"status", "hints"}
