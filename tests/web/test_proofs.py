"""Proof uploads: photos resized and stripped of metadata; bad files refused in French."""

from __future__ import annotations

import io
from pathlib import Path

from flask import Flask
from PIL import Image

from tempo.extensions import db
from tempo.models import Cohort, MissionProgress, utcnow
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
    phone.get(f"/retour/{demo.join(0, 'Lina')}")
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
