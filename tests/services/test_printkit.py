"""The print kit: every printed QR code scans to a URL that works, pages and French text."""

from __future__ import annotations

import copy
import hashlib
import io
from dataclasses import dataclass

import pytest
from flask import Flask
from PIL import Image

from tempo.config import PROJECT_ROOT
from tempo.extensions import db
from tempo.models import Cohort, VersionImage, utcnow
from tempo.services.content import games
from tempo.services.documents import printing, printkit
from tempo.services.play import checkpoints
from tests.conftest import Demo
from tests.services.pdfs import is_blank, pages, qr_codes, texts

PUBLIC = "https://tempo.ml-exemple.fr"
SCREENSHOTS = PROJECT_ROOT / "screenshots"
# Eleven players: a full page of ten cards, then a second page with one.
PLAYERS = (
    "Inès",
    "Éloïse Œuvre",
    "Malo",
    "Zoé-Françoise",
    "Kévin",
    "Noé",
    "Ambre",
    "Yanis",
    "Lou",
    "Sacha",
    "Gaël",
)


@dataclass
class Built:
    """A kit and what it was built from."""

    pdf: bytes
    kit: printkit.Kit
    cohort_id: int
    rejoin: dict[str, str]
    checkpoint_ids: list[str]


def _build(app: Flask, demo: Demo, public_url: str = PUBLIC) -> Built:
    rejoin = {name: demo.join(0, name) for name in PLAYERS}
    with app.app_context():
        cohort = db.session.get(Cohort, demo.cohort_id)
        assert cohort is not None
        kit = printkit.kit_data(
            db.session,
            cohort,
            secret=app.config["SECRET_KEY"],
            public_url=public_url,
            now=utcnow(),
        )
        ids = list(checkpoints.checkpoints(games.game_for(cohort.scenario_version)))
    return Built(printkit.render_kit(kit), kit, demo.cohort_id, rejoin, ids)


@pytest.fixture
def built(app: Flask, demo: Demo) -> Built:
    """The demo cohort's kit: 11 players in the first team, none in the second."""
    return _build(app, demo)


def _expected_pages(built: Built) -> int:
    sheet = sum(1 for text in texts(built.pdf) if "Fiche conseiller : pose des balises" in text)
    assert sheet >= 1
    # cover + (poster + 2 card pages) + (poster + 1 "no player yet" page) + sheet + posters
    return 1 + 3 + 2 + sheet + len(built.checkpoint_ids)


def test_every_printed_qr_code_decodes_to_a_working_url(
    app: Flask, demo: Demo, built: Built
) -> None:
    """Posters and cards scan to join, rejoin and checkpoint URLs that the app accepts."""
    found = [qr_codes(image) for image in pages(built.pdf)]
    assert len(found) == _expected_pages(built)
    every = [url for page in found for url in page]
    assert all(url.startswith(PUBLIC + "/") for url in every)
    # Page 2 is the first team's poster, 3-4 its cards, 5 the second team's poster.
    assert found[1] == [f"{PUBLIC}/rejoindre/{demo.codes[0]}"]
    assert sorted(found[2] + found[3]) == sorted(
        f"{PUBLIC}/retour/{code}" for code in built.rejoin.values()
    )
    assert len(found[2]) == 10 and len(found[3]) == 1
    assert found[4] == [f"{PUBLIC}/rejoindre/{demo.codes[1]}"]
    assert found[5] == []  # the second team has no player yet: no card
    posters = found[-len(built.checkpoint_ids) :]
    assert all(len(page) == 1 for page in posters)

    for team_index, url in ((0, found[1][0]), (1, found[4][0])):
        response = app.test_client().get(url.removeprefix(PUBLIC))
        assert response.status_code == 200
        assert demo.names[team_index] in response.get_data(as_text=True)

    by_code = {code: name for name, code in built.rejoin.items()}
    for url in found[2] + found[3]:
        phone = app.test_client()
        # A card's link asks « C'est bien toi ? » first; its confirmation signs the phone in.
        asked = phone.get(url.removeprefix(PUBLIC))
        name = by_code[url.rsplit("/", 1)[1]]
        assert asked.status_code == 200 and name in asked.get_data(as_text=True)
        response = phone.post("/retour", data={"rejoin": url.rsplit("/", 1)[1]})
        assert response.status_code == 302 and response.headers["Location"].endswith("/jouer")
        page = phone.get("/jouer").get_data(as_text=True)
        assert name in page

    scanned = []
    phone = app.test_client()
    phone.post("/retour", data={"rejoin": built.rejoin["Inès"]})
    for page in posters:
        path = page[0].removeprefix(PUBLIC)
        assert path.startswith("/q/")
        read = checkpoints.read(app.config["SECRET_KEY"], path.removeprefix("/q/"))
        assert read is not None and read[0] == built.cohort_id
        scanned.append(read[1])
        # The app recognises the code (the urban day is not open yet, so it waits for it).
        body = phone.get(path).get_data(as_text=True)
        assert "pas un code Tempo valide" not in body
        assert "pas encore disponible" in body
    assert scanned == built.checkpoint_ids


