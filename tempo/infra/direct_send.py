"""Engine.IO WebSocket packets written by the greenlet that emits them, when the socket is idle.

python-engineio queues every packet and a writer greenlet per socket sends it. Under gevent the
writer only runs once the greenlets already ready have run: when a burst of actions arrives
together, a team's event waits for every handler queued behind the one that produced it before
any phone receives it. That wait was most of the latency tail `tempo bench` measures
(docs/benchmarks.md, « Writing where it is emitted »).

`install()` makes `Socket.send` write the packet at once when nothing is waiting for that
socket: its queue is empty and no other write holds the socket. Otherwise the packet is queued
as before, so the order of a socket's packets never changes. Every write on the WebSocket (the
writer's, the upgrade's and these) takes one lock per socket, so two greenlets never write on
it together.

The emitting greenlet never waits for a phone: the frame goes to the kernel without blocking
(gevent's `send(..., timeout=0.0)`), and whatever a slow phone's full send buffer does not take
at once is finished by a greenlet of its own, which holds the socket's lock until it is done
(the frame is already encoded, and compressed with the connection's shared deflate context:
it must go out whole, before anything else). A failed write leaves the packet to the writer,
which meets the same broken connection and closes it the way it always did.

Only messages (Socket.IO's packets) are written directly; Engine.IO's own packets, its
heartbeat's PING above all, still go through the writer's queue. The writer waits on that queue
for at most the ping interval plus the ping timeout and closes the connection when nothing came:
with every packet written directly, it closed every phone's connection 45 s after it opened
(the phone reconnected at once, and dropped again 45 s later). The PING that arrives every
25 s keeps it waiting, and a phone that stops answering still stops the pings, so the writer
still closes a vanished phone's connection.

The connections it writes on are TCP_NODELAY: frames are written the moment they exist, and
Nagle's algorithm would hold one back until the phone acknowledges the previous one.

This relies on python-engineio's gevent driver over simple-websocket (wsproto); a socket
built otherwise keeps engineio's own writer.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
from typing import Any

from engineio import packet
from engineio import socket as eio_socket
from wsproto.connection import ConnectionState
from wsproto.events import Message, TextMessage  # simple-websocket's frames

log = logging.getLogger("tempo.direct_send")
_ORIGINAL_SEND = eio_socket.Socket.send
_ORIGINAL_HANDLER = eio_socket.Socket._websocket_handler
_ATTRIBUTE = "_tempo_direct_ws"
#: Where a packet keeps the frame built for the first socket without an extension.
_FRAME = "_tempo_plain_frame"


def _frames(ws: Any) -> Any:
    """The simple-websocket connection under engineio's WebSocket wrapper, if that is what it
    is (it encodes frames with wsproto and writes them on a gevent socket)."""
    conn: Any = getattr(ws, "ws", None)
    if not all(hasattr(conn, name) for name in ("ws", "sock", "connected")):
        return None
    # gevent's socket: its `send` takes a timeout, 0.0 for never waiting. Not a TLS one (`tempo
    # serve` speaks plain HTTP behind its proxy): a TLS write that would block must be retried
    # with the same bytes, which this module does not do.
    sock = conn.sock
    gevent_plain = type(sock).__module__.startswith("gevent") and not hasattr(sock, "getpeercert")
    return conn if gevent_plain and hasattr(conn.ws, "send") else None


def no_delay(sock: Any) -> None:
    """Turn Nagle's algorithm off on a TCP connection to a phone.

    With it on, a frame written while the previous one is not yet acknowledged waits for that
    acknowledgement, which a client delays (40 ms on Linux, a round trip on a phone network):
    an answer's events and a player's own view, written one after the other, reached some
    phones 40 ms after their teammates (docs/benchmarks.md, « Nagle's algorithm »).
    """
    if getattr(sock, "family", None) not in (socket.AF_INET, socket.AF_INET6):
        return  # a Unix socket (a local proxy, the tests) has no such delay
    # Already closed: the writer meets it and closes the Engine.IO socket.
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _LockedWebSocket:
    """The socket's WebSocket, every write of which holds `lock`."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        # threading.Lock is gevent's own lock once `tempo serve` has patched the standard library.
        self.lock = threading.Lock()
        self.conn = _frames(ws)
        if self.conn is not None:
            no_delay(self.conn.sock)

    def send(self, message: Any) -> Any:
        """Write one encoded packet, after any write in progress (engineio's writer, upgrade)."""
        with self.lock:
            return self.ws.send(message)

    def encode(self, message: str | bytes) -> bytes:
        """One WebSocket frame, as simple-websocket's own `send` builds it."""
        if not self.conn.connected:
            raise ConnectionError("the WebSocket is closed")
        event = Message(data=message) if isinstance(message, bytes) else TextMessage(data=message)
        frame: bytes = self.conn.ws.send(event)
        return frame

    def plain(self) -> bool:
        """Whether a whole message's frame here depends on the message alone: the connection
        is open and negotiated no extension (a browser's permessage-deflate compresses with
        the connection's own context, so its frames differ from one phone to the next)."""
        connection = getattr(self.conn.ws, "connection", None)
        # wsproto keeps the negotiated extensions on its frame protocol; a wsproto without it
        # gets every frame built for its own socket, as before.
        extensions = getattr(getattr(connection, "_proto", None), "extensions", None)
        return (
            self.conn.connected
            and connection is not None
            and connection.state is ConnectionState.OPEN
            and extensions == []
        )

    def frame_of(self, pkt: Any) -> bytes:
        """The frame of an Engine.IO packet, built once for all the plain sockets it goes to.

        An emit to a room hands the same packet to each of its sockets (python-socketio's
        `Manager.emit`): encoding it once rather than once per phone was a tenth of an
        answer's broadcast (docs/benchmarks.md, « Rounds, one frame per emit »).
        """
        if not self.plain():
            return self.encode(pkt.encode())
        frame: bytes | None = getattr(pkt, _FRAME, None)
        if frame is None:
            frame = bytes(self.encode(pkt.encode()))
            setattr(pkt, _FRAME, frame)
        return frame

    def write_nowait(self, frame: bytes) -> bytes:
        """Give `frame` to the kernel without waiting; what it did not take."""
        try:
            sent = self.conn.sock.send(frame, 0, timeout=0.0)
        except BlockingIOError:
            sent = 0
        return frame[sent:]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.ws, name)


