"""Sending to phones and dashboards: the one module that emits (contract in docs/protocol.md).

Adapters (web routes, socket handlers, the scheduler, commands) hand a service's events over once,
here; services never send anything (they return `Broadcasts`, see `tempo.services.events`).

- **In a server process** (`tempo serve`, the tests' app) `publish`, `notice` and `presence` go
  out through the app's Socket.IO server, which also forwards them through the message queue
  (TEMPO_MESSAGE_QUEUE) to the other server processes when one is configured.
- **In a process without phones** (`tempo scheduler`, `tempo day` / `cohort` / `recap`),
  `external(app)` gives a publisher writing on the message queue, or None without a queue: the
  change is in the database and phones see it when they reload or reconnect.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from flask_socketio import SocketIO, disconnect
from sqlalchemy import select

from tempo.extensions import db, socketio
from tempo.models import Team
from tempo.realtime import presence as presences
from tempo.services.events import Broadcasts

PLAY = "/play"  # players' phones
CONSOLE = "/console"  # counsellors' dashboards


def team_room(team_id: int) -> str:
    """The room of a team's phones."""
    return f"team:{team_id}"


def cohort_room(cohort_id: int) -> str:
    """The room of every phone of a cohort."""
    return f"cohort:{cohort_id}"


def console_room(cohort_id: int) -> str:
    """The room of the dashboards open on a cohort."""
    return f"console:{cohort_id}"


class Publisher:
    """Emits Tempo's events through one Socket.IO server, or a write-only message-queue client."""

    def __init__(self, server: SocketIO, cohort_of: Callable[[int], int | None]) -> None:
        self.server = server
        self.cohort_of = cohort_of

    def publish(self, broadcasts: Broadcasts, cohort_id: int | None = None) -> None:
        """Send each team's versioned events to its room, in order, and to its cohort's dashboards.

        `cohort_id`, when the caller already read it (live play), is the cohort of every team in
        `broadcasts`: one query fewer per action.
        """
        for team_id, events in broadcasts.items():
            if not events:
                continue
            cohort = cohort_id if cohort_id is not None else self.cohort_of(team_id)
            for event in events:
                self.server.emit("team.event", event, to=team_room(team_id), namespace=PLAY)
                if cohort is not None:
                    # The dashboards of the cohort see what its phones see, with the team's id.
                    self.server.emit(
                        "team.event",
                        {"team": team_id, **event},
                        to=console_room(cohort),
                        namespace=CONSOLE,
                    )

    def notice(
        self, message: str, sender: str, team_id: int | None = None, cohort_id: int | None = None
    ) -> None:
        """A counsellor's message or hint to one team's phones or every phone of a cohort."""
        payload = {"from": sender, "message": message}
        room = team_room(team_id) if team_id is not None else cohort_room(cohort_id or 0)
        self.server.emit("notice", payload, to=room, namespace=PLAY)

    def presence(
        self,
        team_id: int,
        online: list[int],
        players: list[dict[str, Any]],
        cohort_id: int | None,
    ) -> None:
        """Who of a team is connected: the full list to its phones, the ids to its dashboards."""
        payload = {"online": online, "players": players}
        self.server.emit("presence", payload, to=team_room(team_id), namespace=PLAY)
        if cohort_id is not None:
            self.server.emit(
                "presence",
                {"team": team_id, "online": online},
                to=console_room(cohort_id),
                namespace=CONSOLE,
            )


def _cohort_in_session(team_id: int) -> int | None:
    # The caller's app context and session: a route, a socket handler or a scheduler job.
    return db.session.scalar(select(Team.cohort_id).where(Team.id == team_id))


#: This process's Socket.IO server (bound to the app by `tempo.app`).
local = Publisher(socketio, _cohort_in_session)

publish = local.publish
notice = local.notice
presence = local.presence


def disconnect_player(team_id: int, player_id: int) -> None:
    """Close every open socket of a player, in whichever server process holds it.

    Used when sessions end (« Quitter », a new rejoin code, the player's removal): a phone whose
    session is still valid reconnects at once (Socket.IO retries), a revoked one is refused at
    `connect`. With a message queue, sockets of other processes are closed through it.
    """
    for sid in presences.presence.sockets_of(team_id, player_id):
        disconnect(sid=sid, namespace=PLAY)


def external(app: Flask) -> Publisher | None:
    """The publisher of a process without phones: the message queue, or None without one."""
    url = app.config.get("MESSAGE_QUEUE")
    if not url:
        return None

    def cohort_of(team_id: int) -> int | None:
        with app.app_context():
            return _cohort_in_session(team_id)

    # Without an app, Flask-SocketIO builds a write-only client of the queue (no listener).
    writer = SocketIO(message_queue=url, channel=app.config["MESSAGE_QUEUE_CHANNEL"])
    return Publisher(writer, cohort_of)
