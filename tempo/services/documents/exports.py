"""Exports of a cohort: CSV per player and per team, and a PDF report with progress bars.

`cohort_stats` reads the numbers once; `players_csv`, `teams_csv` and `report_pdf` turn them
into bytes without touching anything else (a benchmark can time them). CSV files are UTF-8
with a byte-order mark and `;` separators: French Excel then opens them with a double click,
accents intact and one value per column (it expects `;` because `,` is the decimal mark).
"""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tempo.engine.progress import DayClock, open_days
from tempo.missions.base import normalise
from tempo.models import (
    Cohort,
    CohortStatus,
    MissionProgress,
    MissionStatus,
    Player,
    ShardEntry,
    TeamEvent,
    UnlockedOffer,
)
from tempo.scenarios.schema import FAMILIES
from tempo.services.content.games import game_for
from tempo.services.documents.printing import (
    ACCENT,
    BRAND,
    MARGIN,
    MUTED,
    PAGE_H,
    PAGE_W,
    PALE,
    Document,
    french_date,
    french_datetime,
)

OFFER_SEPARATOR = " / "
# File names `tempo export --format csv` writes (French: counsellors open them).
PLAYERS_FILE, TEAMS_FILE = "joueurs.csv", "equipes.csv"


@dataclass(frozen=True)
class PlayerStats:
    """One player's record in the cohort."""

    team: str
    pseudonym: str
    first_name: str | None
    absent: bool
    joined_at: datetime
    last_seen_at: datetime | None
    missions_done: int
    shards_earned: int
    hints_used: int
    offers: tuple[str, ...]
    # The appointment booking flow does not exist yet: until it does, nobody has booked.
    appointment_booked: bool = False


@dataclass(frozen=True)
class TeamStats:
    """One team's progress."""

    name: str
    join_code: str
    players: int
    absent: int
    missions_done: int
    missions_total: int
    shards: int
    shards_earned: int
    hints_used: int
    wrong_answers: int
    ai_strength: int
    ai_start: int
    offers: tuple[str, ...]
    appointments_booked: int


@dataclass(frozen=True)
class OfferStats:
    """How many teams unlocked one of the scenario's offers."""

    offer_id: str
    title: str
    family: str
    teams: int


@dataclass(frozen=True)
class CohortStats:
    """Everything the exports show, read at one instant."""

    cohort_name: str
    slug: str
    scenario_title: str
    timezone: str
    first_day: date
    last_day: date
    days_open: int
    days_total: int
    ai_name: str
    teams: tuple[TeamStats, ...]
    players: tuple[PlayerStats, ...]
    offers: tuple[OfferStats, ...]
    families: dict[str, str]
    now: datetime


