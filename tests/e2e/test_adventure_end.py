"""Issue 5's acceptance flow in Chromium: the end of the adventure, from a phone and the console.

A phone answers the whole self-diagnostic (a funnel that opens four of the eleven themes), sees
its ranked bars, downloads the PDF, books its appointment in the day-9 mission, opens its bilan;
the counsellor publishes availability, sees the booking in the cohort and in « Mes rendez-vous »,
then closes day 1 so the phone gets its recap. The player page is photographed in each state.
"""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

from PIL import Image
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from tempo.models import Cohort, utcnow
from tests.booking_kit import open_appointment
from tests.databases import instance_url
from tests.e2e.conftest import LAPTOP, PHONE, SCREENSHOTS, open_card, shot, wait_until
from tests.live import LiveServer
from tests.services.pdfs import is_blank, pages, texts

TIMEOUT = 10_000
EMAIL = "conseillere@demo.tempo"
PLACE = "Mission Locale de Tours, 2 rue Nationale"
CLOSED = "Pas pour l'instant"

# The funnel: each theme's screening answer, then the detailed answers by scale (accord /
# frequence). Themes not listed get « Pas pour l'instant », which does not open them.
PLAN: dict[str, tuple[str, str, str]] = {
    # theme: (screening, « accord » answer, « fréquence » answer)
    "emploi": ("Oui, vraiment", "Tout à fait", "Souvent"),
    "logement": ("Un peu", "Plutôt oui", "Parfois"),
    "mobilite": ("Je ne sais pas trop", "Plutôt non", "Je préfère ne pas répondre"),
    "argent": ("Un peu", "Plutôt non", "Parfois"),
}
# What those answers are worth (need over maximum, « je préfère ne pas répondre » left out):
# emploi 3+4×3 = 15/15; logement 2+4×2 = 10/15; argent 2+2+2+1+1 = 8/15;
# mobilité 1+(skip)+3×1 = 4/12. The seven closed themes score their screening alone: 0.
EXPECTED = [
    ("Emploi", 100, "Prioritaire"),
    ("Logement", 67, "Prioritaire"),
    ("Argent et budget", 53, "À creuser"),
    ("Mobilité", 33, "À creuser"),
    ("Formation", 0, "Ça va plutôt bien"),
    ("Orientation et projet", 0, "Ça va plutôt bien"),
    ("Santé et bien-être", 0, "Ça va plutôt bien"),
    ("Numérique", 0, "Ça va plutôt bien"),
    ("Droits et démarches", 0, "Ça va plutôt bien"),
    ("Engagement et citoyenneté", 0, "Ça va plutôt bien"),
    ("Sport, culture et loisirs", 0, "Ça va plutôt bien"),
]
QUESTIONS = 11 + 4 * 4  # every screening, and the four detailed questions of each opened theme


def _tempo(server: LiveServer, *args: str) -> str:
    try:
        return server.tempo(*args)
    except subprocess.CalledProcessError as exc:
        raise AssertionError(f"tempo {' '.join(args)}: {exc.stderr}") from exc


def _open_last_days(server: LiveServer) -> None:
    """Days 2 to 9 open with the appointment's prerequisite done; day 10 opened by the CLI."""
    engine = create_engine(instance_url(Path(server.env["TEMPO_INSTANCE_DIR"])))
    with Session(engine) as session:
        cohort = session.scalar(select(Cohort).where(Cohort.slug == "demo"))
        assert cohort is not None
        open_appointment(session, cohort, utcnow())
        session.commit()
    engine.dispose()
    _tempo(server, "day", "unlock", "demo", "10")


def _sign_in(page: Page, server: LiveServer, password: str) -> None:
    page.goto(f"{server.url}/console/connexion")
    page.locator("#email").fill(EMAIL)
    page.locator("#password").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.locator(".c-nav")).to_be_visible()


