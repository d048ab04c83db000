"""Socket.IO's path as a Flask rule, so that Socket.IO events leave no garbage cycles behind."""

from __future__ import annotations

from flask import Flask, abort
from flask.typing import ResponseReturnValue

#: Flask-SocketIO's default path, which Tempo's pages use.
SOCKETIO_PATH = "/socket.io/"


def route_socketio_path(app: Flask) -> None:
    """Give Socket.IO's path Flask rules (plain and WebSocket), so that each Socket.IO event's
    request context matches a rule instead of raising.

    Flask-SocketIO runs every event in a request context built from its connection's first
    request. With no rule for that path, Werkzeug raised NotFound (or WebsocketMismatch) for
    each event, and the exception's traceback held the handler's frames in a reference cycle:
    about fifty objects per player action, nearly all the garbage a live server makes, left for
    the collector, whose pauses every phone waits through (docs/benchmarks.md, « Quieter
    servers, a quieter generator »). Engine.IO answers this path before Flask does, so the view
    never runs; should it ever be reached, it answers 404.
    """

    def socketio_path() -> ResponseReturnValue:
        abort(404)

    for websocket in (False, True):
        endpoint = "socketio_websocket" if websocket else "socketio_path"
        app.add_url_rule(
            SOCKETIO_PATH, endpoint=endpoint, view_func=socketio_path, websocket=websocket
        )
