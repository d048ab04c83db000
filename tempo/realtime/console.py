"""The `/console` namespace: counsellors' dashboards, live (protocol in docs/protocol.md)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app, request
from flask_socketio import ConnectionRefusedError, join_room

from tempo.extensions import db, socketio
from tempo.models import Role
from tempo.services.cohorts import admin as cohort_service
from tempo.web.auth import current_staff

NAMESPACE = "/console"


def console_room(cohort_id: int) -> str:
    """The room of the dashboards open on a cohort."""
    return f"console:{cohort_id}"


def _origin_allowed(origin: str | None) -> bool:
    """Only the app's own address (TEMPO_PUBLIC_URL, or the host serving this request)."""
    if not origin:
        # Browsers always send Origin on WebSocket and CORS requests; test clients do not.
        return True
    allowed = {current_app.config["PUBLIC_URL_BASE"].rstrip("/")}
    allowed.add(f"{request.scheme}://{request.host}")
    parts = urlsplit(origin)
    return f"{parts.scheme}://{parts.netloc}" in allowed


@socketio.on("connect", namespace=NAMESPACE)
def on_connect(auth: dict[str, Any] | None = None) -> None:
    """Accept signed-in staff from this site, and join the dashboards of one visible cohort."""
    if not _origin_allowed(request.headers.get("Origin")):
        raise ConnectionRefusedError(
            {"code": "bad_origin", "message": "Connexion refusée : origine inconnue."}
        )
    staff = current_staff()
    if staff is None or staff.role not in (Role.COUNSELLOR, Role.ADMIN):
        raise ConnectionRefusedError(
            {
                "code": "not_signed_in",
                "message": "Connectez-vous à la console pour suivre une cohorte.",
            }
        )
    slug = (auth or {}).get("cohort") if isinstance(auth, dict) else None
    if not isinstance(slug, str) and request.args.get("cohort"):
        slug = request.args.get("cohort")
    cohort = (
        cohort_service.visible_cohort(db.session, staff, slug) if isinstance(slug, str) else None
    )
    if cohort is None:
        raise ConnectionRefusedError(
            {
                "code": "unknown_cohort",
                "message": "Cette cohorte n'existe pas ou ne vous est pas confiée.",
            }
        )
    join_room(console_room(cohort.id))


def mirror(cohort_id: int, team_id: int, event: dict[str, Any]) -> None:
    """Copy a team event to the dashboards of its cohort."""
    socketio.emit(
        "team.event", {"team": team_id, **event}, to=console_room(cohort_id), namespace=NAMESPACE
    )


def presence_changed(cohort_id: int, team_id: int, online: list[int]) -> None:
    """Tell the dashboards who is connected in a team."""
    socketio.emit(
        "presence",
        {"team": team_id, "online": online},
        to=console_room(cohort_id),
        namespace=NAMESPACE,
    )
