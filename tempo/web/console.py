"""The counsellors' console: cohorts, their calendar and teams, scenario versions, accounts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import format_date, format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from tempo.extensions import db
from tempo.infra.clock import now
from tempo.models import Cohort, CohortStatus, Role, ScenarioVersion, StaffAccount
from tempo.services.cohorts import admin as cohort_service
from tempo.services.content import publishing as content_service
from tempo.services.staff import accounts as staff_service
from tempo.web.auth import SESSION_KEY, current_staff, home_for, no_store, staff_required
from tempo.web.play import public_url

bp = Blueprint("console", __name__, url_prefix="/console")

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


def me() -> StaffAccount:
    """The signed-in staff member (only called behind `staff_required`)."""
    account = current_staff()
    assert account is not None
    return account


bp.after_request(no_store)


# --- formatting ----------------------------------------------------------------------------


def local(instant: datetime, tz: str) -> datetime:
    """An instant on the wall clock of timezone `tz`."""
    return instant.astimezone(ZoneInfo(tz))


@bp.app_template_filter("fr_date")
def fr_date(value: date) -> str:
    """« lundi 23 mars 2026 »."""
    return format_date(value, "EEEE d MMMM yyyy")


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


def hhmm(instant: datetime, tz: str) -> str:
    """The local hour of an instant, « 09:30 »."""
    return local(instant, tz).strftime("%H:%M")


def version_label(version: ScenarioVersion) -> str:
    """« Tempo 2050 v1.0 — publiée le 12 mars 2026 à 10:02 (a1b2c3d) »."""
    return _(
        "%(title)s v%(label)s — publiée le %(date)s (%(hash)s)",
        title=version.title,
        label=version.label,
        date=fr_datetime(version.published_at),
        hash=version.content_hash[:7],
    )


def cohort_state(cohort: Cohort, at: datetime) -> str:
    """Where the cohort is, in a short French sentence."""
    tz = cohort.timezone
    if cohort.status is CohortStatus.FINISHED:
        return _("Terminée")
    open_days = [d for d in cohort.days if d.unlocked_at and not d.closed_at]
    pause = _(" (en pause)") if cohort.status is CohortStatus.PAUSED else ""
    if len(open_days) == 1:
        return (
            _(
                "Jour %(n)s ouvert, bilan à %(hour)s",
                n=open_days[0].number,
                hour=hhmm(open_days[0].recap_at, tz),
            )
            + pause
        )
    if open_days:
        # Days opened early by a counsellor run side by side until their own recap hours.
        numbers = [str(d.number) for d in open_days]
        first_recap = min(open_days, key=lambda d: d.recap_at)
        return (
            _(
                "Jours %(days)s et %(last)s ouverts, prochain bilan (jour %(n)s) %(when)s",
                days=", ".join(numbers[:-1]),
                last=numbers[-1],
                n=first_recap.number,
                when=_(
                    "le %(date)s à %(hour)s",
                    date=fr_date(local(first_recap.recap_at, tz).date()),
                    hour=hhmm(first_recap.recap_at, tz),
                ),
            )
            + pause
        )
    upcoming = next((d for d in cohort.days if d.unlocked_at is None), None)
    if upcoming is None:
        return _("Les dix jours sont passés") + pause
    when = local(upcoming.unlock_at, tz)
    sentence = _(
        "Jour %(n)s le %(date)s à %(hour)s",
        n=upcoming.number,
        date=fr_date(when.date()),
        hour=when.strftime("%H:%M"),
    )
    if upcoming.unlock_at <= at:
        sentence += _(" (ouverture en attente)")
    return sentence + pause


#: Which item of the console's main menu each page belongs to.
_NAV = {
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
_SECTION_ORDER = [
    "dashboard.board",
    "console.cohort",
    "console.calendar",
    "digest.page",
    "diagnostic_console.overview",
    "console_booking.cohort",
]


def _section_rank(section: tuple[str, Any]) -> int:
    if section[0] == "console.edit_cohort":
        return len(_SECTION_ORDER) + 1
    if section[0] in _SECTION_ORDER:
        return _SECTION_ORDER.index(section[0])
    return len(_SECTION_ORDER)


@bp.app_context_processor
def _console_context() -> dict[str, Any]:
    return {
        "status_label": lambda status: STATUS_LABELS[status],
        "cohort_sections": sorted(COHORT_SECTIONS, key=_section_rank),
        "version_label": version_label,
        "nav_section": _NAV.get(request.endpoint or "", ""),
    }


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
    found = cohort_service.visible_cohorts(db.session, account)
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
            published = content_service.published_version(db.session, loaded.content, slug)
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
    for version in content_service.versions(db.session):
        label = version_label(version)
        if version.id in current:
            label += _(" — contenu actuel")
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
    return tuple(int(v) for v in values if v.isdigit())


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
        if kind == "v" and ref.isdigit():
            source = int(ref)
        elif kind == "current":
            loaded = content_service.current_content(current_app.config["CONTENT_DIR"])
            if loaded.content is not None:
                source = cohort_service.CurrentContent(loaded.content, ref)
        try:
            start: date | None = date.fromisoformat(form.start)
        except ValueError:
            start = None
        capacity = int(form.capacity) if form.capacity.strip().isdigit() else 0
        try:
            cohort = cohort_service.new_cohort(
                db.session,
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
            return redirect(url_for("console.cohort", slug=cohort.slug))
    return render_template(
        "console/cohort_new.html",
        form=form,
        errors=errors,
        choices=choices,
        content_errors=content_errors,
        counsellors=cohort_service.possible_counsellors(db.session),
        timezones=cohort_service.TIMEZONES,
        account=account,
    ), (400 if errors else 200)


def _cohort_or_404(slug: str) -> Cohort:
    cohort = cohort_service.visible_cohort(db.session, me(), slug)
    if cohort is None:
        abort(404)
    return cohort


@bp.get("/cohortes/<slug>")
@staff_required(Role.COUNSELLOR)
def cohort(slug: str) -> ResponseReturnValue:
    """A cohort: its version, counsellors, state, and its teams with their codes and players."""
    found = _cohort_or_404(slug)
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
    found = _cohort_or_404(slug)
    errors: dict[str, str] = {}
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
                db.session,
                found.id,
                name=str(form["name"]),
                counsellor_ids=form["counsellors"],  # type: ignore[arg-type]
                weekends_played=bool(form["weekends_played"]),
                by=me(),
            )
        except cohort_service.FormError as exc:
            errors.update(exc.errors)
        else:
            flash(_("Modifications enregistrées."))
            return redirect(url_for("console.cohort", slug=slug))
    return render_template(
        "console/cohort_edit.html",
        cohort=found,
        form=form,
        errors=errors,
        counsellors=cohort_service.possible_counsellors(db.session),
        section="console.edit_cohort",
    ), (400 if errors else 200)


def _calendar_rows(found: Cohort, at: datetime) -> list[dict[str, Any]]:
    tz = found.timezone
    scenario_days = {d["day"]: d for d in found.scenario_version.content["scenario"]["days"]}
    rows = []
    for day in found.days:
        planned = scenario_days.get(day.number, {})
        if day.closed_at is not None:
            state = _("Terminé")
        elif day.unlocked_at is not None:
            state = _("Ouvert depuis le %(when)s", when=fr_datetime(day.unlocked_at))
        elif day.unlock_at <= at:
            state = _("Ouverture en attente")
        else:
            state = _("À venir")
        rows.append(
            {
                "day": day,
                "title": planned.get("title", ""),
                "weekend": planned.get("weekend", False),
                "unlock": hhmm(day.unlock_at, tz),
                "recap": hhmm(day.recap_at, tz),
                "state": state,
                "date_locked": day.unlocked_at is not None or day.closed_at is not None,
                "recap_locked": day.closed_at is not None,
            }
        )
    return rows


def _parse_calendar(found: Cohort) -> tuple[list[cohort_service.DayChange], dict[int, str]]:
    tz = found.timezone
    changes: list[cohort_service.DayChange] = []
    problems: dict[int, str] = {}
    for day in found.days:
        n = day.number
        raw = {k: request.form.get(f"day-{n}-{k}") for k in ("date", "unlock", "recap")}
        if all(v is None for v in raw.values()):
            continue
        try:
            when = date.fromisoformat(raw["date"]) if raw["date"] else day.date
            unlock = time.fromisoformat(raw["unlock"]) if raw["unlock"] else None
            recap = time.fromisoformat(raw["recap"]) if raw["recap"] else None
        except ValueError:
            problems[n] = _("Jour %(n)s : date ou heure illisible.", n=n)
            continue
        changes.append(
            cohort_service.DayChange(
                number=n,
                date=when,
                unlock=(unlock or local(day.unlock_at, tz).time()).replace(second=0),
                recap=(recap or local(day.recap_at, tz).time()).replace(second=0),
            )
        )
    return changes, problems


@bp.route("/cohortes/<slug>/calendrier", methods=["GET", "POST"])
@staff_required(Role.COUNSELLOR)
def calendar(slug: str) -> ResponseReturnValue:
    """Which real date is each game day, with its unlock and recap hours; editable."""
    found = _cohort_or_404(slug)
    problems: dict[int, str] = {}
    submitted: dict[str, str] = {}
    if request.method == "POST":
        submitted = {k: v for k, v in request.form.items() if k.startswith("day-")}
        changes, problems = _parse_calendar(found)
        if not problems:
            try:
                moved = cohort_service.update_calendar(db.session, found.id, changes, now())
            except cohort_service.CalendarError as exc:
                problems = exc.problems
            except cohort_service.CohortError as exc:
                problems = {0: str(exc)}
            else:
                _flash_moved(moved)
                return redirect(url_for("console.calendar", slug=slug))
        db.session.refresh(found)
    return _render_calendar(found, problems, submitted)


def _flash_moved(moved: list[int]) -> None:
    if moved:
        days = ", ".join(str(n) for n in moved)
        flash(_("Calendrier enregistré : jour(s) %(days)s modifié(s).", days=days))
    else:
        flash(_("Aucun changement : le calendrier est inchangé."))


def _render_calendar(
    found: Cohort,
    problems: dict[int, str],
    submitted: dict[str, str],
    replan_error: str | None = None,
) -> ResponseReturnValue:
    rows = _calendar_rows(found, now())
    return render_template(
        "console/calendar.html",
        cohort=found,
        rows=rows,
        problems=problems,
        submitted=submitted,
        replan_error=replan_error,
        replannable=[r["day"].number for r in rows if not r["date_locked"]],
        timezone_label=cohort_service.TIMEZONES.get(found.timezone, found.timezone),
        section="console.calendar",
    ), (400 if problems or replan_error else 200)


@bp.post("/cohortes/<slug>/calendrier/replanifier")
@staff_required(Role.COUNSELLOR)
def replan(slug: str) -> ResponseReturnValue:
    """Put one day on a new date and chain the following days after it."""
    found = _cohort_or_404(slug)
    raw_day = request.form.get("first", "")
    try:
        new_date = date.fromisoformat(request.form.get("date", ""))
    except ValueError:
        return _render_calendar(found, {}, {}, _("Indiquez la nouvelle date du jour choisi."))
    if not raw_day.isdigit():
        return _render_calendar(found, {}, {}, _("Choisissez le jour à partir duquel replanifier."))
    try:
        moved = cohort_service.replan_from(db.session, found.id, int(raw_day), new_date, now())
    except cohort_service.CalendarError as exc:
        db.session.refresh(found)
        return _render_calendar(found, {}, {}, str(exc))
    except cohort_service.CohortError as exc:
        db.session.refresh(found)
        return _render_calendar(found, {}, {}, str(exc))
    _flash_moved(moved)
    return redirect(url_for("console.calendar", slug=slug))


# --- scenario versions -------------------------------------------------------------------------


@bp.get("/scenarios")
@staff_required()
def scenarios() -> ResponseReturnValue:
    """The scenarios of the content folder, whether published, and every published version."""
    loaded = content_service.current_content(current_app.config["CONTENT_DIR"])
    current = []
    if loaded.content is not None:
        for slug, scenario in loaded.content.scenarios.items():
            current.append(
                {
                    "slug": slug,
                    "scenario": scenario,
                    "missions": sum(len(d.missions) for d in scenario.days),
                    "published": content_service.published_version(
                        db.session, loaded.content, slug
                    ),
                }
            )
    uses = dict(
        db.session.execute(
            select(Cohort.scenario_version_id, func.count()).group_by(Cohort.scenario_version_id)
        ).all()
    )
    return render_template(
        "console/scenarios.html",
        current=current,
        errors=[str(e) for e in loaded.errors],
        versions=content_service.versions(db.session),
        uses=uses,
    )


@bp.post("/scenarios/publier")
@staff_required()
def publish() -> ResponseReturnValue:
    """Publish the content folder's scenario as a frozen version."""
    slug = request.form.get("slug", "")
    loaded = content_service.current_content(current_app.config["CONTENT_DIR"])
    if loaded.content is None or slug not in loaded.content.scenarios:
        flash(_("Ce scénario ne peut pas être publié : le contenu contient des erreurs."))
        return redirect(url_for("console.scenarios"))
    version = content_service.publish_now(db.session, loaded.content, slug, now())
    flash(_("Version publiée : %(label)s.", label=version_label(version)))
    return redirect(url_for("console.scenarios"))