def _publish_availability(console: Page) -> None:
    """Like test_booking: 30-minute slots, no notice, every day 08:00–20:00."""
    console.get_by_role("link", name="Rendez-vous", exact=True).click()
    console.get_by_role("link", name="Mes disponibilités").first.click()
    console.locator("#settings-notice_hours").fill("0")
    console.locator("#settings-place").fill(PLACE)
    console.get_by_role("button", name="Enregistrer les réglages").click()
    expect(console.locator(".flash")).to_contain_text("Réglages enregistrés")
    for weekday in range(7):
        console.locator("#rule-weekday").select_option(str(weekday))
        console.locator("#rule-start").fill("08:00")
        console.locator("#rule-end").fill("20:00")
        console.get_by_role("button", name="Ajouter ces horaires").click()
        expect(console.locator("#horaires tbody tr")).to_have_count(weekday + 1)


def _play_shots(page: Page, desk: Page, state: str) -> None:
    """The player page in one state, on the phone and on the same player's laptop."""
    desk.goto(page.url)
    expect(desk.locator("#conn")).to_contain_text("En ligne", timeout=TIMEOUT)
    for p in (page, desk):
        p.evaluate("window.scrollTo(0, 0)")
        shot(p, f"play-{state}")


def _answer_everything(page: Page) -> list[str]:
    """Answer every screen of the diagnostic by PLAN; return each screen's progress text."""
    seen: list[str] = []
    while "/diagnostic/question/" in page.url:
        question_id = page.url.rsplit("/", 1)[1]
        theme, number = question_id.rsplit("-", 1)
        screening, agree, often = PLAN.get(theme, (CLOSED, "", ""))
        labels = page.locator(".diag__option label").all_text_contents()
        pick = screening if number == "0" else often if "Souvent" in labels else agree
        assert pick, f"{question_id} was not expected on the path"
        seen.append(page.locator(".diag__count strong").inner_text())
        page.get_by_role("radio", name=pick, exact=True).check()
        before = page.url
        page.get_by_role("button", name="Suivant").click()
        expect(page).not_to_have_url(before, timeout=TIMEOUT)
        assert len(seen) <= QUESTIONS, "the diagnostic asked more questions than its path"
    return seen


def _dismiss_celebration(page: Page) -> None:
    expect(page.locator("#celebrate")).to_have_attribute("open", "", timeout=TIMEOUT)
    page.locator("#celebrate-close").click()
    expect(page.locator("#celebrate")).not_to_have_attribute("open", "", timeout=TIMEOUT)


