"""The bare transport: a tiny Flask-SocketIO server that only relays each event to its room.

It is the yardstick of `tempo bench`: same async mode as `tempo serve` (gevent), same namespace
and event names as the real protocol (`/play`, `sync`, `action`, `hint`, `team.event`,
`presence`), but no database and no game. It relays what the protocol makes any server relay:
an action and a bought hint each become one `team.event` to the room, a phone connecting or
leaving one `presence` to its room; every other request the phones send (`inbox`…) gets an
empty acknowledgement. It is deliberately not built by Tempo's app factory: it measures what
Flask-SocketIO alone costs for Tempo's traffic.

Run: `python -m tools.bench.bare --port PORT` (the bench starts it as a subprocess).
"""

from __future__ import annotations

import sys
from typing import Any, Literal

NAMESPACE = "/play"


def build_bare_app(async_mode: Literal["threading", "gevent"] = "gevent") -> tuple[Any, Any]:
    """The bare Flask app and its SocketIO server."""
    from flask import Flask, request
    from flask_socketio import SocketIO, emit, join_room
    from socketio.exceptions import ConnectionRefusedError

    from tempo.realtime.path import route_socketio_path

    app = Flask("tempo-bare")
    socketio = SocketIO(app, async_mode=async_mode)
    # As Tempo does: without it each event leaves a garbage cycle (tempo.realtime.path).
    route_socketio_path(app)
    versions: dict[str, int] = {}
    rooms: dict[str, str] = {}

    @app.get("/healthz")
    def healthz() -> str:
        return "ok"

    @socketio.on("connect", namespace=NAMESPACE)
    def on_connect(auth: Any = None) -> None:
        room = auth.get("room") if isinstance(auth, dict) else None
        if not isinstance(room, str):
            raise ConnectionRefusedError({"code": "unknown_player", "message": "Salle inconnue."})
        join_room(room)
        rooms[request.sid] = room  # type: ignore[attr-defined]
        versions.setdefault(room, 0)
        presence(room)

    @socketio.on("disconnect", namespace=NAMESPACE)
    def on_disconnect(*_args: Any) -> None:
        room = rooms.pop(request.sid, None)  # type: ignore[attr-defined]
        if room is not None:
            presence(room)

    def presence(room: str) -> None:
        # Who is here, to the room (Tempo sends its list of players with their pseudonyms).
        here = sorted(sid for sid, r in rooms.items() if r == room)
        emit("presence", {"online": here}, to=room, namespace=NAMESPACE)

    def relay(data: Any, kind: str) -> dict[str, Any]:
        room = rooms.get(request.sid)  # type: ignore[attr-defined]
        if room is None:
            return {"ok": False, "error": {"code": "unknown_player", "message": "Salle inconnue."}}
        versions[room] += 1
        version = versions[room]
        mission = data.get("mission") if isinstance(data, dict) else None
        # One event per action or hint, relayed to the whole room (the sender included).
        emit(
            "team.event",
            {"version": version, "type": kind, "mission": mission, "by": 0},
            to=room,
            namespace=NAMESPACE,
        )
        return {"ok": True, "version": version}

    @socketio.on("sync", namespace=NAMESPACE)
    def on_sync(_data: Any = None) -> dict[str, Any]:
        room = rooms.get(request.sid, "")  # type: ignore[attr-defined]
        return {"ok": True, "version": versions.get(room, 0), "events": []}

    @socketio.on("action", namespace=NAMESPACE)
    def on_action(data: Any = None) -> dict[str, Any]:
        return relay(data, "mission.attempted")

    @socketio.on("hint", namespace=NAMESPACE)
    def on_hint(data: Any = None) -> dict[str, Any]:
        return relay(data, "hint.bought")

    @socketio.on("*", namespace=NAMESPACE)
    def on_other(_event: str, _data: Any = None) -> dict[str, Any]:
        # The client's other requests (`view`, `inbox`, `hint`…): an empty acknowledgement, so
        # that the yardstick carries the same round trips as Tempo without their work.
        return {"ok": True}

    return app, socketio


def main(argv: list[str] | None = None) -> None:
    """Serve the bare transport on 127.0.0.1:PORT in gevent mode."""
    args = sys.argv[1:] if argv is None else argv
    port = int(args[args.index("--port") + 1]) if "--port" in args else 5055
    from gevent import monkey

    monkey.patch_all()
    from tempo.launcher import freeze_startup_objects, tune_gc_for_serving

    tune_gc_for_serving()  # the same collector settings as `tempo serve`, for a fair yardstick
    app, socketio = build_bare_app("gevent")
    if "--direct" in args:
        from tempo.infra import direct_send

        direct_send.install()
    freeze_startup_objects()
    print(f"bare transport on 127.0.0.1:{port}", flush=True)
    socketio.run(app, host="127.0.0.1", port=port, log_output=False)


if __name__ == "__main__":
    main()
