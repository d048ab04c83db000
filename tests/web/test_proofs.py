"""Proof uploads: photos resized and stripped of metadata; bad files refused in French."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from flask import Flask
from PIL import Image, ImageFile
from werkzeug.test import EnvironBuilder, run_wsgi_app

from tempo.extensions import db
from tempo.models import Cohort, MissionProgress, utcnow
from tempo.services.play import proofs
from tests.conftest import Demo
from tests.realtime.helpers import first_of_type


def _photo_with_gps() -> bytes:
    image = Image.new("RGB", (4000, 3000), (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (48.0, 51.0, 24.0)}  # GPS IFD: where the photo was taken
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def _player_phone(app: Flask, demo: Demo, day: int):  # type: ignore[no-untyped-def]
    with app.app_context():
        cohort = db.session.get(Cohort, demo.cohort_id)
        assert cohort is not None
        for d in cohort.days[:day]:
            d.unlocked_at = utcnow()
        db.session.commit()
    phone = app.test_client()
    phone.post("/retour", data={"rejoin": demo.join(0, "Lina")})
    return phone


def test_photo_is_resized_and_stripped_of_metadata(app: Flask, demo: Demo, tmp_path: Path) -> None:
    """A 12-megapixel photo with GPS data is stored as a clean JPEG of at most 1600 px."""
    proof = first_of_type("proof", day=6)
    assert proof.params["kind"] == "photo" and not proof.requires
    phone = _player_phone(app, demo, 6)
    response = phone.post(
        f"/jouer/preuve/{proof.id}",
        data={"photo": (io.BytesIO(_photo_with_gps()), "IMG_0001.jpg"), "text": "Notre équipe"},
        content_type="multipart/form-data",
    )
    assert response.get_json() == {"ok": True, "version": response.get_json()["version"]}
    stored = list((tmp_path / "instance" / "uploads" / "proofs").glob("*.jpg"))
    assert len(stored) == 1
    with Image.open(stored[0]) as image:
        assert max(image.size) == 1600
        assert not image.getexif()
    with app.app_context():
        row = db.session.query(MissionProgress).filter_by(mission_id=proof.id).one()
        assert row.state["status"] == "pending"
        assert row.state["submission"]["photo"] == stored[0].name


def test_a_file_that_is_not_an_image_is_refused(app: Flask, demo: Demo, tmp_path: Path) -> None:
    """A PDF or text file sent as a photo gets a clear French message and is not kept."""
    proof = first_of_type("proof", day=6)
    phone = _player_phone(app, demo, 6)
    response = phone.post(
        f"/jouer/preuve/{proof.id}",
        data={"photo": (io.BytesIO(b"%PDF-1.4 pas une image"), "charte.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "n'est pas une image lisible" in response.get_json()["error"]["message"]
    assert not list((tmp_path / "instance" / "uploads" / "proofs").glob("*"))


def test_a_refused_proof_keeps_no_photo(app: Flask, demo: Demo, tmp_path: Path) -> None:
    """A photo sent to a mission that is still locked is refused and not kept on disk."""
    proof = first_of_type("proof", day=1)
    assert proof.requires
    phone = _player_phone(app, demo, 1)
    response = phone.post(
        f"/jouer/preuve/{proof.id}",
        data={"photo": (io.BytesIO(_photo_with_gps()), "IMG_0002.jpg")},
        content_type="multipart/form-data",
    )
    assert response.get_json()["error"]["code"] == "mission_locked"
    assert not list((tmp_path / "instance" / "uploads" / "proofs").glob("*"))


def _pixel_bomb() -> bytes:
    """A 12000×12000 1-bit PNG: a few kilobytes on the wire, 144 megapixels once decoded."""
    out = io.BytesIO()
    Image.new("1", (12000, 12000)).save(out, "PNG")
    return out.getvalue()


def test_a_pixel_bomb_is_refused_without_being_decoded(
    app: Flask, demo: Demo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A tiny PNG declaring 144 megapixels is refused from its header: nothing decoded or kept."""
    bomb = _pixel_bomb()
    assert len(bomb) < 100_000
    proof = first_of_type("proof", day=6)
    phone = _player_phone(app, demo, 6)

    def no_decoding(self: Image.Image) -> None:
        raise AssertionError("the image was decoded before its size was checked")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    response = phone.post(
        f"/jouer/preuve/{proof.id}",
        data={"photo": (io.BytesIO(bomb), "bombe.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    message = response.get_json()["error"]["message"]
    assert "trop grande (144 mégapixels, 40 au plus)" in message
    assert not list((tmp_path / "instance" / "uploads" / "proofs").glob("*"))
    with app.app_context():
        assert db.session.query(MissionProgress).filter_by(mission_id=proof.id).count() == 0


def test_the_pixel_cap_is_a_setting(tmp_path: Path) -> None:
    """TEMPO_PROOF_MAX_PIXELS lowers or raises the cap; the message gives the configured one."""
    small = io.BytesIO()
    Image.new("RGB", (3000, 2000)).save(small, "PNG")
    small.seek(0)
    with pytest.raises(proofs.ProofError) as refused:
        proofs.store_photo(small, tmp_path, max_pixels=5_000_000)
    assert refused.value.code == "image_too_large"
    assert "(6 mégapixels, 5 au plus)" in refused.value.message
    small.seek(0)
    assert proofs.store_photo(small, tmp_path, max_pixels=6_000_000).endswith(".jpg")


def test_decoding_happens_inside_the_given_runner(tmp_path: Path) -> None:
    """The web layer's runner (a worker thread under gevent) carries out all the decoding."""
    inside: list[bool] = []
    running = [False]
    original = ImageFile.ImageFile.load

    def watched_load(self: ImageFile.ImageFile):  # type: ignore[no-untyped-def]
        inside.append(running[0])
        return original(self)

    def runner(work):  # type: ignore[no-untyped-def]
        running[0] = True
        try:
            return work()
        finally:
            running[0] = False

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ImageFile.ImageFile, "load", watched_load)
        name = proofs.store_photo(
            io.BytesIO(_photo_with_gps()), tmp_path, max_pixels=40_000_000, run=runner
        )
    assert (tmp_path / name).exists()
    assert inside and all(inside)


class _UnreadBody(io.RawIOBase):
    """A request body that fails the test if anything reads it."""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: object) -> int:
        raise AssertionError("the body was read although its declared size is over the limit")


def test_an_upload_over_the_size_limit_is_refused_before_its_body_is_read(
    app: Flask, demo: Demo, tmp_path: Path
) -> None:
    """TEMPO_MAX_UPLOAD_MB applies to the declared Content-Length: 413, body left unread."""
    proof = first_of_type("proof", day=6)
    phone = _player_phone(app, demo, 6)
    cookie = phone.get_cookie("session")
    assert cookie is not None
    environ = EnvironBuilder(
        path=f"/jouer/preuve/{proof.id}",
        method="POST",
        content_type="multipart/form-data; boundary=x",
        headers={"Cookie": f"session={cookie.value}"},
    ).get_environ()
    environ["CONTENT_LENGTH"] = str(app.config["MAX_UPLOAD_MB"] * 1024 * 1024 + 1)
    environ["wsgi.input"] = _UnreadBody()
    _, status, _ = run_wsgi_app(app, environ, buffered=True)
    assert status.startswith("413")
    assert not list((tmp_path / "instance" / "uploads" / "proofs").glob("*"))
