"""Cohorts in the console: who sees which, creating one, its teams, its frozen version."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from flask import Flask

from tempo import create_app
from tempo.extensions import db
from tempo.infra import db as schema
from tempo.models import Cohort, Role, ScenarioVersion, StaffAccount
from tempo.services.content import games
from tempo.services.play.players import join_team
from tests import factories
from tests.conftest import CONTENT_DIR, make_config
from tests.web.console_kit import Clock, form, staff_client, text


@pytest.fixture
def clock(app: Flask) -> Clock:
    """Friday 20 March 2026, 10:00 in Paris."""
    c = Clock()
    app.config["CLOCK"] = c
    return c


def _cohort(app: Flask, slug: str) -> Cohort:
    with app.app_context():
        cohort = db.session.query(Cohort).filter_by(slug=slug).one()
        for attr in ("days", "teams", "counsellors", "scenario_version"):
            getattr(cohort, attr)
        db.session.expunge_all()
        return cohort


def _factory_cohort(app: Flask, *counsellor_ids: int, **kw: object) -> str:
    with app.app_context():
        counsellors = [db.session.get(StaffAccount, i) for i in counsellor_ids]
        cohort = factories.cohort(db.session, counsellors=counsellors, **kw)
        db.session.commit()
        return str(cohort.slug)


# --- who sees what -----------------------------------------------------------------------------


def test_a_counsellor_sees_only_their_cohorts(app: Flask, clock: Clock) -> None:
    """The list holds one's own cohorts; another's answers 404 on every page and form."""
    mine_client, me = staff_client(app, Role.COUNSELLOR, "Inès")
    _, other = staff_client(app, Role.COUNSELLOR, "Julien")
    mine = _factory_cohort(app, me, name="Promo d'Inès")
    theirs = _factory_cohort(app, other, name="Promo de Julien")
    listing = text(mine_client.get("/console/cohortes"))
    assert "Promo d'Inès" in listing and "Promo de Julien" not in listing
    assert mine_client.get(f"/console/cohortes/{mine}").status_code == 200
    for path in ("", "/calendrier", "/modifier"):
        assert mine_client.get(f"/console/cohortes/{theirs}{path}").status_code == 404, path
    posted = mine_client.post(
        f"/console/cohortes/{theirs}/calendrier", data={"day-2-date": "2026-04-20"}
    )
    assert posted.status_code == 404
    renamed = mine_client.post(
        f"/console/cohortes/{theirs}/modifier", data={"name": "Volée", "counsellors": [str(me)]}
    )
    assert renamed.status_code == 404
    assert _cohort(app, theirs).name == "Promo de Julien"
    assert _cohort(app, theirs).days[1].date == date(2026, 3, 24)


def test_an_admin_sees_every_cohort(app: Flask, clock: Clock) -> None:
    """Administrators see and open all cohorts, counsellor or not."""
    _, counsellor = staff_client(app, Role.COUNSELLOR)
    admin, _ = staff_client(app, Role.ADMIN)
    slug = _factory_cohort(app, counsellor, name="Promo de Julien")
    page = text(admin.get("/console/cohortes"))
    assert "Promo de Julien" in page and "vous voyez toutes les cohortes" in page
    assert admin.get(f"/console/cohortes/{slug}/calendrier").status_code == 200


def test_authors_do_not_run_cohorts(app: Flask, clock: Clock) -> None:
    """Authors land on the scenario versions; cohort pages answer 403."""
    author, _ = staff_client(app, Role.AUTHOR)
    _, counsellor = staff_client(app, Role.COUNSELLOR)
    slug = _factory_cohort(app, counsellor)
    assert author.get("/console/").headers["Location"] == "/console/scenarios"
    assert author.get("/console/scenarios").status_code == 200
    for path in ("/console/cohortes", "/console/cohortes/nouvelle", f"/console/cohortes/{slug}"):
        assert author.get(path).status_code == 403, path
    assert 'href="/console/cohortes"' not in text(author.get("/console/scenarios"))


def test_empty_cohort_list_says_what_to_do(app: Flask, clock: Clock) -> None:
    """A counsellor without cohorts is told how to create one."""
    client, _ = staff_client(app, Role.COUNSELLOR)
    page = text(client.get("/console/cohortes"))
    assert "Aucune cohorte pour l'instant" in page
    assert 'href="/console/cohortes/nouvelle"' in page


# --- creating a cohort -------------------------------------------------------------------------


def test_creating_a_cohort_from_the_current_content(app: Flask, clock: Clock) -> None:
    """The form publishes the content as a version, builds the calendar and the teams."""
    client, me = staff_client(app, Role.COUNSELLOR, "Inès Ferrand")
    _, colleague = staff_client(app, Role.COUNSELLOR, "Julien Moreau")
    new_page = text(client.get("/console/cohortes/nouvelle"))
    assert "Tempo 2050 v1.0 — contenu actuel, publié à la création" in new_page
    assert 'value="2026-03-23"' in new_page  # next Monday is offered
    response = client.post("/console/cohortes/nouvelle", data=form([me, colleague]))
    assert response.status_code == 302
    assert response.headers["Location"] == "/console/cohortes/promo-mars-tours-nord"
    cohort = _cohort(app, "promo-mars-tours-nord")
    assert cohort.name == "Promo mars — Tours Nord"
    assert cohort.scenario_version.slug == "tempo-2050"
    assert {c.display_name for c in cohort.counsellors} == {"Inès Ferrand", "Julien Moreau"}
    assert [t.name for t in cohort.teams] == ["Les Comètes", "Les Pionniers", "Les Astres"]
    assert {t.capacity for t in cohort.teams} == {10}
    assert [d.date for d in cohort.days][:2] == [date(2026, 3, 23), date(2026, 3, 24)]
    assert cohort.days[-1].date == date(2026, 4, 1)
    # 09:30 in Paris is 08:30 UTC in winter and 07:30 UTC in summer (from 29 March).
    assert cohort.days[0].unlock_at == datetime(2026, 3, 23, 8, 30, tzinfo=UTC)
    assert cohort.days[7].unlock_at == datetime(2026, 3, 30, 7, 30, tzinfo=UTC)
    page = text(client.get(response.headers["Location"]))
    assert "La cohorte « Promo mars — Tours Nord » est créée." in page
    assert "Tempo 2050 — version 1 (v1.0), publiée le 20 mars 2026" in page


def test_without_weekends_game_days_skip_saturday_and_sunday(app: Flask, clock: Clock) -> None:
    """Unticking « week-end » puts the ten days on weekdays only."""
    client, me = staff_client(app, Role.COUNSELLOR)
    client.post(
        "/console/cohortes/nouvelle",
        data=form([me], slug="semaine", weekends_played=None),
    )
    days = _cohort(app, "semaine").days
    assert all(d.date.weekday() < 5 for d in days)
    assert days[-1].date == date(2026, 4, 3)


def test_weekend_days_wait_for_a_weekend_and_the_counsellor_is_warned(
    app: Flask, clock: Clock
) -> None:
    """Started on a Wednesday, Tempo 2050's weekend days 6 and 7 wait for the next weekend."""
    client, me = staff_client(app, Role.COUNSELLOR)
    response = client.post(
        "/console/cohortes/nouvelle", data=form([me], slug="mercredi", start="2026-03-25")
    )
    days = _cohort(app, "mercredi").days
    assert [d.date for d in days][5:7] == [date(2026, 4, 4), date(2026, 4, 5)]
    page = text(client.get(response.headers["Location"]))
    assert (
        "Le jour 6 se joue le week-end : il est placé le samedi 4 avril 2026, après 5 jours "
        "sans jeu. Pour l'éviter, faites commencer la cohorte un lundi."
    ) in page


