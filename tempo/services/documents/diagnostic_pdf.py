"""PDFs of a player's self-diagnostic results and of their one-page « bilan Tempo ».

Both are built with fpdf2 through `tempo.services.documents.printing.Document` (DejaVu Sans,
real text): pure functions of the values they are given. The bilan always fits on one A4 page:
every list has a line budget and what does not fit is summed up (« et 4 autres »), never pushed
onto a second page.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from flask_babel import gettext as _
from flask_babel import ngettext

from tempo.services.diagnostic.bilan import Bilan
from tempo.services.diagnostic.runs import FamilyResult, Results
from tempo.services.documents.printing import (
    ACCENT,
    BRAND,
    INK,
    MARGIN,
    MUTED,
    PAGE_H,
    PAGE_W,
    PALE,
    WHITE,
    Color,
    Document,
    french_datetime,
)

WIDTH = PAGE_W - 2 * MARGIN
HIGH_INK: Color = ACCENT
MEDIUM_INK: Color = (180, 83, 9)
LOW_INK: Color = (22, 101, 52)
LEVEL_COLORS: dict[str, Color] = {
    "high": HIGH_INK,
    "medium": MEDIUM_INK,
    "low": LOW_INK,
    "none": MUTED,
}
BOTTOM = PAGE_H - 16  # the footer line sits below


def opening_sentences(text: str, limit: int = 150) -> str:
    """The first sentences of an authored text that fit in `limit` characters (at least one,
    cut with « … » when even the first is longer)."""
    flat = " ".join(text.split())
    sentences = re.split(r"(?<=[.!?])\s+", flat)
    out = sentences[0]
    for sentence in sentences[1:]:
        if len(out) + 1 + len(sentence) > limit:
            break
        out += " " + sentence
    return out if len(out) <= limit else out[: limit - 1].rstrip() + "…"


def _clipped(
    doc: Document,
    x: float,
    y: float,
    w: float,
    text: str,
    size: float,
    max_lines: int,
    bold: bool = False,
    color: Color = INK,
    leading: float = 1.3,
) -> float:
    """Wrapped text on at most `max_lines` lines (the last one ends with « … »); the bottom."""
    doc.use(size, bold)
    lines = doc.multi_cell(
        w, size * 0.3528 * leading, doc.clean(text), dry_run=True, output="LINES"
    )
    assert isinstance(lines, list)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1].rstrip()
        while last and doc.get_string_width(last + " …") > w:
            last = last[:-1]
        lines[-1] = last.rstrip() + " …"
    doc.set_text_color(*color)
    height = size * 0.3528 * leading
    for i, line in enumerate(lines):
        doc.set_xy(x, y + i * height)
        doc.cell(w, height, line)
    doc.set_text_color(*INK)
    return y + len(lines) * height


def _lines(doc: Document, w: float, text: str, size: float, bold: bool = False) -> int:
    doc.use(size, bold)
    lines = doc.multi_cell(w, size * 0.3528 * 1.3, doc.clean(text), dry_run=True, output="LINES")
    assert isinstance(lines, list)
    return len(lines)


def _listing(
    doc: Document,
    w: float,
    size: float,
    max_lines: int,
    items: Sequence[str],
    template: str,
    separator: str = ", ",
) -> str:
    """`template` with as many `items` as fit on `max_lines` lines, then « et N autres »."""
    for count in range(len(items), 0, -1):
        shown = separator.join(items[:count])
        rest = len(items) - count
        if rest:
            shown += " " + ngettext("et %(num)s autre", "et %(num)s autres", rest)
        text = template.format(shown)
        if _lines(doc, w, text, size) <= max_lines:
            return text
    return template.format(ngettext("%(num)s élément", "%(num)s éléments", len(items)))


def _delta_text(doc: Document, delta: int | None) -> str:
    if delta is None:
        return ""
    if delta == 0:
        return _("= stable")
    up, down = ("↑", "↓") if not doc.fontset.core else ("+", "-")
    if delta > 0:
        return _("%(arrow)s +%(n)s pts", arrow=up, n=delta)
    return _("%(arrow)s −%(n)s pts", arrow=down, n=-delta)


def _score_text(family: FamilyResult) -> str:
    return "—" if family.score is None else f"{family.score}/100"


def _header(doc: Document, title: str, subtitle: str, height: float = 28) -> float:
    doc.band(0, height)
    doc.line_of(MARGIN, 5, WIDTH, title, 22, bold=True, color=WHITE)
    doc.line_of(MARGIN, 16, WIDTH, subtitle, 10.5, color=PALE)
    return height + 5


def _section(doc: Document, y: float, title: str) -> float:
    doc.line_of(MARGIN, y, WIDTH, title, 12.5, bold=True, color=BRAND)
    doc.set_draw_color(*ACCENT)
    doc.set_line_width(0.5)
    doc.line(MARGIN, y + 6.6, MARGIN + 30, y + 6.6)
    return y + 8.5


def _family_row(doc: Document, y: float, family: FamilyResult, offers_lines: int) -> float:
    """A family: title, level, bar, score and change, then the offers it points to."""
    color = LEVEL_COLORS[family.level]
    doc.line_of(MARGIN, y, 62, family.title, 11, bold=True)
    doc.line_of(MARGIN, y + 5, 62, family.level_label, 8.5, color=color)
    doc.bar(MARGIN + 64, y + 2.2, 66, 4, family.score or 0, 100, color=color)
    doc.line_of(MARGIN + 133, y + 0.6, 20, _score_text(family), 10, bold=True, align="R")
    doc.line_of(
        MARGIN + 154, y + 0.9, 26, _delta_text(doc, family.delta), 9, color=MUTED, align="R"
    )
    y += 10
    if family.offers and offers_lines:
        titles = " · ".join(o.title for o in family.offers)
        lead = _("Pour t'aider :") if family.level in ("high", "medium") else _("Bon à savoir :")
        y = _clipped(
            doc, MARGIN + 4, y, WIDTH - 4, f"{lead} {titles}", 8.5, offers_lines, color=MUTED
        )
    return y + 2.5


def results_pdf(results: Results) -> bytes:
    """The results of one diagnostic run: every family ranked, its bar, change and offers."""
    doc = Document(
        _("Auto-diagnostic de %(name)s", name=results.pseudonym),
        _("Auto-diagnostic Tempo — %(name)s", name=results.pseudonym),
        results.finished_at,
    )
    doc.add_page()
    when = french_datetime(results.finished_at, results.timezone)
    y = _header(
        doc,
        _("Mon auto-diagnostic"),
        _(
            "%(name)s · %(team)s · le %(when)s",
            name=results.pseudonym,
            team=results.team,
            when=when,
        ),
    )
    intro = _(
        "Tes thèmes du plus prioritaire au moins prioritaire : plus la barre est longue, plus "
        "tu as exprimé un besoin d'aide. Les réponses « je préfère ne pas répondre » ne comptent "
        "pas."
    )
    if results.previous_at is not None:
        intro += " " + _(
            "Les flèches montrent l'évolution depuis ton diagnostic du %(when)s.",
            when=french_datetime(results.previous_at, results.timezone),
        )
    y = doc.paragraph(MARGIN, y, WIDTH, intro, 9.5, color=MUTED) + 3
    for family in results.families:
        y = _family_row(doc, y, family, 2)
    y += 2
    doc.set_fill_color(*PALE)
    note = _(
        "Ces réponses t'appartiennent : seuls toi et ton conseiller ou ta conseillère de la "
        "Mission Locale les voyez. Apporte ce document à ton rendez-vous pour en parler."
    )
    height = doc.paragraph_height(WIDTH - 8, note, 9) + 6
    if y + height <= BOTTOM:
        doc.rect(MARGIN, y, WIDTH, height, style="F", round_corners=True, corner_radius=3)
        doc.paragraph(MARGIN + 4, y + 3, WIDTH - 8, note, 9)
    return doc.to_bytes()


# --- the bilan --------------------------------------------------------------------------------


def _figures(doc: Document, y: float, figures: Sequence[tuple[str, str]]) -> float:
    gap = 3.0
    box_w = (WIDTH - gap * (len(figures) - 1)) / len(figures)
    for i, (number, label) in enumerate(figures):
        x = MARGIN + i * (box_w + gap)
        doc.set_fill_color(*PALE)
        doc.rect(x, y, box_w, 18, style="F", round_corners=True, corner_radius=3)
        doc.line_of(x + 1, y + 2, box_w - 2, number, 16, bold=True, align="C", color=BRAND)
        doc.line_of(x + 1, y + 11, box_w - 2, label, 8.5, align="C", color=MUTED)
    return y + 22


def bilan_pdf(bilan: Bilan) -> bytes:
    """The one-page « bilan Tempo » of a player (A4)."""
    doc = Document(
        _("Bilan Tempo de %(name)s", name=bilan.pseudonym),
        _("Bilan Tempo — %(name)s — %(cohort)s", name=bilan.pseudonym, cohort=bilan.cohort),
        bilan.now,
    )
    doc.add_page()
    y = _header(
        doc,
        _("Bilan Tempo de %(name)s", name=bilan.pseudonym),
        _(
            "%(team)s · %(cohort)s · %(when)s",
            team=bilan.team,
            cohort=bilan.cohort,
            when=french_datetime(bilan.now, bilan.timezone),
        ),
    )
    y = _section(doc, y, _("L'aventure de ton équipe"))
    ai = (
        # The opponent's name stands alone: « force de Le Brouillard » would not be French.
        (_("Victoire !"), _("%(ai)s est à zéro !", ai=bilan.ai_name))
        if bilan.ai_defeated
        else (f"−{bilan.ai_weakened_percent} %", _("de force pour %(ai)s", ai=bilan.ai_the_name))
    )
    y = _figures(
        doc,
        y,
        (
            (f"{bilan.missions_done}/{bilan.missions_total}", _("missions réussies")),
            (str(bilan.shards_earned), _("éclats d'avenir gagnés")),
            ai,
            (str(len(bilan.team_offers)), _("offres découvertes")),
        ),
    )
    y = _section(doc, y, _("Ta part de l'aventure"))
    mine = bilan.contributions
    if mine:
        lead = ngettext(
            "Tu as validé %(num)s mission (+%(shards)s éclats) :",
            "Tu as validé %(num)s missions (+%(shards)s éclats) :",
            len(mine),
            shards=bilan.shards_by_me,
        )
        text = _listing(
            doc, WIDTH, 9.5, 3, [f"« {c.title} »" for c in mine], lead.replace("{", "{{") + " {}."
        )
    else:
        text = _(
            "Tes coéquipiers ont validé les missions ; tu as participé à %(n)s d'entre elles.",
            n=bilan.missions_joined,
        )
    y = _clipped(doc, MARGIN, y, WIDTH, text, 9.5, 3)
    if bilan.offers_by_me:
        text = _listing(
            doc,
            WIDTH,
            9.5,
            2,
            [o.title for o in bilan.offers_by_me],
            _("Offres révélées grâce à toi :") + " {}.",
        )
        y = _clipped(doc, MARGIN, y + 1, WIDTH, text, 9.5, 2, color=MUTED)
    y += 4
    y = _section(doc, y, _("Tes compétences de pro"))
    col_w = (WIDTH - 4) / 2
    row_h = 25.0
    for i, skill in enumerate(bilan.skills):
        x = MARGIN + (i % 2) * (col_w + 4)
        top = y + (i // 2) * (row_h + 3)
        doc.set_draw_color(*PALE)
        doc.set_line_width(0.6)
        doc.rect(x, top, col_w, row_h, round_corners=True, corner_radius=3)
        doc.line_of(x + 3, top + 1.8, col_w - 6, skill.label, 10.5, bold=True, color=BRAND)
        inner = _clipped(doc, x + 3, top + 7, col_w - 6, skill.headline, 9, 2, bold=True)
        _clipped(
            doc,
            x + 3,
            inner + 0.5,
            col_w - 6,
            " ".join(skill.details),
            8,
            max(1, int((top + row_h - 1.5 - inner) // (8 * 0.3528 * 1.3))),
            color=MUTED,
        )
    y += 2 * row_h + 3 + 5
    y = _section(doc, y, _("Les offres découvertes par ton équipe"))
    if bilan.team_offers:
        offers = _listing(
            doc, WIDTH, 8.5, 4, [o.title for o in bilan.team_offers], "{}", separator=" · "
        )
    else:
        offers = _("Aucune offre débloquée pour le moment.")
    y = _clipped(doc, MARGIN, y, WIDTH, offers, 8.5, 4, color=MUTED) + 4
    y = _section(doc, y, _("L'ordre du jour de ton rendez-vous"))
    priorities = bilan.diagnostic.priorities[:3]
    if not priorities:
        y = _clipped(
            doc,
            MARGIN,
            y,
            WIDTH,
            _(
                "Ton auto-diagnostic ne fait ressortir aucune priorité forte : ton rendez-vous "
                "sera l'occasion de parler de tes projets et de ce que tu veux découvrir."
            ),
            9.5,
            3,
        )
    for family in priorities:
        if y + 16 > BOTTOM:
            break
        y = _family_row(doc, y, family, 0) - 1.5
        for offer in family.offers[:3]:
            if y + 8 > BOTTOM:
                break
            doc.line_of(MARGIN + 4, y, WIDTH - 4, "• " + offer.title, 9, bold=True)
            y = (
                _clipped(
                    doc,
                    MARGIN + 7,
                    y + 4.2,
                    WIDTH - 7,
                    opening_sentences(offer.access, 120),
                    8,
                    1,
                    color=MUTED,
                )
                + 0.8
            )
        y += 2
    note = _("Apporte ce bilan à ton rendez-vous : on part de ce qui compte pour toi.")
    if y + 6 <= BOTTOM:
        doc.line_of(MARGIN, max(y, BOTTOM - 6), WIDTH, note, 9, bold=True, color=ACCENT, align="C")
    return doc.to_bytes()
