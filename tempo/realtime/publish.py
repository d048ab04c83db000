"""Sending to phones and dashboards: the one module that emits (contract in docs/protocol.md).

Adapters (web routes, socket handlers, the scheduler, commands) hand a service's events over once,
here; services never send anything (they return `Broadcasts`, see `tempo.services.events`).

- **In a server process** (`tempo serve`, the tests' app) `publish`, `notice` and `presence` go
  out through the app's Socket.IO server, which also forwards them through the message queue
  (TEMPO_MESSAGE_QUEUE) to the other server processes when one is configured.
- **In a process without phones** (`tempo scheduler`, `tempo day` / `cohort` / `recap`),
  `external(app)` gives a publisher writing on the message queue, or None without a queue: the
  change is in the database, and the server process's watcher (`tempo.realtime.watch`) finds
  the new team events there within a second or two and sends them through `publish`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from flask import Flask, current_app, has_app_context
from flask_socketio import SocketIO
from sqlalchemy import select

from tempo.extensions import db, socketio
from tempo.infra.offload import yield_to_waiting
from tempo.models import Team
from tempo.services.events import PLAYER_ONLY, Broadcasts

if TYPE_CHECKING:
    from tempo.services.play.actions import Change

PLAY = "/play"  # players' phones
CONSOLE = "/console"  # counsellors' dashboards


def team_room(team_id: int) -> str:
    """The room of a team's phones."""
    return f"team:{team_id}"


def player_room(player_id: int) -> str:
    """The room of one player's phones (their own view of a mission, their messages)."""
    return f"player:{player_id}"


def cohort_room(cohort_id: int) -> str:
    """The room of every phone of a cohort."""
    return f"cohort:{cohort_id}"


def console_room(cohort_id: int) -> str:
    """The room of the dashboards open on a cohort."""
    return f"console:{cohort_id}"


#: The `mission.view` pushes after a team's events touched missions: `(None, payload)` for the
#: whole team, `(player id, payload)` for one player (tempo.services.play.snapshot.view_deltas).
#: (team, missions the events touched, missions they opened) -> the `mission.view` pushes.
ViewsOf = Callable[[int, list[str], list[str]], list[tuple[int | None, dict[str, Any]]]]

#: The cohort-wide opponent of a cohort (`cohort.ai`), tempo.services.play.snapshot.cohort_ai.
CohortAiOf = Callable[[int], dict[str, Any] | None]

#: The teams of a cohort, whose rooms hold every phone of the cohort.
TeamsOf = Callable[[int], list[int]]

#: Team events that change a team's opponent, hence the cohort's.
AI_CHANGES = frozenset({"mission.completed", "mission.reset"})


