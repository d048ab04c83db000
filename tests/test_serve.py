"""`tempo serve` in its production mode (gevent) answers HTTP and Socket.IO on 127.0.0.1."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import socketio
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from tempo.models import Team, utcnow
from tempo.services.play.players import join_team
from tests.databases import instance_url
from tests.live import LiveServer, _free_port, start_server, stop_server
from tests.realtime.helpers import first_of_type

# Each test starts a `tempo serve` process: out of the fast tier.
pytestmark = pytest.mark.slow


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    """A real `tempo serve` process on a free port, stopped after the test."""
    live = start_server(tmp_path / "instance")
    yield live
    stop_server(live)


def test_home_page_answers(server: LiveServer) -> None:
    """The home page is served by the production server."""
    with urllib.request.urlopen(server.url + "/", timeout=5) as response:
        assert response.status == 200
        assert "Bienvenue dans Tempo" in response.read().decode("utf-8")


def test_socketio_endpoint_is_mounted(server: LiveServer) -> None:
    """The Engine.IO handshake answers, so phones can open their real-time channel."""
    with urllib.request.urlopen(server.url + "/socket.io/?EIO=4&transport=polling", timeout=5) as r:
        body = r.read().decode("utf-8")
    assert body.startswith("0{") and '"sid"' in body


def test_sigterm_stops_the_server_cleanly(server: LiveServer) -> None:
    """systemd's SIGTERM: phones are disconnected, the clock stops, the process exits 0."""
    left: list[str] = []
    phone = _phone(server, "Zoé", disconnect=lambda *reason: left.append(str(reason)))
    server.process.send_signal(signal.SIGTERM)
    assert server.process.wait(timeout=30) == 0
    output = server.process.stdout.read() if server.process.stdout else ""
    assert "Tempo arrêté." in output and "Traceback" not in output, output
    # The phone's client reads the closed socket on a thread of its own: it may learn it a
    # moment after the server's process has exited.
    deadline = time.monotonic() + 10
    while not left and time.monotonic() < deadline:
        time.sleep(0.05)
    assert left, "the phone was not told"
    phone.disconnect()
    # Nobody listens any more: the listening socket was closed.
    with pytest.raises(OSError):
        urllib.request.urlopen(server.url + "/healthz", timeout=2)


def test_a_burst_of_actions_reaches_every_phone_in_order(tmp_path: Path) -> None:
    """Forty answers sent without waiting: each phone of the team gets every team event, in
    version order (`tempo serve` writes an idle socket's packets where they are emitted,
    tempo.infra.direct_send, and must never reorder or drop one)."""
    limits = {"TEMPO_WRONG_LIMIT_PLAYER": "1000", "TEMPO_WRONG_LIMIT_TEAM": "1000"}
    live = start_server(tmp_path / "instance", limits)
    phones: list[socketio.Client] = []
    try:
        seen: dict[str, list[int]] = {}
        for name in ("Zoé", "Yanis"):
            versions = seen.setdefault(name, [])
            record = {"team.event": lambda e, v=versions: v.append(e["version"])}
            phones.append(_phone(live, name, **record))
        enigma = first_of_type("enigma")
        acks: list[dict[str, object]] = []
        for i in range(40):
            action = {
                "id": f"burst-{i}",
                "mission": enigma.id,
                "kind": "answer",
                "data": {"answer": f"faux {i}"},
            }
            phones[0].emit("action", action, namespace="/play", callback=acks.append)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and (
            len(acks) < 40 or any(len(v) < 40 for v in seen.values())
        ):
            time.sleep(0.05)
        assert len(acks) == 40
        assert all(a["error"]["code"] == "wrong_answer" for a in acks)  # type: ignore[index]
        for name, versions in seen.items():
            assert len(versions) == 40, name
            assert versions == list(range(versions[0], versions[0] + 40)), name
    finally:
        for phone in phones:
            phone.disconnect()
        stop_server(live)


