"""Recap cards: a day's recap drawn with Pillow as a phone-story image (1080 × 1920 PNG).

The card shows what a team did on a game day, and on a player's card their pseudonym and their
own part. It never shows anything else about a person (no first name, no e-mail, no code): it
is made to be shared. Drawing takes a few tens of milliseconds, so cards are drawn when first
asked for (journal, e-mail) and cached on disk by `cached_card`, never in the closing
transaction.
"""

from __future__ import annotations

import functools
import io
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from tempo.services.documents.printing import find_fonts

WIDTH, HEIGHT = 1080, 1920
MARGIN = 80
# Bump when the drawing changes: cached cards of the old look are then drawn again.
CARD_VERSION = 2

BRAND = (30, 27, 75)
DEEP = (76, 29, 149)
ACCENT = (124, 58, 237)
LILAC = (196, 181, 253)
PALE = (224, 231, 255)
AMBER = (251, 191, 36)
WHITE = (255, 255, 255)
INK = (15, 23, 42)
DANGER = (239, 68, 68)
ORANGE = (249, 115, 22)

# The colour of a list's heading and bullets: the player's own part, offers, missions.
TONES = {"mine": LILAC, "offers": AMBER, "missions": PALE}

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@dataclass(frozen=True)
class Card:
    """Everything a card shows, as plain French text (built by the caller from a recap)."""

    kicker: str  # « TEMPO 2050 »
    day_label: str  # « JOUR 3 / 10 »
    title: str  # the day's title
    who: str  # pseudonym (player card) or team name (team card)
    team: str | None  # the team's name under a pseudonym, None on a team card
    stats: tuple[tuple[str, str], ...]  # (big value, label), three of them
    ai_label: str  # « KRONOS : 312 / 400 »
    ai_fraction: float  # what remains of the AI, 0..1
    # Lists drawn in order while they fit: (heading, items, tone), tone in TONES.
    sections: tuple[tuple[str, tuple[str, ...], str], ...]
    teaser_title: str
    teaser: str | None
    footer: str
    more: str = "+ {n}"  # the last line when items do not fit, e.g. « … et {n} de plus »

    def texts(self) -> list[str]:
        """Every piece of text the card may draw (what a test checks for personal data)."""
        return [
            self.kicker,
            self.day_label,
            self.title,
            self.who,
            self.team or "",
            *(s for pair in self.stats for s in pair),
            self.ai_label,
            *(text for heading, items, _tone in self.sections for text in (heading, *items)),
            self.teaser_title,
            self.teaser or "",
            self.footer,
            self.more,
        ]


@functools.cache
def _font(size: int, bold: bool = False) -> Font:
    fonts = find_fonts()
    path = fonts.bold if bold else fonts.regular
    if path is None:
        # No TrueType font on the machine: Pillow's own scalable font still draws accents.
        return ImageFont.load_default(size=size)
    return ImageFont.truetype(str(path), size=size)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: Font, width: int) -> list[str]:
    """Lines of `text` no wider than `width` (words longer than a line are cut)."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}".strip()
            if draw.textlength(candidate, font=font) <= width:
                line = candidate
                continue
            if line:
                lines.append(line)
            while draw.textlength(word, font=font) > width:
                cut = len(word)
                while cut > 1 and draw.textlength(word[:cut], font=font) > width:
                    cut -= 1
                lines.append(word[:cut])
                word = word[cut:]
            line = word
        if line:
            lines.append(line)
    return lines


def _clip(
    draw: ImageDraw.ImageDraw, lines: list[str], font: Font, width: int, most: int
) -> list[str]:
    """At most `most` lines; the last one ends with « … » when text was left out."""
    if len(lines) <= most:
        return lines
    kept = lines[:most]
    last = kept[-1]
    while last and draw.textlength(last + " …", font=font) > width:
        last = last[:-1].rstrip()
    kept[-1] = last + " …"
    return kept


# Drawn once per process: it was half of a card's cost, and `paint` composites onto a new
# image, never onto this one.
@functools.cache
def _background() -> Image.Image:
    """The game's night-indigo gradient with two soft violet halos."""
    top, bottom = BRAND, DEEP
    gradient = Image.linear_gradient("L").resize((WIDTH, HEIGHT))
    base = Image.composite(
        Image.new("RGB", (WIDTH, HEIGHT), bottom), Image.new("RGB", (WIDTH, HEIGHT), top), gradient
    )
    halo = Image.new("RGBA", (WIDTH, HEIGHT), (0, 0, 0, 0))
    draw = ImageDraw.Draw(halo)
    draw.ellipse((WIDTH - 420, -260, WIDTH + 300, 460), fill=(*ACCENT, 70))
    draw.ellipse((-360, HEIGHT - 700, 360, HEIGHT + 20), fill=(*ACCENT, 55))
    return Image.alpha_composite(base.convert("RGBA"), halo)


