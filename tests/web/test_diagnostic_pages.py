"""The diagnostic and bilan pages: a phone's flow, results, PDFs, and who may see what."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tempo.extensions import db
from tempo.models import Cohort, MissionProgress, MissionStatus, Player, Role, StaffAccount, utcnow
from tempo.services.calendar import days as calendar_service
from tempo.services.diagnostic import runs as diagnostics
from tests import factories
from tests.conftest import Demo
from tests.services.pdfs import pages, texts
from tests.web.console_kit import staff_client, text

QUESTION = re.compile(r"/diagnostic/question/([a-z0-9-]+)")
CLOSING = "d10-auto-diagnostic"


@dataclass
class Phone:
    """A phone signed in as a player."""

    client: FlaskClient
    player_id: int
    code: str


def phone(app: Flask, demo: Demo, name: str, team: int = 0) -> Phone:
    """A new player of the demo, signed in on a new test client."""
    code = demo.join(team, name)
    client = app.test_client()
    assert client.post("/retour", data={"rejoin": code}).status_code == 302
    with app.app_context():
        player_id = db.session.scalar(select(Player.id).where(Player.rejoin_code == code))
    assert player_id is not None
    return Phone(client, player_id, code)


def open_every_day(app: Flask, demo: Demo) -> None:
    """Open days 2 to 10 (day 10 holds the closing diagnostic)."""
    with app.app_context():
        for number in range(2, 11):
            calendar_service.unlock_day(db.session, demo.cohort_id, number, utcnow())


def location(response: object) -> str:
    """Where a redirect leads (path only)."""
    return str(response.headers["Location"])  # type: ignore[attr-defined]


def first_option(html: str) -> str:
    """The value of the first radio button of a question page."""
    match = re.search(r'type="radio" id="opt-1" name="value" value="([^"]+)"', html)
    assert match, html
    return match.group(1)


def answer_all(p: Phone, pick: str = "first") -> str:
    """Answer every question through the pages; return where the last answer led."""
    target = location(p.client.post("/diagnostic/commencer"))
    for _ in range(60):
        match = QUESTION.search(target)
        if match is None:
            return target
        html = p.client.get(target).get_data(as_text=True)
        values = re.findall(r'name="value" value="([^"]+)"', html)
        value = values[0] if pick == "first" else values[-1]
        response = p.client.post(target, data={"value": value})
        assert response.status_code == 302, response.get_data(as_text=True)
        target = location(response)
    raise AssertionError("the diagnostic never ended")


def test_the_player_page_offers_the_diagnostic(app: Flask, demo: Demo) -> None:
    """From the lobby: « Faire mon auto-diagnostic » leads to the diagnostic."""
    p = phone(app, demo, "Inès")
    html = text(p.client.get("/jouer"))
    assert "Faire mon auto-diagnostic" in html
    assert 'href="/diagnostic"' in html
    intro = text(p.client.get("/diagnostic"))
    assert "Environ 5 minutes" in intro and "Commencer" in intro


def test_one_question_per_screen_with_progress_back_and_saved_answers(
    app: Flask, demo: Demo
) -> None:
    """A radio group with its legend, « Question 2 sur ~24 », a back link that remembers."""
    p = phone(app, demo, "Inès")
    first = location(p.client.post("/diagnostic/commencer"))
    assert first.endswith("/diagnostic/question/emploi-0")
    html = text(p.client.get(first))
    assert re.search(r"Question 1 sur ~\d+", html)
    assert "<fieldset" in html and "<legend>" in html and 'type="radio"' in html
    assert "Trouver un emploi, c'est une priorité pour toi en ce moment ?" in html
    assert "Question précédente" not in html
    second = location(p.client.post(first, data={"value": "oui-vraiment"}))
    assert second.endswith("/diagnostic/question/emploi-1")
    html = text(p.client.get(second))
    assert re.search(r"Question 2 sur ~\d+", html) and "Thème 1 sur 11" in html
    assert 'href="/diagnostic/question/emploi-0"' in html  # back
    back = text(p.client.get("/diagnostic/question/emploi-0"))
    assert 'value="oui-vraiment"\n                 checked' in back or re.search(
        r'value="oui-vraiment"\s+checked', back
    )


def test_no_choice_gets_a_clear_error_and_nothing_is_lost(app: Flask, demo: Demo) -> None:
    """Sending without choosing: a French message, the same question, the earlier answer kept."""
    p = phone(app, demo, "Inès")
    first = location(p.client.post("/diagnostic/commencer"))
    second = location(p.client.post(first, data={"value": "un-peu"}))
    response = p.client.post(second, data={})
    assert response.status_code == 400
    html = text(response)
    assert 'role="alert">Choisis une des réponses proposées pour continuer.<' in html
    assert 'aria-invalid="true"' in html
    bad = p.client.post(second, data={"value": "n-importe-quoi"})
    assert bad.status_code == 400
    with app.app_context():
        me = db.session.get(Player, p.player_id)
        assert me is not None
        run = diagnostics.open_run(db.session, me)
        assert run is not None and diagnostics.answers_of(run) == {"emploi-0": "un-peu"}


def test_reopening_the_diagnostic_resumes_at_the_next_question(app: Flask, demo: Demo) -> None:
    """Interrupted after two answers, the phone comes back to the third question."""
    p = phone(app, demo, "Inès")
    first = location(p.client.post("/diagnostic/commencer"))
    second = location(p.client.post(first, data={"value": "oui-vraiment"}))
    third = location(p.client.post(second, data={"value": "plutot-oui"}))
    again = phone_again(app, p)
    resumed = again.get("/diagnostic")
    assert resumed.status_code == 302 and location(resumed) == third
    ahead = again.get("/diagnostic/question/loisirs-0")  # not reached yet
    assert ahead.status_code == 302 and location(ahead) == third
    assert "Tu as répondu à 2 questions" in text(again.get("/jouer"))


def phone_again(app: Flask, p: Phone) -> FlaskClient:
    """The same player on another phone, with their personal code."""
    client = app.test_client()
    assert client.post("/retour", data={"rejoin": p.code}).status_code == 302
    return client


def test_finishing_shows_ranked_bars_offers_and_a_pdf(app: Flask, demo: Demo) -> None:
    """The last answer leads to the results: bars by priority, offers, a PDF with them."""
    p = phone(app, demo, "Inès")
    end = answer_all(p)
    assert re.search(r"/diagnostic/resultats/\d+$", end)
    html = text(p.client.get(end))
    assert "Tes priorités" in html and "Bravo, ton auto-diagnostic est terminé !" in html
    assert html.count('class="diag-bar"') == 11
    assert "Besoin exprimé : 100 sur 100" in html
    assert "Contrat d'Engagement Jeune (CEJ)" in html
    run_id = int(end.rsplit("/", 1)[1])
    pdf = p.client.get(f"/diagnostic/resultats/{run_id}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.headers["Cache-Control"].startswith("no-store")
    assert len(pages(pdf.data)) == 1
    assert "Inès" in texts(pdf.data)[0] and "Emploi" in texts(pdf.data)[0]
    assert p.client.get("/diagnostic/resultats").status_code == 200
    # Before the last day the bilan waits for the closing diagnostic.
    assert "Ton bilan Tempo arrive bientôt" in text(p.client.get("/bilan"))
    assert p.client.get("/bilan.pdf").status_code == 404


def test_taking_it_again_shows_the_change(app: Flask, demo: Demo) -> None:
    """Strongest needs first, none the second time: every family shows « ↓ −100 pts »."""
    p = phone(app, demo, "Inès")
    answer_all(p, "first")
    end = answer_all(p, "last")
    html = text(p.client.get(end))
    assert html.count("diag-delta--down") == 11
    assert "−100 pts" in html and "Tes diagnostics" in html


def test_the_closing_diagnostic_completes_the_mission_and_opens_the_bilan(
    app: Flask, demo: Demo
) -> None:
    """On day 10 the only player of the team completes the mission and gets the bilan."""
    p = phone(app, demo, "Inès")
    open_every_day(app, demo)
    answer_all(p)
    with app.app_context():
        progress = db.session.scalar(
            select(MissionProgress).where(
                MissionProgress.team_id == demo.team_ids[0], MissionProgress.mission_id == CLOSING
            )
        )
        assert progress is not None and progress.status == MissionStatus.DONE
    html = text(p.client.get("/bilan"))
    assert "Bravo Inès, voici ton bilan !" in html
    assert "L'ordre du jour de ton rendez-vous" in html
    assert "Suivre les consignes" in html and "Ponctualité" in html
    pdf = p.client.get("/bilan.pdf")
    assert pdf.status_code == 200 and len(pages(pdf.data)) == 1
    assert "Bilan Tempo de Inès" in texts(pdf.data)[0]
    assert "Voir mon bilan Tempo" in text(p.client.get("/jouer"))


def test_marking_the_last_player_absent_completes_the_mission(app: Flask, demo: Demo) -> None:
    """Inès finished, Bilal never came: once the counsellor marks him absent, it is done."""
    ines = phone(app, demo, "Inès")
    bilal = phone(app, demo, "Bilal")
    open_every_day(app, demo)
    answer_all(ines)
    counsellor, account_id = staff_client(app, Role.COUNSELLOR)
    _attach(app, demo, account_id)
    response = counsellor.post(
        "/console/cohortes/demo/absence", data={"player": bilal.player_id, "absent": "1"}
    )
    assert response.status_code == 302
    with app.app_context():
        progress = db.session.scalar(
            select(MissionProgress).where(
                MissionProgress.team_id == demo.team_ids[0], MissionProgress.mission_id == CLOSING
            )
        )
        assert progress is not None and progress.status == MissionStatus.DONE


def _attach(app: Flask, demo: Demo, account_id: int) -> None:
    with app.app_context():
        cohort = db.session.get(Cohort, demo.cohort_id)
        assert cohort is not None
        cohort.counsellors.append(db.session.get(StaffAccount, account_id))  # type: ignore[arg-type]
        db.session.commit()


@pytest.fixture
def finished(app: Flask, demo: Demo) -> Iterator[tuple[Phone, int]]:
    """Inès finished the closing diagnostic; her run id."""
    p = phone(app, demo, "Inès")
    open_every_day(app, demo)
    end = answer_all(p)
    yield p, int(end.rsplit("/", 1)[1])


def test_another_player_never_sees_the_answers(
    app: Flask, demo: Demo, finished: tuple[Phone, int]
) -> None:
    """Bilal, even in the same team, gets 404 for Inès's run and only his own empty pages."""
    _ines, run_id = finished
    bilal = phone(app, demo, "Bilal")
    assert bilal.client.get(f"/diagnostic/resultats/{run_id}").status_code == 404
    assert bilal.client.get(f"/diagnostic/resultats/{run_id}.pdf").status_code == 404
    assert bilal.client.get("/diagnostic/resultats").status_code == 302
    assert "Ton bilan Tempo arrive bientôt" in text(bilal.client.get("/bilan"))
    console = f"/console/cohortes/demo/joueurs/{_ines.player_id}/diagnostic"
    response = bilal.client.get(console)
    assert response.status_code == 302 and "/console/connexion" in location(response)
    anonymous = app.test_client()
    assert anonymous.get("/diagnostic/resultats").status_code == 302
    assert anonymous.get("/bilan.pdf").status_code == 302


