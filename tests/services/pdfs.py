"""Reading generated PDFs back: page images, page text, and the QR codes printed on them."""

from __future__ import annotations

import pypdfium2 as pdfium
import zxingcpp
from PIL import Image

DPI = 200


def pages(pdf: bytes) -> list[Image.Image]:
    """Every page rendered at print-like resolution."""
    document = pdfium.PdfDocument(pdf)
    return [page.render(scale=DPI / 72).to_pil() for page in document]


def texts(pdf: bytes) -> list[str]:
    """Every page's text on one line: line breaks and non-breaking spaces become spaces."""
    document = pdfium.PdfDocument(pdf)
    return [" ".join(page.get_textpage().get_text_range().split()) for page in document]


def qr_codes(image: Image.Image) -> list[str]:
    """The text of every QR code found on a page image."""
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    return [code.text for code in found]


def is_blank(image: Image.Image) -> bool:
    """True when a page has nothing drawn on it."""
    return image.convert("L").getextrema()[0] > 250
