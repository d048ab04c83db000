"""The live dashboard: who may see and act, each action's effect on the phones, stuck alerts."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_socketio import SocketIOTestClient
from PIL import Image

from tempo.extensions import db, socketio
from tempo.models import Cohort, MissionProgress, Player, Role, StaffAccount, Team, utcnow
from tempo.services.calendar import days as calendar
from tests.conftest import Demo
from tests.realtime.helpers import NS, act, connect, first_of_type, team_events
from tests.web.console_kit import (
    PASSWORD,
    add_staff,
    csrf_app,
    csrf_token,
    email_of,
    staff_client,
    text,
)

CONSOLE = "/console"
BOARD = "/console/cohortes/demo/tableau"


def console_socket(app: Flask, client: FlaskClient, **kw: object) -> SocketIOTestClient:
    """A dashboard socket sharing the browser's session cookie."""
    return socketio.test_client(
        app, namespace=CONSOLE, flask_test_client=client, auth={"cohort": "demo"}, **kw
    )


def console_events(client: SocketIOTestClient) -> list[dict[str, object]]:
    """Team events mirrored to the dashboard since last asked."""
    return [e["args"][0] for e in client.get_received(CONSOLE) if e["name"] == "team.event"]


def notices(client: SocketIOTestClient) -> list[dict[str, object]]:
    """Counsellors' notices a phone received since last asked."""
    return [e["args"][0] for e in client.get_received(NS) if e["name"] == "notice"]


@pytest.fixture
def admin(app: Flask, demo: Demo) -> FlaskClient:
    """An administrator's browser (administrators see every cohort, the demo included)."""
    client, _ = staff_client(app, Role.ADMIN)
    return client


@pytest.fixture
def phones(app: Flask, demo: Demo) -> Iterator[dict[str, SocketIOTestClient]]:
    """Alice in the first team and Chloé in the second, connected."""
    clients = {
        "alice": connect(app, demo.join(0, "Alice")),
        "chloe": connect(app, demo.join(1, "Chloé")),
    }
    for c in clients.values():
        c.get_received(NS)
    yield clients
    for c in clients.values():
        if c.is_connected(NS):
            c.disconnect(namespace=NS)


def assign(app: Flask, account_id: int, cohort_id: int) -> None:
    """Make a counsellor one of the cohort's counsellors."""
    with app.app_context():
        cohort = db.session.get(Cohort, cohort_id)
        assert cohort is not None
        cohort.counsellors.append(db.session.get(StaffAccount, account_id))  # type: ignore[arg-type]
        db.session.commit()


# --- permissions ---------------------------------------------------------------------------------


def test_counsellor_sees_and_follows_only_their_cohorts(app: Flask, demo: Demo) -> None:
    """Another cohort's counsellor gets a 404 and a refused socket; once assigned, both work."""
    client, account = staff_client(app, Role.COUNSELLOR)
    assert client.get(BOARD).status_code == 404
    assert client.post("/console/cohortes/demo/message", data={"message": "x"}).status_code == 404
    sock = console_socket(app, client)
    assert not sock.is_connected(CONSOLE)
    assign(app, account, demo.cohort_id)
    page = client.get(BOARD)
    assert page.status_code == 200
    assert "Tableau de bord" in text(page) and demo.names[0] in text(page)
    sock = console_socket(app, client)
    assert sock.is_connected(CONSOLE)
    sock.disconnect(namespace=CONSOLE)


def test_author_cannot_open_the_dashboard(app: Flask, demo: Demo) -> None:
    """Authors write content; they do not run cohorts."""
    client, _ = staff_client(app, Role.AUTHOR)
    assert client.get(BOARD).status_code == 403
    assert not console_socket(app, client).is_connected(CONSOLE)


def test_player_session_cannot_reach_the_console(app: Flask, demo: Demo) -> None:
    """A phone signed in as a player is sent to the login page and refused by /console."""
    phone = app.test_client()
    phone.post("/retour", data={"rejoin": demo.join(0, "Lina")})
    assert phone.get(BOARD).status_code == 302
    response = phone.post("/console/cohortes/demo/ouvrir-jour", data={"day": "2"})
    assert response.status_code == 302 and "/console/connexion" in response.headers["Location"]
    sock = console_socket(app, phone)
    assert not sock.is_connected(CONSOLE)
    # A player's rejoin code is no console credential either.
    code = demo.join(0, "Noa")
    other = socketio.test_client(app, namespace=CONSOLE, auth={"cohort": "demo", "rejoin": code})
    assert not other.is_connected(CONSOLE)
    with app.app_context():
        cohort = db.session.get(Cohort, demo.cohort_id)
        assert cohort is not None and all(d.unlocked_at is None for d in cohort.days[1:])