def test_the_cohorts_counsellor_sees_results_and_bilan(
    app: Flask, demo: Demo, finished: tuple[Phone, int]
) -> None:
    """From the cohort's « Diagnostics et bilans » page to the player's results, bilan and PDFs."""
    ines, run_id = finished
    counsellor, account_id = staff_client(app, Role.COUNSELLOR)
    _attach(app, demo, account_id)
    overview = text(counsellor.get("/console/cohortes/demo/diagnostics"))
    assert "Inès" in overview and "Voir le bilan" in overview
    base = f"/console/cohortes/demo/joueurs/{ines.player_id}"
    assert f'href="{base}/diagnostic"' in overview
    assert "Diagnostics et bilans" in text(counsellor.get("/console/cohortes/demo"))
    html = text(counsellor.get(f"{base}/diagnostic"))
    assert "Auto-diagnostic de Inès" in html and html.count('class="diag-bar"') == 11
    pdf = counsellor.get(f"{base}/diagnostic/{run_id}.pdf")
    assert pdf.status_code == 200 and "Inès" in texts(pdf.data)[0]
    bilan = text(counsellor.get(f"{base}/bilan"))
    assert "Bilan Tempo de Inès" in bilan and "L'ordre du jour du rendez-vous" in bilan
    bilan_pdf = counsellor.get(f"{base}/bilan.pdf")
    assert bilan_pdf.status_code == 200 and len(pages(bilan_pdf.data)) == 1


