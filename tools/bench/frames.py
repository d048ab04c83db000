"""One emit's writes to a team's twelve phones, its frame built per socket or once per emit.

`python -m tools.bench.frames` prints the time `tempo.infra.direct_send` spends writing one
`team.event` to twelve plain WebSocket connections (socket pairs on this machine, real wsproto
connections), when each socket gets a packet of its own (its frame built for it, as before) and
when the room shares one packet (the frame built once). docs/benchmarks.md, « Rounds, one
frame per emit ».
"""

from __future__ import annotations

import time
from typing import Any

import engineio
from engineio import packet
from engineio import socket as eio_socket
from gevent import socket as gsocket
from wsproto import ConnectionType, WSConnection
from wsproto.events import AcceptConnection, Request
from wsproto.extensions import PerMessageDeflate

from tempo.infra import direct_send

PHONES = 12
# A vote's team event as the phones receive it (Socket.IO's encoding, namespace /play).
PAYLOAD = (
    '2/play,["team.event",{"type":"mission.vote","version":123,"mission":"d01-contrat",'
    '"votes":{"17":"signer","18":"relire"},"by":17}]'
)


class _Connection:
    """simple-websocket's part: the wsproto connection and the socket to the phone."""

    def __init__(self, sock: Any, ws: WSConnection) -> None:
        self.sock, self.ws, self.connected = sock, ws, True


class _WebSocket:
    """engineio's wrapper around it (its own writer is not used here)."""

    def __init__(self, sock: Any, ws: WSConnection) -> None:
        self.ws = _Connection(sock, ws)

    def send(self, message: Any) -> None:
        """Unused: every packet here is written directly."""


def _open_server_connection() -> WSConnection:
    """The server's side of a WebSocket handshake with a phone that offers no extension."""
    phone, server = WSConnection(ConnectionType.CLIENT), WSConnection(ConnectionType.SERVER)
    server.receive_data(phone.send(Request(host="tempo", target="/")))
    list(server.events())
    phone.receive_data(server.send(AcceptConnection(extensions=[PerMessageDeflate()])))
    return server


def _drain(ends: list[Any]) -> None:
    for end in ends:
        end.settimeout(0.0)
        try:
            while end.recv(1 << 20):
                pass
        except BlockingIOError:
            pass


def measure(shared: bool, emits: int = 3000) -> float:
    """Microseconds per emit to `PHONES` sockets; `shared`: one packet for all of them."""
    sockets, ends, servers = [], [], []
    for i in range(PHONES):
        server_end, phone_end = gsocket.socketpair()
        ends.append(phone_end)
        servers.append(server_end)
        sock = eio_socket.Socket(engineio.Server(async_mode="gevent"), f"sid{i}")
        sock.connected = sock.upgraded = True
        ws = _WebSocket(server_end, _open_server_connection())
        setattr(sock, direct_send._ATTRIBUTE, direct_send._LockedWebSocket(ws))
        sockets.append(sock)
    try:
        started = time.perf_counter()
        for i in range(emits):
            one = packet.Packet(packet.MESSAGE, PAYLOAD)
            for sock in sockets:
                sock.send(one if shared else packet.Packet(packet.MESSAGE, PAYLOAD))
            if i % 50 == 0:
                _drain(ends)  # as the phones read
        return (time.perf_counter() - started) / emits * 1e6
    finally:
        for end in ends + servers:
            end.close()


def main() -> None:
    """Print three measures of each way."""
    direct_send.install()
    for _ in range(3):
        print(
            f"one emit to {PHONES} phones: frame per socket {measure(False):.0f} µs, "
            f"frame once per emit {measure(True):.0f} µs"
        )


if __name__ == "__main__":
    main()
