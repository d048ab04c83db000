"""A cohort's print kit: one A4 PDF with the join posters, rejoin cards and checkpoint posters.

`kit_data` reads what the kit needs from the database; `render_kit` turns it into PDF bytes
without touching anything (a benchmark can time either). Placement notes, which say where a
counsellor sticks each checkpoint, are counsellor-only: they are printed on a separate
« fiche conseiller », never on the posters. A strip to detach would put them in public the day
someone forgets to cut it, and one sheet for every checkpoint is also what a counsellor carries
in the street to put the posters up and take them down.
"""

from __future__ import annotations

import io
import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlsplit

from flask_babel import gettext as _
from flask_babel import ngettext
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from tempo.missions.base import normalise
from tempo.missions.qr_checkpoint import QrCheckpointParams
from tempo.models import Cohort, Player
from tempo.services.content.games import game_for
from tempo.services.documents.printing import (
    ACCENT,
    MARGIN,
    MUTED,
    PAGE_H,
    PAGE_W,
    PALE,
    WHITE,
    Document,
    french_date,
    plain,
    spaced,
)
from tempo.services.play import checkpoints as checkpoint_codes
from tempo.services.studio import media

CARDS_PER_PAGE = 10
CARD_W, CARD_H = 95.0, 53.0
CARDS_LEFT, CARDS_TOP = (PAGE_W - 2 * CARD_W) / 2, 18.0
_LOCAL_HOSTS = {"localhost", "127.0.0.1", "0.0.0.0", "::1", ""}


@dataclass(frozen=True)
class Card:
    """A player's personal rejoin card."""

    pseudonym: str
    rejoin_code: str
    url: str


@dataclass(frozen=True)
class TeamKit:
    """A team's join poster and its players' cards."""

    name: str
    join_code: str
    url: str
    cards: tuple[Card, ...]


@dataclass(frozen=True)
class CheckpointKit:
    """One urban checkpoint: its poster, and its line on the counsellors' sheet."""

    number: int
    checkpoint_id: str
    label: str
    placement: str
    mission_title: str
    day: int
    day_date: date | None
    short_code: str
    url: str
    #: The checkpoint's picture as its version froze it (bytes, alternative text), if it has one.
    image: tuple[bytes, str] | None = None


@dataclass(frozen=True)
class Kit:
    """Everything printed in a cohort's kit."""

    cohort_name: str
    scenario_title: str
    scenario_label: str
    start_date: date
    public_url: str
    teams: tuple[TeamKit, ...]
    checkpoints: tuple[CheckpointKit, ...]
    now: datetime


def kit_data(
    session: Session, cohort: Cohort, *, secret: str, public_url: str, now: datetime
) -> Kit:
    """Read a cohort's teams, players and checkpoints; sign the checkpoints' codes."""
    base = public_url.rstrip("/")
    version = cohort.scenario_version
    game = game_for(version)
    dates = {day.number: day.date for day in cohort.days}
    players: dict[int, list[Player]] = defaultdict(list)
    for player in session.scalars(
        select(Player).where(Player.team_id.in_([t.id for t in cohort.teams]))
    ):
        players[player.team_id].append(player)
    teams = tuple(
        TeamKit(
            name=team.name,
            join_code=team.join_code,
            url=f"{base}/rejoindre/{team.join_code}",
            cards=tuple(
                Card(p.pseudonym, p.rejoin_code, f"{base}/retour/{p.rejoin_code}")
                for p in sorted(players[team.id], key=lambda p: normalise(p.pseudonym))
            ),
        )
        for team in cohort.teams
    )
    found: list[CheckpointKit] = []
    for day in game.scenario.days:
        for mission in day.missions:
            params = game.params[mission.id]
            if not isinstance(params, QrCheckpointParams):
                continue
            for checkpoint in params.checkpoints:
                token = checkpoint_codes.sign(secret, cohort.id, checkpoint.id)
                found.append(
                    CheckpointKit(
                        number=len(found) + 1,
                        checkpoint_id=checkpoint.id,
                        label=checkpoint.label,
                        placement=plain(checkpoint.placement),
                        mission_title=mission.title,
                        day=day.day,
                        day_date=dates.get(day.day),
                        short_code=checkpoint_codes.short_code(secret, cohort.id, checkpoint.id),
                        url=f"{base}/q/{token}",
                        image=_image(session, version.id, checkpoint.image),
                    )
                )
    return Kit(
        cohort_name=cohort.name,
        scenario_title=version.title,
        scenario_label=version.label,
        start_date=cohort.start_date,
        public_url=base,
        teams=teams,
        checkpoints=tuple(found),
        now=now,
    )


