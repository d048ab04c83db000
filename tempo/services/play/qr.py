"""QR code images (SVG for pages, PNG for print) with qrcode and Pillow."""

from __future__ import annotations

import io
from typing import Any

import qrcode
import qrcode.image.svg
from qrcode.constants import ERROR_CORRECT_M, ERROR_CORRECT_Q

# M (15 % recovery) for screens and cards; Q (25 %) for posters taped up outdoors, where rain,
# creases and scratches damage the print.
LEVELS = {"M": ERROR_CORRECT_M, "Q": ERROR_CORRECT_Q}


def _code(data: str, level: str = "M", border: int = 4) -> qrcode.QRCode[Any]:
    code = qrcode.QRCode(error_correction=LEVELS[level], border=border)
    code.add_data(data)
    code.make(fit=True)
    return code


def svg(data: str) -> bytes:
    """A scalable SVG QR code (one path, no fonts)."""
    image = _code(data).make_image(image_factory=qrcode.image.svg.SvgPathImage)
    out = io.BytesIO()
    image.save(out)
    return out.getvalue()


def png(data: str, box_size: int = 12) -> bytes:
    """A PNG QR code, `box_size` pixels per module."""
    code = _code(data)
    code.box_size = box_size
    image = code.make_image(fill_color="black", back_color="white")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def modules(data: str, level: str = "M") -> list[list[bool]]:
    """The QR code's dark modules, row by row, without the quiet zone (for vector drawing)."""
    return [[bool(cell) for cell in row] for row in _code(data, level, border=0).get_matrix()]