class Publisher:
    """Emits Tempo's events through one Socket.IO server, or a write-only message-queue client."""

    def __init__(
        self,
        server: SocketIO,
        cohort_of: Callable[[int], int | None],
        views_of: ViewsOf | None = None,
        cohort_ai_of: CohortAiOf | None = None,
        teams_of: TeamsOf | None = None,
    ) -> None:
        self.server = server
        self.teams_of = teams_of
        self.cohort_of = cohort_of
        self.views_of = views_of
        #: The highest version sent per team by this publisher (read by `tempo.realtime.watch`).
        self.sent: dict[int, int] = {}
        self.cohort_ai_of = cohort_ai_of
        #: At most one `cohort.ai` per cohort every this many seconds (0: each time). Each goes to
        #: every phone of the cohort: with 50 teams playing, one per success would be hundreds
        #: of frames a second for a gauge that moves a little.
        self.ai_every = 0.0
        self._ai_sent: dict[int, float] = {}
        self._ai_waiting: set[int] = set()

    def publish(
        self, broadcasts: Broadcasts, cohort_id: int | None = None, views_of: ViewsOf | None = None
    ) -> None:
        """Send each team's versioned events to its room, in order, and to its cohort's dashboards.

        `cohort_id`, when the caller already read it (live play), is the cohort of every team in
        `broadcasts`: one query fewer per action. `views_of`, when the caller holds the teams'
        new state (live play), draws the `mission.view` pushes from it instead of the database.
        """
        weakened: set[int] = set()
        for team_id, events in broadcasts.items():
            if not events:
                continue
            cohort = cohort_id if cohort_id is not None else self.cohort_of(team_id)
            if cohort is not None and any(e.get("type") in AI_CHANGES for e in events):
                weakened.add(cohort)
            # The team-wide views ride on the batch's last team event: one frame per phone for
            # an answer instead of two (the transport, not the game, is most of the server's CPU).
            last = max(
                (i for i, e in enumerate(events) if PLAYER_ONLY not in e and "version" in e),
                default=None,
            )
            pushes = self.pushes(team_id, events, views_of)
            riding = last is not None
            team_views = [view for player, view in pushes if player is None and riding]
            apart = [(player, view) for player, view in pushes if player is not None or not riding]
            for i, event in enumerate(events):
                if PLAYER_ONLY in event:
                    # Not versioned, not the team's business: that player's phones only.
                    own = {k: v for k, v in event.items() if k != PLAYER_ONLY}
                    room = player_room(int(event[PLAYER_ONLY]))
                    self.server.emit("player.event", own, to=room, namespace=PLAY)
                    continue
                if isinstance(event.get("version"), int):
                    self.sent[team_id] = max(self.sent.get(team_id, 0), event["version"])
                sent = {**event, "views": team_views} if i == last and team_views else event
                self.server.emit("team.event", sent, to=team_room(team_id), namespace=PLAY)
                if cohort is not None:
                    # The dashboards of the cohort see what its phones see, with the team's id.
                    self.server.emit(
                        "team.event",
                        {"team": team_id, **event},
                        to=console_room(cohort),
                        namespace=CONSOLE,
                    )
            self._emit_views(team_id, apart)
        for cohort in sorted(weakened):
            self.cohort_ai(cohort)

    def pace_cohort_ai(self, seconds: float) -> None:
        """Send `cohort.ai` at most once per cohort every `seconds` (a new app starts afresh)."""
        self.ai_every = seconds
        self._ai_sent.clear()
        self._ai_waiting.clear()

    def cohort_ai(self, cohort_id: int) -> None:
        """The cohort-wide opponent's new strength to every phone of the cohort (not versioned:
        phones just set it): now, or at the end of the current `ai_every` interval, once."""
        if cohort_id in self._ai_waiting:
            return  # the pending one will read the strength when it goes
        wait = self._ai_sent.get(cohort_id, -math.inf) + self.ai_every - time.monotonic()
        # Under gevent it always goes from a greenlet of its own: it yields between teams
        # (`_send_cohort_ai`), which the handler of the action that caused it must not do.
        if (wait <= 0 and not self._gevent()) or not has_app_context():
            self._send_cohort_ai(cohort_id)
            return
        self._ai_waiting.add(cohort_id)
        app = current_app._get_current_object()  # type: ignore[attr-defined]

        def later() -> None:
            if wait > 0:
                self.server.sleep(wait)  # type: ignore[arg-type]  # a float: gevent and threading take one
            with app.app_context():
                try:
                    self._ai_waiting.discard(cohort_id)
                    self._send_cohort_ai(cohort_id)
                finally:
                    db.session.remove()

        self.server.start_background_task(later)

    def _gevent(self) -> bool:
        return getattr(self.server, "async_mode", None) == "gevent"

    def _send_cohort_ai(self, cohort_id: int) -> None:
        self._ai_sent[cohort_id] = time.monotonic()
        payload = self.cohort_ai_of(cohort_id) if self.cohort_ai_of is not None else None
        if payload is None:
            return
        teams = self.teams_of(cohort_id) if self.teams_of is not None else []
        if not teams:
            self.server.emit("cohort.ai", payload, to=cohort_room(cohort_id), namespace=PLAY)
            return
        # Every phone of the cohort, team by team: in one emit, 600 phones' frames held the
        # event loop for about 15 ms, and the actions arriving meanwhile waited behind them.
        # Between two teams, what is already waiting goes first.
        for i, team_id in enumerate(teams):
            if i:
                yield_to_waiting(self.server.async_mode)  # type: ignore[attr-defined]
            self.server.emit("cohort.ai", payload, to=team_room(team_id), namespace=PLAY)

    def pushes(
        self, team_id: int, events: list[dict[str, Any]], views_of: ViewsOf | None = None
    ) -> list[tuple[int | None, dict[str, Any]]]:
        """The new views of the missions `events` touched: `(None, view)` for the whole team,
        `(player id, view)` for one player."""
        missions = list(
            dict.fromkeys(e["mission"] for e in events if isinstance(e.get("mission"), str))
        )
        # The engine's `mission.available` names what a success opened: pushed whole.
        opened = [
            m
            for e in events
            if e.get("type") == "mission.available"
            for m in e.get("missions", [])
            if isinstance(m, str)
        ]
        source = views_of or self.views_of
        if not missions or source is None:
            return []
        return source(team_id, missions, opened)

    def _emit_views(self, team_id: int, pushes: list[tuple[int | None, dict[str, Any]]]) -> None:
        for player_id, payload in pushes:
            room = team_room(team_id) if player_id is None else player_room(player_id)
            self.server.emit("mission.view", payload, to=room, namespace=PLAY)

    def views(
        self, team_id: int, events: list[dict[str, Any]], views_of: ViewsOf | None = None
    ) -> None:
        """Push, as `mission.view` frames, the new views of the missions `events` touched."""
        self._emit_views(team_id, self.pushes(team_id, events, views_of))

    def notice(
        self,
        item: dict[str, Any],
        cohort_id: int,
        team_id: int | None = None,
        player_id: int | None = None,
    ) -> None:
        """A counsellor's stored message (`messages.item`) to its phones; dashboards redraw."""
        if player_id is not None:
            room = player_room(player_id)
        else:
            room = team_room(team_id) if team_id is not None else cohort_room(cohort_id)
        self.server.emit("notice", item, to=room, namespace=PLAY)
        self.server.emit(
            "message.sent", {"message": item["id"]}, to=console_room(cohort_id), namespace=CONSOLE
        )

    def messages_read(self, cohort_id: int, player_id: int, message_ids: list[int]) -> None:
        """Tell the cohort's dashboards that a player has read messages."""
        payload = {"player": player_id, "messages": message_ids}
        self.server.emit("message.read", payload, to=console_room(cohort_id), namespace=CONSOLE)

    def disconnect(self, sids: list[str], namespace: str) -> None:
        """End these connections, whichever server process holds them (through the queue)."""
        for sid in sids:
            # Flask-SocketIO's python-socketio server: its pub/sub manager reaches other processes.
            self.server.server.disconnect(sid, namespace=namespace)  # type: ignore[attr-defined]

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


