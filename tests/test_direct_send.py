"""tempo.infra.direct_send: an idle WebSocket's packets are written by the emitting greenlet,
never waiting for a slow phone, and nothing else about a socket's packets changes (order,
queue, failures)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from typing import Any

import engineio
import gevent
import gevent.queue
import pytest
from engineio import packet
from engineio import socket as eio_socket
from gevent import socket as gsocket
from wsproto import ConnectionType, WSConnection
from wsproto.events import AcceptConnection, CloseConnection, Request, TextMessage
from wsproto.extensions import PerMessageDeflate

from tempo.infra import direct_send


class Encoder:
    """wsproto's part: one event in, the frame's bytes out."""

    def send(self, event: Any) -> bytes:
        data = event.data
        return b"<" + (data if isinstance(data, bytes) else data.encode()) + b">"


class Connection:
    """simple-websocket's part: the encoder and the (gevent) socket to the phone."""

    def __init__(self, sock: Any) -> None:
        self.ws = Encoder()
        self.sock = sock
        self.connected = True


class WebSocket:
    """engineio's WebSocket wrapper; its own `send` (the writer's path) records the frames."""

    def __init__(self, sock: Any) -> None:
        self.ws = Connection(sock)
        self.sent: list[Any] = []
        self.incoming: list[Any] = []

    def send(self, message: Any) -> None:
        self.sent.append(message)

    def wait(self) -> Any:
        return self.incoming.pop(0) if self.incoming else None

    def close(self) -> None:
        pass


@pytest.fixture
def installed() -> Iterator[None]:
    original = (eio_socket.Socket.send, eio_socket.Socket._websocket_handler)
    assert direct_send.install()
    yield
    eio_socket.Socket.send, eio_socket.Socket._websocket_handler = original  # type: ignore[method-assign]


@pytest.fixture
def pair() -> Iterator[tuple[Any, Any]]:
    """The server's end and the phone's end of one connection (gevent sockets)."""
    server_end, phone_end = gsocket.socketpair()
    yield server_end, phone_end
    server_end.close()
    phone_end.close()


def _upgraded_socket(ws: WebSocket, mode: str = "gevent") -> eio_socket.Socket:
    """A socket past its upgrade, holding `ws` the way the handler does."""
    sock = eio_socket.Socket(engineio.Server(async_mode=mode), "sid")
    sock.connected = sock.upgraded = True
    locked = direct_send._LockedWebSocket(ws)
    assert locked.conn is not None
    setattr(sock, direct_send._ATTRIBUTE, locked)
    return sock


def _locked(sock: eio_socket.Socket) -> direct_send._LockedWebSocket:
    locked: direct_send._LockedWebSocket = getattr(sock, direct_send._ATTRIBUTE)
    return locked


def _message(text: str) -> packet.Packet:
    return packet.Packet(packet.MESSAGE, data=text)


def _received(phone_end: Any) -> bytes:
    """What the phone can read now, without waiting."""
    chunks = []
    phone_end.settimeout(0.0)
    try:
        while chunk := phone_end.recv(1 << 20):
            chunks.append(chunk)
    except BlockingIOError:
        pass
    finally:
        phone_end.settimeout(None)
    return b"".join(chunks)


def test_an_idle_socket_s_packet_is_on_the_wire_at_once(
    installed: None, pair: tuple[Any, Any]
) -> None:
    """Nothing queued, nobody writing: the frame reaches the phone before send returns."""
    server_end, phone_end = pair
    sock = _upgraded_socket(WebSocket(server_end))
    sock.send(_message("a"))
    assert _received(phone_end) == b"<4a>"
    assert sock.queue.empty() and _locked(sock).lock.acquire(blocking=False)
    assert direct_send.installed()


def test_queued_packets_keep_their_order(installed: None, pair: tuple[Any, Any]) -> None:
    """A packet waiting for the writer goes first: the next one is queued behind it."""
    server_end, phone_end = pair
    sock = _upgraded_socket(WebSocket(server_end))
    sock.queue.put(_message("first"))
    sock.send(_message("second"))
    assert _received(phone_end) == b""
    assert [sock.queue.get().data, sock.queue.get().data] == ["first", "second"]


def test_a_write_in_progress_is_never_interleaved(installed: None, pair: tuple[Any, Any]) -> None:
    """While another write holds the socket, the packet waits in the queue."""
    server_end, phone_end = pair
    sock = _upgraded_socket(WebSocket(server_end))
    with _locked(sock).lock:
        sock.send(_message("later"))
    assert _received(phone_end) == b"" and sock.queue.get().data == "later"


