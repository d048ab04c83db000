"""Socket-level tests of /play: several phones in one team, one in another team."""

from __future__ import annotations

import html as htmllib
import json
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tempo import create_app
from tempo.extensions import db, socketio
from tempo.infra import db as schema
from tempo.models import utcnow
from tempo.realtime import play as play_namespace
from tempo.services.play import teamlog
from tests.conftest import Demo, make_config
from tests.realtime.helpers import (
    NS,
    act,
    call,
    connect,
    content,
    first_of_type,
    mission,
    solve_badge,
    start_shards,
    team_events,
    views_in,
)


@pytest.fixture
def phones(app: Flask, demo: Demo):  # type: ignore[no-untyped-def]
    """Alice and Bilal in team 1, Chloé in team 2, all connected."""
    codes = {
        "alice": demo.join(0, "Alice"),
        "bilal": demo.join(0, "Bilal"),
        "chloe": demo.join(1, "Chloé"),
    }
    clients = {name: connect(app, code) for name, code in codes.items()}
    for client in clients.values():
        client.get_received(NS)
    yield clients
    for client in clients.values():
        if client.is_connected(NS):
            client.disconnect(namespace=NS)


def test_unknown_rejoin_code_is_refused(app: Flask, demo: Demo) -> None:
    """A phone with a wrong personal code cannot connect."""
    client = socketio.test_client(app, namespace=NS, auth={"rejoin": "ZZZZZZZZ"})
    assert not client.is_connected(NS)


