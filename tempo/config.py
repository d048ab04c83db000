"""Configuration. This is the only module that reads the environment (TEMPO_* variables)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# A secret key signs sessions, QR tokens and unsubscribe links: whoever knows it can forge them.
MIN_SECRET_KEY_LENGTH = 32
# Values from examples and tutorials (deploy/tempo.env.example's included), compared without
# case or separators; anything containing one of PLACEHOLDER_MARKS is an unedited example too.
PLACEHOLDER_SECRET_KEYS = frozenset(
    {
        "secret",
        "secretkey",
        "dev",
        "development",
        "test",
        "testing",
        "tempo",
        "default",
        "password",
        "motdepasse",
        "xxx",
    }
)
PLACEHOLDER_MARKS = (
    "changeme",
    "changethis",
    "replaceme",
    "yoursecret",
    "remplacer",
    "example",
    "exemple",
    "placeholder",
)
GENERATE_SECRET_KEY = 'python3 -c "import secrets; print(secrets.token_urlsafe(48))"'


def _env(name: str, default: str) -> str:
    return os.environ.get(f"TEMPO_{name}", default)


def _flag(name: str, default: bool) -> bool:
    raw = os.environ.get(f"TEMPO_{name}")
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


@dataclass
class Config:
    """Settings for one Tempo process; `from_env` fills it from TEMPO_* variables."""

    SECRET_KEY: str | None = None
    INSTANCE_DIR: Path = PROJECT_ROOT / "instance"
    DATABASE_URL: str | None = None
    CONTENT_DIR: Path = PROJECT_ROOT / "content"
    HOST: str = "127.0.0.1"
    PORT: int = 5000
    PUBLIC_URL: str | None = None
    ASYNC_MODE: str = "threading"
    SERVER_MODE: str = "gevent"
    MESSAGE_QUEUE: str | None = None
    MESSAGE_QUEUE_CHANNEL: str = "flask-socketio"
    PRESENCE_TTL_SECONDS: float = 10.0
    TRUSTED_PROXIES: int = 0
    SCHEDULER: str = "inprocess"
    SCHEDULER_RETRY_SECONDS: float = 5.0
    SCHEDULER_SYNC_SECONDS: float = 30.0
    EVENT_WATCH_SECONDS: float = 1.0
    TIMEZONE: str = "Europe/Paris"
    DEFAULT_LOCALE: str = "fr"
    SQLITE_BUSY_TIMEOUT_MS: int = 5000
    WRONG_LIMIT_PLAYER: int = 10
    WRONG_LIMIT_TEAM: int = 10
    WRONG_WINDOW_SECONDS: int = 60
    # How long a team's vote in a dialogue or quiz lasts before the most voted choice wins.
    VOTE_SECONDS: int = 60
    # At most one cohort-wide opponent update (`cohort.ai`, to every phone of a cohort) per
    # cohort this often, in seconds; 0 sends one after each success.
    COHORT_AI_SECONDS: float = 10.0
    # Engine.IO's heartbeat: the server pings each phone this often and drops a connection whose
    # phone has not answered within the timeout (Engine.IO's defaults, 25 s and 20 s).
    PING_INTERVAL_SECONDS: float = 25.0
    PING_TIMEOUT_SECONDS: float = 20.0
    MAX_UPLOAD_MB: int = 12
    # A proof photo's declared size, checked before decoding (which needs memory in proportion
    # to the pixels): 40 megapixels is above every phone camera's default mode.
    PROOF_MAX_PIXELS: int = 40_000_000
    # The dashboard's alerts (tempo/services/cohorts/alerts.py).
    ALERT_STALL_MINUTES: float = 20
    ALERT_WRONG_COUNT: int = 4
    ALERT_WRONG_WINDOW_MINUTES: float = 30
    ALERT_OFFLINE_MINUTES: float = 5
    ALERT_PROOF_MINUTES: float = 10
    ALERT_IDLE_MINUTES: float = 30
    STAFF_SESSION_HOURS: float = 8
    STAFF_IDLE_MINUTES: float = 60
    STAFF_LOGIN_MAX_FAILURES: int = 5
    STAFF_LOGIN_WINDOW_MINUTES: float = 5
    # Rate limits (tempo/throttle.py), in the `limits` notation: « N per P » rules joined by ;
    RATE_LIMITS: bool = True
    RATE_CODE_FAILURES: str = "20 per 10 minutes"
    RATE_JOINS: str = "40 per 10 minutes"
    RATE_LOGIN_IP: str = "20 per 10 minutes"
    RATE_LOGIN_ACCOUNT: str = "10 per 15 minutes"
    SMTP_HOST: str | None = None
    SMTP_PORT: int = 25
    SMTP_USER: str | None = None
    SMTP_PASSWORD: str | None = None
    SMTP_STARTTLS: bool = False
    SMTP_TIMEOUT: float = 10.0
    MAIL_FROM: str = "Tempo <tempo@localhost>"
    MAIL_INTERVAL: float = 30.0
    MAIL_MAX_ATTEMPTS: int = 5
    BOOKING_REMINDER_SECONDS: float = 60.0
    PROOF_SWEEP_SECONDS: float = 3600.0
    # Retention (docs/privacy.md): months after a cohort's last day, days after an e-mail is
    # sent or a console session starts; the purge job runs every PURGE_SECONDS.
    RETENTION_PLAY_MONTHS: int = 6
    RETENTION_PHOTO_MONTHS: int = 1
    RETENTION_MAIL_DAYS: int = 30
    RETENTION_IP_DAYS: int = 30
    PURGE_SECONDS: float = 86400.0
    TESTING: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_env(cls) -> Config:
        """Build the configuration from the environment."""
        instance = Path(_env("INSTANCE_DIR", str(PROJECT_ROOT / "instance")))
        return cls(
            SECRET_KEY=os.environ.get("TEMPO_SECRET_KEY"),
            INSTANCE_DIR=instance,
            DATABASE_URL=os.environ.get("TEMPO_DATABASE_URL"),
            CONTENT_DIR=Path(_env("CONTENT_DIR", str(PROJECT_ROOT / "content"))),
            HOST=_env("HOST", "127.0.0.1"),
            PORT=int(_env("PORT", "5000")),
            PUBLIC_URL=os.environ.get("TEMPO_PUBLIC_URL"),
            ASYNC_MODE=_env("ASYNC_MODE", "threading"),
            SERVER_MODE=_env("SERVER_MODE", "gevent"),
            MESSAGE_QUEUE=os.environ.get("TEMPO_MESSAGE_QUEUE"),
            MESSAGE_QUEUE_CHANNEL=_env("MESSAGE_QUEUE_CHANNEL", "flask-socketio"),
            PRESENCE_TTL_SECONDS=float(_env("PRESENCE_TTL_SECONDS", "10")),
            TRUSTED_PROXIES=int(_env("TRUSTED_PROXIES", "0")),
            SCHEDULER=_env("SCHEDULER", "inprocess"),
            SCHEDULER_RETRY_SECONDS=float(_env("SCHEDULER_RETRY_SECONDS", "5")),
            SCHEDULER_SYNC_SECONDS=float(_env("SCHEDULER_SYNC_SECONDS", "30")),
            EVENT_WATCH_SECONDS=float(_env("EVENT_WATCH_SECONDS", "1")),
            TIMEZONE=_env("TIMEZONE", "Europe/Paris"),
            TESTING=_flag("TESTING", False),
            WRONG_LIMIT_PLAYER=int(_env("WRONG_LIMIT_PLAYER", "10")),
            WRONG_LIMIT_TEAM=int(_env("WRONG_LIMIT_TEAM", "10")),
            WRONG_WINDOW_SECONDS=int(_env("WRONG_WINDOW_SECONDS", "60")),
            VOTE_SECONDS=int(_env("VOTE_SECONDS", "60")),
            COHORT_AI_SECONDS=float(_env("COHORT_AI_SECONDS", "10")),
            PING_INTERVAL_SECONDS=float(_env("PING_INTERVAL_SECONDS", "25")),
            PING_TIMEOUT_SECONDS=float(_env("PING_TIMEOUT_SECONDS", "20")),
            MAX_UPLOAD_MB=int(_env("MAX_UPLOAD_MB", "12")),
            PROOF_MAX_PIXELS=int(_env("PROOF_MAX_PIXELS", "40000000")),
            # TEMPO_STUCK_MINUTES, the former name, is still read.
            ALERT_STALL_MINUTES=float(_env("ALERT_STALL_MINUTES", _env("STUCK_MINUTES", "20"))),
            ALERT_WRONG_COUNT=int(_env("ALERT_WRONG_COUNT", "4")),
            ALERT_WRONG_WINDOW_MINUTES=float(_env("ALERT_WRONG_WINDOW_MINUTES", "30")),
            ALERT_OFFLINE_MINUTES=float(_env("ALERT_OFFLINE_MINUTES", "5")),
            ALERT_PROOF_MINUTES=float(_env("ALERT_PROOF_MINUTES", "10")),
            ALERT_IDLE_MINUTES=float(_env("ALERT_IDLE_MINUTES", "30")),
            STAFF_SESSION_HOURS=float(_env("STAFF_SESSION_HOURS", "8")),
            STAFF_IDLE_MINUTES=float(_env("STAFF_IDLE_MINUTES", "60")),
            STAFF_LOGIN_MAX_FAILURES=int(_env("STAFF_LOGIN_MAX_FAILURES", "5")),
            STAFF_LOGIN_WINDOW_MINUTES=float(_env("STAFF_LOGIN_WINDOW_MINUTES", "5")),
            RATE_LIMITS=_flag("RATE_LIMITS", True),
            RATE_CODE_FAILURES=_env("RATE_CODE_FAILURES", "20 per 10 minutes"),
            RATE_JOINS=_env("RATE_JOINS", "40 per 10 minutes"),
            RATE_LOGIN_IP=_env("RATE_LOGIN_IP", "20 per 10 minutes"),
            RATE_LOGIN_ACCOUNT=_env("RATE_LOGIN_ACCOUNT", "10 per 15 minutes"),
            SMTP_HOST=os.environ.get("TEMPO_SMTP_HOST") or None,
            SMTP_PORT=int(_env("SMTP_PORT", "25")),
            SMTP_USER=os.environ.get("TEMPO_SMTP_USER") or None,
            SMTP_PASSWORD=os.environ.get("TEMPO_SMTP_PASSWORD") or None,
            SMTP_STARTTLS=_flag("SMTP_STARTTLS", False),
            SMTP_TIMEOUT=float(_env("SMTP_TIMEOUT", "10")),
            MAIL_FROM=_env("MAIL_FROM", "Tempo <tempo@localhost>"),
            MAIL_INTERVAL=float(_env("MAIL_INTERVAL", "30")),
            MAIL_MAX_ATTEMPTS=int(_env("MAIL_MAX_ATTEMPTS", "5")),
            BOOKING_REMINDER_SECONDS=float(_env("BOOKING_REMINDER_SECONDS", "60")),
            PROOF_SWEEP_SECONDS=float(_env("PROOF_SWEEP_SECONDS", "3600")),
            RETENTION_PLAY_MONTHS=int(_env("RETENTION_PLAY_MONTHS", "6")),
            RETENTION_PHOTO_MONTHS=int(_env("RETENTION_PHOTO_MONTHS", "1")),
            RETENTION_MAIL_DAYS=int(_env("RETENTION_MAIL_DAYS", "30")),
            RETENTION_IP_DAYS=int(_env("RETENTION_IP_DAYS", "30")),
            PURGE_SECONDS=float(_env("PURGE_SECONDS", "86400")),
        )

    @property
    def database_url(self) -> str:
        """The SQLAlchemy URL: TEMPO_DATABASE_URL or SQLite in the instance folder."""
        return self.DATABASE_URL or f"sqlite:///{self.INSTANCE_DIR / 'tempo.sqlite3'}"

    @property
    def public_url(self) -> str:
        """Base URL printed in codes and messages (players open it on their phones)."""
        return (self.PUBLIC_URL or f"http://{self.HOST}:{self.PORT}").rstrip("/")

    def flask_settings(self) -> dict[str, Any]:
        """The subset Flask and its extensions read from `app.config`."""
        settings = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "extra"}
        settings.update(
            SQLALCHEMY_DATABASE_URI=self.database_url,
            PUBLIC_URL_BASE=self.public_url,
            BABEL_DEFAULT_LOCALE=self.DEFAULT_LOCALE,
            BABEL_DEFAULT_TIMEZONE=self.TIMEZONE,
            BABEL_TRANSLATION_DIRECTORIES=str(PROJECT_ROOT / "translations"),
            MAX_CONTENT_LENGTH=self.MAX_UPLOAD_MB * 1024 * 1024,
            SESSION_COOKIE_SAMESITE="Lax",
            SESSION_COOKIE_HTTPONLY=True,
            # Served over HTTPS (the public address says so): the browser must never send the
            # session cookie, which carries a counsellor's session token, over plain HTTP.
            SESSION_COOKIE_SECURE=self.public_url.startswith("https://"),
            PERMANENT_SESSION_LIFETIME=60 * 60 * 24 * 30,
            # Only a response that changed the session writes the cookie. Renewing it on every
            # response let a background request (a static file, the QR card, the service worker's
            # copy of the page), answered late, write back a cookie read before a poster's scan
            # added « déjà validée par Inès »: the message was lost. /jouer renews the lifetime.
            SESSION_REFRESH_EACH_REQUEST=False,
            WTF_CSRF_TIME_LIMIT=None,
            RATELIMIT_ENABLED=self.RATE_LIMITS,
        )
        settings.update(self.extra)
        return settings


def child_environment(settings: dict[str, str]) -> dict[str, str]:
    """The environment for a child Tempo process: ours without TEMPO_*, plus `settings`.

    `settings` are given without their prefix ({"PORT": "5001"} becomes TEMPO_PORT=5001), so the
    child's configuration is exactly what the parent decided (the bench uses it).
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEMPO_")}
    env.update({f"TEMPO_{key}": value for key, value in settings.items()})
    return env