def test_weekend_days_on_weekdays_are_announced(app: Flask, clock: Clock) -> None:
    """Without weekends, the weekend days fall on weekdays: the counsellor is told."""
    client, me = staff_client(app, Role.COUNSELLOR)
    response = client.post(
        "/console/cohortes/nouvelle", data=form([me], slug="semaine", weekends_played=None)
    )
    page = text(client.get(response.headers["Location"]))
    assert (
        "Le jour 6 est prévu pour un week-end mais tombe le lundi 30 mars 2026 : "
        "cette cohorte ne joue pas le week-end."
    ) in page


def test_an_existing_version_can_be_chosen(app: Flask, clock: Clock) -> None:
    """Publishing once, then choosing that version, reuses it (no second copy)."""
    client, me = staff_client(app, Role.COUNSELLOR)
    client.post("/console/cohortes/nouvelle", data=form([me], slug="premiere"))
    version_id = _cohort(app, "premiere").scenario_version_id
    page = text(client.get("/console/cohortes/nouvelle"))
    assert f'value="v:{version_id}" selected' in page
    assert "— contenu actuel" in page
    chosen = form([me], slug="seconde", version=f"v:{version_id}")
    client.post("/console/cohortes/nouvelle", data=chosen)
    assert _cohort(app, "seconde").scenario_version_id == version_id
    with app.app_context():
        assert db.session.query(ScenarioVersion).count() == 1