# --- accounts ------------------------------------------------------------------------------


def _accounts_page(**extra: Any) -> ResponseReturnValue:
    status = extra.pop("status", 200)
    return render_template(
        "console/accounts.html",
        accounts=staff_service.accounts(db.session),
        roles=list(Role),
        me=me(),
        form=extra.pop("form", {"role": Role.COUNSELLOR.value}),
        **extra,
    ), status


@bp.get("/comptes")
@staff_required(Role.ADMIN)
def accounts() -> ResponseReturnValue:
    """Every staff account, with the forms to manage them."""
    return _accounts_page()


@bp.post("/comptes")
@staff_required(Role.ADMIN)
def create_account() -> ResponseReturnValue:
    """Create an account; an empty password field generates one, shown once."""
    form = {k: request.form.get(k, "")[:254] for k in ("email", "name", "role")}
    typed = request.form.get("password", "")
    password = typed or staff_service.generate_password()
    try:
        role = Role(form["role"])
    except ValueError:
        return _accounts_page(form=form, create_error=_("Choisissez un rôle."), status=400)
    try:
        account = staff_service.add_account(db.session, form["email"], form["name"], role, password)
    except staff_service.StaffError as exc:
        return _accounts_page(form=form, create_error=str(exc), status=400)
    if not typed:
        return _handover(account, password)
    flash(_("Compte créé pour %(name)s.", name=account.display_name))
    return redirect(url_for("console.accounts"))