def test_the_adventure_ends_in_a_diagnostic_a_booking_a_bilan_and_a_recap(
    browser: Browser, live_server: LiveServer
) -> None:
    """One phone and one counsellor through issue 5, end to end on a real `tempo serve`."""
    password = re.search(r"Mot de passe : (\S+)", _tempo(live_server, "demo", "--reset-password"))
    assert password is not None
    contexts: list[BrowserContext] = []

    def context(size: dict[str, int], downloads: bool = False) -> BrowserContext:
        made = browser.new_context(
            viewport=size,  # type: ignore[arg-type]
            locale="fr-FR",
            accept_downloads=downloads,
        )
        contexts.append(made)
        return made

    # A fresh player on day 1: nothing to announce yet, the diagnostic is offered.
    page = context(PHONE, downloads=True).new_page()
    page.goto(f"{live_server.url}/rejoindre/{live_server.team_codes[0]}")
    page.locator("#pseudonym").fill("Nour")
    page.get_by_role("button", name="Entrer dans l'équipe").click()
    expect(page.locator("#conn")).to_contain_text("En ligne", timeout=TIMEOUT)
    expect(page.locator("#recap-ready")).to_be_hidden()
    expect(page.locator("#booking-banner")).to_be_hidden()
    expect(page.locator("#diagnostic")).to_contain_text("Faire mon auto-diagnostic")
    rejoin = page.locator(".rejoin__url").get_attribute("href")
    assert rejoin
    desk = context(LAPTOP).new_page()
    desk.goto(rejoin)
    desk.get_by_role("button", name="Oui, c'est moi : continuer").click()  # /retour asks first
    _play_shots(page, desk, "1-day1")

    # The counsellor publishes availability; the cohort reaches its last days.
    console = context(LAPTOP).new_page()
    console.on("dialog", lambda dialog: dialog.accept())
    _sign_in(console, live_server, password.group(1))
    _publish_availability(console)
    _open_last_days(live_server)

    # The closing diagnostic mission leads to the flow; the phone answers every screen.
    page.reload()
    page.locator('[data-mission="d10-auto-diagnostic"]').click()
    expect(page.locator("#panel")).to_have_attribute("open", "", timeout=TIMEOUT)
    page.get_by_role("link", name="🧭 Faire mon auto-diagnostic").click()
    page.get_by_role("button", name="Commencer").click()
    expect(page.locator(".diag__count")).to_contain_text("Question 1 sur ~")
    progress = _answer_everything(page)
    assert len(progress) == QUESTIONS
    # One screen per question of the path, counted in order; the total stays an estimate
    # (« ~ ») until the last theme's screening is answered.
    assert [re.sub(r" sur .*", "", p) for p in progress] == [
        f"Question {n}" for n in range(1, QUESTIONS + 1)
    ], progress

    # The bars, ranked by need, with their values and levels.
    expect(page.locator("h1")).to_have_text("Tes priorités", timeout=TIMEOUT)
    families = page.locator(".diag-family")
    expect(families.locator(".diag-family__title")).to_have_text([t for t, _, _ in EXPECTED])
    expect(families.locator(".diag-family__score strong")).to_have_text(
        [f"{score}/100" for _, score, _ in EXPECTED]
    )
    expect(families.locator(".diag-level")).to_have_text([level for _, _, level in EXPECTED])
    for index, (_, score, _) in enumerate(EXPECTED):
        bar = families.nth(index).locator(".diag-bar")
        expect(bar).to_have_attribute("aria-label", f"Besoin exprimé : {score} sur 100")
        expect(bar.locator(".diag-bar__fill")).to_have_attribute("style", f"width: {score}%")
    expect(families.nth(3)).to_contain_text("1 question sans réponse")  # the skipped one
    width = families.first.locator(".diag-bar__fill").bounding_box()
    track = families.first.locator(".diag-bar").bounding_box()
    assert width and track and abs(width["width"] - track["width"]) < 2  # 100 % really is full
    shot(page, "adventure-diagnostic-results")

    # The PDF: downloaded, one page, the player's name and ranked results in it.
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger en PDF").click()
    pdf = Path(download.value.path()).read_bytes()
    rendered = pages(pdf)
    assert len(rendered) == 1 and not is_blank(rendered[0])
    text = texts(pdf)[0]
    assert "Nour" in text
    positions = [text.find(title) for title, _, _ in EXPECTED[:4]]
    assert -1 not in positions and positions == sorted(positions), text
    assert "100/100" in text and "67/100" in text

    # The appointment mission: pick the first slot, book it; alone in the team, it completes.
    page.get_by_role("link", name="Retour au jeu").click()
    expect(page.locator("#conn")).to_contain_text("En ligne", timeout=TIMEOUT)
    expect(page.locator("#diagnostic")).to_contain_text("Voir mon bilan Tempo")
    # The bilan is the end of the adventure: reachable from the top of the page, not only from
    # the card below the mission map.
    expect(page.locator(".hud").get_by_role("link", name="Mon bilan Tempo")).to_be_in_viewport()
    _play_shots(page, desk, "2-diagnostic-done")
    open_card(page, "d09-rendez-vous")  # day 9 is folded: day 10 is the current day
    expect(page.locator("#bk-pick-title")).to_have_text("Choisis ton créneau", timeout=TIMEOUT)
    slot = page.locator(".bk-slot").first
    time = slot.locator(".bk-slot__time").inner_text()
    slot.click()
    page.get_by_role("button", name="Réserver ce créneau").click()
    _dismiss_celebration(page)
    expect(page.locator("#bk-done-title")).to_have_text("✅ Ton rendez-vous est réservé")
    expect(page.locator(".bk-done")).to_contain_text(PLACE)
    page.get_by_role("button", name="Retour aux missions").click()
    expect(page.locator("#booking-banner")).to_contain_text("ton rendez-vous à la Mission Locale")
    _play_shots(page, desk, "3-booked")

    # The counsellor sees it in the cohort's « Rendez-vous » tab and in « Mes rendez-vous ».
    console.goto(f"{live_server.url}/console/cohortes/demo")
    console.locator(".c-tabs").get_by_role("link", name="Rendez-vous").click()
    expect(console.locator("#bk-summary")).to_have_text("1 jeune(s) sur 1 ont un rendez-vous")
    row = console.locator("tbody tr", has_text="Nour")
    expect(row).to_contain_text(time)
    expect(row).to_contain_text(PLACE)
    expect(row.locator(".bk-status")).to_have_text("à venir")
    shot(console, "adventure-console-cohort-bookings")
    console.locator(".c-nav").get_by_role("link", name="Rendez-vous").click()
    expect(console.locator("#upcoming-title")).to_contain_text("À venir (1)")
    expect(console.locator("table").first).to_contain_text("Nour")
    shot(console, "adventure-console-my-bookings")

    # The bilan: priorities as the appointment's agenda.
    page.locator("#diagnostic").get_by_role("link", name="Voir mon bilan Tempo").click()
    expect(page.locator("h1")).to_have_text("Bravo Nour, voici ton bilan !")
    expect(page.locator(".bilan-agenda__list h3")).to_have_text(
        [re.compile(f"^{title} .*{score}/100") for title, score, _ in EXPECTED[:3]]
    )
    shot(page, "adventure-bilan")
    page.locator("#b-agenda").scroll_into_view_if_needed()
    shot(page, "adventure-bilan-agenda")

    # The counsellor closes day 1: the phone is told live and finds its recap and its card.
    page.get_by_role("link", name="Retour au jeu").click()
    expect(page.locator("#conn")).to_contain_text("En ligne", timeout=TIMEOUT)
    console.goto(f"{live_server.url}/console/cohortes/demo")
    console.locator(".c-tabs").get_by_role("link", name="Récaps").click()
    console.get_by_role("button", name="Clôturer et envoyer les récaps").click()
    expect(console.locator(".flash")).to_contain_text("Jour 1 clôturé")
    expect(page.locator("#recap-ready")).to_contain_text(
        "Ton récap du jour 1 est prêt", timeout=TIMEOUT
    )
    # The day's end and its recap come together: one toast beside the banner, not two.
    expect(page.locator("#toasts .toast")).to_have_count(1)
    expect(page.locator("#toasts .toast")).to_contain_text("ton récap est prêt")
    _play_shots(page, desk, "4-recap-ready")
    page.locator("#recap-ready").get_by_role("link", name="Voir mon journal").click()
    recap = page.locator("#jour-1")
    expect(recap).to_contain_text(
        "Tu as réussi 2 missions : « Mon auto-diagnostic », « Mon vrai rendez-vous »."
    )
    recap.locator(".recap__preview summary").click()
    wait_until(
        page,
        "document.querySelector('#jour-1 .recap__preview img')?.naturalWidth === 1080",
        timeout=TIMEOUT,
    )
    recap.locator(".recap__preview").scroll_into_view_if_needed()
    shot(page, "adventure-recap-card")
    card = page.request.get(f"{live_server.url}/journal/jour-1.png")
    assert card.ok and card.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(card.body())).size == (1080, 1920)
    (SCREENSHOTS / "adventure-recap-card.png").write_bytes(card.body())

    # The console's cohort tabs and menu on a phone.
    small = context(PHONE)
    small.add_cookies(console.context.cookies())  # type: ignore[arg-type]
    mobile = small.new_page()
    mobile.goto(f"{live_server.url}/console/cohortes/demo/rendez-vous")
    expect(mobile.locator("tbody")).to_contain_text("Nour")
    tabs = mobile.locator(".c-tabs a")
    expect(tabs).to_have_text(
        [
            "Tableau de bord",
            "Équipes et joueurs",
            "Calendrier",
            "Récaps",
            "Diagnostics et bilans",
            "Rendez-vous",
            "Nom et conseillers",
            "Écran de la salle ↗ (nouvel onglet)",
        ]
    )
    for index in range(7):
        expect(tabs.nth(index)).to_be_in_viewport(ratio=1)
    assert mobile.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(mobile, "adventure-console-cohort-bookings")
    for made in contexts:
        made.close()