def test_refused_cohort_shows_every_problem_and_creates_nothing(app: Flask, clock: Clock) -> None:
    """All refused fields are listed together in French; nothing is created."""
    client, _ = staff_client(app, Role.COUNSELLOR)
    response = client.post(
        "/console/cohortes/nouvelle",
        data=form(
            [],
            name="X",
            slug="Pas Un Slug!",
            start="2026-03-19",
            teams="A\na",
            capacity="13",
            version="v:999",
        ),
    )
    assert response.status_code == 400
    html = text(response)
    for message in (
        "Le formulaire n'est pas enregistré",
        "Choisissez la version du scénario que jouera la cohorte.",
        "Donnez à la cohorte un nom de 2 à 200 caractères.",
        "L'identifiant s'écrit en minuscules sans accents",
        "Choisissez au moins un conseiller pour la cohorte.",
        "La date de début ne peut pas être déjà passée.",
        "Deux équipes ne peuvent pas porter le même nom.",
        "Une équipe compte de 6 à 12 places.",
    ):
        assert message in html, message
    assert 'aria-invalid="true" aria-describedby="name-error"' in html
    assert 'value="X"' in html  # what was typed stays
    with app.app_context():
        assert db.session.query(Cohort).count() == 0
        assert db.session.query(ScenarioVersion).count() == 0


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"teams": "\n".join(f"Équipe {n}" for n in range(9))}, "de 1 à 8 équipes"),
        ({"teams": "  \n "}, "de 1 à 8 équipes"),
        ({"capacity": "5"}, "de 6 à 12 places"),
        ({"slug": "nouvelle"}, "est réservé"),
        ({"start": "pas une date"}, "Indiquez la date du premier jour."),
        ({"timezone": "Mars/Olympus"}, "Choisissez un fuseau horaire de la liste."),
    ],
)
def test_cohort_field_limits(
    app: Flask, clock: Clock, overrides: dict[str, str], message: str
) -> None:
    """Team count, places, reserved identifiers, dates and timezones are checked."""
    client, me = staff_client(app, Role.COUNSELLOR)
    response = client.post("/console/cohortes/nouvelle", data=form([me], **overrides))
    assert response.status_code == 400
    assert message in text(response)


def test_slugs_are_unique_and_counsellors_stay_in_their_cohort(app: Flask, clock: Clock) -> None:
    """A taken identifier is refused; a counsellor cannot create a cohort without themselves."""
    client, me = staff_client(app, Role.COUNSELLOR)
    _, colleague = staff_client(app, Role.COUNSELLOR)
    first = client.post("/console/cohortes/nouvelle", data=form([me], slug="promo"))
    assert first.status_code == 302
    taken = client.post("/console/cohortes/nouvelle", data=form([me], slug="promo"))
    assert "Une cohorte utilise déjà l'identifiant « promo »" in text(taken)
    without_me = client.post("/console/cohortes/nouvelle", data=form([colleague], slug="autre"))
    assert "Restez parmi les conseillers" in text(without_me)
    admin, _ = staff_client(app, Role.ADMIN)
    by_admin = admin.post("/console/cohortes/nouvelle", data=form([colleague], slug="autre"))
    assert by_admin.status_code == 302


def test_cohort_page_shows_teams_codes_qr_and_players(app: Flask, clock: Clock) -> None:
    """Each team shows its join code, its join QR code, its link and its players."""
    client, me = staff_client(app, Role.COUNSELLOR)
    client.post("/console/cohortes/nouvelle", data=form([me], slug="promo"))
    cohort = _cohort(app, "promo")
    team = cohort.teams[0]
    with app.app_context():
        join_team(db.session, team.id, "Comète Agile", clock.now, "Yasmine")
    page = text(client.get("/console/cohortes/promo"))
    for t in cohort.teams:
        assert t.join_code in page
        assert f'src="/equipe/{t.join_code}/qr.svg"' in page
        assert f"/rejoindre/{t.join_code}" in page
    assert "Comète Agile" in page and "Yasmine" in page
    assert "1 joueur(s) sur 10 places" in page
    assert "Personne pour l'instant" in page  # the other teams' empty state
    svg = client.get(f"/equipe/{team.join_code}/qr.svg")
    assert svg.mimetype == "image/svg+xml"
    # The section menu links only to pages that exist.
    assert 'href="/console/cohortes/promo/calendrier"' in page
    assert 'href="/console/cohortes/promo/modifier"' in page


