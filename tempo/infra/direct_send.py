"""Engine.IO WebSocket packets written by the greenlet that emits them, when the socket is idle.

python-engineio queues every packet and a writer greenlet per socket sends it. Under gevent the
writer only runs once the greenlets already ready have run: when a burst of actions arrives
together, a team's event waits for every handler queued behind the one that produced it before
any phone receives it. That wait is most of the latency tail `tempo bench` measures
(docs/benchmarks.md, « Writing where it is emitted »).

`install()` makes `Socket.send` write the packet at once on the WebSocket when nothing is waiting
for that socket: its queue is empty and no other write holds the socket. Otherwise the packet is
queued as before, so the order of a socket's packets never changes. Every write on the WebSocket
(the writer's, the upgrade's and these) takes one lock per socket, so two greenlets never write
on it together. A failed write leaves the packet in the queue: the writer meets the same broken
connection and closes it the way it always did.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from engineio import socket as eio_socket

log = logging.getLogger("tempo.direct_send")
_ORIGINAL_SEND = eio_socket.Socket.send
_ORIGINAL_HANDLER = eio_socket.Socket._websocket_handler
_ATTRIBUTE = "_tempo_direct_ws"


class _LockedWebSocket:
    """The socket's WebSocket, every write of which holds `lock`."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        # threading.Lock is gevent's own lock once `tempo serve` has patched the standard library.
        self.lock = threading.Lock()

    def send(self, message: Any) -> Any:
        """Write one encoded packet, after any write in progress."""
        with self.lock:
            return self.ws.send(message)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.ws, name)


def _websocket_handler(self: eio_socket.Socket, ws: Any) -> Any:
    locked = _LockedWebSocket(ws)
    setattr(self, _ATTRIBUTE, locked)
    try:
        return _ORIGINAL_HANDLER(self, locked)
    finally:
        setattr(self, _ATTRIBUTE, None)


def _send(self: eio_socket.Socket, pkt: Any) -> None:
    ws: _LockedWebSocket | None = getattr(self, _ATTRIBUTE, None)
    if (
        ws is None
        or not self.upgraded
        or self.upgrading
        or self.closed
        or not self.queue.empty()  # queued packets go first: the writer sends them in order
    ):
        _ORIGINAL_SEND(self, pkt)
        return
    if not self.check_ping_timeout():
        return  # the client is gone (stock send drops the packet too)
    if not ws.lock.acquire(blocking=False):
        self.queue.put(pkt)  # the writer (or another greenlet) is writing: after it
        return
    try:
        ws.ws.send(pkt.encode())
    except Exception:  # any failed write: the writer meets it too and closes the connection
        self.queue.put(pkt)
    finally:
        ws.lock.release()


def install() -> bool:
    """Write idle sockets' packets where they are emitted (idempotent; `tempo serve` only).

    False, and nothing changed, if this python-engineio no longer has what it replaces."""
    needed = ("_websocket_handler", "send", "check_ping_timeout")
    if not all(hasattr(eio_socket.Socket, name) for name in needed):
        log.warning("python-engineio has changed: packets keep its own writer")
        return False
    eio_socket.Socket._websocket_handler = _websocket_handler
    eio_socket.Socket.send = _send
    return True


def installed() -> bool:
    """Whether `install()` has run in this process."""
    return eio_socket.Socket.send is _send
