"""Proof photos: resized, re-encoded without metadata (location, device), stored privately."""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import select
from sqlalchemy.orm import Session

from tempo.missions.proof import PHOTO_NAME
from tempo.models import MissionProgress
from tempo.services.errors import ServiceError

MAX_SIDE = 1600
# A photo stored this recently is never swept: its proof may still be on its way to the database.
SWEEP_GRACE = timedelta(hours=1)
# Proof statuses whose photo is still needed (the counsellor's queue, an accepted proof).
_KEPT = ("pending", "accepted")

Runner = Callable[[Callable[[], str]], str]


class ProofError(ServiceError):
    """A refused upload, with a French message."""


def photo_folder(instance_dir: Path) -> Path:
    """Where proof photos are stored, inside the instance folder (never served publicly)."""
    return instance_dir / "uploads" / "proofs"


def store_photo(
    stream: IO[bytes], folder: Path, *, max_pixels: int, run: Runner | None = None
) -> str:
    """Save an uploaded image as a clean JPEG; return its file name.

    Decoding needs memory in proportion to the pixels, whatever the file's size (a 17 KB PNG can
    declare 144 megapixels): only the header is read before the check against `max_pixels`.
    `run` carries out the decoding (the web layer passes one that keeps it off the event loop).
    """
    try:
        image = Image.open(stream)  # lazy: reads the header, decodes nothing
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise _unreadable() from exc
    with image:
        width, height = image.size
        if width * height > max_pixels:
            raise ProofError(
                "image_too_large",
                f"Cette image est trop grande ({_megapixels(width * height, up=True)} mégapixels, "
                f"{_megapixels(max_pixels, up=False)} au plus) : envoie une photo prise avec ton "
                "téléphone ou une version réduite.",
            )
        return (run or _now)(lambda: _save_clean(image, folder))


def _save_clean(image: Image.Image, folder: Path) -> str:
    """Decode, turn upright, shrink and re-encode `image` into `folder`; the new file's name."""
    try:
        image.load()
        upright = ImageOps.exif_transpose(image)
        rgb = upright.convert("RGB")
    except (OSError, Image.DecompressionBombError) as exc:
        raise _unreadable() from exc
    rgb.thumbnail((MAX_SIDE, MAX_SIDE))
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{uuid.uuid4().hex}.jpg"
    # A fresh image carries no EXIF, GPS or maker notes: nothing but pixels is saved.
    clean = Image.new("RGB", rgb.size)
    clean.paste(rgb)
    clean.save(folder / name, "JPEG", quality=82, optimize=True)
    return name


def _now(work: Callable[[], str]) -> str:
    return work()


def _megapixels(pixels: int, *, up: bool) -> int:
    return (math.ceil if up else math.floor)(pixels / 1_000_000)


def _unreadable() -> ProofError:
    return ProofError(
        "unreadable_image", "Ce fichier n'est pas une image lisible (JPEG, PNG, WebP…)."
    )


def remove_photo(folder: Path, name: str) -> None:
    """Delete a stored photo nothing refers to any more (only names the server gives)."""
    if PHOTO_NAME.fullmatch(name):
        (folder / name).unlink(missing_ok=True)


def referenced_photos(session: Session) -> set[str]:
    """The stored photos of proofs waiting for review or accepted."""
    names: set[str] = set()
    for state in session.scalars(select(MissionProgress.state)):
        submission = (state or {}).get("submission")
        if isinstance(submission, dict) and state.get("status") in _KEPT:
            photo = submission.get("photo")
            if isinstance(photo, str):
                names.add(photo)
    return names


def sweep_orphans(session: Session, folder: Path, now: datetime) -> list[str]:
    """Delete stored photos no proof needs (refused, replaced, re-posted); their names.

    Files younger than `SWEEP_GRACE` are kept: an upload stores its photo before its action.
    """
    if not folder.is_dir():
        return []
    kept = referenced_photos(session)
    oldest = (now - SWEEP_GRACE).timestamp()
    removed = []
    for path in sorted(folder.iterdir()):
        name = path.name
        if PHOTO_NAME.fullmatch(name) and name not in kept and path.stat().st_mtime < oldest:
            path.unlink(missing_ok=True)
            removed.append(name)
    return removed
