"""Staff accounts: administrators manage them in the console; `tempo user create` starts one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask

from tempo.cli import cli
from tempo.extensions import db
from tempo.models import Role, StaffAccount
from tests.conftest import cli_env
from tests.web.console_kit import PASSWORD, add_staff, email_of, login, staff_client, text


def _account(app: Flask, email: str) -> StaffAccount | None:
    with app.app_context():
        found = db.session.query(StaffAccount).filter_by(email=email).one_or_none()
        if found is not None:
            db.session.expunge(found)
        return found


def test_counsellors_and_authors_cannot_manage_accounts(app: Flask) -> None:
    """Only administrators see or change accounts: others get 403 and nothing changes."""
    target = add_staff(app, Role.COUNSELLOR)
    for role in (Role.COUNSELLOR, Role.AUTHOR):
        client, _ = staff_client(app, role)
        assert client.get("/console/comptes").status_code == 403
        forms = [
            ("/console/comptes", {"email": "new@ml-test.fr", "name": "N", "role": "admin"}),
            (f"/console/comptes/{target}/activation", {"active": "0"}),
            (f"/console/comptes/{target}/mot-de-passe", {"password": "un-autre-mot-de-passe"}),
        ]
        for path, data in forms:
            response = client.post(path, data=data)
            assert response.status_code == 403, (role, path)
            assert "Votre compte n'a pas accès à cette page." in text(response)
    assert _account(app, "new@ml-test.fr") is None
    assert login(app.test_client(), email_of(app, target)).status_code == 302


def test_admin_lists_and_creates_accounts(app: Flask) -> None:
    """The list shows every account; a created account can log in with its password."""
    admin, _ = staff_client(app, Role.ADMIN, "Karim Benali")
    add_staff(app, Role.AUTHOR, "Sarah Lefèvre")
    page = text(admin.get("/console/comptes"))
    assert "Karim Benali" in page and "(vous)" in page
    assert "Sarah Lefèvre" in page and "Auteur·rice" in page and "jamais" in page
    response = admin.post(
        "/console/comptes",
        data={
            "email": "Julien@ML-test.fr",
            "name": "Julien Moreau",
            "role": "counsellor",
            "password": "premier-mot-de-passe",
        },
    )
    assert response.status_code == 302
    account = _account(app, "julien@ml-test.fr")
    assert account is not None and account.role is Role.COUNSELLOR
    assert login(app.test_client(), "julien@ml-test.fr", "premier-mot-de-passe").status_code == 302


def test_a_generated_password_is_shown_once(app: Flask) -> None:
    """Without a typed password, one is generated, shown in the answer only, and works."""
    admin, _ = staff_client(app, Role.ADMIN)
    response = admin.post(
        "/console/comptes", data={"email": "lea@ml-test.fr", "name": "Léa", "role": "author"}
    )
    assert response.status_code == 200
    html = text(response)
    password = re.search(r'class="c-code c-code--password">([^<]+)<', html).group(1)  # type: ignore[union-attr]
    assert len(password) >= 10
    assert password not in text(admin.get("/console/comptes"))
    with admin.session_transaction() as s:
        assert password not in str(dict(s))
    assert login(app.test_client(), "lea@ml-test.fr", password).status_code == 302


def test_account_creation_errors_are_explained(app: Flask) -> None:
    """A duplicate e-mail, a bad address or a short password are refused in French."""
    admin, _ = staff_client(app, Role.ADMIN)
    taken = email_of(app, add_staff(app, Role.COUNSELLOR))
    cases = {
        taken.upper(): ("Un compte existe déjà pour", "mot-de-passe-assez-long"),
        "pas-une-adresse": ("Adresse e-mail invalide", "mot-de-passe-assez-long"),
        "court@ml-test.fr": ("au moins 12 caractères", "court"),
    }
    for email, (message, password) in cases.items():
        response = admin.post(
            "/console/comptes",
            data={"email": email, "name": "X", "role": "counsellor", "password": password},
        )
        assert response.status_code == 400
        assert message in text(response), email
        assert f'value="{email}"' in text(response)


def test_admin_deactivates_and_reactivates_an_account(app: Flask) -> None:
    """A deactivated account cannot log in until it is reactivated."""
    admin, _ = staff_client(app, Role.ADMIN)
    target = add_staff(app, Role.COUNSELLOR, "Julien Moreau")
    page = text(admin.get("/console/comptes"))
    assert "Confirmer : désactiver Julien Moreau" in page  # a second, explicit step
    response = admin.post(f"/console/comptes/{target}/activation", data={"active": "0"})
    assert response.status_code == 302
    page = text(admin.get("/console/comptes"))
    assert "Le compte de Julien Moreau est désactivé." in page
    assert "Réactiver Julien Moreau" in page
    assert login(app.test_client(), email_of(app, target)).status_code == 401
    admin.post(f"/console/comptes/{target}/activation", data={"active": "1"})
    assert login(app.test_client(), email_of(app, target)).status_code == 302


def test_an_admin_cannot_deactivate_themselves(app: Flask) -> None:
    """No self-lockout: the form is not offered and a forged request is refused."""
    admin, admin_id = staff_client(app, Role.ADMIN)
    page = text(admin.get("/console/comptes"))
    assert f'action="/console/comptes/{admin_id}/activation"' not in page
    response = admin.post(f"/console/comptes/{admin_id}/activation", data={"active": "0"})
    assert response.status_code == 400
    assert "Vous ne pouvez pas désactiver votre propre compte." in text(response)
    assert admin.get("/console/comptes").status_code == 200


def test_password_reset_ends_the_accounts_sessions(app: Flask) -> None:
    """A reset password works at once; the old one and the open sessions no longer do."""
    admin, _ = staff_client(app, Role.ADMIN)
    user, target = staff_client(app, Role.COUNSELLOR)
    response = admin.post(
        f"/console/comptes/{target}/mot-de-passe", data={"password": "tout-nouveau-mot"}
    )
    assert response.status_code == 302
    assert user.get("/console/cohortes").status_code == 302
    email = email_of(app, target)
    assert login(app.test_client(), email, PASSWORD).status_code == 401
    assert login(app.test_client(), email, "tout-nouveau-mot").status_code == 302
    short = admin.post(f"/console/comptes/{target}/mot-de-passe", data={"password": "court"})
    assert short.status_code == 400
    assert "au moins 12 caractères" in text(short)


def test_staff_change_their_own_password(app: Flask) -> None:
    """« Mon compte » changes one's password knowing the current one; this session stays."""
    client, account_id = staff_client(app, Role.AUTHOR)
    second = app.test_client()
    login(second, email_of(app, account_id))
    wrong = client.post(
        "/console/mon-compte",
        data={"current": "pas-le-bon", "new": "nouveau-secret-1", "confirm": "nouveau-secret-1"},
    )
    assert "Le mot de passe actuel est incorrect." in text(wrong)
    mismatch = client.post(
        "/console/mon-compte",
        data={"current": PASSWORD, "new": "nouveau-secret-1", "confirm": "nouveau-secret-2"},
    )
    assert "ne correspondent pas" in text(mismatch)
    ok = client.post(
        "/console/mon-compte",
        data={"current": PASSWORD, "new": "nouveau-secret-1", "confirm": "nouveau-secret-1"},
    )
    assert ok.status_code == 302
    assert client.get("/console/mon-compte").status_code == 200
    assert second.get("/console/mon-compte").status_code == 302
    fresh = login(app.test_client(), email_of(app, account_id), "nouveau-secret-1")
    assert fresh.status_code == 302


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A CLI runner whose instance folder (and database) lives in tmp_path."""
    cli_env(monkeypatch, tmp_path / "instance")
    return CliRunner()


def _cli_login(tmp_path: Path, email: str, password: str) -> int:
    from tempo import create_app
    from tests.conftest import make_config

    app = create_app(make_config(tmp_path))
    return login(app.test_client(), email, password).status_code


def test_tempo_user_create_makes_the_first_admin(runner: CliRunner, tmp_path: Path) -> None:
    """`tempo user create` migrates a fresh database and creates an account that logs in."""
    result = runner.invoke(
        cli,
        [
            "user",
            "create",
            "--email",
            "Admin@ML-test.fr",
            "--name",
            "Karim Benali",
            "--role",
            "admin",
            "--password",
            "premier-compte-2026",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Compte créé : Karim Benali <admin@ml-test.fr> (admin)." in result.output
    assert _cli_login(tmp_path, "admin@ml-test.fr", "premier-compte-2026") == 302
    again = runner.invoke(
        cli,
        ["user", "create", "--email", "admin@ml-test.fr", "--name", "X", "--role", "author"],
        input="autre-mot-de-passe\nautre-mot-de-passe\n",
    )
    assert again.exit_code == 1
    assert "Un compte existe déjà pour admin@ml-test.fr." in again.output


def test_tempo_user_create_prompts_twice_for_a_hidden_password(
    runner: CliRunner, tmp_path: Path
) -> None:
    """Without --password, the password is asked twice and not echoed; a mismatch asks again."""
    result = runner.invoke(
        cli,
        ["user", "create", "--email", "ines@ml-test.fr", "--name", "Inès", "--role", "counsellor"],
        input="secret-numero-1\nsecret-numero-2\nsecret-numero-3\nsecret-numero-3\n",
    )
    assert result.exit_code == 0, result.output
    assert "secret-numero" not in result.output
    assert result.output.count("Mot de passe (encore une fois)") == 2
    assert _cli_login(tmp_path, "ines@ml-test.fr", "secret-numero-3") == 302


def test_tempo_user_create_refuses_an_unknown_role_and_a_short_password(
    runner: CliRunner,
) -> None:
    """Bad input is refused with a message and exit code, creating nothing."""
    base = ["user", "create", "--email", "x@ml-test.fr", "--name", "X"]
    wrong_role = runner.invoke(cli, [*base, "--role", "boss", "--password", "x" * 12])
    assert wrong_role.exit_code == 2
    short = runner.invoke(cli, [*base, "--role", "author", "--password", "court"])
    assert short.exit_code == 1
    assert "au moins 12 caractères" in short.output
    assert runner.invoke(cli, ["user", "create", "--help"]).exit_code == 0