class _Canvas:
    """Shapes and texts laid out first, then painted: translucent shapes under every text."""

    def __init__(self) -> None:
        self.measure = ImageDraw.Draw(Image.new("RGB", (1, 1)))
        self.shapes: list[tuple[tuple[int, int, int, int], int, tuple[int, ...]]] = []
        self.texts: list[tuple[tuple[float, float], str, Font, tuple[int, int, int]]] = []

    def width(self, text: str, font: Font) -> float:
        return float(self.measure.textlength(text, font=font))

    def wrap(self, text: str, font: Font, width: int, most: int) -> list[str]:
        return _clip(self.measure, _wrap(self.measure, text, font, width), font, width, most)

    def box(self, rect: tuple[int, int, int, int], radius: int, fill: tuple[int, ...]) -> None:
        self.shapes.append((rect, radius, fill))

    def text(
        self, at: tuple[float, float], text: str, font: Font, fill: tuple[int, int, int]
    ) -> None:
        self.texts.append((at, text, font, fill))

    def paint(self) -> Image.Image:
        image = _background()
        overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
        shapes = ImageDraw.Draw(overlay)
        for rect, radius, fill in self.shapes:
            shapes.rounded_rectangle(rect, radius, fill=fill)
        image = Image.alpha_composite(image, overlay)
        draw = ImageDraw.Draw(image)
        for at, text, font, fill in self.texts:
            draw.text(at, text, font=font, fill=fill)
        return image


