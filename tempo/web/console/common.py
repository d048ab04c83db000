"""What the console's pages share: the `console` blueprint, the signed-in staff member, a
cohort looked up for them, the cohort's section menu, the main menu and the French filters."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from flask import Blueprint, abort, current_app, request
from flask_babel import format_date, format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from tempo.extensions import db
from tempo.models import Cohort, CohortStatus, ScenarioVersion, StaffAccount
from tempo.services.cohorts import admin as cohort_service
from tempo.services.cohorts.state import long_date
from tempo.staff_session import current_staff
from tempo.web.auth import no_store

#: The blueprint of the console's own pages (cohorts, calendar, scenarios, accounts); the
#: other console areas have blueprints of their own under the same /console prefix.
bp = Blueprint("console", __name__, url_prefix="/console")
bp.after_request(no_store)

STATUS_LABELS = {
    CohortStatus.SCHEDULED: _l("Programmée"),
    CohortStatus.RUNNING: _l("En cours"),
    CohortStatus.PAUSED: _l("En pause"),
    CohortStatus.FINISHED: _l("Terminée"),
}

#: The pages of a cohort, in the order of its section menu: (endpoint, label). The live
#: dashboard, the print kit and the exports add themselves here when they exist.
COHORT_SECTIONS: list[tuple[str, Any]] = [
    ("console.cohort", _l("Équipes et joueurs")),
    ("console.calendar", _l("Calendrier")),
    ("console.edit_cohort", _l("Nom et conseillers")),
]

#: Which item of the console's main menu each page belongs to (areas add their pages).
NAV = {
    "console.cohorts": "cohorts",
    "console.new_cohort": "cohorts",
    "console.cohort": "cohorts",
    "console.edit_cohort": "cohorts",
    "console.calendar": "cohorts",
    "console.replan": "cohorts",
    "console.scenarios": "scenarios",
    "console.publish": "scenarios",
    "console.accounts": "accounts",
    "console.create_account": "accounts",
    "console.set_active": "accounts",
    "console.reset_password": "accounts",
    "console.my_account": "me",
}

# The cohort's tabs in the order a counsellor uses them (daily pages first, the adventure's end
# next, the settings last); pages appended by other modules keep their place before the settings.
SECTION_ORDER = [
    "dashboard.board",
    "console.cohort",
    "console.calendar",
    "digest.page",
    "diagnostic_console.overview",
    "console_booking.cohort",
]


def me() -> StaffAccount:
    """The signed-in staff member (only called behind `staff_required`)."""
    account = current_staff()
    assert account is not None
    return account


def content_dir() -> Path:
    """The content/ folder this app reads (scenarios on disk, offers, diagnostic)."""
    return Path(current_app.config["CONTENT_DIR"])


def cohort_or_404(slug: str) -> Cohort:
    """The cohort `slug` if the signed-in staff member may see it, else 404."""
    cohort = cohort_service.visible_cohort(db.session(), me(), slug)
    if cohort is None:
        abort(404)
    return cohort


# --- formatting ----------------------------------------------------------------------------


@bp.app_template_filter("fr_date")
def fr_date(value: date) -> str:
    """« lundi 23 mars 2026 »."""
    return long_date(value)


@bp.app_template_filter("fr_short_date")
def fr_short_date(value: date) -> str:
    """« lun. 23 mars »."""
    return format_date(value, "EEE d MMM")


@bp.app_template_filter("fr_datetime")
def fr_datetime(value: datetime | None) -> str:
    """« 23 mars 2026 à 10:30 » in the default timezone, or a dash."""
    return format_datetime(value, "d MMMM yyyy 'à' HH:mm") if value else "—"


@bp.app_template_filter("fr_short_datetime")
def fr_short_datetime(value: datetime | None) -> str:
    """« 23 mars, 10:30 » in the default timezone, or a dash."""
    return format_datetime(value, "d MMM, HH:mm") if value else "—"


@bp.app_template_filter("fr_day_time")
def fr_day_time(value: datetime | None) -> str:
    """« lun. 14 déc. 09:30 » in the default timezone, or a dash."""
    return format_datetime(value, "EEE d MMM HH:mm") if value else "—"


def version_label(version: ScenarioVersion) -> str:
    """« Tempo 2050 — version 3 (v1.0), publiée le 12 mars 2026 à 10:02 (a1b2c3d) ».

    The number is Tempo's (1, 2, 3… per scenario); the label is the author's `version:` text.
    """
    if version.number is not None:
        return _(
            "%(title)s — version %(number)s (v%(label)s), publiée le %(date)s (%(hash)s)",
            title=version.title,
            label=version.label,
            number=version.number,
            date=fr_datetime(version.published_at),
            hash=version.content_hash[:7],
        )
    return _(
        "%(title)s v%(label)s — publiée le %(date)s (%(hash)s)",
        title=version.title,
        label=version.label,
        date=fr_datetime(version.published_at),
        hash=version.content_hash[:7],
    )


def section_rank(section: tuple[str, Any]) -> int:
    """A cohort section's place in its menu (the settings always last)."""
    if section[0] == "console.edit_cohort":
        return len(SECTION_ORDER) + 1
    if section[0] in SECTION_ORDER:
        return SECTION_ORDER.index(section[0])
    return len(SECTION_ORDER)


@bp.app_context_processor
def console_context() -> dict[str, Any]:
    """The console templates' labels, cohort menu and main-menu highlight."""
    return {
        "status_label": lambda status: STATUS_LABELS[status],
        "cohort_sections": sorted(COHORT_SECTIONS, key=section_rank),
        "version_label": version_label,
        "nav_section": NAV.get(request.endpoint or "", ""),
    }
