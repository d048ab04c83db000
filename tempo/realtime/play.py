"""The `/play` namespace: players' phones (protocol in docs/protocol.md)."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, request, session
from flask_socketio import join_room
from socketio.exceptions import ConnectionRefusedError
from sqlalchemy import select

from tempo import throttle
from tempo.extensions import db, socketio
from tempo.infra.clock import now
from tempo.infra.offload import yield_to_waiting
from tempo.missions import registry
from tempo.models import Player, Team
from tempo.realtime import publish
from tempo.realtime.owners import owners, player_owner
from tempo.realtime.presence import presence
from tempo.services.cohorts import messages
from tempo.services.play import actions as play
from tempo.services.play import sessions, teamlog
from tempo.services.play.players import player_by_rejoin_code
from tempo.services.play.regroup import regroup
from tempo.services.play.snapshot import mission_view, snapshot

NAMESPACE = publish.PLAY


def limits() -> play.Limits:
    """Wrong-answer limits and the votes' duration from the configuration."""
    cfg = current_app.config
    return play.Limits(
        per_player=int(cfg["WRONG_LIMIT_PLAYER"]),
        per_team=int(cfg["WRONG_LIMIT_TEAM"]),
        window_seconds=int(cfg["WRONG_WINDOW_SECONDS"]),
        vote_seconds=int(cfg["VOTE_SECONDS"]),
    )


def _current_player() -> Player | None:
    player_id = presence.player_of(request.sid)  # type: ignore[attr-defined]
    return None if player_id is None else db.session.get(Player, player_id)


def _refused(code: str, message: str) -> dict[str, Any]:
    return {"ok": False, "error": {"code": code, "message": message}}


def _emit_presence(team_id: int) -> None:
    # A few milliseconds of reads, re-dealing and frames that no phone is waiting on: the
    # actions already arrived go first (under gevent; see tempo.infra.offload).
    yield_to_waiting(current_app.config["ASYNC_MODE"])
    # Two columns, not the Player objects: this runs on every connection and departure.
    players = db.session.execute(
        select(Player.id, Player.pseudonym).where(Player.team_id == team_id).order_by(Player.id)
    ).all()
    # Only the team's members: a player just moved away may still have a socket here for a
    # moment (the move disconnects it, possibly on another process).
    members = {pid for pid, _pseudonym in players}
    online = [pid for pid in presence.online(team_id) if pid in members]
    # Fragments move before phones hear of the change; each present player is pushed their own
    # view of the missions whose fragments moved (`mission.view` to their player room).
    moved = regroup(db.session(), team_id, online, now())
    cohort_id = db.session.scalar(select(Team.cohort_id).where(Team.id == team_id))
    publish.presence(
        team_id,
        online,
        [{"id": pid, "pseudonym": pseudonym} for pid, pseudonym in players],
        cohort_id,
    )
    if moved:
        publish.local.views(team_id, [{"mission": m} for m in sorted(moved)])


def announce_presence(app: Flask, team_ids: list[int]) -> None:
    """Send fresh online lists to teams whose connections vanished (a server process died)."""
    with app.app_context():
        try:
            for team_id in team_ids:
                _emit_presence(team_id)
        finally:
            db.session.remove()


def _fresh_snapshot(player: Player) -> dict[str, Any]:
    team_id, online, at = player.team_id, presence.online(player.team_id), now()
    # A day opened since the last presence change: its fragments are dealt and kept now.
    regroup(db.session(), team_id, online, at)
    return snapshot(db.session(), player, online, at)


