"""tempo.infra.direct_send: an idle WebSocket's packets are written by the emitting greenlet,
and nothing else about a socket's packets changes (order, queue, failures)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import engineio
import pytest
from engineio import packet
from engineio import socket as eio_socket

from tempo.infra import direct_send


class FakeWebSocket:
    """What engineio's WebSocket handler is given: records the frames written on it."""

    def __init__(self, fail: bool = False) -> None:
        self.sent: list[Any] = []
        self.fail = fail
        self.incoming: list[Any] = []

    def send(self, message: Any) -> None:
        if self.fail:
            raise OSError("broken pipe")
        self.sent.append(message)

    def wait(self) -> Any:
        return self.incoming.pop(0) if self.incoming else None

    def close(self) -> None:
        pass


@pytest.fixture
def installed() -> Iterator[None]:
    original = (eio_socket.Socket.send, eio_socket.Socket._websocket_handler)
    direct_send.install()
    yield
    eio_socket.Socket.send, eio_socket.Socket._websocket_handler = original  # type: ignore[method-assign]


def _upgraded_socket(ws: FakeWebSocket) -> eio_socket.Socket:
    """A socket past its upgrade, holding `ws` the way the handler does."""
    server = engineio.Server(async_mode="threading")
    sock = eio_socket.Socket(server, "sid")
    sock.connected = sock.upgraded = True
    locked = direct_send._LockedWebSocket(ws)
    setattr(sock, direct_send._ATTRIBUTE, locked)
    return sock


def _message(text: str) -> packet.Packet:
    return packet.Packet(packet.MESSAGE, data=text)


def test_an_idle_socket_s_packet_is_written_at_once(installed: None) -> None:
    """Nothing queued, nobody writing: the frame is on the WebSocket before send returns."""
    ws = FakeWebSocket()
    sock = _upgraded_socket(ws)
    sock.send(_message("a"))
    assert ws.sent == ["4a"] and sock.queue.empty()
    assert direct_send.installed()


def test_queued_packets_keep_their_order(installed: None) -> None:
    """A packet waiting for the writer goes first: the next one is queued behind it."""
    ws = FakeWebSocket()
    sock = _upgraded_socket(ws)
    sock.queue.put(_message("first"))
    sock.send(_message("second"))
    assert ws.sent == []
    assert [sock.queue.get().data, sock.queue.get().data] == ["first", "second"]


def test_a_write_in_progress_is_never_interleaved(installed: None) -> None:
    """While another writer holds the socket, the packet waits in the queue."""
    ws = FakeWebSocket()
    sock = _upgraded_socket(ws)
    locked: direct_send._LockedWebSocket = getattr(sock, direct_send._ATTRIBUTE)
    with locked.lock:
        sock.send(_message("later"))
    assert ws.sent == [] and sock.queue.get().data == "later"


def test_a_failed_write_leaves_the_packet_to_the_writer(installed: None) -> None:
    """A broken connection: the packet is queued and the writer closes it as it always did."""
    ws = FakeWebSocket(fail=True)
    sock = _upgraded_socket(ws)
    sock.send(_message("lost?"))
    assert sock.queue.get().data == "lost?"
    locked: direct_send._LockedWebSocket = getattr(sock, direct_send._ATTRIBUTE)
    assert locked.lock.acquire(blocking=False)  # released


def test_sockets_still_polling_or_upgrading_use_the_queue(installed: None) -> None:
    """Long-polling and an upgrade in progress keep engineio's own path."""
    ws = FakeWebSocket()
    sock = _upgraded_socket(ws)
    sock.upgrading = True
    sock.send(_message("held"))
    polling = eio_socket.Socket(engineio.Server(async_mode="threading"), "sid2")
    polling.connected = True
    polling.send(_message("polled"))
    assert ws.sent == []
    assert sock.queue.get().data == "held" and polling.queue.get().data == "polled"


def test_the_handler_s_own_writes_hold_the_socket(installed: None) -> None:
    """The writer writes through the locked WebSocket: a direct write waits for it."""
    ws = FakeWebSocket()
    sock = eio_socket.Socket(engineio.Server(async_mode="threading"), "sid")
    seen: list[bool] = []
    original_send = ws.send

    def send(message: Any) -> None:
        locked = getattr(sock, direct_send._ATTRIBUTE)
        seen.append(not locked.lock.acquire(blocking=False))  # held by this write
        original_send(message)

    ws.send = send  # type: ignore[method-assign]
    sock.queue.put(_message("from the writer"))
    sock.queue.put(None)  # then the writer stops
    done = threading.Event()

    def run() -> None:
        sock._websocket_handler(ws)
        done.set()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert done.wait(5)
    assert "4from the writer" in ws.sent and seen and all(seen)
    assert getattr(sock, direct_send._ATTRIBUTE) is None  # forgotten with its connection