def render(card: Card) -> bytes:
    """The card as PNG bytes, 1080 × 1920."""
    c = _Canvas()
    inner = WIDTH - 2 * MARGIN
    y = 90

    # Kicker and the day in an amber pill.
    kicker = _font(40, bold=True)
    c.text((MARGIN, y), card.kicker, kicker, LILAC)
    pill_w = int(c.width(card.day_label, kicker)) + 56
    c.box((WIDTH - MARGIN - pill_w, y - 12, WIDTH - MARGIN, y + 60), 36, (*AMBER, 255))
    c.text((WIDTH - MARGIN - pill_w + 28, y - 2), card.day_label, kicker, INK)
    y += 110

    # The day's title, then who this card is about.
    title_font = _font(74, bold=True)
    for line in c.wrap(card.title, title_font, inner, 3):
        c.text((MARGIN, y), line, title_font, WHITE)
        y += 86
    y += 12
    who_font = _font(50, bold=True)
    for line in c.wrap(card.who, who_font, inner, 1):
        c.text((MARGIN, y), line, who_font, AMBER)
        y += 62
    if card.team:
        team_font = _font(40)
        for line in c.wrap(card.team, team_font, inner, 1):
            c.text((MARGIN, y), line, team_font, PALE)
            y += 52
    y += 28

    # Three big numbers in translucent tiles.
    gap, tile_h = 24, 228
    tile_w = (inner - 2 * gap) // 3
    label_font = _font(32, bold=True)
    for i, (value, label) in enumerate(card.stats[:3]):
        x = MARGIN + i * (tile_w + gap)
        c.box((x, y, x + tile_w, y + tile_h), 28, (255, 255, 255, 34))
        size = 96
        while size > 48 and c.width(value, _font(size, bold=True)) > tile_w - 30:
            size -= 8
        value_font = _font(size, bold=True)
        c.text(
            (x + (tile_w - c.width(value, value_font)) / 2, y + 20 + (96 - size) / 2),
            value,
            value_font,
            WHITE,
        )
        ly = y + 136
        for line in c.wrap(label, label_font, tile_w - 30, 2):
            c.text((x + (tile_w - c.width(line, label_font)) / 2, ly), line, label_font, PALE)
            ly += 40
    y += tile_h + 40

    # The AI's remaining strength.
    c.text((MARGIN, y), card.ai_label, _font(38, bold=True), WHITE)
    y += 60
    bar_h = 34
    c.box((MARGIN, y, WIDTH - MARGIN, y + bar_h), bar_h // 2, (*WHITE, 255))
    filled = max(0.0, min(1.0, card.ai_fraction))
    if filled > 0:
        c.box(
            (MARGIN, y, MARGIN + max(bar_h, int(inner * filled)), y + bar_h),
            bar_h // 2,
            (*DANGER, 255),
        )
    y += bar_h + 44

    # Bottom first (teaser and footer), so the middle knows how much room it has.
    footer_font = _font(32, bold=True)
    footer_y = HEIGHT - 90
    teaser_font, teaser_title_font = _font(38), _font(40, bold=True)
    teaser_lines = c.wrap(card.teaser, teaser_font, inner - 80, 4) if card.teaser else []
    teaser_h = 80 + 50 * len(teaser_lines) + 40 if card.teaser else 0
    teaser_top = footer_y - 50 - teaser_h
    limit = teaser_top - 40 if card.teaser else footer_y - 60

    # The lists (the player's part, offers, missions), as long as they fit.
    section_font, item_font = _font(42, bold=True), _font(38)
    sections = [(heading, items, TONES[tone]) for heading, items, tone in card.sections if items]
    for heading, items, colour in sections:
        # A heading needs room for its first item, and for « … et N de plus » after it when
        # there are several: a list never shows one item and silently drops the others.
        if y + 62 + 58 * min(2, len(items)) > limit:
            break
        c.text((MARGIN, y), heading, section_font, colour)
        y += 62
        for i, item in enumerate(items):
            room = (limit - y) // 58
            left = len(items) - i
            if room <= 0:
                break
            if room == 1 and left > 1 and i > 0:
                # One line left for several items: say how many more there are.
                item, lines = card.more.format(n=left), 1
            else:
                lines = min(2, room if left == 1 else room - 1)
            c.text((MARGIN, y), "•", item_font, colour)
            for line in c.wrap(item, item_font, inner - 50, max(1, lines)):
                c.text((MARGIN + 50, y), line, item_font, WHITE)
                y += 50
            y += 8
            if room == 1:
                break
        y += 26

    if card.teaser:
        c.box((MARGIN, teaser_top, WIDTH - MARGIN, teaser_top + teaser_h), 32, (255, 255, 255, 240))
        ty = teaser_top + 36
        c.text((MARGIN + 40, ty), card.teaser_title, teaser_title_font, ACCENT)
        ty += 62
        for line in teaser_lines:
            c.text((MARGIN + 40, ty), line, teaser_font, INK)
            ty += 50
    c.text(
        ((WIDTH - c.width(card.footer, footer_font)) / 2, footer_y), card.footer, footer_font, LILAC
    )

    out = io.BytesIO()
    # No metadata chunk: the file carries nothing but the picture.
    c.paint().convert("RGB").save(out, format="PNG", compress_level=6)
    return out.getvalue()


def cached_card(folder: Path, key: str, build: Callable[[], Card]) -> bytes:
    """The card stored under `key` in `folder`, drawn and stored on first use.

    Cards of a recap never change (the recap is written once), so the file is the card; a
    card is written to a temporary file and renamed, so a reader never sees half of one.
    """
    path = folder / f"{key}-v{CARD_VERSION}.png"
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    data = render(build())
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)
    return data
