"""Images of the content (missions, characters, checkpoints): checked, turned upright, shrunk
and re-encoded with Pillow so that nothing but pixels is kept (no EXIF, GPS, comments).

Processing is idempotent: an image this module produced is returned byte for byte, so that an
exported image imported again (or a `media/` folder published) keeps its fingerprint.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

#: Longest side of a stored image, in pixels.
MAX_SIDE = 1600
#: The largest upload accepted, before processing.
MAX_BYTES = 8 * 1024 * 1024
#: Decoding needs memory in proportion to the pixels, whatever the file's size.
MAX_PIXELS = 40_000_000
#: Pillow format → (content type, file extension).
FORMATS: dict[str, tuple[str, str]] = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
}
#: File extensions accepted in a scenario's `media/` folder.
EXTENSIONS = ("jpg", "jpeg", "png", "webp")
# What Pillow reports of an image it wrote itself: anything else is metadata to strip.
_HARMLESS = {
    "jfif",
    "jfif_version",
    "jfif_unit",
    "jfif_density",
    "dpi",
    "progressive",
    "progression",
    "transparency",
    "loop",
    "background",
    "duration",
    "timestamp",
}


class ImageRefused(ValueError):
    """An image that cannot be accepted; `message` is French, for the author."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Processed:
    """An image ready to store: clean bytes and what describes them."""

    data: bytes
    content_type: str
    ext: str
    width: int
    height: int

    @property
    def sha256(self) -> str:
        """The fingerprint of the stored bytes."""
        return hashlib.sha256(self.data).hexdigest()


def process(data: bytes) -> Processed:
    """Check `data` is a JPEG, PNG or WebP of sensible size; return it clean and at most
    MAX_SIDE pixels on its longest side (raises ImageRefused with a French message)."""
    if len(data) > MAX_BYTES:
        raise ImageRefused(
            f"image trop lourde ({len(data) / 1024 / 1024:.1f} Mo) : "
            f"{MAX_BYTES // 1024 // 1024} Mo au plus"
        )
    try:
        image = Image.open(io.BytesIO(data))  # lazy: reads the header only
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise ImageRefused(
            "ce fichier n'est pas une image lisible (formats acceptés : JPEG, PNG, WebP)"
        ) from None
    with image:
        if image.format not in FORMATS:
            raise ImageRefused(
                f"format {image.format or 'inconnu'} refusé : seuls JPEG, PNG et WebP sont acceptés"
            )
        width, height = image.size
        if width * height > MAX_PIXELS:
            raise ImageRefused(
                f"image trop grande ({width} × {height} pixels) : réduisez-la avant de l'envoyer"
            )
        if _clean(image):
            content_type, ext = FORMATS[image.format]
            return Processed(data, content_type, ext, width, height)
        return _reencode(image)


def _clean(image: Image.Image) -> bool:
    """Whether `image` is already what `_reencode` writes: small enough, without metadata."""
    if max(image.size) > MAX_SIDE or set(image.info) - _HARMLESS:
        return False
    if image.format == "JPEG":
        # APP0 is the JFIF header; APP1 (EXIF, XMP), APP13 (IPTC), COM… are metadata.
        applist = getattr(image, "applist", [])
        return all(marker == "APP0" for marker, _ in applist) and image.mode in ("RGB", "L")
    return image.mode in ("RGB", "RGBA", "L", "LA", "P")


def _reencode(image: Image.Image) -> Processed:
    fmt = image.format or "PNG"
    try:
        image.load()
        upright = ImageOps.exif_transpose(image)
    except (OSError, Image.DecompressionBombError, ValueError):
        raise ImageRefused("cette image est endommagée : elle ne peut pas être lue") from None
    alpha = upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info
    mode = "RGBA" if alpha and fmt != "JPEG" else "RGB"
    pixels = upright.convert(mode)
    pixels.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    # A fresh image carries no EXIF, GPS or maker notes: nothing but pixels is saved.
    clean = Image.new(mode, pixels.size)
    clean.paste(pixels)
    out = io.BytesIO()
    if fmt == "JPEG":
        clean.save(out, "JPEG", quality=85, optimize=True)
    elif fmt == "WEBP":
        clean.save(out, "WEBP", quality=85, method=4)
    else:
        clean.save(out, "PNG", optimize=True)
    content_type, ext = FORMATS[fmt]
    return Processed(out.getvalue(), content_type, ext, clean.width, clean.height)
