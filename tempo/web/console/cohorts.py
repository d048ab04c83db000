"""The console's cohorts: the list, creating one, a cohort's teams, its name and counsellors."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from tempo.extensions import db
from tempo.infra.clock import now
from tempo.models import Role
from tempo.realtime.owners import owners, staff_owner
from tempo.realtime.publish import CONSOLE, disconnect
from tempo.services.cohorts import admin as cohort_service
from tempo.services.cohorts.state import cohort_state, local
from tempo.services.content import publishing as content_service
from tempo.web.auth import home_for, staff_required
from tempo.web.console.common import bp, cohort_or_404, me, version_label
from tempo.web.params import bounded_int
from tempo.web.urls import public_url

# --- home, cohorts -----------------------------------------------------------------------------


@bp.get("/")
@staff_required()
def home() -> ResponseReturnValue:
    """The console's entry: cohorts for counsellors, scenario versions for authors."""
    return redirect(home_for(me()))


@bp.get("/cohortes")
@staff_required(Role.COUNSELLOR)
def cohorts() -> ResponseReturnValue:
    """The cohorts this counsellor animates (every cohort for administrators)."""
    account = me()
    found = cohort_service.visible_cohorts(db.session(), account)
    at = now()
    rows = [
        {
            "cohort": c,
            "state": cohort_state(c, at),
            "first": c.days[0].date if c.days else c.start_date,
            "last": c.days[-1].date if c.days else c.start_date,
            "players": sum(len(t.players) for t in c.teams),
        }
        for c in found
    ]
    return render_template(
        "console/cohorts.html", rows=rows, sees_all=cohort_service.can_see_all(account)
    )


def _version_choices() -> tuple[list[tuple[str, str]], str, list[str]]:
    """The versions a cohort can start from, the default choice, and content errors if any."""
    loaded = content_service.current_content(current_app.config["CONTENT_DIR"])
    choices: list[tuple[str, str]] = []
    current: dict[int, str] = {}
    default = ""
    if loaded.content is not None:
        for slug, scenario in loaded.content.scenarios.items():
            published = content_service.published_version(db.session(), loaded.content, slug)
            if published is None:
                value = f"current:{slug}"
                choices.append(
                    (
                        value,
                        _(
                            "%(title)s v%(label)s — contenu actuel, publié à la création",
                            title=scenario.meta.title,
                            label=scenario.meta.version,
                        ),
                    )
                )
            else:
                value = f"v:{published.id}"
                current[published.id] = value
            default = default or value
    # Each scenario's current version (its last published, or the one rolled back to) is marked;
    # the default is the first content scenario's current version when it has one.
    pointers = content_service.current_versions(db.session())
    if loaded.content is not None:
        first = next((pointers[s] for s in loaded.content.scenarios if s in pointers), None)
        default = f"v:{first}" if first is not None else default
    for version in content_service.versions(db.session()):
        label = version_label(version)
        if version.id in current:
            label += _(" — contenu actuel")
        if pointers.get(version.slug) == version.id:
            label += _(" — version actuelle")
        choices.append((f"v:{version.id}", label))
    errors = [str(e) for e in loaded.errors]
    return choices, default or (choices[0][0] if choices else ""), errors


def _next_monday(tz: str) -> date:
    today = local(now(), tz).date()
    return today + timedelta(days=(7 - today.weekday()) % 7 or 7)


@dataclass
class CohortFormData:
    """What the cohort creation form holds, as typed (re-displayed after an error)."""

    name: str = ""
    slug: str = ""
    version: str = ""
    start: str = ""
    teams: str = ""
    capacity: str = "12"
    counsellors: tuple[int, ...] = ()
    weekends_played: bool = True
    timezone: str = "Europe/Paris"


def _int_list(values: list[str]) -> tuple[int, ...]:
    return tuple(n for n in map(bounded_int, values) if n is not None)


