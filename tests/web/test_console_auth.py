"""Console sign-in: login and logout, expiring sessions, rate limit, CSRF, players kept out."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tempo.extensions import db
from tempo.models import Cohort, Role, StaffAccount, StaffSession
from tests.conftest import Demo
from tests.web.console_kit import (
    PASSWORD,
    Clock,
    add_staff,
    alert,
    csrf_app,
    csrf_token,
    email_of,
    login,
    staff_client,
    text,
)


@pytest.fixture
def clock(app: Flask) -> Clock:
    """The app's clock, moved by hand."""
    c = Clock()
    app.config["CLOCK"] = c
    return c


def test_login_page_is_french_and_labelled(client: FlaskClient) -> None:
    """The login page has labelled e-mail and password fields and a CSRF field."""
    html = text(client.get("/console/connexion"))
    assert "Connexion à la console" in html
    assert 'for="email"' in html and 'for="password"' in html
    assert 'autocomplete="current-password"' in html
    assert 'name="csrf_token"' in html


def test_console_pages_send_visitors_to_login(client: FlaskClient) -> None:
    """A visitor asking for a console page is sent to the login page, which brings them back."""
    response = client.get("/console/cohortes")
    assert response.status_code == 302
    assert response.headers["Location"] == "/console/connexion?next=/console/cohortes"


