"""Rate limits on codes, joins and staff logins; team lock; join page (Tempo issue 13, item 4).

These apps run with Tempo's default limits (tests/conftest.py raises them for the other tests).
Each test is the regression test of one finding of the attack on loopback: codes tried at
130–300/s, a team filled by 12 bots in 0.7 s, the join page listing pseudonyms, one address
spraying every staff account, argon2 on the event loop, any 10-character password.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tempo import create_app
from tempo.config import Config
from tempo.extensions import db, socketio
from tempo.infra import db as schema
from tempo.infra.clock import now
from tempo.models import Cohort, CohortStatus, Player, Role
from tempo.services.staff import accounts as staff
from tests import databases
from tests.conftest import Demo, make_config
from tests.realtime.helpers import NS
from tests.web.console_kit import PASSWORD, add_staff, email_of, login, staff_client, text

DEFAULTS = Config()
ATTACKER = {"REMOTE_ADDR": "203.0.113.66"}
CLASSROOM = {"REMOTE_ADDR": "198.51.100.7"}


def _limited_app(tmp_path: Path, **limits: str) -> Flask:
    """An app with Tempo's default limits (or the ones given)."""
    settings = {
        "RATE_CODE_FAILURES": DEFAULTS.RATE_CODE_FAILURES,
        "RATE_JOINS": DEFAULTS.RATE_JOINS,
        "RATE_LOGIN_IP": DEFAULTS.RATE_LOGIN_IP,
        "RATE_LOGIN_ACCOUNT": DEFAULTS.RATE_LOGIN_ACCOUNT,
        **limits,
    }
    config = make_config(tmp_path, **settings)
    databases.seed_sqlite(config.INSTANCE_DIR)
    app = create_app(config)
    with app.app_context():
        schema.upgrade(db.engine)
    return app


@pytest.fixture
def limited(tmp_path: Path) -> Flask:
    return _limited_app(tmp_path)


def _client(app: Flask, environ: dict[str, str]) -> FlaskClient:
    client = app.test_client()
    client.environ_base.update(environ)
    return client


def _limit(rule: str) -> int:
    """The count of the tightest window of a default rule (« 20 per 10 minutes » → 20)."""
    return min(int(part.split()[0]) for part in rule.split(";"))


def _assert_throttled(response: Any) -> None:
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    body = response.get_data(as_text=True)
    assert "Par sécurité, réessaie dans" in body


def test_join_code_guessing_is_throttled_while_other_teams_join(limited: Flask) -> None:
    """The load test: 200 wrong join codes from one address get 429 once the limit is spent;
    a real player on another address joins the other team meanwhile."""
    demo = Demo(limited)
    attacker = _client(limited, ATTACKER)
    player = _client(limited, CLASSROOM)
    statuses = []
    for n in range(200):
        statuses.append(attacker.get(f"/rejoindre/ZZ{n:04d}").status_code)
        if n == 100:
            joined = player.post(f"/rejoindre/{demo.codes[1]}", data={"pseudonym": "Léa"})
            assert joined.status_code == 302
    allowed = _limit(DEFAULTS.RATE_CODE_FAILURES)
    assert statuses[:allowed] == [404] * allowed
    assert set(statuses[allowed:]) == {429}
    _assert_throttled(attacker.get("/rejoindre/ZZ9999"))
    # Blocked means blocked: even the right code tells the attacker nothing now.
    assert attacker.get(f"/rejoindre/{demo.codes[0]}").status_code == 429
    assert "Léa" in text(player.get("/jouer"))
    # The home page's code field counts too.
    assert attacker.get("/rejoindre", query_string={"code": "ABCDEF"}).status_code == 429