@socketio.on("connect", namespace=NAMESPACE)
def on_connect(auth: dict[str, Any] | None = None) -> None:
    """Identify the player (rejoin code in `auth`, or the web session) and join their rooms.

    The web session's token is checked against the player sessions table: a revoked session
    (« Quitter », a new rejoin code, a removed player) is refused. Wrong rejoin codes count
    towards the client address's code-guessing limit, like the web forms'.
    """
    player: Player | None = None
    code = (auth or {}).get("rejoin") if isinstance(auth, dict) else None
    if isinstance(code, str):
        ip = throttle.client_ip()
        wait = throttle.blocked("code", ip)
        if wait is not None:
            raise ConnectionRefusedError(
                {"code": "too_many", "message": throttle.wait_message(wait), "wait": wait}
            )
        player = player_by_rejoin_code(db.session(), code)
        if player is None:
            throttle.spend("code", ip)
    else:
        token = session.get(sessions.PLAYER_KEY)
        if isinstance(token, str):
            player = sessions.resume(db.session(), token, now())
    if player is None:
        raise ConnectionRefusedError(
            {
                "code": "unknown_player",
                "message": "Joueur inconnu : rejoins ton équipe avec son code.",
            }
        )
    team = player.team
    sid = request.sid  # type: ignore[attr-defined]
    join_room(publish.team_room(team.id))
    join_room(publish.player_room(player.id))
    join_room(publish.cohort_room(team.cohort_id))
    owners.add(sid, player_owner(player.id))
    presence.add(team.id, sid, player.id)
    _emit_presence(team.id)


@socketio.on("disconnect", namespace=NAMESPACE)
def on_disconnect(*_args: Any) -> None:
    """Tell the team who left."""
    owners.remove(request.sid)  # type: ignore[attr-defined]
    team_id = presence.remove(request.sid)  # type: ignore[attr-defined]
    if team_id is not None:
        _emit_presence(team_id)


@socketio.on("sync", namespace=NAMESPACE)
def on_sync(data: Any = None) -> dict[str, Any]:
    """Missed events since the client's version, or a snapshot."""
    player = _current_player()
    if player is None:
        return _refused("unknown_player", "Connexion perdue : recharge la page.")
    version = data.get("version") if isinstance(data, dict) else None
    team = player.team
    if isinstance(version, int) and not isinstance(version, bool):
        events = teamlog.events_since(db.session(), team, version)
        if events is not None:
            return {"ok": True, "version": team.version, "events": events}
    state = _fresh_snapshot(player)
    return {"ok": True, "version": state["version"], "snapshot": state}


@socketio.on("state", namespace=NAMESPACE)
def on_state(_data: Any = None) -> dict[str, Any]:
    """A fresh snapshot for this player."""
    player = _current_player()
    if player is None:
        return _refused("unknown_player", "Connexion perdue : recharge la page.")
    state = _fresh_snapshot(player)
    return {"ok": True, "version": state["version"], "snapshot": state}


@socketio.on("view", namespace=NAMESPACE)
def on_view(data: Any = None) -> dict[str, Any]:
    """One mission as this player sees it."""
    # Asked each time a phone opens a mission: the player is known by this connection, and
    # team, cohort and mission states are read in three Core statements, no ORM object loaded.
    sid = request.sid  # type: ignore[attr-defined]
    player_id, team_id = presence.player_of(sid), presence.team_of(sid)
    read = None
    if player_id is not None and team_id is not None:
        read = play.read_for_view(db.session(), player_id, now())
    if read is None or player_id is None or team_id is None:
        return _refused("unknown_player", "Connexion perdue : recharge la page.")
    game, state = read
    mission_id = data.get("mission") if isinstance(data, dict) else None
    if not isinstance(mission_id, str) or mission_id not in game.missions:
        return _refused("unknown_mission", "Cette mission n'existe pas.")
    if game.day_of[mission_id] not in state.open_days:
        if state.paused:
            return _refused(*play.PAUSED)
        return _refused("mission_locked", "Cette mission n'est pas encore disponible.")
    online = presence.online(team_id)
    return {"ok": True, "mission": mission_view(game, state, mission_id, player_id, online, now())}


