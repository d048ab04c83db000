"""Socket.IO events run in request contexts that match a rule: no exception, no garbage cycle."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from flask import Flask, request

from tests.conftest import Demo
from tests.realtime.helpers import NS, act, connect, first_of_type

POLLING = {"PATH_INFO": "/socket.io/", "QUERY_STRING": "EIO=4&transport=polling"}
WEBSOCKET = {
    "PATH_INFO": "/socket.io/",
    "QUERY_STRING": "EIO=4&transport=websocket",
    "HTTP_UPGRADE": "websocket",
    "HTTP_CONNECTION": "Upgrade",
}


@pytest.mark.parametrize("environ", [POLLING, WEBSOCKET], ids=["polling", "websocket"])
def test_the_socketio_path_matches_a_rule(app: Flask, environ: dict[str, str]) -> None:
    """The request context Flask-SocketIO builds for each event finds a rule for its path."""
    base = app.test_request_context().request.environ
    with app.request_context({**base, **environ}):
        assert request.routing_exception is None
        assert request.endpoint in {"socketio_path", "socketio_websocket"}


def test_the_socketio_path_is_not_a_page(app: Flask) -> None:
    """Should a plain GET ever reach Flask's view (Engine.IO answers first), it is a 404."""
    view = app.view_functions["socketio_path"]
    with app.test_request_context("/socket.io/"), pytest.raises(Exception) as raised:
        view()
    assert getattr(raised.value, "code", None) == 404


@pytest.fixture
def collector_off() -> Iterator[None]:
    """Garbage found by a collection is kept in gc.garbage instead of being freed."""
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        yield
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()


def test_a_players_actions_leave_no_routing_exception_behind(
    app: Flask, demo: Demo, collector_off: None
) -> None:
    """Ten wrong answers through a phone's socket leave no NotFound (and its frames) for the
    collector: each used to leave one, a cycle the server's collector had to find."""
    phone = connect(app, demo.join(0, "Alice"))
    enigma = first_of_type("enigma")
    for i in range(10):
        reply = act(phone, enigma.id, "answer", answer=f"faux {i}")
        assert reply["error"]["code"] == "wrong_answer"
    phone.disconnect(namespace=NS)
    gc.collect()
    kinds = {type(o).__name__ for o in gc.garbage if isinstance(o, BaseException)}
    assert not kinds & {"NotFound", "NoMatch", "WebsocketMismatch"}, kinds
