"""Proof photos: resized, re-encoded without metadata (location, device), stored privately."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import IO

from PIL import Image, ImageOps, UnidentifiedImageError

from tempo.services.errors import ServiceError

MAX_SIDE = 1600


class ProofError(ServiceError):
    """A refused upload, with a French message."""


def store_photo(stream: IO[bytes], folder: Path) -> str:
    """Save an uploaded image as a clean JPEG; return its file name."""
    try:
        with Image.open(stream) as image:
            image.load()
            upright = ImageOps.exif_transpose(image)
            rgb = upright.convert("RGB")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise ProofError(
            "unreadable_image", "Ce fichier n'est pas une image lisible (JPEG, PNG, WebP…)."
        ) from exc
    rgb.thumbnail((MAX_SIDE, MAX_SIDE))
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{uuid.uuid4().hex}.jpg"
    # A fresh image carries no EXIF, GPS or maker notes: nothing but pixels is saved.
    clean = Image.new("RGB", rgb.size)
    clean.paste(rgb)
    clean.save(folder / name, "JPEG", quality=82, optimize=True)
    return name