def test_a_slow_phone_never_holds_the_emitting_greenlet(
    installed: None, pair: tuple[Any, Any]
) -> None:
    """A full send buffer: send returns at once; the frame's rest goes out whole when the phone
    reads, and every later packet waits behind it."""
    server_end, phone_end = pair
    server_end.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    backlog = 0
    while True:  # fill the kernel's buffers as a phone that stopped reading would
        try:
            backlog += server_end.send(b"." * 4096, 0, timeout=0.0)
        except BlockingIOError:
            break
    sock = _upgraded_socket(WebSocket(server_end))
    big = "x" * 200_000
    sock.send(_message(big))  # returns: nothing here waits for the phone
    assert not _locked(sock).lock.acquire(blocking=False)  # the frame's rest holds the socket
    sock.send(_message("next"))
    assert sock.queue.get().data == "next"  # behind the frame, for the writer
    expected = backlog + len(b"<4" + big.encode() + b">")
    got = bytearray()
    while len(got) < expected:  # the phone reads again
        got += phone_end.recv(1 << 20)
    assert bytes(got[backlog:]) == b"<4" + big.encode() + b">"
    gevent.sleep(0)  # the finishing greenlet releases the socket
    assert _locked(sock).lock.acquire(blocking=False)


def test_a_closed_connection_leaves_the_packet_to_the_writer(
    installed: None, pair: tuple[Any, Any]
) -> None:
    """The WebSocket is closed: the packet is queued and the writer closes the socket."""
    server_end, _phone_end = pair
    ws = WebSocket(server_end)
    ws.ws.connected = False
    sock = _upgraded_socket(ws)
    sock.send(_message("lost?"))
    assert sock.queue.get().data == "lost?"
    assert _locked(sock).lock.acquire(blocking=False)  # released


def test_sockets_still_polling_or_upgrading_use_the_queue(
    installed: None, pair: tuple[Any, Any]
) -> None:
    """Long-polling and an upgrade in progress keep engineio's own path."""
    server_end, phone_end = pair
    sock = _upgraded_socket(WebSocket(server_end))
    sock.upgrading = True
    sock.send(_message("held"))
    polling = eio_socket.Socket(engineio.Server(async_mode="gevent"), "sid2")
    polling.connected = True
    polling.send(_message("polled"))
    assert _received(phone_end) == b""
    assert sock.queue.get().data == "held" and polling.queue.get().data == "polled"


def test_another_websocket_keeps_engineio_s_writer(installed: None) -> None:
    """Not simple-websocket over a plain gevent socket (a standard socket, a TLS one): nothing
    direct."""
    plain, other = socket.socketpair()
    try:
        locked = direct_send._LockedWebSocket(WebSocket(plain))
        assert locked.conn is None
    finally:
        plain.close()
        other.close()

    class TlsSocket:  # what gevent's TLS socket looks like to this module
        __module__ = "gevent._ssl3"

        def getpeercert(self) -> None:
            return None

    assert direct_send._LockedWebSocket(WebSocket(TlsSocket())).conn is None


def test_the_handler_s_own_writes_hold_the_socket(installed: None, pair: tuple[Any, Any]) -> None:
    """engineio's writer writes through the locked WebSocket: a direct write waits for it."""
    server_end, _phone_end = pair
    ws = WebSocket(server_end)
    sock = eio_socket.Socket(engineio.Server(async_mode="threading"), "sid")
    seen: list[bool] = []
    record = ws.send

    def send(message: Any) -> None:
        locked = getattr(sock, direct_send._ATTRIBUTE)
        seen.append(not locked.lock.acquire(blocking=False))  # held by this write
        record(message)

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


def test_a_phone_s_tcp_connection_never_holds_a_frame_back(installed: None) -> None:
    """TCP_NODELAY on the phone's connection: with Nagle's algorithm on, the second of two
    frames written in a row waited for the phone to acknowledge the first (40 ms or a round
    trip). Unix sockets (the other tests, a local proxy) are left as they are."""
    listener = gsocket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    phone_end = gsocket.create_connection(listener.getsockname())
    server_end, _address = listener.accept()
    try:
        assert not server_end.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        sock = _upgraded_socket(WebSocket(server_end))
        assert server_end.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        sock.send(_message("a"))
        sock.send(_message("b"))
        received = b""
        phone_end.settimeout(5)
        while len(received) < len(b"<4a><4b>"):
            received += phone_end.recv(64)
        assert received == b"<4a><4b>"
    finally:
        for end in (server_end, phone_end, listener):
            end.close()


