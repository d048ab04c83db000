"""Responses that carry a file (CSV, PDF, recap cards), for the player pages and the console."""

from __future__ import annotations

import functools
from pathlib import Path

from flask import Response, current_app, request

from tempo.models import MediaImage, VersionImage
from tempo.services.recaps import mailing as recap_mail
from tempo.services.recaps import produce as recaps
from tempo.services.recaps.cards import cached_card

CSV = "text/csv; charset=utf-8"


def attachment(body: bytes, mimetype: str, name: str) -> Response:
    """A file to save, named `name`."""
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def pdf(body: bytes, name: str) -> Response:
    """A PDF to save, named `name`."""
    return attachment(body, "application/pdf", name)


def file_slug(text: str) -> str:
    """A name for a downloaded file from a pseudonym: « Léa B. » -> « léa-b »."""
    kept = "".join(ch if ch.isalnum() else "-" for ch in text.lower())
    return "-".join(part for part in kept.split("-") if part)[:40] or "joueur"


def png(body: bytes, name: str, download: bool, cache: str = "private") -> Response:
    """A card as a response: inline, or as a file to save."""
    response = Response(body, mimetype="image/png")
    disposition = "attachment" if download else "inline"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{name}"'
    response.headers["Cache-Control"] = f"{cache}, max-age=86400"
    return response


def card_folder() -> Path:
    """Where drawn cards are kept (they never change once drawn)."""
    return recap_mail.card_folder(current_app)


def player_card(view: recaps.RecapView) -> bytes:
    """A player's card of one day, drawn once."""
    return cached_card(
        card_folder(), f"player-{view.player_recap_id}", functools.partial(recaps.card_of, view)
    )


def team_card(view: recaps.RecapView) -> bytes:
    """A team's card of one day, drawn once."""
    return cached_card(
        card_folder(), f"team-{view.team_recap_id}", functools.partial(recaps.card_of, view)
    )


def stored_image(found: MediaImage | VersionImage, cache: str) -> Response:
    """An image of the library or of a version: its type, a fingerprint to revalidate, `cache`."""
    response = Response(found.data, mimetype=found.content_type)
    response.headers["Cache-Control"] = cache
    response.set_etag(found.sha256)
    response.make_conditional(request)
    return response
