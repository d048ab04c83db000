"""The cohort calendar: which real date is each game day, editable before and during the run."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tempo.extensions import db
from tempo.infra.signals import calendar_changed
from tempo.models import Cohort, CohortStatus, Role
from tests import factories
from tests.web.console_kit import Clock, form, staff_client, text

URL = "/console/cohortes/promo/calendrier"


@pytest.fixture
def clock(app: Flask) -> Clock:
    """Friday 20 March 2026, 10:00 in Paris; the tests jump days ahead, sessions last."""
    c = Clock()
    app.config["CLOCK"] = c
    app.config["STAFF_IDLE_MINUTES"] = app.config["STAFF_SESSION_HOURS"] = 10**6
    return c


@pytest.fixture
def counsellor(app: Flask, clock: Clock) -> FlaskClient:
    """A counsellor with the cohort « promo » on Tempo 2050, day 1 on Monday 23 March 2026."""
    client, me = staff_client(app, Role.COUNSELLOR)
    response = client.post("/console/cohortes/nouvelle", data=form([me], slug="promo"))
    assert response.status_code == 302
    return client


def _days(app: Flask) -> dict[int, tuple[date, datetime, datetime]]:
    with app.app_context():
        cohort = db.session.query(Cohort).filter_by(slug="promo").one()
        return {d.number: (d.date, d.unlock_at, d.recap_at) for d in cohort.days}


def _set(app: Flask, number: int, **values: object) -> None:
    with app.app_context():
        cohort = db.session.query(Cohort).filter_by(slug="promo").one()
        day = next(d for d in cohort.days if d.number == number)
        for key, value in values.items():
            setattr(day, key, value)
        db.session.commit()


def test_calendar_shows_each_game_day_with_its_date_and_hours(
    app: Flask, counsellor: FlaskClient
) -> None:
    """Ten rows: day number, scenario title, French date, unlock and recap hours (Paris)."""
    page = text(counsellor.get(URL))
    assert "France métropolitaine (Europe/Paris)" in page
    for n in range(1, 11):
        assert f'id="day-{n}-date"' in page
    assert "lundi 23 mars 2026" in page and "mercredi 1 avril 2026" in page
    assert 'name="day-1-unlock"\n                 value="09:30"' in page
    assert 'name="day-1-recap"\n                 value="17:00"' in page
    # Day 8 is after the switch to summer time and still opens at 09:30 local time.
    assert 'name="day-8-unlock"\n                 value="09:30"' in page
    assert "prévu pour un week-end" in page  # days 6 and 7 of Tempo 2050
    assert page.count("À venir") == 10


def test_moving_a_day_and_its_hours(app: Flask, counsellor: FlaskClient) -> None:
    """A new date and hours are saved in Paris time; the other days stay; receivers hear it."""
    heard: list[tuple[int, list[int]]] = []

    def receiver(cohort_id: int, days: list[int]) -> None:
        heard.append((cohort_id, days))

    calendar_changed.connect(receiver)
    try:
        before = _days(app)
        response = counsellor.post(
            URL,
            data={"day-3-date": "2026-03-25", "day-3-unlock": "14:00", "day-3-recap": "18:30"},
        )
    finally:
        calendar_changed.disconnect(receiver)
    assert response.status_code == 302
    after = _days(app)
    assert after[3] == (
        date(2026, 3, 25),
        datetime(2026, 3, 25, 13, 0, tzinfo=UTC),
        datetime(2026, 3, 25, 17, 30, tzinfo=UTC),
    )
    assert {n: v for n, v in after.items() if n != 3} == {n: v for n, v in before.items() if n != 3}
    assert [days for _, days in heard] == [[3]]
    page = text(counsellor.get(URL))
    assert "Calendrier enregistré : jour(s) 3 modifié(s)." in page


def test_moving_a_day_across_the_summer_time_change(app: Flask, counsellor: FlaskClient) -> None:
    """A day moved from winter into summer time keeps its local hour (one hour less in UTC)."""
    counsellor.post(
        URL,
        data={
            "day-5-date": "2026-03-30",
            "day-6-date": "2026-03-31",
            "day-7-date": "2026-04-01",
            "day-8-date": "2026-04-02",
            "day-9-date": "2026-04-03",
            "day-10-date": "2026-04-04",
        },
    )
    days = _days(app)
    assert days[5][1] == datetime(2026, 3, 30, 7, 30, tzinfo=UTC)  # 09:30 CEST
    assert days[4][1] == datetime(2026, 3, 26, 8, 30, tzinfo=UTC)  # 09:30 CET


def test_a_recap_before_its_unlock_is_refused(app: Flask, counsellor: FlaskClient) -> None:
    """A clear message names the day and both hours; nothing is saved."""
    before = _days(app)
    response = counsellor.post(
        URL, data={"day-3-unlock": "09:30", "day-3-recap": "08:00", "day-4-recap": "18:00"}
    )
    assert response.status_code == 400
    page = text(response)
    assert "Le calendrier n'est pas enregistré" in page
    assert "Jour 3 : le bilan (08:00) doit avoir lieu après l'ouverture (09:30)." in page
    assert 'aria-invalid="true" aria-describedby="day-3-error"' in page
    assert 'value="08:00"' in page  # what was typed is shown again, to be corrected
    assert _days(app) == before  # day 4's valid change was not saved alone either


def test_days_stay_in_order(app: Flask, counsellor: FlaskClient) -> None:
    """Day 4 cannot come before (or on the same date as) day 3."""
    response = counsellor.post(URL, data={"day-4-date": "2026-03-25"})
    assert response.status_code == 400
    assert (
        "Le jour 4 (mercredi 25 mars 2026) doit avoir lieu après le jour 3 "
        "(mercredi 25 mars 2026)." in text(response)
    )


def test_a_day_cannot_be_moved_into_the_past(
    app: Flask, counsellor: FlaskClient, clock: Clock
) -> None:
    """Moving a day to an unlock time already passed is refused with the date and hour."""
    clock.now = datetime(2026, 3, 24, 12, 0, tzinfo=UTC)  # Tuesday, 13:00 in Paris
    response = counsellor.post(URL, data={"day-2-unlock": "11:00"})
    assert response.status_code == 400
    assert (
        "Jour 2 : l'ouverture (mardi 24 mars 2026 à 11:00) est déjà passée. "
        "Choisissez un moment à venir." in text(response)
    )


def test_during_the_run_an_open_day_keeps_its_date_but_its_recap_can_move(
    app: Flask, counsellor: FlaskClient, clock: Clock
) -> None:
    """Day 1 is open: its date and unlock are locked, its recap moves; later days move freely."""
    clock.now = datetime(2026, 3, 23, 10, 0, tzinfo=UTC)
    _set(app, 1, unlocked_at=datetime(2026, 3, 23, 8, 30, tzinfo=UTC))
    page = text(counsellor.get(URL))
    assert "Déjà ouvert : seule l'heure de bilan peut changer." in page
    assert 'id="day-1-date" name="day-1-date"' in page
    assert page.count("disabled") == 2  # day 1's date and unlock fields
    moved = counsellor.post(URL, data={"day-1-recap": "18:00", "day-2-unlock": "10:00"})
    assert moved.status_code == 302
    days = _days(app)
    assert days[1][2] == datetime(2026, 3, 23, 17, 0, tzinfo=UTC)
    assert days[2][:2] == (date(2026, 3, 24), datetime(2026, 3, 24, 9, 0, tzinfo=UTC))
    refused = counsellor.post(URL, data={"day-1-date": "2026-03-24"})
    assert refused.status_code == 400
    assert "Le jour 1 est déjà ouvert : sa date et son heure d'ouverture ne changent plus" in text(
        refused
    )


def test_a_closed_day_never_changes(app: Flask, counsellor: FlaskClient, clock: Clock) -> None:
    """A finished day is shown as such and refuses any change."""
    clock.now = datetime(2026, 3, 24, 7, 0, tzinfo=UTC)
    _set(
        app,
        1,
        unlocked_at=datetime(2026, 3, 23, 8, 30, tzinfo=UTC),
        closed_at=datetime(2026, 3, 23, 16, 0, tzinfo=UTC),
    )
    page = text(counsellor.get(URL))
    assert "Jour terminé : il ne change plus." in page
    response = counsellor.post(URL, data={"day-1-recap": "19:00"})
    assert response.status_code == 400
    assert "Le jour 1 est terminé : il ne peut plus changer." in text(response)


def test_a_finished_cohort_calendar_is_frozen(app: Flask, counsellor: FlaskClient) -> None:
    """Once the cohort is finished, its calendar refuses changes."""
    with app.app_context():
        db.session.query(Cohort).filter_by(slug="promo").one().status = CohortStatus.FINISHED
        db.session.commit()
    response = counsellor.post(URL, data={"day-9-recap": "18:00"})
    assert response.status_code == 400
    assert "Cette cohorte est terminée" in text(response)


def test_unreadable_values_are_explained(app: Flask, counsellor: FlaskClient) -> None:
    """A mangled date or hour names its day."""
    response = counsellor.post(URL, data={"day-6-date": "demain", "day-6-unlock": "9h"})
    assert response.status_code == 400
    assert "Jour 6 : date ou heure illisible." in text(response)


def test_nothing_changed_says_so(app: Flask, counsellor: FlaskClient) -> None:
    """Saving the form as it is changes nothing and says so."""
    page = text(counsellor.get(URL))
    assert 'value="2026-03-24"' in page
    response = counsellor.post(
        URL,
        data={"day-2-date": "2026-03-24", "day-2-unlock": "09:30", "day-2-recap": "17:00"},
        follow_redirects=True,
    )
    assert "Aucun changement" in text(response)


def test_replanning_from_a_day_chains_the_following_days(
    app: Flask, counsellor: FlaskClient
) -> None:
    """« Décaler » puts day 4 on a new date and days 5–10 after it, at their own hours."""
    with app.app_context():
        db.session.query(Cohort).filter_by(slug="promo").one().weekends_played = False
        db.session.commit()
    before = _days(app)
    response = counsellor.post(
        f"{URL.rsplit('/', 1)[0]}/calendrier/replanifier", data={"first": "4", "date": "2026-03-27"}
    )
    assert response.status_code == 302
    days = _days(app)
    assert [days[n][0] for n in range(4, 11)] == [
        date(2026, 3, 27),
        date(2026, 3, 30),
        date(2026, 3, 31),
        date(2026, 4, 1),
        date(2026, 4, 2),
        date(2026, 4, 3),
        date(2026, 4, 6),
    ]
    assert days[6][1] == datetime(2026, 3, 31, 8, 0, tzinfo=UTC)  # 10:00 CEST, as before
    assert [days[n] for n in (1, 2, 3)] == [before[n] for n in (1, 2, 3)]
    refused = counsellor.post(f"{URL}/replanifier", data={"first": "4", "date": "2026-03-24"})
    assert refused.status_code == 400
    assert "Le jour 4 (mardi 24 mars 2026) doit avoir lieu après le jour 3" in text(refused)


def test_cohort_header_names_every_open_day(app: Flask) -> None:
    """After a counsellor opens day 2 early, the header no longer says only « Jour 1 ouvert »."""
    from tempo.services.cohorts.state import cohort_state

    with app.app_context(), app.test_request_context():
        cohort = factories.cohort(db.session)
        day1, day2 = cohort.days[0], cohort.days[1]
        day1.unlocked_at = day1.unlock_at
        assert cohort_state(cohort, day1.unlock_at) == "Jour 1 ouvert, bilan à 17:00"
        day2.unlocked_at = day1.unlock_at
        assert cohort_state(cohort, day1.unlock_at) == (
            "Jours 1 et 2 ouverts, prochain bilan (jour 1) le lundi 23 mars 2026 à 17:00"
        )
        day1.closed_at = day1.recap_at
        assert cohort_state(cohort, day1.recap_at) == "Jour 2 ouvert, bilan à 17:00"
