"""Staff sign-in for the console: login and logout pages, the current staff member, roles.

The browser keeps one key, `session["staff_token"]`, a random token whose session lives in the
database (see `tempo.services.staff.accounts`). Players' `session["player_session"]` is never read
here: a phone signed in as a player is, for the console, a visitor who must log in.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial, wraps
from typing import Any, TypeVar, cast

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from tempo import throttle
from tempo.extensions import db
from tempo.infra.clock import now
from tempo.infra.offload import run_blocking
from tempo.models import Role, StaffAccount
from tempo.services.staff import accounts as staff_service
from tempo.staff_session import SESSION_KEY, current_staff, policy

bp = Blueprint("auth", __name__, url_prefix="/console")

ROLE_LABELS = {
    Role.COUNSELLOR: _l("Conseiller·ère"),
    Role.AUTHOR: _l("Auteur·rice"),
    Role.ADMIN: _l("Administrateur·rice"),
}

F = TypeVar("F", bound=Callable[..., ResponseReturnValue])


def _safe_next(target: str | None) -> str | None:
    # Only console paths of this site: never another host (open redirect) or a player page.
    if target and target.startswith("/console") and not target.startswith("//"):
        return target
    return None


def staff_required(*roles: Role) -> Callable[[F], F]:
    """Let only signed-in staff through; with roles, only those (administrators always pass).

    Visitors (players included) are sent to the login page; staff without the role get 403.
    """

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> ResponseReturnValue:
            account = current_staff()
            if account is None:
                if g.get("staff_expired"):
                    flash(_("Votre session a expiré. Reconnectez-vous pour continuer."))
                target = request.full_path.rstrip("?") if request.method == "GET" else None
                return redirect(url_for("auth.login", next=_safe_next(target)))
            if roles and account.role not in roles and account.role is not Role.ADMIN:
                abort(403)
            return view(*args, **kwargs)

        return cast(F, wrapped)

    return decorator


def home_for(account: StaffAccount) -> str:
    """Where a staff member lands after logging in."""
    if account.role is Role.AUTHOR:
        return url_for("console.scenarios")
    return url_for("console.cohorts")


def no_store(response: Response) -> Response:
    """Console pages hold players' names and account data: never cache them, never frame them
    (but the studio's phone preview, which its own studio page frames: it sets SAMEORIGIN)."""
    response.headers["Cache-Control"] = "no-store"
    response.headers.setdefault("X-Frame-Options", "DENY")
    return response


bp.after_request(no_store)


def _client_ip() -> str:
    # Behind nginx, TEMPO_TRUSTED_PROXIES=1 makes the app factory install ProxyFix: remote_addr is
    # then the client's address (the hop nginx appended to X-Forwarded-For), not the proxy's.
    return throttle.client_ip()


@bp.route("/connexion", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    """The login page: e-mail and password."""
    target = _safe_next(request.values.get("next"))
    if request.method == "GET" and current_staff() is not None:
        return redirect(target or home_for(cast(StaffAccount, current_staff())))
    error = None
    email = ""
    status = 200
    if request.method == "POST":
        email = request.form.get("email", "")[:254]
        ip, account_key = _client_ip(), staff_service.normalise_email(email)
        # Failed logins are counted per address (whatever the account: one address spraying
        # every account) and per account (whatever the address: many addresses on one account),
        # besides the per-(account, address) limit the service keeps in the database.
        wait = max(
            throttle.blocked("login-ip", ip) or 0,
            throttle.blocked("login-account", account_key) or 0,
        )
        if wait:
            message = throttle.wait_message(wait, formal=True)
            page = render_template(
                "console/login.html", error=message, email=email, next=target or ""
            )
            return page, 429, {"Retry-After": str(wait)}
        result = staff_service.login(
            db.session(),
            email,
            request.form.get("password", ""),
            ip,
            now(),
            policy(),
            run=partial(run_blocking, current_app.config["ASYNC_MODE"]),
        )
        if result.token is not None and result.account is not None:
            # A fresh session: nothing of a previous visitor (player or staff) carries over.
            session.clear()
            session[SESSION_KEY] = result.token
            return redirect(target or home_for(result.account))
        if result.retry_after is None:
            throttle.spend("login-ip", ip)
            throttle.spend("login-account", account_key)
        error = result.error
        status = 429 if result.retry_after is not None else 401
    return render_template(
        "console/login.html", error=error, email=email, next=target or ""
    ), status


@bp.post("/deconnexion")
def logout() -> ResponseReturnValue:
    """End the staff session on this browser."""
    token = session.pop(SESSION_KEY, None)
    if isinstance(token, str):
        staff_service.logout(db.session(), token)
    flash(_("Vous êtes déconnecté·e. À bientôt !"))
    return redirect(url_for("auth.login"))


@bp.app_context_processor
def _staff_context() -> dict[str, Any]:
    return {"role_label": lambda role: ROLE_LABELS[role], "current_staff": current_staff}
