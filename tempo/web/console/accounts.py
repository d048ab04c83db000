"""Staff accounts: the administrators' account management and one's own password."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from tempo.extensions import db
from tempo.models import Role, StaffAccount
from tempo.realtime.owners import owners, staff_owner
from tempo.realtime.publish import CONSOLE, disconnect
from tempo.services.staff import accounts as staff_service
from tempo.staff_session import SESSION_KEY
from tempo.web.auth import staff_required
from tempo.web.console.common import bp, me


def _accounts_page(**extra: Any) -> ResponseReturnValue:
    status = extra.pop("status", 200)
    return render_template(
        "console/accounts.html",
        accounts=staff_service.accounts(db.session()),
        roles=list(Role),
        me=me(),
        form=extra.pop("form", {"role": Role.COUNSELLOR.value}),
        **extra,
    ), status


@bp.get("/comptes")
@staff_required(Role.ADMIN)
def accounts() -> ResponseReturnValue:
    """Every staff account, with the forms to manage them."""
    return _accounts_page()


@bp.post("/comptes")
@staff_required(Role.ADMIN)
def create_account() -> ResponseReturnValue:
    """Create an account; an empty password field generates one, shown once."""
    form = {k: request.form.get(k, "")[:254] for k in ("email", "name", "role")}
    typed = request.form.get("password", "")
    password = typed or staff_service.generate_password()
    try:
        role = Role(form["role"])
    except ValueError:
        return _accounts_page(form=form, create_error=_("Choisissez un rôle."), status=400)
    try:
        account = staff_service.add_account(
            db.session(), form["email"], form["name"], role, password
        )
    except staff_service.StaffError as exc:
        return _accounts_page(form=form, create_error=str(exc), status=400)
    if not typed:
        return _handover(account, password)
    flash(_("Compte créé pour %(name)s.", name=account.display_name))
    return redirect(url_for("console.accounts"))


def _handover(account: StaffAccount, password: str) -> ResponseReturnValue:
    # A generated password is shown in this response only: never flashed (the session cookie
    # is readable by the browser), never stored in clear.
    return _accounts_page(handover={"account": account, "password": password})


def _end_consoles(account_id: int) -> None:
    """Close the account's live dashboards now: their sessions have just ended."""
    disconnect(owners.sids(staff_owner(account_id)), CONSOLE)


def _target(account_id: int) -> StaffAccount:
    account = db.session.get(StaffAccount, account_id)
    if account is None:
        abort(404)
    return account


@bp.post("/comptes/<int:account_id>/activation")
@staff_required(Role.ADMIN)
def set_active(account_id: int) -> ResponseReturnValue:
    """Deactivate or reactivate an account (never one's own)."""
    account = _target(account_id)
    active = request.form.get("active") == "1"
    try:
        staff_service.set_active(db.session(), account.id, active, me())
    except staff_service.StaffError as exc:
        return _accounts_page(account_error=(account.id, str(exc)), status=400)
    if not active:
        _end_consoles(account.id)
    if active:
        flash(_("Le compte de %(name)s est réactivé.", name=account.display_name))
    else:
        flash(_("Le compte de %(name)s est désactivé.", name=account.display_name))
    return redirect(url_for("console.accounts"))


@bp.post("/comptes/<int:account_id>/mot-de-passe")
@staff_required(Role.ADMIN)
def reset_password(account_id: int) -> ResponseReturnValue:
    """Set a new password (typed, or generated and shown once) and end the account's sessions."""
    account = _target(account_id)
    typed = request.form.get("password", "")
    password = typed or staff_service.generate_password()
    try:
        staff_service.reset_password(db.session(), account.id, password)
    except staff_service.StaffError as exc:
        return _accounts_page(account_error=(account.id, str(exc)), status=400)
    _end_consoles(account.id)
    if not typed:
        return _handover(account, password)
    flash(_("Nouveau mot de passe enregistré pour %(name)s.", name=account.display_name))
    return redirect(url_for("console.accounts"))


@bp.route("/mon-compte", methods=["GET", "POST"])
@staff_required()
def my_account() -> ResponseReturnValue:
    """Change one's own password."""
    error = None
    if request.method == "POST":
        new = request.form.get("new", "")
        if new != request.form.get("confirm", ""):
            error = _("Les deux saisies du nouveau mot de passe ne correspondent pas.")
        else:
            try:
                staff_service.change_own_password(
                    db.session(),
                    me().id,
                    request.form.get("current", ""),
                    new,
                    keep_token=str(session.get(SESSION_KEY, "")),
                )
            except staff_service.StaffError as exc:
                error = str(exc)
            else:
                flash(_("Votre mot de passe est changé. Vos autres sessions sont fermées."))
                return redirect(url_for("console.my_account"))
    return render_template("console/my_account.html", error=error), (400 if error else 200)
