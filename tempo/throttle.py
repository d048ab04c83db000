"""Rate limits on everything a stranger can guess or flood: codes, joins and staff logins.

Built on Flask-Limiter's storage and strategies (the `limits` library): counters live in Redis
when `TEMPO_MESSAGE_QUEUE` is a Redis URL (every server process then shares them), in this
process's memory otherwise. Each application gets its own `Limiter` (`app.extensions`), so
two apps in one process (the tests) never share counters.

Adapters (web routes, the `/play` connect handler) use three calls:

- `blocked(rule, key)`: seconds to wait when the limit is already reached, else None; checked
  before the attempt, so a blocked client learns nothing (not even whether its code was right);
- `spend(rule, key)`: count one attempt (most rules count only failures: a wrong code, a wrong
  password, so that a classroom sharing one address is never locked out by its own successes);
- `wait_message(seconds)`: the French sentence telling how long to wait.

Rules and their settings (limits notation, e.g. « 20 per 10 minutes; 5 per 10 seconds »):

| rule | counts | key | setting |
| --- | --- | --- | --- |
| code | wrong team, rejoin or checkpoint codes | client address | RATE_CODE_FAILURES |
| join | players created | client address | RATE_JOINS |
| login-ip | failed staff logins, any account | client address | RATE_LOGIN_IP |
| login-account | failed staff logins, any address | e-mail | RATE_LOGIN_ACCOUNT |
"""

from __future__ import annotations

import math
import time
from typing import cast

from flask import Flask, current_app, request
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_limiter import Limiter
from limits import RateLimitItem, parse_many

EXTENSION = "tempo.limiter"

RULES = {
    "code": "RATE_CODE_FAILURES",
    "join": "RATE_JOINS",
    "login-ip": "RATE_LOGIN_IP",
    "login-account": "RATE_LOGIN_ACCOUNT",
}


def client_ip() -> str:
    """The client's address (ProxyFix, installed with TEMPO_TRUSTED_PROXIES, makes it the real
    one behind nginx)."""
    return request.remote_addr or "?"


def storage_uri(message_queue: str | None) -> str:
    """Where counters live: the configured Redis (shared by every process), or memory."""
    if message_queue and message_queue.startswith(("redis://", "rediss://")):
        return message_queue
    return "memory://"


def init_app(app: Flask) -> None:
    """Give `app` its own limiter, its storage chosen from the configuration."""
    app.config.setdefault("RATELIMIT_STORAGE_URI", storage_uri(app.config.get("MESSAGE_QUEUE")))
    app.config.setdefault("RATELIMIT_STRATEGY", "moving-window")
    # One deployment's counters (its Socket.IO channel names it) never mix with another's.
    app.config.setdefault("RATELIMIT_KEY_PREFIX", f"tempo:{app.config['MESSAGE_QUEUE_CHANNEL']}")
    # Our rules are applied by hand (below); no route gets a default limit.
    limiter = Limiter(client_ip, app=app, default_limits=[])
    app.extensions[EXTENSION] = limiter


def _items(rule: str) -> list[RateLimitItem]:
    return list(parse_many(str(current_app.config[RULES[rule]])))


def _limiter() -> Limiter:
    return cast(Limiter, current_app.extensions[EXTENSION])


def blocked(rule: str, key: str) -> int | None:
    """Seconds until `key` may try again under `rule`, or None when it may try now."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return None
    strategy = _limiter().limiter
    waits = []
    for item in _items(rule):
        if not strategy.test(item, rule, key):
            reset, _remaining = strategy.get_window_stats(item, rule, key)
            waits.append(max(1, math.ceil(reset - time.time())))
    return max(waits) if waits else None


def spend(rule: str, key: str) -> None:
    """Count one attempt of `key` under `rule` (every window of the rule)."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return
    strategy = _limiter().limiter
    for item in _items(rule):
        strategy.hit(item, rule, key)


def wait_message(seconds: int, formal: bool = False) -> str:
    """« Trop d'essais… » with the wait in minutes (seconds under a minute), in French.

    Players are addressed with « tu », staff (`formal`) with « vous »."""
    if seconds < 60:
        wait = ngettext("%(num)d seconde", "%(num)d secondes", seconds)
    else:
        wait = ngettext("%(num)d minute", "%(num)d minutes", math.ceil(seconds / 60))
    if formal:
        return _("Trop de tentatives. Par sécurité, réessayez dans %(wait)s.", wait=wait)
    return _(
        "Trop d'essais depuis cette connexion. Par sécurité, réessaie dans %(wait)s.", wait=wait
    )