def test_posters_show_codes_in_big_letters_and_french_text(built: Built, demo: Demo) -> None:
    """Team names, short codes, pseudonyms and instructions are printed, accents intact."""
    pages_text = texts(built.pdf)
    cover, poster, cards, more_cards, _second_poster, empty = pages_text[:6]
    assert "Kit d'impression" in cover and "Promo démo — Tempo 2050" in cover
    assert "Imprimez en A4, en taille réelle" in cover
    assert "TEMPO_PUBLIC_URL" not in cover  # a public address: no warning
    assert "Rejoins ton équipe !" in poster and demo.names[0] in poster
    assert printing.spaced(demo.codes[0], 3) in poster
    assert "Scanne le QR code avec l'appareil photo de ton téléphone" in poster
    assert "tempo.ml-exemple.fr" in poster
    assert "Cartes personnelles — Les Comètes (1/2)" in cards
    for name in ("Ambre", "Éloïse Œuvre", "Gaël"):  # in alphabetical order, accents folded
        assert name in cards
        assert printing.spaced(built.rejoin[name], 4) in cards
    assert "Zoé-Françoise" in more_cards and "Cartes personnelles — Les Comètes (2/2)" in more_cards
    assert "Personne n'a encore rejoint l'équipe Les Pionniers." in empty
    assert not any(is_blank(image) for image in pages(built.pdf))


def test_placement_notes_are_on_the_counsellor_sheet_only(built: Built) -> None:
    """Where to stick a checkpoint is printed for counsellors, never on the public posters."""
    pages_text = texts(built.pdf)
    sheet = " ".join(t for t in pages_text if "Fiche conseiller : pose des balises" in t)
    posters = pages_text[-len(built.checkpoint_ids) :]
    assert "à ne pas afficher" in sheet
    for checkpoint, poster in zip(built.kit.checkpoints, posters, strict=True):
        note = " ".join(checkpoint.placement.split())[:60]
        assert note in sheet
        assert note not in poster
        assert checkpoint.label in poster
        assert printing.spaced(checkpoint.short_code, 3) in poster
        assert printing.spaced(checkpoint.short_code, 3) in sheet
        assert f"Jour {checkpoint.day}" in poster
        assert "Merci de la laisser en place" in poster


def test_cover_lists_the_sections_with_their_pages(built: Built) -> None:
    """The cover's table of contents points at the right pages."""
    cover = texts(built.pdf)[0]
    total = len(texts(built.pdf))
    assert "Affiche d'inscription — Les Comètes" in cover and "page 2" in cover
    assert "Cartes personnelles — Les Comètes (11 joueurs) pages 3 à 4" in cover
    assert "Les Pionniers (aucun joueur pour l'instant) page 6" in cover
    first_poster = total - len(built.checkpoint_ids) + 1
    assert f"Affiches des balises QR (7) pages {first_poster} à {total}" in cover


def test_a_local_address_is_flagged_on_the_cover(app: Flask, demo: Demo) -> None:
    """Codes pointing at 127.0.0.1 would not open on phones: the cover says so."""
    built = _build(app, demo, public_url="http://127.0.0.1:5000")
    assert "TEMPO_PUBLIC_URL" in texts(built.pdf)[0]
    assert printkit.is_local("http://localhost:5000")
    assert not printkit.is_local(PUBLIC)


def test_kit_without_truetype_fonts_still_prints_french(
    app: Flask, demo: Demo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a machine without DejaVu (or any known font), the core fonts keep accents and codes."""
    monkeypatch.setattr(printing, "find_fonts", lambda: printing.FontSet("Helvetica"))
    built = _build(app, demo)
    pages_text = texts(built.pdf)
    assert "Rejoins ton équipe !" in pages_text[1]
    assert "Éloïse Œuvre" in pages_text[2]
    assert qr_codes(pages(built.pdf)[1]) == [f"{PUBLIC}/rejoindre/{demo.codes[0]}"]


def test_font_search_finds_an_installed_family_or_falls_back(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Fonts are looked for in the usual folders; none found means the core fonts."""
    assert printing.find_fonts((tmp_path,)).core
    found = printing.find_fonts()
    assert found.core or (found.regular is not None and found.regular.is_file())


def test_card_pages() -> None:
    """Ten cards a page; an empty team still gets its explanatory page."""
    assert [printkit.card_pages(n) for n in (0, 1, 10, 11, 20, 21)] == [1, 1, 1, 2, 2, 3]


def test_a_checkpoint_poster_shows_its_image_and_its_code_still_scans(
    app: Flask, demo: Demo
) -> None:
    """The place's picture (frozen with the version) sits between the title and the QR code."""
    out = io.BytesIO()
    Image.new("RGB", (900, 600), (230, 20, 20)).save(out, "PNG")
    with app.app_context():
        cohort = db.session.get(Cohort, demo.cohort_id)
        assert cohort is not None
        version = cohort.scenario_version
        content = copy.deepcopy(version.content)
        first = next(
            m
            for d in content["scenario"]["days"]
            for m in d["missions"]
            if m["type"] == "qr-checkpoint"
        )
        first["params"]["checkpoints"][0]["image"] = "fontaine"
        version.content = content
        db.session.add(
            VersionImage(
                version_id=version.id,
                name="fontaine",
                alt="La fontaine de la place",
                content_type="image/png",
                width=900,
                height=600,
                sha256=hashlib.sha256(out.getvalue()).hexdigest(),
                data=out.getvalue(),
            )
        )
        db.session.commit()
        cohort_id, label = cohort.id, first["params"]["checkpoints"][0]["label"]
    built = _build(app, demo)
    assert built.cohort_id == cohort_id
    poster = next(c for c in built.kit.checkpoints if c.label == label)
    assert poster.image is not None and poster.image[1] == "La fontaine de la place"
    index = len(pages(built.pdf)) - len(built.checkpoint_ids) + poster.number - 1
    page = pages(built.pdf)[index]
    colors = page.convert("RGB").getcolors(maxcolors=1 << 24) or []
    red = sum(n for n, (r, g, b) in colors if r > 200 and g < 60 and b < 60)
    assert red > 50_000  # the picture is drawn, large
    assert len(qr_codes(page)) == 1
    SCREENSHOTS.mkdir(exist_ok=True)
    page.resize((page.width // 2, page.height // 2)).save(SCREENSHOTS / "printkit-poster-image.png")
