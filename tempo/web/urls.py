"""Absolute links for phones and e-mails, shared by the player pages, the console and the CLI."""

from __future__ import annotations

from flask import current_app, request


def public_url(path: str) -> str:
    """An absolute URL for phones (TEMPO_PUBLIC_URL, else the host the request came to)."""
    base = current_app.config["TEMPO_CONFIG"].PUBLIC_URL or request.host_url
    return base.rstrip("/") + path
