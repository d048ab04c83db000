"""A4 PDF documents to print: fonts found on the machine, vector QR codes, bars, French dates.

PDFs are written with fpdf2: real text (selectable, searchable, sharp at any printer
resolution) in an embedded TrueType font, so French accents and typography survive, and QR
codes drawn as vector squares from qrcode's module matrix, so they stay crisp when printed
large. Every function here is pure: it builds bytes from the values it is given.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from fpdf import FPDF
from fpdf.enums import PathPaintRule
from markdown_it import MarkdownIt

from tempo.services.play import qr

PAGE_W, PAGE_H = 210.0, 297.0
MARGIN = 15.0
INK = (15, 23, 42)
MUTED = (71, 85, 105)
BRAND = (30, 27, 75)
ACCENT = (124, 58, 237)
PALE = (237, 233, 254)
CUT = (120, 120, 120)
WHITE = (255, 255, 255)
Color = tuple[int, int, int]


@dataclass(frozen=True)
class FontSet:
    """The font files a document embeds; `None` files mean PDF core fonts (Helvetica)."""

    name: str
    regular: Path | None = None
    bold: Path | None = None
    mono: Path | None = None
    # Whether the family draws ✂ (U+2702); others get plain cut lines.
    symbols: bool = False

    @property
    def core(self) -> bool:
        """True when no TrueType font was found and the PDF core fonts are used."""
        return self.regular is None


# Families tried in order: DejaVu (Debian's fonts-dejavu-core), then other common free fonts.
_FAMILIES = (
    ("DejaVu Sans", "DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSansMono-Bold.ttf", True),
    (
        "Liberation Sans",
        "LiberationSans-Regular.ttf",
        "LiberationSans-Bold.ttf",
        "LiberationMono-Bold.ttf",
        False,
    ),
    ("Noto Sans", "NotoSans-Regular.ttf", "NotoSans-Bold.ttf", "NotoSansMono-Bold.ttf", False),
)
_FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/truetype/liberation"),
    Path("/usr/share/fonts"),
    Path("/usr/local/share/fonts"),
    Path("/Library/Fonts"),
    Path("/System/Library/Fonts"),
    Path("C:/Windows/Fonts"),
)


def _find_file(name: str, dirs: tuple[Path, ...]) -> Path | None:
    for folder in dirs:
        if (folder / name).is_file():
            return folder / name
    for folder in dirs:
        if folder.is_dir():
            found = next(folder.rglob(name), None)
            if found is not None:
                return found
    return None


@functools.cache
def find_fonts(dirs: tuple[Path, ...] = _FONT_DIRS) -> FontSet:
    """The first complete font family installed, else the core fonts (latin text only)."""
    for name, regular, bold, mono, symbols in _FAMILIES:
        regular_path = _find_file(regular, dirs)
        bold_path = _find_file(bold, dirs)
        if regular_path is None or bold_path is None:
            continue
        mono_path = _find_file(mono, dirs) or bold_path
        return FontSet(name, regular_path, bold_path, mono_path, symbols)
    return FontSet("Helvetica")


# French typography: a non-breaking space before « : ; ! ? » » and after « «.
_NBSP_BEFORE = re.compile(r" ([:;!?»])")

_md = MarkdownIt("commonmark", {"html": False})


def plain(markdown: str) -> str:
    """Authored Markdown as plain text (emphasis dropped, one line per paragraph)."""
    paragraphs = []
    for token in _md.parse(markdown or ""):
        if token.type != "inline":
            continue
        parts = []
        for child in token.children or []:
            if child.type in {"text", "code_inline"}:
                parts.append(child.content)
            elif child.type in {"softbreak", "hardbreak"}:
                parts.append(" ")
        text = " ".join("".join(parts).split())
        if text:
            paragraphs.append(text)
    return "\n".join(paragraphs)


def french_date(day: date, weekday: bool = True) -> str:
    """« samedi 28 mars 2026 »."""
    return format_date(day, "EEEE d MMMM y" if weekday else "d MMMM y", locale="fr")


def french_datetime(moment: datetime, timezone: str) -> str:
    """« 28 mars 2026 à 14:05 », in the cohort's timezone."""
    return format_datetime(moment, "d MMMM y 'à' HH:mm", tzinfo=ZoneInfo(timezone), locale="fr")


def spaced(code: str, group: int) -> str:
    """A code in groups easier to read aloud and type: « K7M 2QP »."""
    return " ".join(code[i : i + group] for i in range(0, len(code), group))