def cohort_stats(session: Session, cohort: Cohort, now: datetime) -> CohortStats:
    """Read a cohort's players, teams and offers with a handful of grouped queries."""
    game = game_for(cohort.scenario_version)
    teams = list(cohort.teams)
    team_ids = [t.id for t in teams]
    done_rows = session.execute(
        select(MissionProgress.team_id, MissionProgress.mission_id, MissionProgress.completed_by_id)
        .where(MissionProgress.team_id.in_(team_ids))
        .where(MissionProgress.status == MissionStatus.DONE)
    ).all()
    completer = {(row.team_id, row.mission_id): row.completed_by_id for row in done_rows}
    done_by_team = Counter(row.team_id for row in done_rows)
    done_by_player = Counter(row.completed_by_id for row in done_rows if row.completed_by_id)
    sums = {
        row.team_id: (int(row.hints or 0), int(row.wrong or 0))
        for row in session.execute(
            select(
                MissionProgress.team_id,
                func.sum(MissionProgress.hints_used).label("hints"),
                func.sum(MissionProgress.wrong_attempts).label("wrong"),
            )
            .where(MissionProgress.team_id.in_(team_ids))
            .group_by(MissionProgress.team_id)
        )
    }
    earned_rows = session.execute(
        select(ShardEntry.team_id, ShardEntry.player_id, func.sum(ShardEntry.amount))
        .where(ShardEntry.team_id.in_(team_ids), ShardEntry.amount > 0)
        .group_by(ShardEntry.team_id, ShardEntry.player_id)
    ).all()
    earned_by_team: Counter[int] = Counter()
    earned_by_player: Counter[int] = Counter()
    for team_id, player_id, amount in earned_rows:
        earned_by_team[team_id] += int(amount or 0)
        if player_id is not None:
            earned_by_player[player_id] += int(amount or 0)
    # Hints are counted from the event log: a free hint moves no shards but is still a hint.
    hints_by_player = Counter(
        dict(
            session.execute(
                select(TeamEvent.player_id, func.count())
                .where(TeamEvent.team_id.in_(team_ids), TeamEvent.type == "hint.bought")
                .where(TeamEvent.player_id.is_not(None))
                .group_by(TeamEvent.player_id)
            ).all()
        )
    )
    unlocked = session.execute(
        select(UnlockedOffer.team_id, UnlockedOffer.offer_id, UnlockedOffer.mission_id)
        .where(UnlockedOffer.team_id.in_(team_ids))
        .order_by(UnlockedOffer.id)
    ).all()

    def title(offer_id: str) -> str:
        offer = game.offers.get(offer_id)
        return offer.title if offer else offer_id

    offers_by_team: dict[int, list[str]] = defaultdict(list)
    offers_by_player: dict[int, list[str]] = defaultdict(list)
    for team_id, offer_id, mission_id in unlocked:
        offers_by_team[team_id].append(offer_id)
        player_id = completer.get((team_id, mission_id))
        if player_id is not None:
            offers_by_player[player_id].append(offer_id)

    players = session.scalars(select(Player).where(Player.team_id.in_(team_ids))).all()
    names = {t.id: t.name for t in teams}
    order = {t.id: i for i, t in enumerate(teams)}
    player_stats = tuple(
        PlayerStats(
            team=names[p.team_id],
            pseudonym=p.pseudonym,
            first_name=p.first_name,
            absent=p.absent,
            joined_at=p.joined_at,
            last_seen_at=p.last_seen_at,
            missions_done=done_by_player[p.id],
            shards_earned=earned_by_player[p.id],
            hints_used=hints_by_player[p.id],
            offers=tuple(title(o) for o in offers_by_player[p.id]),
        )
        for p in sorted(players, key=lambda p: (order[p.team_id], normalise(p.pseudonym)))
    )
    ai_start = game.scenario.meta.ai.strength
    team_stats = tuple(
        TeamStats(
            name=t.name,
            join_code=t.join_code,
            players=sum(1 for p in players if p.team_id == t.id),
            absent=sum(1 for p in players if p.team_id == t.id and p.absent),
            missions_done=done_by_team[t.id],
            missions_total=len(game.missions),
            shards=t.shards,
            shards_earned=earned_by_team[t.id],
            hints_used=sums.get(t.id, (0, 0))[0],
            wrong_answers=sums.get(t.id, (0, 0))[1],
            ai_strength=t.ai_strength,
            ai_start=ai_start,
            offers=tuple(title(o) for o in offers_by_team[t.id]),
            appointments_booked=sum(
                1 for p in player_stats if p.team == t.name and p.appointment_booked
            ),
        )
        for t in teams
    )
    teams_per_offer = Counter(offer_id for _team, offer_id, _mission in set(unlocked))
    offer_stats = tuple(
        OfferStats(o.id, o.title, o.family, teams_per_offer[o.id])
        for o in sorted(game.offers.values(), key=lambda o: FAMILIES.index(o.family))
    )
    families = {
        str(f["id"]): str(f.get("title") or f["id"])
        for f in cohort.scenario_version.content.get("diagnostic", {}).get("families", [])
        if isinstance(f, dict) and "id" in f
    }
    clocks = [DayClock(d.number, d.unlock_at, d.unlocked_at) for d in cohort.days]
    opened = open_days(clocks, now, running=cohort.status != CohortStatus.SCHEDULED)
    dates = [d.date for d in cohort.days] or [cohort.start_date]
    return CohortStats(
        cohort_name=cohort.name,
        slug=cohort.slug,
        scenario_title=cohort.scenario_version.title,
        timezone=cohort.timezone,
        first_day=min(dates),
        last_day=max(dates),
        days_open=len(opened),
        days_total=len(cohort.days),
        ai_name=game.scenario.meta.ai.subject,
        teams=team_stats,
        players=player_stats,
        offers=offer_stats,
        families=families,
        now=now,
    )


# --- CSV ------------------------------------------------------------------------------------


def _cell(value: object) -> str:
    """A cell's text; text a spreadsheet would run as a formula is quoted with « ' »."""
    text = "" if value is None else str(value)
    if text and text[0] in "=+-@\t\r":
        return "'" + text
    return text


