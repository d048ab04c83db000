"""Offline play: the service worker (served from the site root) and the web app manifest.

The worker's script lives in static/js/sw.js; this route serves it as `/sw.js` with the list of
the player page's static files and a version derived from their contents, so any change to one of
them yields a new worker, which installs a new cache and deletes the old one (docs/features.md).
"""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path

from flask import Blueprint, Response, current_app, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

bp = Blueprint("offline", __name__)

# The player page's shell, relative to static/: what the worker caches at install.
SHELL = (
    "css/*.css",
    "js/*.js",
    "js/missions/*.js",
    "vendor/socket.io/*.js",
    "vendor/lit-html/*.js",
    "vendor/lit-html/directives/*.js",
    "icons/*",
)
WORKER = "js/sw.js"
#: Sent by the worker when it keeps its background copy of a page (static/js/sw.js).
SHELL_COPY_HEADER = "X-Tempo-Shell"
# From static/css/tempo.css: the brand (header, splash) and the page background.
THEME_COLOR = "#1e1b4b"
BACKGROUND_COLOR = "#f1f5f9"


@bp.app_template_global()
def shell_copy() -> bool:
    """Whether this request is the worker's background copy of a page, not a player's visit."""
    return bool(request.headers.get(SHELL_COPY_HEADER))


def _shell(static: str) -> tuple[str, tuple[str, ...]]:
    """(version, files): the shell's files under `static` and a digest of them and the worker.

    The files are listed at each call (a few dozen `stat`s, once per page load): an edited file
    gives a new version without a restart, in development too. The digest itself is computed
    again only when a file's size or modification time changes.
    """
    root = Path(static)
    files = sorted(
        {p for pattern in SHELL for p in root.glob(pattern) if p.is_file()} - {root / WORKER}
    )
    names = [p.relative_to(root).as_posix() for p in files]
    stamp = tuple((name, *_stat(root / name)) for name in [*names, WORKER])
    return _digest(static, stamp), tuple(names)


def _stat(path: Path) -> tuple[int, int]:
    info = path.stat()
    return info.st_mtime_ns, info.st_size


@functools.lru_cache(maxsize=8)
def _digest(static: str, stamp: tuple[tuple[str, int, int], ...]) -> str:
    """A digest of the files' names and contents (the same on every server of a deployment)."""
    digest = hashlib.sha256()
    for name, _mtime, _size in stamp:
        digest.update(name.encode())
        digest.update((Path(static) / name).read_bytes())
    return digest.hexdigest()[:12]


@bp.get("/sw.js")
def service_worker() -> ResponseReturnValue:
    """The service worker, from the root so that its scope may cover `/jouer`."""
    static = current_app.static_folder
    assert static is not None
    version, files = _shell(static)
    config = {
        "version": version,
        "assets": [url_for("static", filename=name) for name in files],
        "pages": [url_for("play.game"), url_for("play.rejoin_qr")],
        "leave": url_for("play.leave"),
    }
    script = (Path(static) / WORKER).read_text(encoding="utf-8")
    body = f"self.TEMPO_SHELL = {json.dumps(config)};\n{script}"
    response = Response(body, mimetype="text/javascript")
    # Browsers check for a new worker at each visit; no copy should outlive a deployment.
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/manifest.webmanifest")
def manifest() -> ResponseReturnValue:
    """The web app manifest: Tempo can be added to a phone's home screen."""
    icons = [
        {
            "src": url_for("static", filename=f"icons/tempo-{size}.png"),
            "sizes": f"{size}x{size}",
            "type": "image/png",
            "purpose": "any",
        }
        for size in (192, 512)
    ]
    icons.append(
        {
            "src": url_for("static", filename="icons/tempo.svg"),
            "sizes": "any",
            "type": "image/svg+xml",
        }
    )
    body = {
        "name": "Tempo",
        "short_name": "Tempo",
        "description": _("L'aventure en équipe de ta Mission Locale."),
        "lang": "fr",
        "start_url": url_for("play.game"),
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "theme_color": THEME_COLOR,
        "background_color": BACKGROUND_COLOR,
        "icons": icons,
    }
    response = Response(json.dumps(body, ensure_ascii=False), mimetype="application/manifest+json")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response
