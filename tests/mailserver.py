"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, for mail tests."""

from __future__ import annotations

import email
import socket
from email.message import EmailMessage
from email.policy import default
from typing import Any

from aiosmtpd.controller import Controller


class _Handler:
    def __init__(self, server: SmtpServer) -> None:
        self.server = server

    async def handle_RCPT(
        self, _server: Any, _session: Any, envelope: Any, address: str, _options: Any
    ) -> str:
        if address.lower() in self.server.rejected:
            return "550 5.1.1 Destinataire inconnu"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=default)
        assert isinstance(message, EmailMessage)
        self.server.messages.append(message)
        return "250 Message accepted for delivery"


class SmtpServer:
    """aiosmtpd on 127.0.0.1 and a free port; `messages` holds what arrived."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.rejected: set[str] = set()
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = int(s.getsockname()[1])
        self.controller: Controller | None = None

    def reject(self, address: str) -> None:
        """Make the server refuse this recipient (550), as for an unknown mailbox."""
        self.rejected.add(address.lower())

    def to(self, address: str) -> list[EmailMessage]:
        """The messages received for one recipient."""
        return [m for m in self.messages if m["To"] == address]

    def start(self) -> None:
        """Start listening (again, after `stop`, on the same port: a server back up)."""
        self.controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        """Stop listening (a mail server down)."""
        if self.controller is not None:
            self.controller.stop()
            self.controller = None