def test_playing_phones_stay_connected_across_heartbeats(tmp_path: Path) -> None:
    """Two phones play for four heartbeat cycles (pings every second, one second to answer):
    neither is ever dropped and the listener gets every event. Events are written where they
    are emitted (tempo.infra.direct_send); the heartbeat's pings must still reach Engine.IO's
    writer, which otherwise closed every connection after ping interval + ping timeout (45 s
    with the defaults: phones dropped and reconnected in a loop)."""
    settings = {
        "TEMPO_WRONG_LIMIT_PLAYER": "1000",
        "TEMPO_WRONG_LIMIT_TEAM": "1000",
        "TEMPO_PING_INTERVAL_SECONDS": "1",
        "TEMPO_PING_TIMEOUT_SECONDS": "1",
    }
    live = start_server(tmp_path / "instance", settings)
    phones: list[socketio.Client] = []
    dropped: list[str] = []
    try:
        heard: list[int] = []
        for name in ("Zoé", "Yanis"):
            handlers: dict[str, Callable[..., None]] = {
                "disconnect": lambda *why, n=name: dropped.append(n)
            }
            if name == "Yanis":
                handlers["team.event"] = lambda e: heard.append(e["version"])
            phones.append(_phone(live, name, **handlers))
        sids = [phone.get_sid("/play") for phone in phones]
        enigma = first_of_type("enigma")
        for i in range(16):
            action = {"id": f"beat-{i}", "mission": enigma.id, "kind": "answer"}
            ack = phones[0].call(
                "action", {**action, "data": {"answer": f"faux {i}"}}, namespace="/play"
            )
            assert ack["error"]["code"] == "wrong_answer"
            time.sleep(0.25)
        time.sleep(0.5)
        assert dropped == []
        assert [phone.get_sid("/play") for phone in phones] == sids
        assert len(heard) == 16 and heard == list(range(heard[0], heard[0] + 16))
    finally:
        for phone in phones:
            phone.disconnect()
        stop_server(live)


def _phone(server: LiveServer, pseudonym: str, **handlers: Callable[..., None]) -> socketio.Client:
    """A player of the demo's first team on a WebSocket to `server`, `handlers` (by event name,
    on /play) registered before connecting; no automatic reconnection."""
    phone = socketio.Client(reconnection=False)
    for event, handler in handlers.items():
        phone.on(event, handler, namespace="/play")
    phone.connect(
        server.url,
        namespaces=["/play"],
        auth={"rejoin": _join(server, pseudonym)},
        transports=["websocket"],
    )
    return phone


def _join(server: LiveServer, pseudonym: str = "Zoé") -> str:
    """A player joins the demo's first team; their personal rejoin code."""
    instance = Path(server.env["TEMPO_INSTANCE_DIR"])
    engine = create_engine(instance_url(instance))
    try:
        with Session(engine) as session:
            team_id = session.scalars(select(Team.id).order_by(Team.id)).first()
            assert team_id is not None
            return join_team(session, team_id, pseudonym, utcnow()).player.rejoin_code
    finally:
        engine.dispose()


def test_serve_refuses_the_example_secret_key(tmp_path: Path) -> None:
    """TEMPO_SECRET_KEY=change-me (deploy/tempo.env.example's value): no server, a French reason."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("TEMPO_")},
        "TEMPO_INSTANCE_DIR": str(tmp_path / "instance"),
        "TEMPO_PORT": str(_free_port()),
        "TEMPO_SECRET_KEY": "change-me",
    }
    done = subprocess.run(
        [sys.executable, "-m", "tempo.launcher", "serve"],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,  # quickly: before gevent, the database or the port
    )
    assert done.returncode != 0
    assert "TEMPO_SECRET_KEY est une valeur d'exemple" in done.stderr, done.stderr
    assert 'python3 -c "import secrets; print(secrets.token_urlsafe(48))"' in done.stderr
    assert "Traceback" not in done.stderr and "Tempo écoute" not in done.stdout
    assert not (tmp_path / "instance").exists()  # refused before anything was created