def test_foreign_origin_is_refused(app: Flask, admin: FlaskClient) -> None:
    """A page of another site cannot open a dashboard socket with the counsellor's cookie."""
    evil = console_socket(app, admin, headers={"Origin": "https://evil.example"})
    assert not evil.is_connected(CONSOLE)
    own = console_socket(app, admin, headers={"Origin": app.config["PUBLIC_URL_BASE"]})
    assert own.is_connected(CONSOLE)
    own.disconnect(namespace=CONSOLE)


def test_actions_need_a_csrf_token(tmp_path: Path) -> None:
    """A forged form post (no token) is refused and changes nothing."""
    app = csrf_app(tmp_path)
    Demo(app)
    client = app.test_client()
    account = add_staff(app, Role.ADMIN)
    token = csrf_token(client, "/console/connexion")
    client.post(
        "/console/connexion",
        data={"email": email_of(app, account), "password": PASSWORD, "csrf_token": token},
    )
    assert client.get(BOARD).status_code == 200
    assert client.post("/console/cohortes/demo/pause", data={}).status_code == 400
    with app.app_context():
        assert db.session.query(Cohort).filter_by(slug="demo").one().status.value != "paused"
    token = csrf_token(client, BOARD)
    assert (
        client.post("/console/cohortes/demo/pause", data={"csrf_token": token}).status_code == 302
    )
    with app.app_context():
        assert db.session.query(Cohort).filter_by(slug="demo").one().status.value == "paused"


# --- actions reach the phones --------------------------------------------------------------------


def test_unlock_day_reaches_phones_and_dashboard(
    app: Flask, admin: FlaskClient, phones: dict[str, SocketIOTestClient]
) -> None:
    """Opening day 2 now sends `day.unlocked` to every phone and mirrors it to the dashboard."""
    dash = console_socket(app, admin)
    response = admin.post("/console/cohortes/demo/ouvrir-jour", data={"day": "2"})
    assert response.status_code == 302
    for phone in phones.values():
        assert [e["day"] for e in team_events(phone) if e["type"] == "day.unlocked"] == [2]
    mirrored = console_events(dash)
    assert sorted(e["type"] for e in mirrored) == ["day.unlocked", "day.unlocked"]
    assert "Jour 2 ouvert" in text(admin.get(BOARD))
    dash.disconnect(namespace=CONSOLE)


def test_an_answer_is_one_frame_per_phone_and_its_view_stays_off_the_dashboard(
    app: Flask, admin: FlaskClient, demo: Demo, phones: dict[str, SocketIOTestClient]
) -> None:
    """A wrong answer reaches a teammate as one frame: the `team.event` carrying the mission's
    new view (no `mission.view` after it); the dashboard's copy has the event, not the view."""
    bilal = connect(app, demo.join(0, "Bilal"))
    bilal.get_received(NS)
    dash = console_socket(app, admin)
    dash.get_received(CONSOLE)
    badge = first_of_type("enigma")
    reply = act(phones["alice"], badge.id, "answer", answer="pas ça")
    assert reply["error"]["code"] == "wrong_answer"
    got = bilal.get_received(NS)
    assert [f["name"] for f in got] == ["team.event"]
    event = got[0]["args"][0]
    assert event["type"] == "mission.attempted"
    assert [v["mission"] for v in event["views"]] == [badge.id]
    assert event["views"][0]["view"]["status"] == "in_progress"
    mirrored = console_events(dash)
    assert [e["type"] for e in mirrored] == ["mission.attempted"]
    assert "views" not in mirrored[0] and mirrored[0]["version"] == event["version"]
    dash.disconnect(namespace=CONSOLE)
    bilal.disconnect(namespace=NS)