def test_rejoin_code_guessing_is_throttled(limited: Flask) -> None:
    """Personal codes (typed, as links, or as a socket's auth) share the same limit."""
    demo = Demo(limited)
    code = demo.join(0, "Inès")
    attacker = _client(limited, ATTACKER)
    allowed = _limit(DEFAULTS.RATE_CODE_FAILURES)
    for n in range(allowed):
        guess = "ZZZZ" + f"{n:04d}".replace("0", "Z").replace("1", "Y")
        assert attacker.post("/retour", data={"rejoin": guess}).status_code == 404
    _assert_throttled(attacker.post("/retour", data={"rejoin": code}))
    assert attacker.get(f"/retour/{code}").status_code == 429
    socket = socketio.test_client(
        limited, namespace=NS, auth={"rejoin": "ZZZZZZZZ"}, flask_test_client=attacker
    )
    assert not socket.is_connected(NS)
    # Someone else, elsewhere, still comes back with their code.
    assert _client(limited, CLASSROOM).post("/retour", data={"rejoin": code}).status_code == 302


def test_checkpoint_codes_typed_and_scanned_are_throttled(limited: Flask) -> None:
    """A player guessing checkpoint short codes, or forging QR tokens, is slowed down too."""
    demo = Demo(limited)
    phone = _client(limited, ATTACKER)
    code = demo.join(0, "Inès")
    assert phone.post("/retour", data={"rejoin": code}).status_code == 302
    allowed = _limit(DEFAULTS.RATE_CODE_FAILURES)
    for n in range(allowed // 2):
        assert phone.post("/jouer/balise", json={"code": f"ZZZ{n:03d}"}).status_code == 400
    for n in range(allowed - allowed // 2):
        assert phone.get(f"/q/forged-token-{n}").status_code == 400
    refused = phone.post("/jouer/balise", json={"code": "ZZZZZZ"})
    assert refused.status_code == 429
    error = refused.get_json()["error"]
    assert error["code"] == "too_many" and error["wait"] > 0
    assert "réessaie dans" in error["message"]
    _assert_throttled(phone.get("/q/forged-token"))


def test_join_flooding_from_one_address_is_limited(tmp_path: Path) -> None:
    """Players created from one address are limited (the default is sized for a classroom
    sharing one connection); other addresses are not affected."""
    app = _limited_app(tmp_path, RATE_JOINS="5 per 10 minutes")
    demo = Demo(app)
    for n in range(5):  # a fresh browser (no cookie) per bot, one address
        bot = _client(app, ATTACKER)
        response = bot.post(f"/rejoindre/{demo.codes[0]}", data={"pseudonym": f"Bot {n}"})
        assert response.status_code == 302
    bot = _client(app, ATTACKER)
    _assert_throttled(bot.post(f"/rejoindre/{demo.codes[0]}", data={"pseudonym": "Bot 9"}))
    real = _client(app, CLASSROOM).post(f"/rejoindre/{demo.codes[0]}", data={"pseudonym": "Léa"})
    assert real.status_code == 302


def test_a_counsellor_closes_a_team_to_new_arrivals(app: Flask, demo: Demo) -> None:
    """« Fermer l'équipe aux nouvelles arrivées »: its join code admits nobody until reopened."""
    admin, _ = staff_client(app, Role.ADMIN)
    board = text(admin.get("/console/cohortes/demo/tableau"))
    assert "Fermer l&#39;équipe" in board or "Fermer l'équipe" in board
    team_id = demo.team_ids[0]
    admin.post("/console/cohortes/demo/equipe/fermeture", data={"team": team_id, "locked": "1"})
    page = text(app.test_client().get(f"/rejoindre/{demo.codes[0]}"))
    assert "est fermée aux nouvelles arrivées" in page
    assert 'name="pseudonym"' not in page
    refused = app.test_client().post(f"/rejoindre/{demo.codes[0]}", data={"pseudonym": "Bot"})
    assert refused.status_code == 400
    with app.app_context():
        assert db.session.query(Player).filter_by(pseudonym="Bot").count() == 0
    admin.post("/console/cohortes/demo/equipe/fermeture", data={"team": team_id, "locked": "0"})
    again = app.test_client().post(f"/rejoindre/{demo.codes[0]}", data={"pseudonym": "Léa"})
    assert again.status_code == 302


def test_join_codes_expire_with_their_cohort(app: Flask, demo: Demo) -> None:
    """Once the cohort has finished, its teams' join codes admit nobody."""
    with app.app_context():
        cohort = db.session.get(Cohort, demo.cohort_id)
        assert cohort is not None
        cohort.status = CohortStatus.FINISHED
        db.session.commit()
    response = app.test_client().post(f"/rejoindre/{demo.codes[0]}", data={"pseudonym": "Léa"})
    assert response.status_code == 400
    assert "Cette aventure est terminée" in text(response)


def test_one_address_cannot_spray_every_staff_account(limited: Flask) -> None:
    """Failed logins are limited per address across accounts, and per account across
    addresses (the old limit was per (e-mail, address) pair only)."""
    emails = [email_of(limited, add_staff(limited, Role.COUNSELLOR)) for _ in range(6)]
    sprayer = _client(limited, ATTACKER)
    allowed = _limit(DEFAULTS.RATE_LOGIN_IP)
    statuses = [
        login(sprayer, emails[n % len(emails)], f"mauvais-mot-{n}").status_code
        for n in range(allowed + 5)
    ]
    assert statuses[:allowed] == [401] * allowed
    assert set(statuses[allowed:]) == {429}
    blocked = login(sprayer, emails[0])  # even the right password waits
    assert blocked.status_code == 429
    assert "réessayez dans" in text(blocked)
    # Another counsellor's office is not blocked by the sprayer.
    assert login(_client(limited, CLASSROOM), emails[0]).status_code == 302


def test_one_account_cannot_be_guessed_from_many_addresses(limited: Flask) -> None:
    email = email_of(limited, add_staff(limited, Role.COUNSELLOR))
    allowed = _limit(DEFAULTS.RATE_LOGIN_ACCOUNT)
    for n in range(allowed):
        botnet = _client(limited, {"REMOTE_ADDR": f"192.0.2.{n + 1}"})
        assert login(botnet, email, "mauvais-mot-de-passe").status_code == 401
    assert login(_client(limited, {"REMOTE_ADDR": "192.0.2.200"}), email).status_code == 429


def test_login_runs_argon2_through_the_offload_helper(app: Flask) -> None:
    """The password check goes through `run` (tempo.infra.offload.run_blocking under gevent),
    not on the event loop."""
    email = email_of(app, add_staff(app, Role.COUNSELLOR))
    ran: list[Callable[[], Any]] = []

    def run(work: Callable[[], Any]) -> Any:
        ran.append(work)
        return work()

    with app.app_context():
        result = staff.login(
            db.session(),
            email,
            PASSWORD,
            "127.0.0.1",
            now(),
            staff.Policy(),
            run=run,
        )
    assert result.token is not None
    assert ran, "argon2 ran on the caller's loop"


@pytest.mark.parametrize(
    ("password", "email", "message"),
    [
        ("court-123", "ines@ml.fr", "au moins 12 caractères"),
        ("azerty123456", "ines@ml.fr", "plus courants"),
        ("Motdepasse2026!", "ines@ml.fr", "plus courants"),
        ("aaaaaaaaaaaaaaaa", "ines@ml.fr", "plus courants"),
        ("ines.ferrand-2026", "ines.ferrand@ml.fr", "adresse e-mail ou votre nom"),
        ("bonjour-ferrand!", "ines.ferrand@ml.fr", "adresse e-mail ou votre nom"),
    ],
)
def test_weak_staff_passwords_are_refused(password: str, email: str, message: str) -> None:
    problem = staff.password_problem(password, email)
    assert problem is not None and message in problem


def test_a_sound_staff_password_is_accepted() -> None:
    assert staff.password_problem("girafe-tram-bleu-42", "ines.ferrand@ml.fr") is None