class WeakSecretKey(ValueError):
    """TEMPO_SECRET_KEY is an example value or too short: the French message says what to do."""


def secret_key_weakness(value: str) -> str | None:
    """Why this secret key can be guessed (in French), or None when it is acceptable."""
    folded = "".join(c for c in value.lower() if c.isalnum())
    if folded in PLACEHOLDER_SECRET_KEYS or any(mark in folded for mark in PLACEHOLDER_MARKS):
        return "est une valeur d'exemple"
    if len(value) < MIN_SECRET_KEY_LENGTH:
        return (
            f"est trop courte ({len(value)} caractères, il en faut au moins "
            f"{MIN_SECRET_KEY_LENGTH})"
        )
    if len(set(value)) < 8:
        return "est trop peu variée"
    return None


def check_secret_key(value: str | None) -> None:
    """Raise WeakSecretKey for a guessable key; unset is fine (one is generated and kept)."""
    if not value:
        return
    weakness = secret_key_weakness(value)
    if weakness is None:
        return
    raise WeakSecretKey(
        f"TEMPO_SECRET_KEY {weakness} : n'importe qui pourrait signer des sessions et des QR "
        f"codes Tempo. Générez une clé avec\n    {GENERATE_SECRET_KEY}\net mettez-la dans "
        "TEMPO_SECRET_KEY (la même pour tous les processus), ou retirez TEMPO_SECRET_KEY : "
        "une clé est alors générée dans le dossier de l'instance (un seul serveur)."
    )
