"""The `/console` namespace: counsellors' dashboards, live (protocol in docs/protocol.md)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app, request
from flask_socketio import join_room
from socketio.exceptions import ConnectionRefusedError

from tempo.extensions import db, socketio
from tempo.models import Role
from tempo.realtime import publish
from tempo.realtime.owners import owners, staff_owner
from tempo.services.cohorts import admin as cohort_service
from tempo.staff_session import current_staff

NAMESPACE = publish.CONSOLE


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
        cohort_service.visible_cohort(db.session(), staff, slug) if isinstance(slug, str) else None
    )
    if cohort is None:
        raise ConnectionRefusedError(
            {
                "code": "unknown_cohort",
                "message": "Cette cohorte n'existe pas ou ne vous est pas confiée.",
            }
        )
    join_room(publish.console_room(cohort.id))
    # Known by account and by cohort, so deactivating the account or taking the cohort away
    # from it ends these connections at once (tempo.web.console: accounts, cohorts).
    owners.add(
        request.sid,  # type: ignore[attr-defined]
        staff_owner(staff.id),
        staff_owner(staff.id, cohort.id),
    )


@socketio.on("disconnect", namespace=NAMESPACE)
def on_disconnect(*_args: Any) -> None:
    """Forget the connection."""
    owners.remove(request.sid)  # type: ignore[attr-defined]
