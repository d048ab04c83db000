"""Offline play's HTTP side: the service worker's script and the web app manifest."""

from __future__ import annotations

import json
from pathlib import Path

from flask.testing import FlaskClient

from tempo.web.player import offline
from tests.conftest import Demo


def _worker_config(client: FlaskClient) -> dict[str, object]:
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    first = response.get_data(as_text=True).splitlines()[0]
    assert first.startswith("self.TEMPO_SHELL = ") and first.endswith(";")
    config: dict[str, object] = json.loads(first.removeprefix("self.TEMPO_SHELL = ")[:-1])
    return config


def test_the_worker_lists_the_player_page_shell(client: FlaskClient) -> None:
    """CSS, modules, mission renderers, socket.io and icons; never the worker itself."""
    config = _worker_config(client)
    assets = config["assets"]
    assert isinstance(assets, list)
    for url in (
        "/static/css/play.css",
        "/static/js/play.js",
        "/static/js/offline.js",
        "/static/js/missions/enigma.js",
        "/static/vendor/socket.io/socket.io.min.js",
        "/static/icons/tempo-192.png",
    ):
        assert url in assets
    assert "/static/js/sw.js" not in assets
    assert config["pages"] == ["/jouer", "/jouer/carte.svg"]
    assert config["leave"] == "/jouer/quitter"
    for url in assets:
        assert client.get(url).status_code == 200


def test_the_cache_version_follows_the_files(tmp_path: Path) -> None:
    """Any change to a cached file, or to the worker, gives a new version (a new cache)."""
    (tmp_path / "js").mkdir()
    (tmp_path / "css").mkdir()
    (tmp_path / "js" / "sw.js").write_text("// worker", encoding="utf-8")
    (tmp_path / "css" / "a.css").write_text("a {}", encoding="utf-8")
    first, files = offline._shell(str(tmp_path))
    assert files == ("css/a.css",)
    assert offline._shell(str(tmp_path))[0] == first
    (tmp_path / "css" / "a.css").write_text("a { color: red }", encoding="utf-8")
    second = offline._shell(str(tmp_path))[0]
    assert second != first
    (tmp_path / "js" / "sw.js").write_text("// worker 2", encoding="utf-8")
    assert offline._shell(str(tmp_path))[0] not in (first, second)


def test_the_manifest_makes_tempo_installable(client: FlaskClient) -> None:
    """French, standalone, opens the play page, brand colours, 192 and 512 PNG icons."""
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response.mimetype == "application/manifest+json"
    manifest = json.loads(response.get_data(as_text=True))
    assert manifest["name"] == manifest["short_name"] == "Tempo"
    assert manifest["lang"] == "fr"
    assert manifest["start_url"] == "/jouer"
    assert manifest["display"] == "standalone"
    assert manifest["theme_color"] == "#1e1b4b"
    assert "Mission Locale" in manifest["description"]
    pngs = {i["sizes"]: i["src"] for i in manifest["icons"] if i["type"] == "image/png"}
    assert set(pngs) == {"192x192", "512x512"}
    for size, src in pngs.items():
        icon = client.get(src)
        assert icon.status_code == 200
        assert icon.mimetype == "image/png"
        assert icon.data[16:24] == int(size.split("x")[0]).to_bytes(4, "big") * 2  # IHDR


def test_player_pages_link_the_manifest_and_the_console_does_not(client: FlaskClient) -> None:
    """The home and join pages link it; the console is never installed as the players' app."""
    assert 'rel="manifest" href="/manifest.webmanifest"' in client.get("/").get_data(as_text=True)
    login = client.get("/console/connexion", follow_redirects=True).get_data(as_text=True)
    assert 'class="console"' in login
    assert 'rel="manifest"' not in login


def test_the_worker_s_copy_of_the_page_leaves_the_player_s_messages(
    client: FlaskClient, demo: Demo
) -> None:
    """The worker keeps a copy of /jouer in the background while the player may be scanning a
    poster: that copy must not take « déjà validée par Inès », meant for the page opening."""
    assert client.post("/retour", data={"rejoin": demo.join(0, "Malo")}).status_code == 302
    client.get("/jouer")  # the sign-in's own message is read
    with client.session_transaction() as session:
        session["_flashes"] = [("message", "« Balise 1 » : déjà validée par Inès.")]
    copy = client.get("/jouer", headers={"X-Tempo-Shell": "1"})
    assert copy.status_code == 200 and "déjà validée" not in copy.get_data(as_text=True)
    page = client.get("/jouer?mission=d06-balises-loisirs")
    assert "« Balise 1 » : déjà validée par Inès." in page.get_data(as_text=True)


def test_background_requests_never_write_the_player_s_cookie(
    client: FlaskClient, demo: Demo
) -> None:
    """A late answer to a background request (a static file, the QR card, the worker's copy)
    would write back a cookie read before a scan added « déjà validée par Inès »: only the
    pages that change the session, and /jouer itself (it renews the 30 days), write it."""
    assert client.post("/retour", data={"rejoin": demo.join(0, "Malo")}).status_code == 302
    client.get("/jouer")  # the sign-in's own message is read
    for url, headers in (
        ("/static/js/play.js", {}),
        ("/jouer/carte.svg", {}),
        ("/jouer", {"X-Tempo-Shell": "1"}),
    ):
        response = client.get(url, headers=headers)
        assert response.status_code == 200, url
        assert "Set-Cookie" not in response.headers, url
    renewed = client.get("/jouer")
    assert "Expires=" in renewed.headers["Set-Cookie"]