def test_presence_lists_wait_for_the_actions_already_arrived(
    app: Flask, demo: Demo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A connection's and a departure's presence list first let waiting work run (under gevent:
    tempo.infra.offload.yield_to_waiting), then reach the team."""
    yielded: list[str] = []
    monkeypatch.setattr(play_namespace, "yield_to_waiting", yielded.append)
    alice = connect(app, demo.join(0, "Alice"))
    assert yielded == [app.config["ASYNC_MODE"]]
    malo = connect(app, demo.join(0, "Malo"))
    alice.get_received(NS)
    malo.disconnect(namespace=NS)
    assert len(yielded) == 3
    lists = [e["args"][0]["online"] for e in alice.get_received(NS) if e["name"] == "presence"]
    assert len(lists) == 1 and len(lists[0]) == 1  # Malo left: Alice alone


def test_snapshot_shows_day_one_and_never_an_answer(phones) -> None:  # type: ignore[no-untyped-def]
    """The first sync gives the day-1 map; no accepted answer or code is in it."""
    reply = call(phones["alice"], "sync", {"version": -1})
    snap = reply["snapshot"]
    assert snap["day"]["number"] == 1 and snap["me"]["pseudonym"] == "Alice"
    statuses = {m["id"]: m["status"] for m in snap["missions"]}
    assert statuses[first_of_type("enigma").id] == "available"
    assert "locked" in statuses.values()
    text = json.dumps(snap, ensure_ascii=False).casefold()
    for m in (first_of_type("enigma"), first_of_type("split-clue")):
        for answer in m.params["answers"]:
            assert f'"{answer.casefold()}"' not in text
    assert '"correct"' not in text


def test_completion_syncs_the_team_live_and_nobody_else(phones) -> None:  # type: ignore[no-untyped-def]
    """Alice solves a mission: Bilal sees it at once; Chloé (other team) sees nothing."""
    reply = solve_badge(phones["alice"])
    assert reply["ok"] is True
    events = team_events(phones["bilal"])
    kinds = [e["type"] for e in events]
    assert kinds[0] == "mission.completed" and "mission.available" in kinds
    assert [e["version"] for e in events] == list(range(events[0]["version"], reply["version"] + 1))
    assert events[0]["shards"] == start_shards() + mission(events[0]["mission"]).reward
    assert team_events(phones["chloe"]) == []
    assert team_events(phones["alice"]) == events


def test_wrong_answers_are_shared_but_not_their_text(phones) -> None:  # type: ignore[no-untyped-def]
    """A wrong answer is refused with a French message; teammates see an attempt, not the text."""
    m = first_of_type("enigma")
    reply = act(phones["alice"], m.id, "answer", answer="banane volante")
    assert reply["ok"] is False and reply["error"]["code"] == "wrong_answer"
    (event,) = team_events(phones["bilal"])
    assert event["type"] == "mission.attempted"
    assert "banane" not in json.dumps(event)


def test_same_action_id_is_applied_once(phones) -> None:  # type: ignore[no-untyped-def]
    """A retried action (same id) changes nothing the second time."""
    m = first_of_type("enigma")
    first = act(phones["alice"], m.id, "answer", "retry-1", answer=m.params["answers"][0])
    again = act(phones["alice"], m.id, "answer", "retry-1", answer=m.params["answers"][0])
    assert first["ok"] and again["duplicate"] and again["version"] == first["version"]
    completed = [e for e in team_events(phones["bilal"]) if e["type"] == "mission.completed"]
    assert len(completed) == 1


def test_two_teammates_completing_together_award_once(phones) -> None:  # type: ignore[no-untyped-def]
    """Bilal's answer after Alice's is told the mission is done; shards are awarded once."""
    solve_badge(phones["alice"])
    late = solve_badge(phones["bilal"])
    assert late["ok"] is False and late["error"]["code"] == "already_done"
    snap = call(phones["bilal"], "state", {})["snapshot"]
    assert snap["team"]["shards"] == start_shards() + first_of_type("enigma").reward


def test_eleventh_wrong_answer_is_rate_limited(app: Flask, phones) -> None:  # type: ignore[no-untyped-def]
    """Ten wrong answers a minute are allowed; the 11th says when to retry; later it works."""
    m = first_of_type("enigma")
    start = utcnow()
    app.config["CLOCK"] = lambda: start
    for n in range(10):
        assert (
            act(phones["alice"], m.id, "answer", answer=f"faux {n}")["error"]["code"]
            == "wrong_answer"
        )
    limited = act(phones["alice"], m.id, "answer", answer=m.params["answers"][0])
    assert limited["error"]["code"] == "rate_limited"
    assert "Réessayez dans 60 secondes" in limited["error"]["message"]
    app.config["CLOCK"] = lambda: start + timedelta(seconds=61)
    assert act(phones["alice"], m.id, "answer", answer=m.params["answers"][0])["ok"] is True


def test_team_limit_applies_across_teammates(app: Flask, phones) -> None:  # type: ignore[no-untyped-def]
    """The team's wrong answers add up: Bilal is limited after Alice's ten."""
    m = first_of_type("enigma")
    for n in range(10):
        act(phones["alice"], m.id, "answer", answer=f"faux {n}")
    assert act(phones["bilal"], m.id, "answer", answer="faux")["error"]["code"] == "rate_limited"
    other_team = act(phones["chloe"], m.id, "answer", answer="faux")
    assert other_team["error"]["code"] == "wrong_answer"


def test_reconnect_replays_missed_events_in_order(app: Flask, phones, demo: Demo) -> None:  # type: ignore[no-untyped-def]
    """Bilal drops, Alice plays on; Bilal comes back with his version and gets what he missed."""
    seen = call(phones["bilal"], "sync", {"version": -1})["version"]
    phones["bilal"].disconnect(namespace=NS)
    solve_badge(phones["alice"])
    act(phones["alice"], first_of_type("enigma").id, "answer", answer="encore")
    with app.app_context():
        from tempo.models import Player

        code = db.session.query(Player).filter_by(pseudonym="Bilal").one().rejoin_code
    back = connect(app, code)
    reply = call(back, "sync", {"version": seen})
    assert [e["version"] for e in reply["events"]] == list(range(seen + 1, reply["version"] + 1))
    assert call(back, "sync", {"version": reply["version"]})["events"] == []
    back.disconnect(namespace=NS)


def test_far_behind_client_gets_a_snapshot(phones, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """Beyond the replay window the server sends a snapshot instead of events."""
    monkeypatch.setattr(teamlog, "MAX_REPLAY", 1)
    solve_badge(phones["alice"])
    reply = call(phones["bilal"], "sync", {"version": 0})
    assert "snapshot" in reply and reply["snapshot"]["version"] == reply["version"]


def test_malformed_and_forbidden_actions(phones) -> None:  # type: ignore[no-untyped-def]
    """Missing ids, unknown missions and server-only kinds are refused without side effects."""
    alice = phones["alice"]
    assert call(alice, "action", {"mission": "x"})["error"]["code"] == "invalid_action"
    assert call(alice, "action", "n'importe quoi")["error"]["code"] == "invalid_action"
    assert act(alice, "nope", "answer", answer="x")["error"]["code"] == "unknown_mission"
    assert act(alice, "d01-annuaire", "answer", answer="x")["error"]["code"] == "mission_locked"
    qr = first_of_type("qr-checkpoint", day=6)
    scan = act(alice, qr.id, "scan", checkpoint=qr.params["checkpoints"][0]["id"])
    assert scan["error"]["code"] == "not_allowed"
    assert team_events(phones["bilal"]) == []


def test_hints_cost_shards_and_reach_the_whole_team(phones) -> None:  # type: ignore[no-untyped-def]
    """No shards, no hint; after a success, the hint is bought and every teammate gets its text."""
    m = first_of_type("split-clue")
    poor = call(phones["alice"], "hint", {"id": "h-1", "mission": m.id, "index": 0})
    assert poor["error"]["code"] == "mission_locked" or poor["error"]["code"] == "not_enough_shards"
    solve_badge(phones["alice"])
    team_events(phones["bilal"])
    bought = call(phones["alice"], "hint", {"id": "h-2", "mission": m.id, "index": 0})
    assert bought["ok"] is True
    (event,) = team_events(phones["bilal"])
    assert event["type"] == "hint.bought" and event["text"] == m.hints[0].text
    view = call(phones["bilal"], "view", {"mission": m.id})["mission"]
    assert view["hints"][0]["text_html"] == event["text_html"]
    assert view["hints"][0]["text_html"].startswith("<p>")


def test_a_new_team_can_afford_its_first_hint(phones) -> None:  # type: ignore[no-untyped-def]
    """Teams start with the scenario's éclats: day 1's first hint is affordable at once."""
    badge = first_of_type("enigma")
    assert start_shards() >= badge.hints[0].cost
    snap = call(phones["alice"], "state", {})["snapshot"]
    assert snap["team"]["shards"] == start_shards()
    bought = call(phones["alice"], "hint", {"id": "h-first", "mission": badge.id, "index": 0})
    assert bought["ok"] is True
    (event,) = team_events(phones["bilal"])
    assert event["type"] == "hint.bought"
    assert event["shards"] == start_shards() - badge.hints[0].cost


def test_split_clue_deals_a_different_fragment_to_each_present_player(
    app: Flask, demo: Demo
) -> None:
    """Six phones present: each sees one fragment, all six are covered, none sees another's."""
    m = first_of_type("split-clue")
    clients = [connect(app, demo.join(0, f"Joueur {n}")) for n in range(6)]
    solve_badge(clients[0])
    fragments = []
    for client in clients:
        view = call(client, "view", {"mission": m.id})["mission"]
        assert view["status"] == "available"
        mine = view["play"]["fragments"]
        assert len(mine) == 1
        fragments.append(mine[0]["index"])
    assert sorted(fragments) == list(range(1, 7))
    clients[5].disconnect(namespace=NS)
    still = [
        call(c, "view", {"mission": m.id})["mission"]["play"]["fragments"] for c in clients[:5]
    ]
    assert sorted(f["index"] for fs in still for f in fs) == list(range(1, 7))
    for client in clients[:5]:
        client.disconnect(namespace=NS)


def test_fragments_stay_with_the_teammates_who_stay(tmp_path: Path, app: Flask, demo: Demo) -> None:
    """Three phones: one leaves, the two others still read the same fragments, plus theirs;
    a fresh server process on the same database deals them exactly the same."""
    m = first_of_type("split-clue")
    clients = [connect(app, demo.join(0, f"Joueur {n}")) for n in range(3)]
    solve_badge(clients[0])

    def mine(client: Any) -> list[int]:
        view = call(client, "view", {"mission": m.id})["mission"]
        return [f["index"] for f in view["play"]["fragments"]]

    before = [mine(c) for c in clients]
    assert sorted(i for held in before for i in held) == list(
        range(1, len(m.params["fragments"]) + 1)
    )
    clients[2].disconnect(namespace=NS)
    after = [mine(c) for c in clients[:2]]
    for was, now_ in zip(before, after, strict=False):
        assert set(was) <= set(now_)  # nothing taken away from those who stay
    assert sorted(i for held in after for i in held) == sorted(i for held in before for i in held)
    # Persisted in the mission's state: another process, whose phones reconnect, agrees.
    restarted = create_app(make_config(tmp_path))
    with restarted.app_context():
        schema.upgrade(db.engine)
        from tempo.models import Player

        codes = [
            db.session.query(Player).filter_by(pseudonym=f"Joueur {n}").one().rejoin_code
            for n in range(2)
        ]
    for client in clients[:2]:
        client.disconnect(namespace=NS)
    again = [connect(restarted, code) for code in codes]
    assert [mine(c) for c in again] == after
    for client in again:
        client.disconnect(namespace=NS)


def test_state_survives_a_server_restart(  # type: ignore[no-untyped-def]
    app: Flask, tmp_path: Path, demo: Demo, phones, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new server process on the same database restores exactly the same team state."""
    solve_badge(phones["alice"])
    act(phones["alice"], first_of_type("dialogue").id, "choose", choice=0)
    # Presence belongs to a server process (split-clue fragments are dealt over it): with only
    # Alice connected before and after, both processes deal her the same fragments.
    phones["bilal"].disconnect(namespace=NS)
    # One instant for both processes: the dialogue's vote shows the seconds it has left.
    instant = utcnow()
    monkeypatch.setitem(app.config, "CLOCK", lambda: instant)
    before = call(phones["alice"], "state", {})["snapshot"]
    restarted = create_app(make_config(tmp_path))
    restarted.config["CLOCK"] = lambda: instant
    with restarted.app_context():
        schema.upgrade(db.engine)
        from tempo.models import Player

        code = db.session.query(Player).filter_by(pseudonym="Alice").one().rejoin_code
    client = connect(restarted, code)
    after = call(client, "state", {})["snapshot"]
    before["players"] = after["players"] = None  # who is online is each process's own view
    assert after == before
    client.disconnect(namespace=NS)


# ---------------------------------------------------------------- authored texts


def _text(html: str | None) -> str:
    """The words of a rendered Markdown field, tags and entities removed, on one line."""
    inline = re.sub(r"</?(strong|em|a|code)\b[^>]*>", "", html or "")
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", inline)).split())


def _words(markdown: str) -> str:
    """The words of an authored Markdown text, emphasis markers removed, on one line."""
    return " ".join(markdown.replace("**", "").split())


def _view(client, mission_id: str) -> dict:  # type: ignore[no-untyped-def,type-arg]
    reply = call(client, "view", {"mission": mission_id})
    assert reply["ok"] is True, reply
    return reply["mission"]  # type: ignore[no-any-return]


def _choose_text(client, mission_id: str, text: str, *more) -> None:  # type: ignore[no-untyped-def]
    """Vote, from each of these phones, for the visible reply with this text in the dialogue's
    current node (Tempo 2050 decides by a vote of the players present)."""
    play = _view(client, mission_id)["play"]
    for phone in (client, *more):
        choice = play["choices"].index(text)
        reply = act(phone, mission_id, "vote", node=play["node"], choice=choice)
        assert reply["ok"] is True, reply


def _hasty_path(dialogue) -> list[str]:  # type: ignore[no-untyped-def]
    """Replies through the dialogue to its first reply with a reaction, then to success."""
    nodes = {n["id"]: n for n in dialogue.params["nodes"]}
    hasty = next(
        (node, c)
        for node in nodes.values()
        for c in node["choices"]
        if c.get("reaction") and c.get("next")
    )
    start = nodes[dialogue.params["start"]]
    into = next(c for c in start["choices"] if c.get("next") == hasty[0]["id"])
    out = next(c for c in nodes[hasty[1]["next"]]["choices"] if c.get("end") == "success")
    return [into["text"], hasty[1]["text"], out["text"]]


def test_snapshot_tells_the_story_the_goal_the_opponent_and_the_voices(phones) -> None:  # type: ignore[no-untyped-def]
    """The snapshot carries the scenario's tagline, story, goal, AI description and voices."""
    meta = content().scenarios["tempo-2050"].meta
    snap = call(phones["alice"], "sync", {"version": -1})["snapshot"]
    about = snap["adventure"]
    assert (about["title"], about["tagline"]) == (meta.title, meta.tagline)
    assert "<strong>2050</strong>" in about["story_html"]
    assert _text(about["story_html"]) == _words(meta.story)
    assert meta.collective_goal and _text(about["collective_goal_html"]) == _words(
        meta.collective_goal
    )
    assert meta.ai.description and _text(about["ai_description_html"]) == _words(
        meta.ai.description
    )
    assert "story" not in about and "collective_goal" not in about  # Markdown only as HTML
    # The page shows the day count and composed sentences about the opponent (no French in JS).
    assert about["day_count"] == 10
    assert about["opponent"]["name"] == "KRONOS"
    assert about["opponent"]["weakens"] == "KRONOS faiblit\u00a0!"
    assert about["opponent"]["about"] == "L'adversaire\u00a0: KRONOS"
    for character in content().scenarios["tempo-2050"].characters:
        assert snap["characters"][character.id]["voice"] == character.voice


def test_dialogue_reaction_reaches_the_team_after_the_choice_and_not_before(phones) -> None:  # type: ignore[no-untyped-def]
    """The authored reaction is in no view before its reply is chosen; then every teammate
    gets it rendered, with the character who says it."""
    dialogue = mission("d01-contrat")
    contrat = next(n for n in dialogue.params["nodes"] if n["id"] == "contrat")
    hasty = next(c for c in contrat["choices"] if c.get("reaction"))
    reactions = [
        c["reaction"] for n in dialogue.params["nodes"] for c in n["choices"] if c.get("reaction")
    ]
    solve_badge(phones["alice"])
    first = next(n for n in dialogue.params["nodes"] if n["id"] == dialogue.params["start"])
    to_contract = next(c for c in first["choices"] if c.get("next") == "contrat")
    _choose_text(phones["alice"], dialogue.id, to_contract["text"], phones["bilal"])
    before = json.dumps(_view(phones["bilal"], dialogue.id), ensure_ascii=False)
    assert not any(r in before for r in reactions)
    assert _view(phones["bilal"], dialogue.id)["play"]["reaction_html"] is None

    _choose_text(phones["alice"], dialogue.id, hasty["text"], phones["bilal"])
    for phone in ("alice", "bilal"):
        play = _view(phones[phone], dialogue.id)["play"]
        assert _text(play["reaction_html"]) == _words(hasty["reaction"])
        assert (play["reaction_speaker"], play["reaction_to"]) == ("maya", hasty["text"])
        assert play["node"] == hasty["next"]  # the next line comes with it
        assert "reaction" not in play  # Markdown is sent as sanitised HTML only


def test_quiz_explanations_reach_the_team_only_after_it_submitted(phones) -> None:  # type: ignore[no-untyped-def]
    """Before a submission no explanation is sent; after a wrong one every teammate sees,
    per question, whether it was right and its explanation."""
    quiz = mission("d01-cej-quiz")
    explanations = [q["explanation"] for q in quiz.params["questions"]]
    solve_badge(phones["alice"])
    dialogue = mission("d01-contrat")
    for text in _hasty_path(dialogue):
        _choose_text(phones["alice"], dialogue.id, text, phones["bilal"])
    snap = json.dumps(call(phones["bilal"], "sync", {"version": -1}), ensure_ascii=False)
    fresh = _view(phones["bilal"], quiz.id)
    assert fresh["status"] == "available"
    for sent in (snap, json.dumps(fresh, ensure_ascii=False)):
        assert "explanation" not in sent and "answered_right" not in sent
        assert not any(_words(e)[:40] in sent for e in explanations)

    wrong = [
        [next(i for i, c in enumerate(q["choices"]) if not c.get("correct"))]
        for q in quiz.params["questions"]
    ]
    wrong[0] = [
        next(i for i, c in enumerate(quiz.params["questions"][0]["choices"]) if c.get("correct"))
    ]
    assert act(phones["alice"], quiz.id, "vote", round=0, answers=wrong)["ok"] is True
    reply = act(phones["bilal"], quiz.id, "vote", round=0, answers=wrong)
    assert reply["ok"] is False and reply["error"]["code"] == "wrong_answer"
    for phone in ("alice", "bilal"):
        questions = _view(phones[phone], quiz.id)["play"]["questions"]
        assert [q["answered_right"] for q in questions] == [True] + [False] * (len(questions) - 1)
        assert [_text(q["explanation_html"]) for q in questions] == [
            _words(e) for e in explanations
        ]
        assert all("correct" not in q and "explanation" not in q for q in questions)


def test_a_vote_is_seen_live_and_the_majority_applies_once(app: Flask, demo: Demo) -> None:
    """Three phones: Alice's proposal reaches the others as a versioned `mission.updated` and a
    `mission.view` with her vote; Bilal's vote for the same reply decides, once; a late vote
    for that node is refused as stale and records nothing."""
    names = ("alice", "bilal", "dora")
    clients = {n: connect(app, demo.join(0, n.title())) for n in names}
    try:
        for client in clients.values():
            client.get_received(NS)
        solve_badge(clients["alice"])
        dialogue = mission("d01-contrat")
        for client in clients.values():
            client.get_received(NS)
        play = _view(clients["alice"], dialogue.id)["play"]
        assert play["decision"] == "vote" and play["votes"] == []
        assert act(clients["alice"], dialogue.id, "vote", node=play["node"], choice=1)["ok"]
        for name in ("bilal", "dora"):
            got = clients[name].get_received(NS)
            events = [e["args"][0] for e in got if e["name"] == "team.event"]
            assert [(e["type"], e["vote"]["choice"]) for e in events] == [("mission.updated", 1)]
            views = views_in(got)
            assert views[-1]["view"]["play"]["votes"] == [
                {"player": str(demo_player_id(clients[name], "Alice")), "choice": 1}
            ]
            assert views[-1]["view"]["play"]["node"] == play["node"]
        assert act(clients["bilal"], dialogue.id, "vote", node=play["node"], choice=1)["ok"]
        after = _view(clients["dora"], dialogue.id)["play"]
        assert after["node"] != play["node"] and after["votes"] == []
        assert after["history"][-1]["choice"] == play["choices"][1]
        late = act(clients["dora"], dialogue.id, "vote", node=play["node"], choice=0)
        assert late["ok"] is False and late["error"]["code"] == "stale"
        assert _view(clients["dora"], dialogue.id)["play"]["history"] == after["history"]
    finally:
        for client in clients.values():
            client.disconnect(namespace=NS)


def demo_player_id(client, pseudonym: str) -> int:  # type: ignore[no-untyped-def]
    """The id of the teammate with this pseudonym, from the phone's snapshot."""
    snap = call(client, "sync", {"version": -1})["snapshot"]
    return next(p["id"] for p in snap["players"] if p["pseudonym"] == pseudonym)  # type: ignore[no-any-return]
