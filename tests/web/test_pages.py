"""Public pages: home, team code lookup, errors, health."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from tempo.extensions import db
from tempo.models import utcnow
from tempo.services.content.demo import ensure_demo
from tempo.services.content.publishing import load_valid_content
from tests.conftest import CONTENT_DIR


def _demo(app: Flask):  # type: ignore[no-untyped-def]
    with app.app_context():
        result = ensure_demo(db.session, load_valid_content(CONTENT_DIR), utcnow())
        db.session.commit()
        return [(t.name, t.join_code) for t in result.cohort.teams]


def test_home_page_is_french_and_offers_the_code_field(client: FlaskClient) -> None:
    """The home page answers in French with a labelled code field."""
    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="fr">' in html
    assert "Rejoindre mon équipe" in html
    assert 'for="code"' in html


def test_unknown_code_gets_a_clear_french_error(client: FlaskClient) -> None:
    """A wrong code says so, keeps what was typed, and is announced to screen readers."""
    response = client.get("/rejoindre?code=zzz999")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "Aucune équipe n&#39;a le code « zzz999 »" in html
    assert 'role="alert"' in html
    assert client.get("/rejoindre?code=").status_code == 400


def test_team_code_opens_the_join_page(app: Flask, client: FlaskClient) -> None:
    """The demo's printed code, typed loosely, leads to its team's join page."""
    name, code = _demo(app)[0]
    typed = code.lower()[:3] + " " + code.lower()[3:]
    response = client.get(f"/rejoindre?code={typed}")
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    assert f"<h1>Rejoindre l'équipe {name}</h1>" in page.get_data(as_text=True)


def test_authored_markdown_cannot_inject_script() -> None:
    """Markdown is rendered and sanitised: raw HTML and javascript: links are dropped."""
    from tempo.infra.markup import render

    html = str(render("**Bravo** <script>alert(1)</script> [x](javascript:alert(1))"))
    assert "<strong>Bravo</strong>" in html
    assert "<script" not in html
    assert 'href="javascript:' not in html


def test_missing_page_is_a_french_404(client: FlaskClient) -> None:
    """Unknown URLs get a French page with a way back."""
    response = client.get("/nulle-part")
    assert response.status_code == 404
    assert "Cette page n&#39;existe pas" in response.get_data(as_text=True)


def test_health_checks_the_database(client: FlaskClient) -> None:
    """The health endpoint answers once the database is reachable."""
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_pages_and_scripts_travel_compressed_for_phones(client: FlaskClient) -> None:
    """A phone that only knows gzip and deflate gets the player script and pages compressed."""
    import gzip
    import zlib

    old_phone = {"Accept-Encoding": "gzip, deflate"}
    plain = client.get("/static/js/play.js")
    script = client.get("/static/js/play.js", headers=old_phone)
    # Static files are streamed, and streamed responses use deflate rather than gzip.
    assert script.headers["Content-Encoding"] == "deflate"
    assert zlib.decompress(script.get_data()) == plain.get_data()
    assert len(script.get_data()) < len(plain.get_data()) / 3
    page = client.get("/", headers=old_phone)
    assert page.headers["Content-Encoding"] == "gzip"
    assert "Tempo" in gzip.decompress(page.get_data()).decode()