@bp.route("/cohortes/nouvelle", methods=["GET", "POST"])
@staff_required(Role.COUNSELLOR)
def new_cohort() -> ResponseReturnValue:
    """Create a cohort: scenario version, name, counsellors, start, teams."""
    account = me()
    choices, default_version, content_errors = _version_choices()
    tz_default = current_app.config["TIMEZONE"]
    form = CohortFormData(
        version=default_version,
        start=_next_monday(tz_default).isoformat(),
        counsellors=(account.id,),
        timezone=tz_default if tz_default in cohort_service.TIMEZONES else "Europe/Paris",
    )
    errors: dict[str, str] = {}
    if request.method == "POST":
        f = request.form
        form = CohortFormData(
            name=f.get("name", "")[:200],
            slug=f.get("slug", "")[:64],
            version=f.get("version", ""),
            start=f.get("start", ""),
            teams=f.get("teams", "")[:4000],
            capacity=f.get("capacity", ""),
            counsellors=_int_list(f.getlist("counsellors")),
            weekends_played=f.get("weekends_played") == "1",
            timezone=f.get("timezone", ""),
        )
        source: int | cohort_service.CurrentContent | None = None
        kind, _sep, ref = form.version.partition(":")
        if kind == "v" and bounded_int(ref) is not None:
            source = bounded_int(ref)
        elif kind == "current":
            root = current_app.config["CONTENT_DIR"]
            loaded = content_service.current_content(root)
            if loaded.content is not None:
                files = (
                    content_service.folder_files(root.resolve() / "scenarios" / ref)
                    if ref in loaded.content.scenarios
                    else None
                )
                source = cohort_service.CurrentContent(
                    loaded.content, ref, files, root.resolve() / "scenarios" / ref
                )
        try:
            start: date | None = date.fromisoformat(form.start)
        except ValueError:
            start = None
        capacity = bounded_int(form.capacity) or 0
        try:
            cohort = cohort_service.new_cohort(
                db.session(),
                source,
                name=form.name,
                slug=form.slug,
                start=start,
                team_names=form.teams.splitlines(),
                capacity=capacity,
                counsellor_ids=form.counsellors,
                weekends_played=form.weekends_played,
                timezone=form.timezone,
                by=account,
                now=now(),
            )
        except cohort_service.FormError as exc:
            errors.update(exc.errors)
        else:
            flash(_("La cohorte « %(name)s » est créée.", name=cohort.name))
            for warning in cohort_service.weekend_warnings(cohort):
                flash(warning)
            return redirect(url_for("console.cohort", slug=cohort.slug))
    return render_template(
        "console/cohort_new.html",
        form=form,
        errors=errors,
        choices=choices,
        content_errors=content_errors,
        counsellors=cohort_service.possible_counsellors(db.session()),
        timezones=cohort_service.TIMEZONES,
        account=account,
    ), (400 if errors else 200)


@bp.get("/cohortes/<slug>")
@staff_required(Role.COUNSELLOR)
def cohort(slug: str) -> ResponseReturnValue:
    """A cohort: its version, counsellors, state, and its teams with their codes and players."""
    found = cohort_or_404(slug)
    teams = [
        {
            "team": t,
            "join_url": public_url(url_for("play.join", code=t.join_code)),
            "qr_url": url_for("play.team_qr", code=t.join_code),
        }
        for t in found.teams
    ]
    return render_template(
        "console/cohort.html",
        cohort=found,
        teams=teams,
        state=cohort_state(found, now()),
        section="console.cohort",
    )


@bp.route("/cohortes/<slug>/modifier", methods=["GET", "POST"])
@staff_required(Role.COUNSELLOR)
def edit_cohort(slug: str) -> ResponseReturnValue:
    """Rename a cohort, change its counsellors and whether weekends are played."""
    found = cohort_or_404(slug)
    errors: dict[str, str] = {}
    # Counsellors who see this cohort only as one of theirs (administrators see every cohort).
    before = {c.id for c in found.counsellors if c.role != Role.ADMIN}
    form = {
        "name": found.name,
        "counsellors": tuple(c.id for c in found.counsellors),
        "weekends_played": found.weekends_played,
    }
    if request.method == "POST":
        form = {
            "name": request.form.get("name", "")[:200],
            "counsellors": _int_list(request.form.getlist("counsellors")),
            "weekends_played": request.form.get("weekends_played") == "1",
        }
        try:
            cohort_service.update_cohort(
                db.session(),
                found.id,
                name=str(form["name"]),
                counsellor_ids=form["counsellors"],  # type: ignore[arg-type]
                weekends_played=bool(form["weekends_played"]),
                by=me(),
            )
        except cohort_service.FormError as exc:
            errors.update(exc.errors)
        else:
            # Whoever was taken off the cohort stops seeing its dashboard live at once.
            kept = {c.id for c in found.counsellors}
            for staff_id in sorted(before - kept):
                disconnect(owners.sids(staff_owner(staff_id, found.id)), CONSOLE)
            flash(_("Modifications enregistrées."))
            return redirect(url_for("console.cohort", slug=slug))
    return render_template(
        "console/cohort_edit.html",
        cohort=found,
        form=form,
        errors=errors,
        counsellors=cohort_service.possible_counsellors(db.session()),
        section="console.edit_cohort",
    ), (400 if errors else 200)
