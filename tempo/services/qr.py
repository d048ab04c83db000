"""QR code images (SVG for pages, PNG for print) with qrcode and Pillow."""

from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from qrcode.constants import ERROR_CORRECT_M


def _code(data: str) -> qrcode.QRCode:  # type: ignore[type-arg]
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4)
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