def _image(session: Session, version_id: int, name: str | None) -> tuple[bytes, str] | None:
    if name is None:
        return None
    found = media.version_image(session, version_id, name)
    return (found.data, found.alt) if found is not None else None


def build_kit(
    session: Session, cohort: Cohort, *, secret: str, public_url: str, now: datetime
) -> bytes:
    """The cohort's print kit as PDF bytes."""
    return render_kit(kit_data(session, cohort, secret=secret, public_url=public_url, now=now))


def card_pages(players: int) -> int:
    """Pages of rejoin cards for a team of `players` (one explanatory page when empty)."""
    return max(1, math.ceil(players / CARDS_PER_PAGE))


def is_local(public_url: str) -> bool:
    """True when phones could not open this address (the server's own loopback)."""
    host = urlsplit(public_url).hostname or ""
    return host in _LOCAL_HOSTS or host.startswith("127.")


def _host(public_url: str) -> str:
    parts = urlsplit(public_url)
    return (parts.netloc + parts.path).rstrip("/") or public_url


def render_kit(kit: Kit) -> bytes:
    """Draw the kit: a cover, per team a poster and cards, the counsellors' sheet, posters."""
    doc = Document(
        _("Kit d'impression — %(cohort)s", cohort=kit.cohort_name), kit.cohort_name, kit.now
    )
    contents = _contents(kit)
    doc.add_page()
    _cover(doc, kit, contents)
    for index, team in enumerate(kit.teams, start=1):
        doc.add_page()
        _join_poster(doc, kit, team, index)
        _cards(doc, kit, team)
    if kit.checkpoints:
        _counsellor_sheet(doc, kit)
        for checkpoint in kit.checkpoints:
            doc.add_page()
            _checkpoint_poster(doc, kit, checkpoint)
    # The cover's table of contents was computed before drawing: check it told the truth.
    assert not contents or contents[-1][2] == doc.page_no()
    return doc.to_bytes()


def _contents(kit: Kit) -> list[tuple[str, int, int]]:
    """The cover's table of contents: each section's title, first and last page."""
    contents: list[tuple[str, int, int]] = []
    page = 1

    def add(title: str, count: int) -> None:
        nonlocal page
        contents.append((title, page + 1, page + count))
        page += count

    for team in kit.teams:
        add(
            _(
                "Affiche d'inscription — %(team)s (code %(code)s)",
                team=team.name,
                code=team.join_code,
            ),
            1,
        )
        add(
            ngettext(
                "Cartes personnelles — %(team)s (%(num)s joueur)",
                "Cartes personnelles — %(team)s (%(num)s joueurs)",
                len(team.cards),
                team=team.name,
            )
            if team.cards
            else _("Cartes personnelles — %(team)s (aucun joueur pour l'instant)", team=team.name),
            card_pages(len(team.cards)),
        )
    if kit.checkpoints:
        # The sheet's length depends on its notes: lay it out once on a scratch document.
        scratch = Document("", "", kit.now)
        _counsellor_sheet(scratch, kit)
        add(_("Fiche conseiller : où poser les balises (à garder)"), scratch.page_no())
        add(
            _("Affiches des balises QR (%(count)s)", count=len(kit.checkpoints)),
            len(kit.checkpoints),
        )
    return contents


def _header_band(doc: Document, title: str, subtitle: str) -> None:
    doc.band(0, 32)
    doc.line_of(MARGIN, 6, PAGE_W - 2 * MARGIN, title, 28, bold=True, align="C", color=WHITE)
    doc.line_of(MARGIN, 20, PAGE_W - 2 * MARGIN, subtitle, 12, align="C", color=PALE)