def _views_in_session(
    team_id: int, missions: list[str], opened: list[str]
) -> list[tuple[int | None, dict[str, Any]]]:
    # Imported here: the services import nothing of realtime, but presence is read at emit time.
    from tempo.infra.clock import now
    from tempo.realtime.presence import presence
    from tempo.services.play.snapshot import view_deltas

    team = db.session.get(Team, team_id)
    if team is None:
        return []
    return view_deltas(db.session(), team, missions, presence.online(team_id), now(), opened)


def _teams_in_session(cohort_id: int) -> list[int]:
    return list(db.session.scalars(select(Team.id).where(Team.cohort_id == cohort_id)))


def _cohort_ai_in_session(cohort_id: int) -> dict[str, Any] | None:
    from tempo.models import Cohort
    from tempo.services.play.snapshot import cohort_ai

    cohort = db.session.get(Cohort, cohort_id)
    return None if cohort is None else cohort_ai(db.session(), cohort)


def views_after(change: Change | None, team_id: int) -> ViewsOf | None:
    """The `mission.view` pushes drawn from the states around an action (`Reply.after`), with
    no database read; None when the action changed nothing."""
    if change is None:
        return None
    from tempo.infra.clock import now
    from tempo.realtime.presence import presence
    from tempo.services.play.snapshot import deltas

    def views_of(
        _team_id: int, missions: list[str], opened: list[str]
    ) -> list[tuple[int | None, dict[str, Any]]]:
        online = presence.online(team_id)
        return deltas(change.game, change.after, missions, online, now(), opened, change.before)

    return views_of


#: This process's Socket.IO server (bound to the app by `tempo.app`).
local = Publisher(
    socketio, _cohort_in_session, _views_in_session, _cohort_ai_in_session, _teams_in_session
)

publish = local.publish
notice = local.notice
messages_read = local.messages_read
presence = local.presence
disconnect = local.disconnect


def disconnect_player(player_id: int) -> None:
    """Close every open socket of a player, in whichever server process holds it.

    Used when sessions end (« Quitter », a new rejoin code, the player's removal): a phone whose
    session is still valid reconnects at once (Socket.IO retries), a revoked one is refused at
    `connect`. With a message queue, sockets of other processes are closed through it.
    """
    from tempo.realtime.owners import owners, player_owner

    disconnect(owners.sids(player_owner(player_id)), PLAY)


def external(app: Flask) -> Publisher | None:
    """The publisher of a process without phones: the message queue, or None without one."""
    url = app.config.get("MESSAGE_QUEUE")
    if not url:
        return None

    def cohort_of(team_id: int) -> int | None:
        with app.app_context():
            return _cohort_in_session(team_id)

    def cohort_ai_of(cohort_id: int) -> dict[str, Any] | None:
        with app.app_context():
            return _cohort_ai_in_session(cohort_id)

    # Without an app, Flask-SocketIO builds a write-only client of the queue (no listener).
    writer = SocketIO(message_queue=url, channel=app.config["MESSAGE_QUEUE_CHANNEL"])
    return Publisher(writer, cohort_of, cohort_ai_of=cohort_ai_of)