def test_other_staff_get_404_or_403(app: Flask, demo: Demo, finished: tuple[Phone, int]) -> None:
    """Another cohort's counsellor: 404 everywhere; an author: 403; a foreign player id: 404."""
    ines, run_id = finished
    base = f"/console/cohortes/demo/joueurs/{ines.player_id}"
    urls = [
        "/console/cohortes/demo/diagnostics",
        f"{base}/diagnostic",
        f"{base}/diagnostic/{run_id}.pdf",
        f"{base}/bilan",
        f"{base}/bilan.pdf",
    ]
    stranger, _ = staff_client(app, Role.COUNSELLOR)
    for url in urls:
        assert stranger.get(url).status_code == 404, url
    author, _ = staff_client(app, Role.AUTHOR)
    for url in urls:
        assert author.get(url).status_code == 403, url
    counsellor, account_id = staff_client(app, Role.COUNSELLOR)
    _attach(app, demo, account_id)
    with app.app_context():
        other = factories.cohort(db.session, slug="ailleurs")
        outsider = factories.player(db.session, other.teams[0], "Zoé")
        db.session.commit()
        outsider_id = outsider.id
    assert (
        counsellor.get(f"/console/cohortes/demo/joueurs/{outsider_id}/diagnostic").status_code
        == 404
    )
    assert counsellor.get(f"{base}/diagnostic?run=999999").status_code == 404
    admin, _ = staff_client(app, Role.ADMIN)
    assert admin.get(f"{base}/bilan").status_code == 200
