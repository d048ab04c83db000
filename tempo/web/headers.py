"""Security headers on every response: the content policy, no sniffing, no framing, no caching
of pages (see docs/security.md, « Security headers »)."""

from __future__ import annotations

from flask import Flask, Response, request

# Scripts only from our own files (no inline script, no event handler attribute, no eval).
# Styles also allow inline `style` attributes: see docs/security.md for why.
_POLICY = (
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self' {sockets}",
    "worker-src 'self'",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
)


def content_security_policy(host: str) -> str:
    """The policy for a page served at `host`: Socket.IO may also use WebSockets to it."""
    sockets = f"ws://{host} wss://{host}"
    return "; ".join(_POLICY).format(sockets=sockets)


def secure_headers(response: Response) -> Response:
    """Add the policy headers a view has not set itself."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", content_security_policy(request.host))
    headers.setdefault("X-Content-Type-Options", "nosniff")
    # `same-origin`, not `no-referrer`: Flask-WTF checks the Referer of forms sent over HTTPS.
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")  # frame-ancestors for older browsers
    if response.mimetype == "text/html" and "Cache-Control" not in headers:
        # Every page carries a session's data: a CSRF token, flash messages, a player's rejoin
        # code or e-mail, a diagnostic. None may be kept by a shared or back-button cache.
        headers["Cache-Control"] = "no-store"
    return response


def register(app: Flask) -> None:
    """Apply the header policy to every response of `app`."""
    app.after_request(secure_headers)