def _handover(account: StaffAccount, password: str) -> ResponseReturnValue:
    # A generated password is shown in this response only: never flashed (the session cookie
    # is readable by the browser), never stored in clear.
    return _accounts_page(handover={"account": account, "password": password})


def _target(account_id: int) -> StaffAccount:
    account = db.session.get(StaffAccount, account_id)
    if account is None:
        abort(404)
    return account


@bp.post("/comptes/<int:account_id>/activation")
@staff_required(Role.ADMIN)
def set_active(account_id: int) -> ResponseReturnValue:
    """Deactivate or reactivate an account (never one's own)."""
    account = _target(account_id)
    active = request.form.get("active") == "1"
    try:
        staff_service.set_active(db.session, account.id, active, me())
    except staff_service.StaffError as exc:
        return _accounts_page(account_error=(account.id, str(exc)), status=400)
    if active:
        flash(_("Le compte de %(name)s est réactivé.", name=account.display_name))
    else:
        flash(_("Le compte de %(name)s est désactivé.", name=account.display_name))
    return redirect(url_for("console.accounts"))


@bp.post("/comptes/<int:account_id>/mot-de-passe")
@staff_required(Role.ADMIN)
def reset_password(account_id: int) -> ResponseReturnValue:
    """Set a new password (typed, or generated and shown once) and end the account's sessions."""
    account = _target(account_id)
    typed = request.form.get("password", "")
    password = typed or staff_service.generate_password()
    try:
        staff_service.reset_password(db.session, account.id, password)
    except staff_service.StaffError as exc:
        return _accounts_page(account_error=(account.id, str(exc)), status=400)
    if not typed:
        return _handover(account, password)
    flash(_("Nouveau mot de passe enregistré pour %(name)s.", name=account.display_name))
    return redirect(url_for("console.accounts"))


@bp.route("/mon-compte", methods=["GET", "POST"])
@staff_required()
def my_account() -> ResponseReturnValue:
    """Change one's own password."""
    error = None
    if request.method == "POST":
        new = request.form.get("new", "")
        if new != request.form.get("confirm", ""):
            error = _("Les deux saisies du nouveau mot de passe ne correspondent pas.")
        else:
            try:
                staff_service.change_own_password(
                    db.session,
                    me().id,
                    request.form.get("current", ""),
                    new,
                    keep_token=str(session.get(SESSION_KEY, "")),
                )
            except staff_service.StaffError as exc:
                error = str(exc)
            else:
                flash(_("Votre mot de passe est changé. Vos autres sessions sont fermées."))
                return redirect(url_for("console.my_account"))
    return render_template("console/my_account.html", error=error), (400 if error else 200)