def _cover(doc: Document, kit: Kit, contents: list[tuple[str, int, int]]) -> None:
    width = PAGE_W - 2 * MARGIN
    _header_band(doc, _("Kit d'impression"), kit.scenario_title)
    y = doc.line_of(MARGIN, 42, width, kit.cohort_name, 22, bold=True)
    y = doc.line_of(
        MARGIN,
        y + 1,
        width,
        _(
            "Scénario %(title)s (version %(label)s) · début le %(date)s",
            title=kit.scenario_title,
            label=kit.scenario_label,
            date=french_date(kit.start_date),
        ),
        11,
        color=MUTED,
    )
    y = doc.paragraph(
        MARGIN,
        y + 4,
        width,
        _("Les codes de ce kit ouvrent l'adresse %(url)s.", url=kit.public_url),
        11,
    )
    if is_local(kit.public_url):
        doc.set_fill_color(254, 226, 226)
        text = _(
            "Attention : cette adresse ne s'ouvre que sur l'ordinateur qui fait tourner Tempo. "
            "Les téléphones des joueurs ne pourront pas l'ouvrir. Demandez à la personne qui "
            "administre Tempo de régler son adresse publique (TEMPO_PUBLIC_URL) avant d'imprimer."
        )
        height = doc.paragraph_height(width - 8, text, 10.5, bold=True) + 6
        doc.rect(MARGIN, y + 3, width, height, style="F")
        y = doc.paragraph(MARGIN + 4, y + 6, width - 8, text, 10.5, bold=True) + 3
    y = doc.line_of(MARGIN, y + 8, width, _("Contenu"), 15, bold=True)
    for title, first, last in contents:
        pages = (
            _("page %(n)s", n=first) if first == last else _("pages %(a)s à %(b)s", a=first, b=last)
        )
        doc.line_of(MARGIN + 2, y + 2, width - 40, "• " + title, 11)
        doc.line_of(PAGE_W - MARGIN - 38, y + 2, 38, pages, 11, align="R", color=MUTED)
        y += 7
    if not kit.checkpoints:
        y = doc.paragraph(
            MARGIN + 2, y + 2, width - 2, _("Ce scénario n'a pas de balise QR à poser."), 11
        )
    y = doc.line_of(MARGIN, y + 8, width, _("Pour bien imprimer"), 15, bold=True)
    advice = (
        _(
            "Imprimez en A4, en taille réelle (100 %, sans « ajuster à la page »). "
            "Le noir et blanc suffit : les codes et les textes restent lisibles."
        ),
        _(
            "Affiches d'inscription : affichez-les dans la salle le premier jour. Chaque jeune "
            "scanne le code de son équipe avec l'appareil photo de son téléphone, ou tape le code."
        ),
        _(
            "Cartes personnelles : découpez-les le long des pointillés et donnez à chaque jeune "
            "la sienne ; elle lui permet de revenir sur n'importe quel téléphone. Une carte "
            "n'existe qu'une fois le jeune inscrit : réimprimez ce kit après la première séance."
        ),
        _(
            "Balises QR : la fiche conseiller dit où poser chaque affiche ; gardez-la pour vous. "
            "Mettez les affiches extérieures sous pochette plastique et retirez-les après le jeu."
        ),
    )
    for line in advice:
        y = doc.paragraph(MARGIN + 2, y + 2, width - 2, "• " + line, 10.5)


def _join_poster(doc: Document, kit: Kit, team: TeamKit, index: int) -> None:
    width = PAGE_W - 2 * MARGIN
    _header_band(doc, _("Rejoins ton équipe !"), kit.scenario_title)
    doc.line_of(MARGIN, 38, width, team.name, 40, bold=True, align="C")
    size = 120.0
    doc.qr(team.url, (PAGE_W - size) / 2, 64, size, level="Q")
    doc.line_of(MARGIN, 192, width, _("Code d'équipe"), 15, align="C", color=MUTED)
    doc.line_of(MARGIN, 199, width, spaced(team.join_code, 3), 76, mono=True, align="C")
    doc.paragraph(
        MARGIN + 5,
        235,
        width - 10,
        _(
            "Scanne le QR code avec l'appareil photo de ton téléphone, "
            "ou ouvre %(host)s et tape le code de ton équipe.",
            host=_host(kit.public_url),
        ),
        15,
        align="C",
    )
    doc.line_of(
        MARGIN,
        268,
        width,
        _(
            "Équipe %(n)s sur %(total)s · %(cohort)s",
            n=index,
            total=len(kit.teams),
            cohort=kit.cohort_name,
        ),
        10,
        align="C",
        color=MUTED,
    )