def test_dashboard_sees_phones_connect_and_leave(
    app: Flask, admin: FlaskClient, demo: Demo
) -> None:
    """Players connected per team reach the dashboard live, and show on its board."""
    dash = console_socket(app, admin)
    dash.get_received(CONSOLE)
    phone = connect(app, demo.join(1, "Chloé"))
    with app.app_context():
        chloe = db.session.query(Player).filter_by(pseudonym="Chloé").one().id
    seen = [e["args"][0] for e in dash.get_received(CONSOLE) if e["name"] == "presence"]
    assert seen and seen[-1]["team"] == demo.team_ids[1] and chloe in seen[-1]["online"]
    assert re.search(r"connecté\(s\) : [^<]*Chloé", text(admin.get(BOARD)))
    phone.disconnect(namespace=NS)
    seen = [e["args"][0] for e in dash.get_received(CONSOLE) if e["name"] == "presence"]
    assert chloe not in seen[-1]["online"]
    dash.disconnect(namespace=CONSOLE)


def test_actions_on_a_team_of_another_cohort_are_refused(
    app: Flask, admin: FlaskClient, demo: Demo
) -> None:
    """A team id from elsewhere is refused in French, nothing changes."""
    response = admin.post(
        "/console/cohortes/demo/reinitialiser",
        data={"team": "999999", "mission": "d01-badge-entree"},
        follow_redirects=True,
    )
    assert "Cette équipe n'appartient pas à la cohorte." in text(response)


def test_pause_and_resume(
    app: Flask, admin: FlaskClient, phones: dict[str, SocketIOTestClient]
) -> None:
    """Pause then resume: the phones get both events."""
    admin.post("/console/cohortes/demo/pause", data={})
    admin.post("/console/cohortes/demo/pause", data={"resume": "1"})
    kinds = [e["type"] for e in team_events(phones["alice"])]
    assert kinds == ["cohort.paused", "cohort.resumed"]


def test_message_to_one_team_or_the_whole_cohort(
    admin: FlaskClient, demo: Demo, phones: dict[str, SocketIOTestClient]
) -> None:
    """A team message reaches only that team; a cohort message reaches everyone."""
    admin.post(
        "/console/cohortes/demo/message",
        data={"team": str(demo.team_ids[0]), "message": "Indice : regardez la porte."},
    )
    assert [n["message"] for n in notices(phones["alice"])] == ["Indice : regardez la porte."]
    assert notices(phones["chloe"]) == []
    admin.post(
        "/console/cohortes/demo/message", data={"team": "", "message": "Pause déjeuner à midi."}
    )
    assert [n["message"] for n in notices(phones["chloe"])] == ["Pause déjeuner à midi."]
    assert [n["message"] for n in notices(phones["alice"])] == ["Pause déjeuner à midi."]
    empty = admin.post(
        "/console/cohortes/demo/message", data={"message": "  "}, follow_redirects=True
    )
    assert "Écrivez le message à envoyer." in text(empty)


def _photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 120, 200)).save(out, "JPEG")
    return out.getvalue()


def test_proof_is_shown_validated_and_seen_by_the_phone(
    app: Flask, admin: FlaskClient, demo: Demo
) -> None:
    """A photo proof shows on the dashboard (to staff only); its review reaches the phone."""
    admin.post("/console/cohortes/demo/ouvrir-jour", data={"day": "6"})
    proof = first_of_type("proof", day=6)
    code = demo.join(0, "Lina")
    browser = app.test_client()
    browser.post("/retour", data={"rejoin": code})
    phone = connect(app, code)
    sent = browser.post(
        f"/jouer/preuve/{proof.id}",
        data={"photo": (io.BytesIO(_photo()), "p.jpg")},
        content_type="multipart/form-data",
    )
    assert sent.get_json()["ok"] is True
    page = text(admin.get(BOARD))
    assert "Preuve à valider" in page
    with app.app_context():
        row = db.session.query(MissionProgress).filter_by(mission_id=proof.id).one()
        photo = row.state["submission"]["photo"]
    assert admin.get(f"/console/cohortes/demo/preuves/{photo}").status_code == 200
    assert browser.get(f"/console/cohortes/demo/preuves/{photo}").status_code == 302
    assert admin.get("/console/cohortes/demo/preuves/autre.jpg").status_code == 404
    phone.get_received(NS)
    admin.post(
        "/console/cohortes/demo/preuve",
        data={
            "team": str(demo.team_ids[0]),
            "mission": proof.id,
            "accepted": "1",
            "comment": "Bravo !",
        },
    )
    events = team_events(phone)
    assert [(e["type"], e["mission"]) for e in events] == [("mission.completed", proof.id)]
    with app.app_context():
        row = db.session.query(MissionProgress).filter_by(mission_id=proof.id).one()
        assert row.state["status"] == "accepted" and row.state["comment"] == "Bravo !"
    again = admin.post(
        "/console/cohortes/demo/preuve",
        data={"team": str(demo.team_ids[0]), "mission": proof.id, "accepted": "0"},
        follow_redirects=True,
    )
    assert "Aucune preuve n'attend de validation ici." in text(again)
    phone.disconnect(namespace=NS)