@socketio.on("action", namespace=NAMESPACE)
def on_action(data: Any = None) -> dict[str, Any]:
    """A player's action on a mission, applied once per client id."""
    # The player is known by this connection: the service reads their row in the action's
    # own transaction, rather than this handler loading it in another one first.
    sid = request.sid  # type: ignore[attr-defined]
    player_id, room_team = presence.player_of(sid), presence.team_of(sid)
    if player_id is None or room_team is None:
        return _refused("unknown_player", "Connexion perdue : recharge la page.")
    if not isinstance(data, dict):
        return _refused("invalid_action", "Action illisible.")
    action_id, mission_id, kind = data.get("id"), data.get("mission"), data.get("kind")
    raw_payload = data.get("data")
    payload: dict[str, Any] = raw_payload if isinstance(raw_payload, dict) else {}
    if not all(isinstance(v, str) and v for v in (action_id, mission_id, kind)):
        return _refused("invalid_action", "Action incomplète (id, mission et kind sont requis).")
    if kind in registry.server_actions():
        # These are sent by the server after its own checks, never directly by a phone.
        return _refused("not_allowed", "Cette action ne peut pas venir du téléphone.")
    if registry.server_fields() & payload.keys():
        return _refused("not_allowed", "Ces données ne peuvent pas venir du téléphone.")
    try:
        reply = play.perform_as(
            db.session(),
            player_id,
            str(action_id),
            str(mission_id),
            str(kind),
            payload,
            now(),
            presence.online(room_team),
            limits(),
        )
    except play.PlayError as exc:
        return _refused(exc.code, exc.message)
    team_id = reply.team_id or room_team
    publish.publish(
        {team_id: reply.events}, reply.cohort_id, publish.views_after(reply.after, team_id)
    )
    return reply.ack()


@socketio.on("hint", namespace=NAMESPACE)
def on_hint(data: Any = None) -> dict[str, Any]:
    """Buy the next hint of a mission with the team's shards."""
    sid = request.sid  # type: ignore[attr-defined]
    player_id, room_team = presence.player_of(sid), presence.team_of(sid)
    if player_id is None or room_team is None:
        return _refused("unknown_player", "Connexion perdue : recharge la page.")
    if not isinstance(data, dict):
        return _refused("invalid_action", "Demande illisible.")
    action_id, mission_id, index = data.get("id"), data.get("mission"), data.get("index")
    if not (isinstance(action_id, str) and action_id and isinstance(mission_id, str)):
        return _refused("invalid_action", "Demande incomplète (id et mission sont requis).")
    if not isinstance(index, int) or isinstance(index, bool):
        return _refused("no_hint", "Cet indice n'est pas disponible.")
    try:
        reply = play.buy_hint_as(db.session(), player_id, action_id, mission_id, index, now())
    except play.PlayError as exc:
        return _refused(exc.code, exc.message)
    team_id = reply.team_id or room_team
    publish.publish(
        {team_id: reply.events}, reply.cohort_id, publish.views_after(reply.after, team_id)
    )
    return reply.ack()


@socketio.on("inbox", namespace=NAMESPACE)
def on_inbox(_data: Any = None) -> dict[str, Any]:
    """The player's inbox of counsellors' messages, newest first, with the unread count."""
    player = _current_player()
    if player is None:
        return _refused("unknown_player", "Connexion perdue : recharge la page.")
    return {"ok": True, **messages.inbox(db.session(), player)}


@socketio.on("inbox.read", namespace=NAMESPACE)
def on_inbox_read(data: Any = None) -> dict[str, Any]:
    """The player opened their inbox: these messages are read (again: nothing changes)."""
    ids = data.get("messages") if isinstance(data, dict) else None
    if not isinstance(ids, list):
        return _refused("invalid_request", "Demande illisible (messages attendus).")
    if presence.player_of(request.sid) is None:  # type: ignore[attr-defined]
        return _refused("unknown_player", "Connexion perdue : recharge la page.")
    wanted = messages.valid_ids(ids[:200])
    if not wanted:
        return {"ok": True, "read": []}  # nothing to record: no database
    player = _current_player()
    if player is None:
        return _refused("unknown_player", "Connexion perdue : recharge la page.")
    player_id, cohort_id = player.id, player.team.cohort_id
    new = messages.mark_read(db.session(), player, wanted, now())
    if new:
        publish.messages_read(cohort_id, player_id, new)
    return {"ok": True, "read": new}