def _cards(doc: Document, kit: Kit, team: TeamKit) -> None:
    width = PAGE_W - 2 * MARGIN
    pages = card_pages(len(team.cards))
    for page in range(pages):
        doc.add_page()
        title = _("Cartes personnelles — %(team)s", team=team.name)
        if pages > 1:
            title += f" ({page + 1}/{pages})"
        doc.line_of(MARGIN, 5, width * 0.6, title, 13, bold=True)
        doc.line_of(
            MARGIN + width * 0.6,
            6,
            width * 0.4,
            " ".join(filter(None, (doc.scissors, _("À découper le long des pointillés")))),
            9,
            align="R",
            color=MUTED,
        )
        batch = team.cards[page * CARDS_PER_PAGE : (page + 1) * CARDS_PER_PAGE]
        if not batch:
            _no_cards(doc, team)
            return
        rows = math.ceil(len(batch) / 2)
        for row in range(rows + 1):
            y = CARDS_TOP + row * CARD_H
            doc.cut_line(3, y, PAGE_W - 3, y)
        for column in range(3):
            x = CARDS_LEFT + column * CARD_W
            doc.cut_line(x, CARDS_TOP - 4, x, CARDS_TOP + rows * CARD_H + 3)
        for slot, card in enumerate(batch):
            x = CARDS_LEFT + (slot % 2) * CARD_W
            y = CARDS_TOP + (slot // 2) * CARD_H
            _card(doc, kit, team, card, x, y)


def _no_cards(doc: Document, team: TeamKit) -> None:
    width = PAGE_W - 2 * MARGIN
    doc.set_fill_color(*PALE)
    doc.rect(MARGIN, 30, width, 52, style="F", round_corners=True, corner_radius=4)
    y = doc.paragraph(
        MARGIN + 8,
        38,
        width - 16,
        _("Personne n'a encore rejoint l'équipe %(team)s.", team=team.name),
        14,
        bold=True,
    )
    doc.paragraph(
        MARGIN + 8,
        y + 3,
        width - 16,
        _(
            "Les cartes personnelles sont créées quand chaque jeune rejoint son équipe (son code "
            "s'affiche alors sur son téléphone). Réimprimez ce kit après la première séance pour "
            "avoir une carte par joueur."
        ),
        11.5,
    )


def _card(doc: Document, kit: Kit, team: TeamKit, card: Card, x: float, y: float) -> None:
    size = 38.0
    doc.qr(card.url, x + 5, y + (CARD_H - size) / 2, size)
    tx, tw = x + 48, CARD_W - 52
    doc.line_of(tx, y + 5, tw, _("TEMPO · CARTE PERSONNELLE"), 6.5, bold=True, color=ACCENT)
    doc.line_of(tx, y + 10, tw, card.pseudonym, 14, bold=True)
    doc.line_of(tx, y + 17.5, tw, _("Équipe %(team)s", team=team.name), 8, color=MUTED)
    doc.line_of(tx, y + 24, tw, _("Ton code personnel"), 7, color=MUTED)
    doc.line_of(tx, y + 27.5, tw, spaced(card.rejoin_code, 4), 15, mono=True)
    doc.paragraph(
        tx,
        y + 36,
        tw,
        _(
            "Nouveau téléphone ? Scanne ce QR code ou tape ton code sur %(host)s. "
            "Garde ta carte pour toi.",
            host=_host(kit.public_url),
        ),
        6.5,
        color=MUTED,
        leading=1.25,
    )


def _day_text(checkpoint: CheckpointKit) -> str:
    if checkpoint.day_date is None:
        return _("Jour %(n)s", n=checkpoint.day)
    return _("Jour %(n)s (%(date)s)", n=checkpoint.day, date=french_date(checkpoint.day_date))


def _sheet_page(doc: Document) -> float:
    doc.add_page()
    _header_band(
        doc,
        _("Fiche conseiller : pose des balises"),
        _("À garder sur vous, à ne pas afficher : ces consignes sont réservées à l'équipe."),
    )
    return 40.0


def _counsellor_sheet(doc: Document, kit: Kit) -> None:
    width = PAGE_W - 2 * MARGIN
    total = len(kit.checkpoints)
    top = y = _sheet_page(doc)
    for checkpoint in kit.checkpoints:
        needed = 34 + doc.paragraph_height(width - 6, checkpoint.placement, 10.5)
        if y > top and y + needed > PAGE_H - 18:
            y = _sheet_page(doc)
        y = doc.line_of(
            MARGIN,
            y,
            width,
            _(
                "N° %(n)s/%(total)s · %(label)s",
                n=checkpoint.number,
                total=total,
                label=checkpoint.label,
            ),
            12.5,
            bold=True,
        )
        y = doc.line_of(
            MARGIN,
            y + 0.5,
            width,
            _(
                "%(day)s · mission « %(mission)s » · code %(code)s",
                day=_day_text(checkpoint),
                mission=checkpoint.mission_title,
                code=spaced(checkpoint.short_code, 3),
            ),
            9.5,
            color=MUTED,
        )
        y = doc.line_of(MARGIN, y + 2, width, _("Où la poser :"), 10.5, bold=True)
        y = doc.paragraph(MARGIN + 6, y + 0.5, width - 6, checkpoint.placement, 10.5)
        y += 3
        for offset, text in ((0.0, _("posée le ………………")), (70.0, _("retirée le ………………"))):
            doc.checkbox(MARGIN + offset, y + 0.6)
            doc.line_of(MARGIN + offset + 6, y, 60, text, 10, shrink=False)
        y += 9
        doc.set_draw_color(*PALE)
        doc.set_line_width(0.4)
        doc.line(MARGIN, y, PAGE_W - MARGIN, y)
        y += 5


def _checkpoint_poster(doc: Document, kit: Kit, checkpoint: CheckpointKit) -> None:
    width = PAGE_W - 2 * MARGIN
    _header_band(doc, _("Balise Tempo"), kit.scenario_title)
    y = 38.0
    doc.use(26, bold=True)
    if doc.get_string_width(doc.clean(checkpoint.label)) <= width:
        y = doc.line_of(MARGIN, y, width, checkpoint.label, 26, bold=True, align="C")
    else:
        y = doc.paragraph(MARGIN, y, width, checkpoint.label, 22, bold=True, align="C", leading=1.2)
    below = doc.line_of(
        MARGIN,
        y + 1,
        width,
        _(
            "Jour %(n)s · mission « %(mission)s »",
            n=checkpoint.day,
            mission=checkpoint.mission_title,
        ),
        14,
        align="C",
        color=MUTED,
    )
    size = 112.0
    top = 78.0
    if checkpoint.image is not None:
        # The place's picture between the title and the code: a smaller code still scans.
        size, top = 80.0, 112.0
        data, alt = checkpoint.image
        box_top, box_h = below + 3, 106 - (below + 3)
        with Image.open(io.BytesIO(data)) as picture:
            ratio = picture.width / picture.height
            w = min(width - 20, box_h * ratio)
            h = w / ratio
            doc.image(picture, (PAGE_W - w) / 2, box_top + (box_h - h) / 2, w, h, alt_text=alt)
    doc.qr(checkpoint.url, (PAGE_W - size) / 2, top, size, level="Q")
    doc.line_of(
        MARGIN,
        199,
        width,
        _("Le scan ne marche pas ? Tape ce code dans la mission :"),
        13,
        align="C",
        color=MUTED,
    )
    doc.line_of(MARGIN, 206, width, spaced(checkpoint.short_code, 3), 64, mono=True, align="C")
    doc.paragraph(
        MARGIN + 5,
        238,
        width - 10,
        _(
            "Scanne ce QR code avec le téléphone sur lequel tu joues à Tempo : "
            "la balise comptera pour ton équipe."
        ),
        14,
        align="C",
    )
    doc.paragraph(
        MARGIN + 10,
        262,
        width - 20,
        _(
            "Cette affiche fait partie d'un jeu de piste de la Mission Locale. Merci de la laisser "
            "en place : nous la retirerons après le jeu. Balise %(n)s sur %(total)s.",
            n=checkpoint.number,
            total=len(kit.checkpoints),
        ),
        9,
        align="C",
        color=MUTED,
    )
