"""Proof photos: resized, re-encoded without metadata (location, device), stored privately."""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import IO

from PIL import Image, ImageOps, UnidentifiedImageError

from tempo.services.errors import ServiceError

MAX_SIDE = 1600

Runner = Callable[[Callable[[], str]], str]


class ProofError(ServiceError):
    """A refused upload, with a French message."""


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