def test_login_opens_a_session_and_records_last_login(app: Flask, clock: Clock) -> None:
    """Right credentials (e-mail in any case) lead to the console; last_login_at is updated."""
    account_id = add_staff(app, Role.COUNSELLOR, "Inès Ferrand")
    client = app.test_client()
    response = login(client, "  " + email_of(app, account_id).upper(), PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/console/cohortes"
    page = text(client.get("/console/cohortes"))
    assert "Inès Ferrand" in page and "Conseiller·ère" in page and "Se déconnecter" in page
    with app.app_context():
        assert db.session.get(StaffAccount, account_id).last_login_at == clock.now  # type: ignore[union-attr]
    with client.session_transaction() as s:
        assert "player_id" not in s
        assert len(s["staff_token"]) >= 32


def test_login_goes_back_to_the_page_asked_for_but_never_elsewhere(app: Flask) -> None:
    """`next` is followed for console paths only (no open redirect to another site)."""
    email = email_of(app, add_staff(app, Role.ADMIN))
    client = app.test_client()
    good = client.post(
        "/console/connexion?next=/console/comptes", data={"email": email, "password": PASSWORD}
    )
    assert good.headers["Location"] == "/console/comptes"
    for target in ("//evil.example/console", "https://evil.example/", "/jouer"):
        other = app.test_client()
        response = other.post(
            "/console/connexion", data={"email": email, "password": PASSWORD, "next": target}
        )
        assert response.headers["Location"] == "/console/cohortes", target


def test_wrong_email_and_wrong_password_get_the_same_answer(app: Flask) -> None:
    """No account enumeration: an unknown address and a wrong password read the same."""
    email = email_of(app, add_staff(app, Role.COUNSELLOR))
    wrong_password = login(app.test_client(), email, "pas-le-bon-mot")
    unknown = login(app.test_client(), "personne@ml-test.fr", PASSWORD)
    assert wrong_password.status_code == unknown.status_code == 401
    assert alert(text(wrong_password)) == alert(text(unknown))
    assert alert(text(unknown)) == "Adresse e-mail ou mot de passe incorrect."
    # The address typed is kept, the password is not.
    assert f'value="{email}"' in text(wrong_password)
    assert "pas-le-bon-mot" not in text(wrong_password)


def test_five_failures_in_five_minutes_make_the_next_attempt_wait(app: Flask, clock: Clock) -> None:
    """After 5 failures for one e-mail from one address, even the right password waits."""
    email = email_of(app, add_staff(app, Role.COUNSELLOR))
    client = app.test_client()
    for _ in range(5):
        assert login(client, email, "mauvais-mot-de-passe").status_code == 401
        clock.advance(seconds=20)
    blocked = login(client, email, PASSWORD)
    assert blocked.status_code == 429
    message = alert(text(blocked))
    assert message.startswith("Trop de tentatives de connexion échouées.")
    assert "réessayez dans 4 minutes" in message
    # Another address, or another e-mail from this one, is not blocked.
    other_ip = login(app.test_client(), email, PASSWORD, environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other_ip.status_code == 302
    # Once the first failures leave the 5-minute window, the right password works again.
    clock.advance(minutes=4)
    assert login(client, email, PASSWORD).status_code == 302


def test_unknown_addresses_are_rate_limited_too(app: Flask, clock: Clock) -> None:
    """Guessing addresses is limited the same way, so the limit reveals nothing either."""
    client = app.test_client()
    for _ in range(5):
        login(client, "inconnu@ml-test.fr", "x" * 12)
    assert login(client, "inconnu@ml-test.fr", "x" * 12).status_code == 429


def test_idle_session_expires_and_activity_keeps_it(app: Flask, clock: Clock) -> None:
    """An hour without activity ends the session; using the console keeps it open."""
    client, _ = staff_client(app, Role.COUNSELLOR)
    for _ in range(3):
        clock.advance(minutes=50)
        assert client.get("/console/cohortes").status_code == 200
    clock.advance(minutes=61)
    response = client.get("/console/cohortes")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/console/connexion")
    page = text(client.get(response.headers["Location"]))
    assert "Votre session a expiré" in page
    with app.app_context():
        assert db.session.query(StaffSession).count() == 0


def test_session_ends_after_its_lifetime_even_when_active(app: Flask, clock: Clock) -> None:
    """A session lasts 8 hours at most, however busy."""
    client, _ = staff_client(app, Role.COUNSELLOR)
    for _ in range(9):
        clock.advance(minutes=50)
        assert client.get("/console/cohortes").status_code == 200
    clock.advance(minutes=31)  # 8 h 01 after login
    assert client.get("/console/cohortes").status_code == 302


def test_session_lifetimes_come_from_the_configuration(app: Flask, clock: Clock) -> None:
    """TEMPO_STAFF_IDLE_MINUTES (STAFF_IDLE_MINUTES) sets the idle timeout."""
    app.config["STAFF_IDLE_MINUTES"] = 5
    client, _ = staff_client(app, Role.COUNSELLOR)
    clock.advance(minutes=6)
    assert client.get("/console/cohortes").status_code == 302


def test_logout_ends_the_session_for_good(app: Flask) -> None:
    """After logout, the old cookie replayed by someone else opens nothing."""
    client, _ = staff_client(app, Role.COUNSELLOR)
    with client.session_transaction() as s:
        stolen = dict(s)
    response = client.post("/console/deconnexion")
    assert response.headers["Location"] == "/console/connexion"
    assert "Vous êtes déconnecté·e" in text(client.get("/console/connexion"))
    assert client.get("/console/cohortes").status_code == 302
    thief = app.test_client()
    with thief.session_transaction() as s:
        s.update(stolen)
    assert thief.get("/console/cohortes").status_code == 302


def test_deactivated_account_loses_its_sessions_and_cannot_log_in(app: Flask) -> None:
    """Deactivation ends open sessions; with the right password the login explains why."""
    client, account_id = staff_client(app, Role.COUNSELLOR)
    admin, _ = staff_client(app, Role.ADMIN)
    admin.post(f"/console/comptes/{account_id}/activation", data={"active": "0"})
    assert client.get("/console/cohortes").status_code == 302
    response = login(app.test_client(), email_of(app, account_id))
    assert response.status_code == 401
    assert "Ce compte est désactivé" in alert(text(response))
    # A wrong password on a deactivated account says only "incorrect".
    wrong = login(app.test_client(), email_of(app, account_id), "mauvais-mot-de-passe")
    assert alert(text(wrong)) == "Adresse e-mail ou mot de passe incorrect."


def _console_urls(app: Flask, slug: str, account_id: int) -> list[tuple[str, str]]:
    """Every console route (but login) with its methods, arguments filled in."""
    urls = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/console") or rule.endpoint == "auth.login":
            continue
        path = rule.rule.replace("<slug>", slug).replace("<int:account_id>", str(account_id))
        path = path.replace("<name>", "photo.jpg").replace("<kind>", "joueurs.csv")
        path = path.replace("<mission_id>", "d01-contrat")
        path = path.replace("<int:day>", "1").replace("<int:team_id>", "1")
        path = path.replace("<int:player_id>", "1").replace("<int:run_id>", "1")
        for key in ("booking_id", "rule_id", "exception_id", "draft_id", "version_id", "cohort_id"):
            path = path.replace(f"<int:{key}>", "1")
        assert "<" not in path, f"test does not know how to fill {rule.rule}"
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            urls.append((method, path))
    return urls


def test_a_player_session_reaches_no_console_route(app: Flask, demo: Demo) -> None:
    """A phone signed in as a player is a stranger to every console page and form."""
    admin_id = add_staff(app, Role.ADMIN)
    phone = app.test_client()
    phone.post(f"/rejoindre/{demo.codes[0]}", data={"pseudonym": "Yasmine"})
    assert phone.get("/jouer").status_code == 200
    urls = _console_urls(app, "demo", admin_id)
    assert len(urls) >= 15
    for method, path in urls:
        response = phone.open(path, method=method, data={"active": "0", "name": "Piratée"})
        assert response.status_code == 302, (method, path)
        assert response.headers["Location"].startswith("/console/connexion"), (method, path)
    with app.app_context():
        assert db.session.get(StaffAccount, admin_id).active  # type: ignore[union-attr]
        assert db.session.query(Cohort).one().name != "Piratée"
    # A forged player id beside a made-up staff token is no better.
    with phone.session_transaction() as s:
        s["staff_token"] = "x" * 43
        s["player_session"] = "x" * 43
    assert phone.get("/console/cohortes").status_code == 302


def test_staff_login_does_not_keep_a_player_on_the_browser(app: Flask, demo: Demo) -> None:
    """Logging in as staff starts a fresh session: no player identity carries over."""
    email = email_of(app, add_staff(app, Role.COUNSELLOR))
    browser = app.test_client()
    browser.post(f"/rejoindre/{demo.codes[0]}", data={"pseudonym": "Yasmine"})
    login(browser, email)
    with browser.session_transaction() as s:
        assert "player_session" not in s and "staff_token" in s


def test_console_forms_refuse_requests_without_csrf_token(tmp_path: Path) -> None:
    """With CSRF on, login, logout and console forms refuse a forged post; nothing changes."""
    app = csrf_app(tmp_path)
    account_id = add_staff(app, Role.ADMIN)
    email = email_of(app, account_id)
    forged = app.test_client()
    response = forged.post("/console/connexion", data={"email": email, "password": PASSWORD})
    assert response.status_code == 400
    assert "ne vient pas de Tempo" in text(response)

    browser = app.test_client()
    token = csrf_token(browser, "/console/connexion")
    ok = browser.post(
        "/console/connexion", data={"email": email, "password": PASSWORD, "csrf_token": token}
    )
    assert ok.status_code == 302
    for path, data in [
        ("/console/comptes", {"email": "x@ml-test.fr", "name": "X", "role": "admin"}),
        ("/console/cohortes/nouvelle", {"name": "Forgée", "teams": "A"}),
        (f"/console/comptes/{account_id}/mot-de-passe", {"password": "nouveau-mot-de-passe"}),
        ("/console/deconnexion", {}),
    ]:
        assert browser.post(path, data=data).status_code == 400, path
    with app.app_context():
        assert db.session.query(StaffAccount).count() == 1
        assert db.session.query(Cohort).count() == 0
    assert browser.get("/console/cohortes").status_code == 200  # still signed in
    page_token = csrf_token(browser, "/console/comptes")
    out = browser.post("/console/deconnexion", data={"csrf_token": page_token})
    assert out.status_code == 302
    assert browser.get("/console/cohortes").status_code == 302


def test_console_pages_are_not_cached(app: Flask) -> None:
    """Console pages (players' names, accounts) are never stored by the browser or framed."""
    client, _ = staff_client(app, Role.ADMIN)
    for path in ("/console/cohortes", "/console/comptes", "/console/connexion"):
        response = client.get(path)
        assert response.headers["Cache-Control"] == "no-store", path
        assert response.headers["X-Frame-Options"] == "DENY", path


def test_header_shows_who_is_signed_in_and_the_menu_fits_the_role(app: Flask) -> None:
    """Name, role and logout in the header; « Comptes » only for administrators."""
    admin, _ = staff_client(app, Role.ADMIN, "Karim Benali")
    counsellor, _ = staff_client(app, Role.COUNSELLOR, "Julien Moreau")
    admin_page = text(admin.get("/console/cohortes"))
    counsellor_page = text(counsellor.get("/console/cohortes"))
    assert "Karim Benali" in admin_page and "Administrateur·rice" in admin_page
    assert re.search(r'href="/console/comptes"[^>]*>Comptes<', admin_page)
    assert "Julien Moreau" in counsellor_page
    assert ">Comptes<" not in counsellor_page
    assert 'aria-current="page">Cohortes<' in counsellor_page
    assert 'class="skip" href="#contenu"' in counsellor_page