def _csv(header: list[str], rows: list[list[object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(v) if isinstance(v, str) or v is None else v for v in row])
    return out.getvalue().encode("utf-8-sig")


def _when(moment: datetime | None, timezone: str) -> str:
    if moment is None:
        return ""
    return moment.astimezone(ZoneInfo(timezone)).strftime("%d/%m/%Y %H:%M")


def _yes_no(flag: bool) -> str:
    return _("oui") if flag else _("non")


def players_csv(stats: CohortStats) -> bytes:
    """One row per player (UTF-8 with BOM, `;`-separated)."""
    header = [
        _("Cohorte"),
        _("Équipe"),
        _("Pseudonyme"),
        _("Prénom"),
        _("Absent"),
        _("Inscrit le"),
        _("Dernière activité"),
        _("Missions réussies"),
        _("Éclats gagnés"),
        _("Indices utilisés"),
        _("Offres débloquées (nombre)"),
        _("Offres débloquées"),
        _("Rendez-vous"),
    ]
    rows: list[list[object]] = [
        [
            stats.cohort_name,
            p.team,
            p.pseudonym,
            p.first_name or "",
            _yes_no(p.absent),
            _when(p.joined_at, stats.timezone),
            _when(p.last_seen_at, stats.timezone),
            p.missions_done,
            p.shards_earned,
            p.hints_used,
            len(p.offers),
            OFFER_SEPARATOR.join(p.offers),
            _("réservé") if p.appointment_booked else _("non réservé"),
        ]
        for p in stats.players
    ]
    return _csv(header, rows)


def teams_csv(stats: CohortStats) -> bytes:
    """One row per team (UTF-8 with BOM, `;`-separated)."""
    header = [
        _("Cohorte"),
        _("Équipe"),
        _("Code d'équipe"),
        _("Joueurs"),
        _("Absents"),
        _("Missions réussies"),
        _("Missions du scénario"),
        _("Éclats (solde)"),
        _("Éclats gagnés"),
        _("Indices utilisés"),
        _("Mauvaises réponses"),
        _("Force de l'adversaire"),
        _("Offres débloquées (nombre)"),
        _("Offres débloquées"),
        _("Rendez-vous réservés"),
    ]
    rows: list[list[object]] = [
        [
            stats.cohort_name,
            t.name,
            t.join_code,
            t.players,
            t.absent,
            t.missions_done,
            t.missions_total,
            t.shards,
            t.shards_earned,
            t.hints_used,
            t.wrong_answers,
            t.ai_strength,
            len(t.offers),
            OFFER_SEPARATOR.join(t.offers),
            t.appointments_booked,
        ]
        for t in stats.teams
    ]
    return _csv(header, rows)


# --- PDF report -----------------------------------------------------------------------------

# Columns of the bar rows: a label, a bar ending at _BAR_END, then the numbers.
_TEAM_BAR_X, _OFFER_BAR_X, _BAR_END = MARGIN + 44, MARGIN + 90, 160.0
_NUMBER_X = _BAR_END + 3
_NUMBER_W = PAGE_W - MARGIN - _NUMBER_X


def report_pdf(stats: CohortStats) -> bytes:
    """The cohort report: key figures, a progress bar per team and per offer (A4 PDF)."""
    doc = Document(
        _("Bilan — %(cohort)s", cohort=stats.cohort_name),
        _("Bilan Tempo — %(cohort)s", cohort=stats.cohort_name),
        stats.now,
    )
    width = PAGE_W - 2 * MARGIN
    doc.add_page()
    doc.band(0, 32)
    doc.line_of(MARGIN, 6, width, _("Bilan de la cohorte"), 28, bold=True, align="C", color=PALE)
    doc.line_of(MARGIN, 20, width, stats.cohort_name, 13, align="C", color=(255, 255, 255))
    y = doc.line_of(
        MARGIN,
        38,
        width,
        _(
            "Scénario %(title)s · du %(first)s au %(last)s · "
            "jours ouverts : %(opened)s sur %(total)s",
            title=stats.scenario_title,
            first=french_date(stats.first_day, weekday=False),
            last=french_date(stats.last_day, weekday=False),
            opened=stats.days_open,
            total=stats.days_total,
        ),
        10.5,
        color=MUTED,
    )
    y = doc.line_of(
        MARGIN,
        y,
        width,
        _("Édité le %(when)s", when=french_datetime(stats.now, stats.timezone)),
        10.5,
        color=MUTED,
    )
    discovered = sum(1 for o in stats.offers if o.teams)
    figures = (
        (str(len(stats.teams)), _("équipes")),
        (str(len(stats.players)), _("joueurs")),
        (str(sum(t.missions_done for t in stats.teams)), _("missions réussies")),
        (f"{discovered}/{len(stats.offers)}", _("offres découvertes")),
    )
    box_w = (width - 3 * 4) / 4
    for i, (number, label) in enumerate(figures):
        x = MARGIN + i * (box_w + 4)
        doc.set_fill_color(*PALE)
        doc.rect(x, y + 5, box_w, 24, style="F", round_corners=True, corner_radius=3)
        doc.line_of(x, y + 8, box_w, number, 22, bold=True, align="C", color=BRAND)
        doc.line_of(x, y + 19, box_w, label, 10, align="C", color=MUTED)
    y += 38
    y = _section(doc, y, _("Progression par équipe"))
    if not stats.teams:
        y = doc.paragraph(MARGIN, y, width, _("Cette cohorte n'a pas encore d'équipe."), 11)
    for team in stats.teams:
        if y + 36 > PAGE_H - 20:
            doc.add_page()
            y = _section(doc, 15, _("Progression par équipe (suite)"))
        doc.line_of(MARGIN, y, width * 0.55, team.name, 13, bold=True)
        absent = (
            ngettext(" dont %(num)s absent", " dont %(num)s absents", team.absent)
            if team.absent
            else ""
        )
        doc.line_of(
            MARGIN + width * 0.55,
            y + 0.8,
            width * 0.45,
            ngettext("%(num)s joueur", "%(num)s joueurs", team.players) + absent,
            10,
            align="R",
            color=MUTED,
        )
        y += 7.5
        y = _bar_row(doc, y, _("Missions réussies"), team.missions_done, team.missions_total)
        y = _bar_row(doc, y, _("Offres débloquées"), len(team.offers), len(stats.offers))
        y = _bar_row(
            doc,
            y,
            _("Puissance retirée (%(ai)s)", ai=stats.ai_name),
            team.ai_start - team.ai_strength,
            team.ai_start,
        )
        y = doc.line_of(
            MARGIN,
            y,
            width,
            _(
                "Éclats gagnés : %(earned)s (solde %(shards)s) · indices utilisés : %(hints)s · "
                "mauvaises réponses : %(wrong)s · rendez-vous réservés : %(booked)s",
                earned=team.shards_earned,
                shards=team.shards,
                hints=team.hints_used,
                wrong=team.wrong_answers,
                booked=team.appointments_booked,
            ),
            9,
            color=MUTED,
        )
        y += 5
    y = _offers(doc, stats, y + 3)
    return doc.to_bytes()


def _section(doc: Document, y: float, title: str) -> float:
    y = doc.line_of(MARGIN, y, PAGE_W - 2 * MARGIN, title, 15, bold=True, color=BRAND)
    doc.set_draw_color(*ACCENT)
    doc.set_line_width(0.6)
    doc.line(MARGIN, y + 0.5, PAGE_W - MARGIN, y + 0.5)
    return y + 4


def _bar_row(doc: Document, y: float, label: str, value: int, total: int) -> float:
    doc.line_of(MARGIN, y, 42, label, 9.5)
    doc.bar(_TEAM_BAR_X, y + 0.7, _BAR_END - _TEAM_BAR_X, 3.6, value, total)
    doc.line_of(_NUMBER_X, y, _NUMBER_W, f"{value} / {total}", 9.5)
    return y + 6


def _offers(doc: Document, stats: CohortStats, y: float) -> float:
    title = _("Offres débloquées par les équipes")
    if y + 30 > PAGE_H - 20:
        doc.add_page()
        y = 15
    y = _section(doc, y, title)
    teams = len(stats.teams)
    family = None
    for offer in stats.offers:
        header = offer.family != family
        needed = 6 + (8 if header else 0)
        if y + needed > PAGE_H - 18:
            doc.add_page()
            y = _section(doc, 15, _("%(title)s (suite)", title=title))
            header = True
        if header:
            family = offer.family
            y = doc.line_of(
                MARGIN, y + 1.5, 120, stats.families.get(family, family), 10, bold=True, color=MUTED
            )
            y += 0.8
        doc.line_of(MARGIN + 3, y, _OFFER_BAR_X - MARGIN - 5, offer.title, 9.5)
        doc.bar(_OFFER_BAR_X, y + 0.7, _BAR_END - _OFFER_BAR_X, 3.6, offer.teams, teams)
        doc.line_of(
            _NUMBER_X,
            y,
            _NUMBER_W,
            _("%(n)s sur %(total)s équipes", n=offer.teams, total=teams),
            9.5,
        )
        y += 6
    return y