class AnsweringWebSocket(WebSocket):
    """A phone that answers each PING the writer sends with a PONG, and stays until told."""

    def __init__(self, sock: Any) -> None:
        super().__init__(sock)
        self.inbox: gevent.queue.Queue[Any] = gevent.queue.Queue()
        self.closed = False

    def send(self, message: Any) -> None:
        super().send(message)
        if message == "2":  # Engine.IO's PING
            self.inbox.put("3")

    def wait(self) -> Any:
        return self.inbox.get()

    def close(self) -> None:
        self.closed = True


def test_a_phone_answering_the_heartbeat_stays_connected(
    installed: None, pair: tuple[Any, Any]
) -> None:
    """Messages written directly never starve engineio's writer: it waits on its queue for at
    most ping interval + ping timeout, then closes the connection. The heartbeat's PINGs go
    through that queue, so a phone that answers them keeps its connection however long every
    message goes direct (before, every phone was cut 45 s after connecting)."""
    server_end, phone_end = pair
    server = engineio.Server(async_mode="gevent", ping_interval=0.05, ping_timeout=0.05)
    sock = eio_socket.Socket(server, "sid")
    ws = AnsweringWebSocket(server_end)
    handler = gevent.spawn(sock._websocket_handler, ws)
    gevent.sleep(0)
    sock.schedule_ping()
    for i in range(50):  # half a second: five times the writer's patience
        sock.send(_message(f"m{i}"))
        gevent.sleep(0.01)
    assert not ws.closed and not sock.closed
    assert ws.sent.count("2") >= 3  # the PINGs went through the writer
    # Each message once: directly, or behind a PING waiting in the queue (keeping its place).
    direct = _received(phone_end).decode()
    queued = [message for message in ws.sent if message != "2"]
    for i in range(50):
        assert (direct.count(f"<4m{i}>") + queued.count(f"4m{i}")) == 1
    assert direct.startswith("<4m0>") and len(queued) < 10
    ws.inbox.put(None)  # the phone leaves: the handler ends and closes
    handler.join(timeout=5)
    assert ws.closed and sock.closed


def _handshake(deflate: bool) -> tuple[WSConnection, WSConnection]:
    """A phone's and the server's wsproto connections, open; the server accepts
    permessage-deflate as simple-websocket does, which only a phone offering it gets."""
    phone, server = WSConnection(ConnectionType.CLIENT), WSConnection(ConnectionType.SERVER)
    offered = [PerMessageDeflate()] if deflate else []
    server.receive_data(phone.send(Request(host="tempo", target="/", extensions=offered)))
    assert [type(e) for e in server.events()] == [Request]
    phone.receive_data(server.send(AcceptConnection(extensions=[PerMessageDeflate()])))
    assert [type(e) for e in phone.events()] == [AcceptConnection]
    return phone, server


def _messages(phone: WSConnection, data: bytes) -> list[str]:
    phone.receive_data(data)
    return [e.data for e in phone.events() if isinstance(e, TextMessage)]


def test_one_frame_per_emit_for_the_phones_without_compression(
    installed: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An emit to a room hands one packet to each socket: its frame is built once for every
    phone without an extension, and each phone that compresses gets its own, which it reads."""
    built: list[str] = []
    encode = direct_send._LockedWebSocket.encode

    def counting(self: direct_send._LockedWebSocket, message: str | bytes) -> bytes:
        built.append("deflate" if self.conn.ws.connection._proto.extensions else "plain")
        return encode(self, message)

    monkeypatch.setattr(direct_send._LockedWebSocket, "encode", counting)
    ends, phones, sockets = [], [], []
    for deflate in (False, False, True, True):
        server_end, phone_end = gsocket.socketpair()
        ends += [server_end, phone_end]
        phone, server = _handshake(deflate)
        ws = WebSocket(server_end)
        ws.ws.ws = server  # type: ignore[assignment]
        phones.append((phone, phone_end))
        sockets.append(_upgraded_socket(ws))
    try:
        for text in ("premier", "second « é »"):
            shared = _message(text)
            for sock in sockets:
                sock.send(shared)
        assert built == ["plain", "deflate", "deflate"] * 2
        frames = [_received(phone_end) for _phone, phone_end in phones]
        assert frames[0] == frames[1] != frames[2]
        for phone, data in zip([p for p, _e in phones], frames, strict=True):
            assert _messages(phone, data) == ["4premier", "4second « é »"]
        # A phone closing its side: no shared frame goes to a connection no longer open.
        closing_phone, _closing_end = phones[0]
        server = _locked(sockets[0]).conn.ws
        server.receive_data(closing_phone.send(CloseConnection(code=1000)))
        assert [type(e) for e in server.events()] == [CloseConnection]  # read, as its thread does
        assert not _locked(sockets[0]).plain() and _locked(sockets[1]).plain()
    finally:
        for end in ends:
            end.close()