def test_reset_mission(
    app: Flask, admin: FlaskClient, demo: Demo, phones: dict[str, SocketIOTestClient]
) -> None:
    """A reset mission is available again, its reward taken back; phones get `mission.reset`."""
    enigma = first_of_type("enigma")
    with app.app_context():
        before = db.session.get(Team, demo.team_ids[0])
        shards, strength = before.shards, before.ai_strength  # type: ignore[union-attr]
    assert act(phones["alice"], enigma.id, "answer", answer=enigma.params["answers"][0])["ok"]
    team_events(phones["alice"])
    admin.post(
        "/console/cohortes/demo/reinitialiser",
        data={"team": str(demo.team_ids[0]), "mission": enigma.id},
    )
    events = team_events(phones["alice"])
    assert [e["type"] for e in events] == ["mission.reset"] and events[0]["mission"] == enigma.id
    assert (events[0]["shards"], events[0]["ai_strength"]) == (shards, strength)
    with app.app_context():
        assert db.session.query(MissionProgress).filter_by(mission_id=enigma.id).count() == 0
        team = db.session.get(Team, demo.team_ids[0])
        assert (team.shards, team.ai_strength) == (shards, strength)  # type: ignore[union-attr]
    # Succeeding again earns the reward once more, not twice in total.
    assert act(phones["alice"], enigma.id, "answer", answer=enigma.params["answers"][0])["ok"]
    with app.app_context():
        team = db.session.get(Team, demo.team_ids[0])
        assert team.shards == shards + enigma.reward  # type: ignore[union-attr]


def test_move_player_checks_capacity(app: Flask, admin: FlaskClient, demo: Demo) -> None:
    """A player moves to another team; a full team refuses with a French message."""
    demo.join(0, "Lina")
    with app.app_context():
        lina = db.session.query(Player).filter_by(pseudonym="Lina").one()
        lina_id = lina.id
    admin.post(
        "/console/cohortes/demo/deplacer",
        data={"player": str(lina_id), "team": str(demo.team_ids[1])},
    )
    with app.app_context():
        assert db.session.get(Player, lina_id).team_id == demo.team_ids[1]  # type: ignore[union-attr]
        db.session.get(Team, demo.team_ids[0]).capacity = 0  # type: ignore[union-attr]
        db.session.commit()
    refused = admin.post(
        "/console/cohortes/demo/deplacer",
        data={"player": str(lina_id), "team": str(demo.team_ids[0])},
        follow_redirects=True,
    )
    assert f"L'équipe {demo.names[0]} est complète" in text(refused)
    with app.app_context():
        assert db.session.get(Player, lina_id).team_id == demo.team_ids[1]  # type: ignore[union-attr]


def test_mark_absent_and_present(
    app: Flask, admin: FlaskClient, demo: Demo, phones: dict[str, SocketIOTestClient]
) -> None:
    """Marking absent is stored, shown and announced to the team."""
    with app.app_context():
        alice = db.session.query(Player).filter_by(pseudonym="Alice").one().id
    admin.post("/console/cohortes/demo/absence", data={"player": str(alice), "absent": "1"})
    assert [e["type"] for e in team_events(phones["alice"])] == ["player.absent"]
    assert "absent·e" in text(admin.get(BOARD))
    admin.post("/console/cohortes/demo/absence", data={"player": str(alice), "absent": "0"})
    with app.app_context():
        assert db.session.get(Player, alice).absent is False  # type: ignore[union-attr]