def test_editing_name_counsellors_and_weekends(app: Flask, clock: Clock) -> None:
    """The cohort is renamed and shared; a counsellor cannot remove themselves."""
    client, me = staff_client(app, Role.COUNSELLOR)
    _, colleague = staff_client(app, Role.COUNSELLOR, "Julien Moreau")
    client.post("/console/cohortes/nouvelle", data=form([me], slug="promo"))
    ok = client.post(
        "/console/cohortes/promo/modifier",
        data={"name": "Promo avril", "counsellors": [str(me), str(colleague)]},
    )
    assert ok.status_code == 302
    cohort = _cohort(app, "promo")
    assert cohort.name == "Promo avril" and not cohort.weekends_played
    assert {c.display_name for c in cohort.counsellors} >= {"Julien Moreau"}
    refused = client.post(
        "/console/cohortes/promo/modifier",
        data={"name": "P", "counsellors": [str(colleague)]},
    )
    assert refused.status_code == 400
    html = text(refused)
    assert "Restez parmi les conseillers" in html and "nom de 2 à 200 caractères" in html
    assert _cohort(app, "promo").name == "Promo avril"


# --- a frozen version --------------------------------------------------------------------------


def test_a_cohort_keeps_its_version_when_the_content_changes(tmp_path: Path) -> None:
    """Editing content publishes a new version for new cohorts; a created one never changes."""
    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content)
    app = create_app(make_config(tmp_path, CONTENT_DIR=content))
    with app.app_context():
        schema.upgrade(db.engine)
    app.config["CLOCK"] = Clock()
    client, me = staff_client(app, Role.COUNSELLOR)
    client.post("/console/cohortes/nouvelle", data=form([me], slug="avant"))
    before = _cohort(app, "avant")
    old_title = before.scenario_version.content["scenario"]["days"][0]["title"]

    day1 = content / "scenarios" / "tempo-2050" / "days" / "day01.yaml"
    source = day1.read_text(encoding="utf-8")
    day1.write_text(source.replace(old_title, "Premier jour réécrit", 1), encoding="utf-8")

    scenarios = text(client.get("/console/scenarios"))
    assert "modifié depuis la dernière publication" in scenarios
    client.post("/console/cohortes/nouvelle", data=form([me], slug="apres"))
    after = _cohort(app, "apres")
    assert after.scenario_version_id != before.scenario_version_id
    assert after.scenario_version.content["scenario"]["days"][0]["title"] == "Premier jour réécrit"

    still = _cohort(app, "avant")
    assert still.scenario_version_id == before.scenario_version_id
    assert still.scenario_version.content == before.scenario_version.content
    with app.app_context():
        version = db.session.get(ScenarioVersion, before.scenario_version_id)
        assert games.game_for(version).scenario.days[0].title == old_title  # type: ignore[arg-type]
    calendar = text(client.get("/console/cohortes/avant/calendrier"))
    assert old_title in calendar
    assert "Premier jour réécrit" not in calendar


def test_publishing_from_the_scenarios_page(tmp_path: Path) -> None:
    """An author publishes the current content; publishing it again changes nothing."""
    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content)
    app = create_app(make_config(tmp_path, CONTENT_DIR=content))
    with app.app_context():
        schema.upgrade(db.engine)
    author, _ = staff_client(app, Role.AUTHOR)
    page = text(author.get("/console/scenarios"))
    assert "Aucune version publiée pour l'instant." in page
    response = author.post("/console/scenarios/publier", data={"slug": "tempo-2050"})
    assert response.status_code == 302
    author.post("/console/scenarios/publier", data={"slug": "tempo-2050"})
    with app.app_context():
        assert db.session.query(ScenarioVersion).count() == 1
    page = text(author.get("/console/scenarios"))
    assert "Version publiée : Tempo 2050 — version 1 (v1.0)" in page
    broken = content / "scenarios" / "tempo-2050" / "days" / "day02.yaml"
    broken.write_text("title: [\n", encoding="utf-8")
    page = text(author.get("/console/scenarios"))
    assert "ne peut pas être publié tant qu'elles ne sont pas corrigées" in page
