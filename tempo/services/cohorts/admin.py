"""Cohorts on a frozen scenario version: creating them, who sees them, editing their calendar."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tempo.engine.calendar import (
    best_start_weekday,
    build_calendar,
    game_dates,
    local_instant,
    weekend_issues,
)
from tempo.infra import signals
from tempo.infra.transactions import lock_row, write_transaction
from tempo.models import (
    Cohort,
    CohortDay,
    CohortStatus,
    Role,
    ScenarioVersion,
    StaffAccount,
    Team,
)
from tempo.scenarios import Content
from tempo.services.content.publishing import publish
from tempo.services.errors import ServiceError
from tempo.services.play.codes import new_code

MIN_TEAM, MAX_TEAM = 6, 12


class CohortError(ServiceError):
    """A refused cohort operation, with a French message."""


class SlugTaken(CohortError):
    """Another cohort has this identifier."""

    def __init__(self, slug: str) -> None:
        super().__init__(
            "slug_taken",
            f"Une cohorte utilise déjà l'identifiant « {slug} » : choisissez-en un autre.",
        )


def create_cohort(
    session: Session,
    version: ScenarioVersion,
    *,
    slug: str,
    name: str,
    start: date,
    team_names: Sequence[str],
    counsellors: Sequence[StaffAccount] = (),
    weekends_played: bool = True,
    timezone: str = "Europe/Paris",
    capacity: int = MAX_TEAM,
) -> Cohort:
    """A cohort with its calendar (from the scenario's hours) and its teams."""
    if session.scalar(select(Cohort).where(Cohort.slug == slug)) is not None:
        raise SlugTaken(slug)
    if not MIN_TEAM <= capacity <= MAX_TEAM:
        raise CohortError("team_size", f"Une équipe compte de {MIN_TEAM} à {MAX_TEAM} places.")
    if len(set(team_names)) != len(team_names) or not team_names:
        raise CohortError("team_names", "Chaque équipe doit avoir un nom, différent des autres.")
    scenario = version.content["scenario"]
    cohort = Cohort(
        slug=slug,
        name=name,
        scenario_version=version,
        start_date=start,
        timezone=timezone,
        weekends_played=weekends_played,
        counsellors=list(counsellors),
    )
    hours = [(d["unlock_at"], d["recap_at"]) for d in scenario["days"]]
    weekend = _weekend_days(scenario)
    for plan in build_calendar(start, hours, weekends_played, timezone, weekend):
        cohort.days.append(
            CohortDay(
                number=plan.number,
                date=plan.date,
                unlock_at=plan.unlock_at,
                recap_at=plan.recap_at,
            )
        )
    strength = int(scenario["meta"]["ai"]["strength"])
    # Versions frozen before the setting existed have no key: their teams start with nothing.
    starting_shards = int(scenario["meta"].get("starting_shards", 0))
    for team_name in team_names:
        cohort.teams.append(
            Team(
                name=team_name,
                join_code=new_code(session, Team.join_code, 6),
                capacity=capacity,
                ai_strength=strength,
                shards=starting_shards,
            )
        )
    try:
        with session.begin_nested():
            session.add(cohort)
    except IntegrityError:
        # On PostgreSQL a concurrent transaction may take the slug after our check (SQLite's
        # single writer cannot); the unique key waits for it and refuses ours.
        if session.scalar(select(Cohort.id).where(Cohort.slug == slug)) is None:
            raise
        raise SlugTaken(slug) from None
    return cohort


# --- the console: who sees which cohort, creating and editing them -----------------------------

MAX_TEAMS = 8
#: Words the console's URLs use beside cohort slugs (/console/cohortes/nouvelle).
RESERVED_SLUGS = frozenset({"nouvelle"})
SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
#: Timezones a cohort can run in: metropolitan France and the overseas departments.
TIMEZONES: dict[str, str] = {
    "Europe/Paris": "France métropolitaine",
    "America/Guadeloupe": "Guadeloupe",
    "America/Martinique": "Martinique",
    "America/Cayenne": "Guyane",
    "Indian/Reunion": "La Réunion",
    "Indian/Mayotte": "Mayotte",
    "America/Miquelon": "Saint-Pierre-et-Miquelon",
    "Pacific/Noumea": "Nouvelle-Calédonie",
    "Pacific/Tahiti": "Polynésie française",
}
_WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
_MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


class CalendarError(CohortError):
    """A refused calendar change: one French message per day number."""

    def __init__(self, problems: dict[int, str]) -> None:
        super().__init__("invalid_calendar", " ".join(problems[n] for n in sorted(problems)))
        self.problems = problems


def _weekend_days(scenario: dict[str, Any]) -> frozenset[int]:
    """Numbers of the scenario's `weekend: true` days (a frozen version's content)."""
    return frozenset(int(d["day"]) for d in scenario["days"] if d.get("weekend"))


def weekend_warnings(cohort: Cohort) -> list[str]:
    """French warnings for the counsellor when the calendar could not put the scenario's weekend
    days on a weekend without a gap (or at all, when the cohort does not play on weekends)."""
    weekend = _weekend_days(cohort.scenario_version.content["scenario"])
    dates = [d.date for d in sorted(cohort.days, key=lambda d: d.number)]
    best = best_start_weekday(weekend)
    advice = (
        f" Pour l'éviter, faites commencer la cohorte un {_WEEKDAYS[best]}."
        if best is not None
        else ""
    )
    warnings: list[str] = []
    for issue in weekend_issues(dates, weekend):
        when = french_date(issue.date)
        if issue.on_weekday:
            warnings.append(
                f"Le jour {issue.number} est prévu pour un week-end mais tombe le {when} : "
                "cette cohorte ne joue pas le week-end."
            )
        else:
            warnings.append(
                f"Le jour {issue.number} se joue le week-end : il est placé le {when}, après "
                f"{issue.idle} jour{'s' if issue.idle > 1 else ''} sans jeu.{advice}"
            )
    return warnings


def french_date(day: date) -> str:
    """« lundi 23 mars 2026 » (service messages are French, independent of the request)."""
    return f"{_WEEKDAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]} {day.year}"


def slugify(text: str) -> str:
    """An identifier for URLs from a name: « Promo Mars — Tours » -> « promo-mars-tours »."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:64].strip("-")


def can_see_all(staff: StaffAccount) -> bool:
    """Administrators see every cohort; counsellors only theirs."""
    return staff.role is Role.ADMIN


def visible_cohorts(session: Session, staff: StaffAccount) -> list[Cohort]:
    """The cohorts this staff member may open, the most recent start first."""
    query = (
        select(Cohort)
        .where(Cohort.sandbox_owner_id.is_(None))
        .order_by(Cohort.start_date.desc(), Cohort.id.desc())
    )
    if not can_see_all(staff):
        query = query.where(Cohort.counsellors.any(StaffAccount.id == staff.id))
    return list(session.scalars(query))


def visible_cohort(session: Session, staff: StaffAccount, slug: str) -> Cohort | None:
    """The cohort `slug` if this staff member may open it, else None (as if it did not exist)."""
    cohort = session.scalar(select(Cohort).where(Cohort.slug == slug))
    if cohort is None or cohort.sandbox_owner_id is not None:
        # A studio play-test is its author's alone (`services.studio.sandbox`).
        return None
    if can_see_all(staff) or any(c.id == staff.id for c in cohort.counsellors):
        return cohort
    return None


def possible_counsellors(session: Session) -> list[StaffAccount]:
    """Active accounts that can animate a cohort (counsellors and administrators)."""
    return list(
        session.scalars(
            select(StaffAccount)
            .where(
                StaffAccount.active.is_(True),
                StaffAccount.role.in_([Role.COUNSELLOR, Role.ADMIN]),
            )
            .order_by(func.lower(StaffAccount.display_name))
        )
    )


class FormError(CohortError):
    """Refused form values: one French message per field name."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("invalid_form", " ".join(errors.values()))
        self.errors = errors


def _counsellor_problem(
    available: Sequence[StaffAccount], ids: Sequence[int], by: StaffAccount
) -> str | None:
    chosen = {a.id for a in available} & set(ids)
    if len(chosen) != len(set(ids)):
        return "Un des conseillers choisis n'existe pas ou est désactivé."
    if not chosen:
        return "Choisissez au moins un conseiller pour la cohorte."
    if not can_see_all(by) and by.id not in chosen:
        return "Restez parmi les conseillers de la cohorte : sinon vous ne pourriez plus l'ouvrir."
    return None


def _name_problem(name: str) -> str | None:
    if not 2 <= len(name) <= 200:
        return "Donnez à la cohorte un nom de 2 à 200 caractères."
    return None


def _slug_problem(session: Session, slug: str) -> str | None:
    if not SLUG_PATTERN.match(slug):
        return (
            "L'identifiant s'écrit en minuscules sans accents, chiffres et tirets "
            "(2 à 64 caractères), par exemple « promo-mars-tours »."
        )
    if slug in RESERVED_SLUGS:
        return f"L'identifiant « {slug} » est réservé : choisissez-en un autre."
    if session.scalar(select(Cohort.id).where(Cohort.slug == slug)) is not None:
        return str(SlugTaken(slug))
    return None


def _teams_problem(names: Sequence[str]) -> str | None:
    if not 1 <= len(names) <= MAX_TEAMS:
        return f"Une cohorte compte de 1 à {MAX_TEAMS} équipes, une par ligne."
    if any(len(n) > 80 for n in names):
        return "Un nom d'équipe fait au plus 80 caractères."
    if len({n.lower() for n in names}) != len(names):
        return "Deux équipes ne peuvent pas porter le même nom."
    return None


def _raise_if(errors: dict[str, str | None]) -> None:
    found = {field: message for field, message in errors.items() if message}
    if found:
        raise FormError(found)


@dataclass(frozen=True)
class CurrentContent:
    """Publish scenario `slug` of this content now (reusing an identical published version)."""

    content: Content
    slug: str
    #: The scenario folder's YAML sources, kept with the version (diffs, studio copies).
    files: dict[str, str] | None = None
    #: The scenario folder, whose `media/` images the version freezes.
    folder: Path | None = None


def new_cohort(
    session: Session,
    source: int | CurrentContent | None,
    *,
    name: str,
    slug: str,
    start: date | None,
    team_names: Sequence[str],
    capacity: int,
    counsellor_ids: Sequence[int],
    weekends_played: bool,
    timezone: str,
    by: StaffAccount,
    now: datetime,
) -> Cohort:
    """Create a cohort from a published version (or the current content, published now).

    Every refused field is reported at once (FormError), so the form can show them together;
    `source` or `start` is None when the form's value could not be read.
    """
    name = " ".join(name.split())
    slug = slug.strip().lower() or slugify(name)
    names = [" ".join(n.split()) for n in team_names if n.strip()]
    tz_ok = timezone in TIMEZONES
    with write_transaction(session):
        version: ScenarioVersion | None = None
        if isinstance(source, int):
            version = session.get(ScenarioVersion, source)
        known = version is not None or (
            isinstance(source, CurrentContent) and source.slug in source.content.scenarios
        )
        today = now.astimezone(ZoneInfo(timezone if tz_ok else "Europe/Paris")).date()
        if start is None:
            start_problem: str | None = "Indiquez la date du premier jour."
        elif start < today:
            start_problem = "La date de début ne peut pas être déjà passée."
        else:
            start_problem = None
        _raise_if(
            {
                "version": None
                if known
                else "Choisissez la version du scénario que jouera la cohorte.",
                "name": _name_problem(name),
                "slug": _slug_problem(session, slug),
                "counsellors": _counsellor_problem(
                    possible_counsellors(session), counsellor_ids, by
                ),
                "start": start_problem,
                "timezone": None if tz_ok else "Choisissez un fuseau horaire de la liste.",
                "teams": _teams_problem(names),
                "capacity": None
                if MIN_TEAM <= capacity <= MAX_TEAM
                else f"Une équipe compte de {MIN_TEAM} à {MAX_TEAM} places.",
            }
        )
        if isinstance(source, CurrentContent):
            version = publish(
                session,
                source.content,
                source.slug,
                now,
                files=source.files,
                media_folder=source.folder,
            )
        assert version is not None and start is not None
        chosen = [a for a in possible_counsellors(session) if a.id in set(counsellor_ids)]
        try:
            cohort = create_cohort(
                session,
                version,
                slug=slug,
                name=name,
                start=start,
                team_names=names,
                counsellors=chosen,
                weekends_played=weekends_played,
                timezone=timezone,
                capacity=capacity,
            )
        except SlugTaken as exc:
            raise FormError({"slug": str(exc)}) from None
        cohort_id = cohort.id
    signals.cohort_created.send(cohort_id)
    return cohort


def _locked_cohort(session: Session, cohort_id: int) -> Cohort:
    cohort = lock_row(session, Cohort, Cohort.id == cohort_id)
    if cohort is None:
        raise CohortError("unknown_cohort", "Cette cohorte n'existe plus.")
    return cohort


def update_cohort(
    session: Session,
    cohort_id: int,
    *,
    name: str,
    counsellor_ids: Sequence[int],
    weekends_played: bool,
    by: StaffAccount,
) -> Cohort:
    """Rename a cohort, change its counsellors, and whether weekends are played from now on."""
    name = " ".join(name.split())
    with write_transaction(session):
        available = possible_counsellors(session)
        _raise_if(
            {
                "name": _name_problem(name),
                "counsellors": _counsellor_problem(available, counsellor_ids, by),
            }
        )
        cohort = _locked_cohort(session, cohort_id)
        cohort.counsellors = [a for a in available if a.id in set(counsellor_ids)]
        cohort.name = name
        cohort.weekends_played = weekends_played
    return cohort


@dataclass(frozen=True)
class DayChange:
    """What the calendar form says of game day `number`: its date and local hours."""

    number: int
    date: date
    unlock: time
    recap: time


def _hhmm(value: time) -> str:
    return f"{value.hour:02d}:{value.minute:02d}"


def _local(instant: datetime, tz: str) -> datetime:
    return instant.astimezone(ZoneInfo(tz))


def _plan(
    cohort: Cohort, changes: Sequence[DayChange], now: datetime
) -> dict[int, tuple[date, datetime, datetime]]:
    """Check changes against the run so far; the new (date, unlock, recap) of each changed day."""
    tz = cohort.timezone
    days = {d.number: d for d in cohort.days}
    problems: dict[int, str] = {}
    planned: dict[int, tuple[date, datetime, datetime]] = {}
    if cohort.status is CohortStatus.FINISHED:
        raise CohortError(
            "cohort_finished", "Cette cohorte est terminée : son calendrier ne change plus."
        )
    for change in changes:
        day = days.get(change.number)
        if day is None:
            raise CohortError(
                "unknown_day", f"Le jour {change.number} n'existe pas dans cette cohorte."
            )
        unlock = local_instant(change.date, _hhmm(change.unlock), tz)
        recap = local_instant(change.date, _hhmm(change.recap), tz)
        moved = change.date != day.date or unlock != day.unlock_at
        recap_moved = recap != day.recap_at
        if not moved and not recap_moved:
            continue
        n = change.number
        if day.closed_at is not None:
            problems[n] = f"Le jour {n} est terminé : il ne peut plus changer."
        elif moved and day.unlocked_at is not None:
            problems[n] = (
                f"Le jour {n} est déjà ouvert : sa date et son heure d'ouverture ne changent "
                "plus, seule son heure de bilan peut encore changer."
            )
        elif recap <= unlock:
            problems[n] = (
                f"Jour {n} : le bilan ({_hhmm(change.recap)}) doit avoir lieu après "
                f"l'ouverture ({_hhmm(change.unlock)})."
            )
        elif moved and unlock <= now:
            problems[n] = (
                f"Jour {n} : l'ouverture ({french_date(change.date)} à {_hhmm(change.unlock)}) "
                "est déjà passée. Choisissez un moment à venir."
            )
        elif recap_moved and recap <= now:
            problems[n] = (
                f"Jour {n} : l'heure de bilan ({french_date(change.date)} à "
                f"{_hhmm(change.recap)}) est déjà passée. Choisissez un moment à venir."
            )
        else:
            planned[n] = (change.date, unlock, recap)
    dates = {n: planned[n][0] if n in planned else d.date for n, d in days.items()}
    for n in sorted(dates)[1:]:
        touched = n in planned or n - 1 in planned
        if touched and n not in problems and dates[n] <= dates[n - 1]:
            problems[n] = (
                f"Le jour {n} ({french_date(dates[n])}) doit avoir lieu après le jour {n - 1} "
                f"({french_date(dates[n - 1])})."
            )
    if problems:
        raise CalendarError(problems)
    return planned


def update_calendar(
    session: Session, cohort_id: int, changes: Sequence[DayChange], now: datetime
) -> list[int]:
    """Move days (date, unlock and recap hours) and return the numbers of the days that moved.

    Days already closed never change; a day already open keeps its date and unlock hour; a
    recap comes after its unlock; moved times must be to come; days stay in order.
    """
    with write_transaction(session):
        cohort = _locked_cohort(session, cohort_id)
        planned = _plan(cohort, changes, now)
        for day in cohort.days:
            if day.number in planned:
                day.date, day.unlock_at, day.recap_at = planned[day.number]
        moved = sorted(planned)
    if moved:
        signals.calendar_changed.send(cohort_id, days=moved)
    return moved


def replan_from(
    session: Session, cohort_id: int, first: int, new_date: date, now: datetime
) -> list[int]:
    """Put day `first` on `new_date` and the following days after it, keeping their hours.

    The following days take the next dates, skipping Saturdays and Sundays unless the cohort
    plays on weekends.
    """
    cohort = session.get(Cohort, cohort_id)
    if cohort is None:
        raise CohortError("unknown_cohort", "Cette cohorte n'existe plus.")
    later = [d for d in cohort.days if d.number >= first]
    if not later:
        raise CohortError("unknown_day", f"Le jour {first} n'existe pas dans cette cohorte.")
    dates = game_dates(new_date, len(later), cohort.weekends_played)
    tz = cohort.timezone
    changes = [
        DayChange(
            number=d.number,
            date=when,
            unlock=_local(d.unlock_at, tz).time(),
            recap=_local(d.recap_at, tz).time(),
        )
        for d, when in zip(later, dates, strict=True)
    ]
    return update_calendar(session, cohort_id, changes, now)