def _websocket_handler(self: eio_socket.Socket, ws: Any) -> Any:
    locked = _LockedWebSocket(ws)
    if locked.conn is None:
        return _ORIGINAL_HANDLER(self, ws)  # nothing writes directly: engineio's writer alone
    setattr(self, _ATTRIBUTE, locked)
    try:
        return _ORIGINAL_HANDLER(self, locked)
    finally:
        setattr(self, _ATTRIBUTE, None)


def _send(self: eio_socket.Socket, pkt: Any) -> None:
    ws: _LockedWebSocket | None = getattr(self, _ATTRIBUTE, None)
    if (
        ws is None
        or pkt.packet_type != packet.MESSAGE  # the heartbeat keeps the writer alive: see above
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
        frame = ws.frame_of(pkt)
    except Exception:  # a closed connection: the writer meets it too and closes the socket
        ws.lock.release()
        self.queue.put(pkt)
        return
    try:
        rest = ws.write_nowait(frame)
    except Exception:  # a broken connection: the packet is lost with it, the writer closes it
        ws.lock.release()
        return
    if not rest:
        ws.lock.release()
        return

    def finish() -> None:
        # A slow phone: the rest of this frame waits for it here, not in the emitting greenlet;
        # the lock keeps every later write on this socket behind it.
        try:
            ws.conn.sock.sendall(rest)
        except Exception:  # the writer's next write meets the broken connection
            pass
        finally:
            ws.lock.release()

    self.server.start_background_task(finish)


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