def test_downloads(admin: FlaskClient) -> None:
    """The print kit and the exports download from the dashboard."""
    kit = admin.get("/console/cohortes/demo/kit.pdf")
    assert kit.status_code == 200 and kit.data.startswith(b"%PDF")
    csv = admin.get("/console/cohortes/demo/export/joueurs.csv")
    assert csv.status_code == 200 and "text/csv" in csv.content_type
    assert admin.get("/console/cohortes/demo/export/rapport.pdf").data.startswith(b"%PDF")
    assert admin.get("/console/cohortes/demo/export/autre").status_code == 404


# --- alerts and the live feed ---------------------------------------------------------------------


class Clock:
    """A clock the test moves."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def test_alerts_with_the_injected_clock_act_and_dismiss(
    app: Flask, admin: FlaskClient, demo: Demo, phones: dict[str, SocketIOTestClient]
) -> None:
    """A team that joined and did nothing is not stuck; four wrong answers raise an alert whose
    button offers the hint to the phones, after which the alert is gone for every counsellor."""
    enigma = first_of_type("enigma")
    clock = Clock(utcnow().replace(tzinfo=UTC) if utcnow().tzinfo is None else utcnow())
    app.config["CLOCK"] = clock
    clock.now += timedelta(minutes=16)
    page = text(admin.get(BOARD))
    assert "Aucune alerte : les équipes avancent." in page
    assert "Preuves à valider" in page and 'data-pending="0"' in page
    for _ in range(4):
        act(phones["alice"], enigma.id, "answer", answer="mauvaise réponse")
    page = text(admin.get(BOARD))
    alert = f"{demo.names[0]} bloque sur « {enigma.title} » (jour 1) : 4 mauvaises réponses"
    assert alert in page and "Envoyer l'indice 1" in page
    assert f"Alice ({demo.names[0]}) s'est trompé·e sur « {enigma.title} »" in page
    assert f"Alice a rejoint {demo.names[0]}." in page
    key = re.search(r'name="key" value="(wrong:[^"]+)"', admin.get(BOARD).get_data(as_text=True))
    assert key is not None
    phones["alice"].get_received(NS)
    answer = admin.post(
        BOARD.replace("/tableau", "/alertes/indice"),
        data={"team": demo.team_ids[0], "mission": enigma.id, "key": key.group(1)},
        follow_redirects=True,
    )
    assert "Indice 1 envoyé à l'équipe." in text(answer)
    assert alert not in text(answer)
    given = [e for e in team_events(phones["alice"]) if e["type"] == "hint.bought"]
    assert given and given[0]["given"] is True and given[0]["cost"] == 0
    other, _ = staff_client(app, Role.ADMIN)
    assert alert not in text(other.get(BOARD))  # dismissed for everyone, across reloads
    queue = text(admin.get(BOARD.replace("/tableau", "/a-valider")))
    assert "Aucune preuve à valider." in queue


def test_a_proof_refused_from_the_review_queue_comes_back_to_it(
    app: Flask, admin: FlaskClient, demo: Demo, phones: dict[str, SocketIOTestClient]
) -> None:
    """Day 9's text proof waits in the queue while day 10 is open; refused there, the team is
    told with the comment and the counsellor stays on the (now empty) queue."""
    with app.app_context():
        for day in (9, 10):
            calendar.unlock_day(db.session, demo.cohort_id, day, utcnow())
    act(phones["alice"], "d09-notre-projet", "submit", text="Un café solidaire.")
    queue_url = BOARD.replace("/tableau", "/a-valider")
    page = text(admin.get(queue_url))
    assert f"{demo.names[0]} — {first_of_type('proof', day=9).title}" in page
    assert "Un café solidaire." in page and "envoyée par Alice" in page
    assert 'data-pending="1"' in admin.get(BOARD).get_data(as_text=True)
    phones["alice"].get_received(NS)
    answer = admin.post(
        BOARD.replace("/tableau", "/preuve"),
        data={
            "team": demo.team_ids[0],
            "mission": "d09-notre-projet",
            "accepted": "0",
            "comment": "Précisez qui fait quoi.",
            "back": "queue",
        },
    )
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/a-valider")
    page = text(admin.get(queue_url))
    assert "Preuve refusée." in page and "Aucune preuve à valider." in page
    reviewed = [e for e in team_events(phones["alice"]) if e["type"] == "proof.reviewed"]
    assert reviewed and reviewed[0]["accepted"] is False
