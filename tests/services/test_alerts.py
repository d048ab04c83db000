"""The dashboard's alerts: each rule as a pure function of the teams' facts, then on the demo.

The rules: a started team that stalls, repeated wrong answers on one mission of any open day,
every player gone offline during play, a proof waiting, and (gently) a team that joined but has
not started long after its day opened. An empty team or a team that has not started raises no
alarm; a dismissed alert stays dismissed for everyone until its situation changes.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from flask import Flask

from tempo.extensions import db
from tempo.models import Cohort, Player, Team, utcnow
from tempo.services.calendar import days as calendar
from tempo.services.cohorts import alerts
from tempo.services.cohorts import dashboard as console
from tempo.services.cohorts.alerts import MissionFacts, TeamFacts, Thresholds
from tempo.services.play.actions import perform
from tests.conftest import Demo

OPENED = datetime(2026, 3, 23, 8, 30, tzinfo=UTC)  # day 1 opened (09:30 in Paris)
LIMITS = Thresholds()  # stall 20 min, 4 wrong in 30 min, offline 5, proof 10, idle 30


def _mission(mission_id: str = "d01-badge-entree", day: int = 1, **kw: object) -> MissionFacts:
    facts = MissionFacts(id=mission_id, title=f"Mission {mission_id}", day=day, status="available")
    return replace(facts, **{"next_hint": 0, **kw})  # type: ignore[arg-type]


def _team(**kw: object) -> TeamFacts:
    facts = TeamFacts(
        id=1,
        name="Les Comètes",
        players=3,
        online=3,
        last_activity=None,
        day=1,
        day_opened_at=OPENED,
        missions=(_mission(),),
    )
    return replace(facts, **kw)  # type: ignore[arg-type]


def _kinds(found: list[alerts.Alert]) -> list[str]:
    return [a.kind for a in found]


def test_an_empty_team_raises_nothing_three_minutes_or_hours_after_day_one_opened() -> None:
    empty = _team(players=0, online=0)
    assert alerts.alerts([empty], OPENED + timedelta(minutes=3), LIMITS) == []
    assert alerts.alerts([empty], OPENED + timedelta(hours=5), LIMITS) == []


def test_a_team_that_has_not_started_is_never_stuck_only_gently_idle() -> None:
    joined = _team()
    assert alerts.alerts([joined], OPENED + timedelta(minutes=3), LIMITS) == []
    assert alerts.alerts([joined], OPENED + timedelta(minutes=25), LIMITS) == []
    found = alerts.alerts([joined], OPENED + timedelta(minutes=31), LIMITS)
    assert _kinds(found) == [alerts.IDLE]
    assert found[0].gentle and found[0].action == alerts.ACT_MESSAGE
    assert found[0].text == (
        "Les Comètes n'a pas encore commencé le jour 1 (3 joueur(s) inscrit(s))."
    )
    assert found[0].action_label == "Envoyer un message"
    # Offline and not started: still nothing alarming.
    assert _kinds(alerts.alerts([_team(online=0)], OPENED + timedelta(minutes=31), LIMITS)) == [
        alerts.IDLE
    ]


def test_a_started_team_that_stalls_with_missions_left_gets_a_hint_to_send() -> None:
    acted = OPENED + timedelta(minutes=10)
    team = _team(last_activity=acted, missions=(_mission(status="in_progress"),))
    assert alerts.alerts([team], acted + timedelta(minutes=19), LIMITS) == []
    found = alerts.alerts([team], acted + timedelta(minutes=21), LIMITS)
    assert _kinds(found) == [alerts.STALLED]
    assert found[0].action == alerts.ACT_HINT and found[0].hint == 0
    assert found[0].action_label == "Envoyer l'indice 1"
    assert "n'a rien tenté depuis 21 min" in found[0].text
    # Nothing left to play (done, or a proof waiting for the counsellor): no stall.
    done = replace(team, missions=(_mission(status="done"),))
    assert alerts.alerts([done], acted + timedelta(hours=2), LIMITS) == []
    # No hint left: a message instead.
    bare = replace(team, missions=(_mission(status="in_progress", next_hint=None),))
    assert alerts.alerts([bare], acted + timedelta(minutes=21), LIMITS)[0].action == "message"


def test_a_day_that_just_opened_gives_time_before_a_stall() -> None:
    yesterday = OPENED - timedelta(hours=20)
    team = _team(last_activity=yesterday)
    assert alerts.alerts([team], OPENED + timedelta(minutes=3), LIMITS) == []
    assert _kinds(alerts.alerts([team], OPENED + timedelta(minutes=21), LIMITS)) == [alerts.STALLED]


def test_wrong_answers_on_an_old_day_mission_raise_an_alert_with_its_day() -> None:
    stuck = _mission("d03-consignes", day=3, status="in_progress", recent_wrong=4, total_wrong=4)
    today = _mission("d10-coeur-kronos", day=10)
    now = OPENED + timedelta(days=9, minutes=5)
    team = _team(last_activity=now, day=10, day_opened_at=now, missions=(stuck, today))
    found = alerts.alerts([team], now, LIMITS)
    assert _kinds(found) == [alerts.WRONG]
    assert found[0].mission_id == "d03-consignes" and found[0].hint == 0
    assert "(jour 3) : 4 mauvaises réponses en 30 min" in found[0].text
    three = replace(team, missions=(replace(stuck, recent_wrong=3, total_wrong=3), today))
    assert alerts.alerts([three], now, LIMITS) == []


def test_every_player_gone_offline_during_play() -> None:
    acted = OPENED + timedelta(minutes=40)
    gone = _team(online=0, last_activity=acted)
    assert alerts.alerts([gone], acted + timedelta(minutes=4), LIMITS) == []
    found = alerts.alerts([gone], acted + timedelta(minutes=6), LIMITS)
    assert _kinds(found) == [alerts.OFFLINE]
    assert found[0].text == (
        "Tous les joueurs de Les Comètes se sont déconnectés (dernière action il y a 6 min)."
    )
    # Played yesterday, nobody back yet today: not "during play".
    before = _team(online=0, last_activity=OPENED - timedelta(hours=16))
    assert alerts.alerts([before], OPENED + timedelta(minutes=10), LIMITS) == []


def test_a_proof_waiting_too_long() -> None:
    sent = OPENED + timedelta(minutes=5)
    proof = _mission("d06-photo-repere", day=6, status="in_progress", pending_since=sent)
    team = _team(last_activity=sent, missions=(proof,))
    assert alerts.alerts([team], sent + timedelta(minutes=9), LIMITS) == []
    found = alerts.alerts([team], sent + timedelta(minutes=11), LIMITS)
    assert _kinds(found) == [alerts.PROOF]  # a proof waiting is not the team's stall
    assert found[0].action_label == "Valider la preuve"
    assert "(jour 6) attend depuis 11 min" in found[0].text
    # A paused cohort: the proof still waits, nobody is stalled.
    other = _team(id=2, name="Les Pionniers", last_activity=sent)
    paused = alerts.alerts([team, other], sent + timedelta(hours=1), LIMITS, running=False)
    assert _kinds(paused) == [alerts.PROOF]


def _cohort(demo: Demo) -> Cohort:
    cohort = db.session.get(Cohort, demo.cohort_id)
    assert cohort is not None
    return cohort


def _wrong(player: Player, mission: str, times: int, now: datetime) -> None:
    for n in range(times):
        reply = perform(
            db.session, player, f"w-{mission}-{int(now.timestamp())}-{n}", mission, "answer",
            {"answer": "mauvaise réponse"}, now,
        )  # fmt: skip
        assert reply.ok is False and reply.events


def test_wrong_answers_on_day_three_while_day_ten_is_open_and_dismissal_persists(
    app: Flask, demo: Demo
) -> None:
    """Day 10 open, four wrong answers on day 3's enigma: one alert; dismissed, it stays so
    until four more; the hint it offers is given free and the next one is offered."""
    demo.join(0, "Alice")
    now = utcnow()
    with app.app_context():
        for day in range(2, 11):
            calendar.unlock_day(db.session, demo.cohort_id, day, now)
        cohort = _cohort(demo)
        alice = db.session.scalars(db.select(Player).filter_by(pseudonym="Alice")).one()
        _wrong(alice, "d03-consignes", 4, now)
        later = now + timedelta(minutes=1)
        found = alerts.cohort_alerts(db.session, cohort, later, {}, LIMITS)
        assert [(a.kind, a.team, a.mission_id) for a in found] == [
            (alerts.WRONG, demo.names[0], "d03-consignes")
        ]
        assert "(jour 3) : 4 mauvaises réponses" in found[0].text
        assert found[0].action_label == "Envoyer l'indice 1"

        alerts.dismiss(db.session, cohort, found[0].key, None, later)
        alerts.dismiss(db.session, cohort, found[0].key, None, later)  # twice: no error
        db.session.expire_all()
        assert alerts.cohort_alerts(db.session, _cohort(demo), later, {}, LIMITS) == []

        shards = db.session.get(Team, demo.team_ids[0]).shards  # type: ignore[union-attr]
        out, index = console.give_hint(
            db.session, _cohort(demo), demo.team_ids[0], "d03-consignes", later
        )
        event = out[demo.team_ids[0]][0]
        assert (index, event["type"], event["given"], event["cost"]) == (0, "hint.bought", True, 0)
        db.session.expire_all()
        assert db.session.get(Team, demo.team_ids[0]).shards == shards  # type: ignore[union-attr]

        _wrong(alice, "d03-consignes", 4, later)
        back = alerts.cohort_alerts(db.session, _cohort(demo), later, {}, LIMITS)
        assert [a.kind for a in back] == [alerts.WRONG]
        assert back[0].key != found[0].key
        assert back[0].action_label == "Envoyer l'indice 2"  # the first was given
