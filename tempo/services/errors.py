"""The one base of every refusal a service gives: a stable code and a French message."""

from __future__ import annotations


class ServiceError(Exception):
    """A refused operation: `code` for programs (acknowledgements, tests), `message` for people.

    Each product area derives its own error type from it, so an adapter (route, socket handler,
    command) can answer any refusal the same way.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