class Document(FPDF):
    """An A4 portrait document in millimetres with Tempo's fonts, colours and helpers."""

    def __init__(self, title: str, footer: str, now: datetime) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.fontset = find_fonts()
        if self.fontset.core:
            # Windows-1252 covers French (é, œ, «, —, ’); other characters become « ? ».
            self.core_fonts_encoding = "windows-1252"
            self._sans, self._mono = "helvetica", "courier"
        else:
            assert self.fontset.bold is not None and self.fontset.mono is not None
            self.add_font("sans", "", self.fontset.regular)
            self.add_font("sans", "B", self.fontset.bold)
            self.add_font("mono", "B", self.fontset.mono)
            self._sans, self._mono = "sans", "mono"
        self.footer_text = footer
        self.set_auto_page_break(False)
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_title(title)
        self.set_lang("fr-FR")
        self.set_creator("Tempo")
        # The creation date comes from the caller: the same data gives the same document.
        self.set_creation_date(now)
        self.set_text_color(*INK)

    # --- text -------------------------------------------------------------------------------

    def clean(self, text: str) -> str:
        """Text the fonts can draw, with French non-breaking spaces (no line starts with « ; »)."""
        text = _NBSP_BEFORE.sub("\u00a0\\1", text)
        text = text.replace("« ", "«\u00a0")
        if self.fontset.core:
            return text.encode("cp1252", "replace").decode("cp1252")
        return text

    @property
    def scissors(self) -> str:
        """« ✂ » when the font has it."""
        return "✂" if self.fontset.symbols else ""

    def use(self, size: float, bold: bool = False, mono: bool = False) -> None:
        """Select a font: sans (regular or bold) or bold monospace, in points."""
        self.set_font(self._mono if mono else self._sans, "B" if bold or mono else "", size)

    def fit(
        self,
        text: str,
        width: float,
        size: float,
        minimum: float = 6,
        bold: bool = False,
        mono: bool = False,
    ) -> float:
        """The largest size up to `size` at which `text` fits on one line of `width` mm."""
        while size > minimum:
            self.use(size, bold, mono)
            if self.get_string_width(self.clean(text)) <= width:
                return size
            size -= 0.5
        self.use(minimum, bold, mono)
        return minimum

    def line_of(
        self,
        x: float,
        y: float,
        w: float,
        text: str,
        size: float,
        bold: bool = False,
        mono: bool = False,
        align: str = "L",
        color: Color = INK,
        shrink: bool = True,
    ) -> float:
        """One line of text in a box of width `w` whose top is `y`; returns the bottom."""
        size = self.fit(text, w, size, bold=bold, mono=mono) if shrink else size
        self.use(size, bold, mono)
        self.set_text_color(*color)
        height = size * 0.3528 * 1.25
        self.set_xy(x, y)
        self.cell(w, height, self.clean(text), align=align)
        self.set_text_color(*INK)
        return y + height

    def paragraph(
        self,
        x: float,
        y: float,
        w: float,
        text: str,
        size: float,
        bold: bool = False,
        align: str = "L",
        color: Color = INK,
        leading: float = 1.3,
    ) -> float:
        """Wrapped text whose top is `y`; returns the bottom."""
        self.use(size, bold)
        self.set_text_color(*color)
        self.set_xy(x, y)
        self.multi_cell(w, size * 0.3528 * leading, self.clean(text), align=align)
        self.set_text_color(*INK)
        return self.get_y()

    def paragraph_height(
        self, w: float, text: str, size: float, bold: bool = False, leading: float = 1.3
    ) -> float:
        """The height `paragraph` would take."""
        self.use(size, bold)
        lines = self.multi_cell(
            w, size * 0.3528 * leading, self.clean(text), dry_run=True, output="LINES"
        )
        assert isinstance(lines, list)
        return len(lines) * size * 0.3528 * leading

    def footer(self) -> None:
        """A small line at the bottom of every page: the document and the page number."""
        if not self.footer_text:
            return
        self.line_of(
            MARGIN,
            PAGE_H - 10,
            PAGE_W - 2 * MARGIN,
            f"{self.footer_text} · page {self.page_no()}/{{nb}}",
            7.5,
            align="C",
            color=MUTED,
            shrink=False,
        )

    # --- shapes -----------------------------------------------------------------------------

    def qr(self, data: str, x: float, y: float, size: float, level: str = "M") -> None:
        """A black QR code drawn as one vector path (keep 4 modules of white around it)."""
        grid = qr.modules(data, level)
        module = size / len(grid)
        with self.new_path() as path:
            path.style.fill_color = "#000000"
            path.style.stroke_color = None
            path.style.paint_rule = PathPaintRule.FILL_NONZERO
            for row_index, row in enumerate(grid):
                # One rectangle per horizontal run of dark modules: fewer shapes, no seams.
                for start, length in _runs(row):
                    path.rectangle(
                        x + start * module, y + row_index * module, length * module, module
                    )

    def cut_line(self, x1: float, y1: float, x2: float, y2: float) -> None:
        """A dashed grey line to cut along."""
        self.set_draw_color(*CUT)
        self.set_line_width(0.25)
        self.set_dash_pattern(dash=2.5, gap=1.5)
        self.line(x1, y1, x2, y2)
        self.set_dash_pattern()

    def bar(
        self, x: float, y: float, w: float, h: float, value: int, total: int, color: Color = ACCENT
    ) -> None:
        """A rounded progress bar, filled in proportion to value / total."""
        self.set_fill_color(*PALE)
        self.set_draw_color(*PALE)
        self.rect(x, y, w, h, style="F", round_corners=True, corner_radius=h / 2)
        if total > 0 and value > 0:
            filled = max(h, w * min(value, total) / total)
            self.set_fill_color(*color)
            self.rect(x, y, filled, h, style="F", round_corners=True, corner_radius=h / 2)

    def checkbox(self, x: float, y: float, size: float = 4) -> None:
        """An empty square to tick by hand."""
        self.set_draw_color(*INK)
        self.set_line_width(0.3)
        self.rect(x, y, size, size)

    def band(self, y: float, h: float, color: Color = BRAND) -> None:
        """A full-width coloured band (page headers)."""
        self.set_fill_color(*color)
        self.rect(0, y, PAGE_W, h, style="F")

    def to_bytes(self) -> bytes:
        """The finished PDF."""
        return bytes(self.output())


def _runs(row: list[bool]) -> Iterator[tuple[int, int]]:
    start = None
    for index, dark in enumerate([*row, False]):
        if dark and start is None:
            start = index
        elif not dark and start is not None:
            yield start, index - start
            start = None
