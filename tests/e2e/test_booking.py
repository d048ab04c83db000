"""A phone books its real appointment and the counsellor's console shows it, in Chromium."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Browser, Page, expect
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from tempo.models import Cohort, utcnow
from tests.booking_kit import open_appointment
from tests.databases import instance_url
from tests.e2e.conftest import LAPTOP, PHONE, open_card, shot
from tests.live import LiveServer

TIMEOUT = 10_000
WEEKDAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]


def _open_day_nine(live_server: LiveServer) -> str:
    """Open the demo cohort up to day 9 with the appointment's prerequisite done (as if played)."""
    engine = create_engine(instance_url(Path(live_server.env["TEMPO_INSTANCE_DIR"])))
    with Session(engine) as session:
        cohort = session.scalar(select(Cohort).where(Cohort.slug == "demo"))
        assert cohort is not None
        mission_id = open_appointment(session, cohort, utcnow())
        session.commit()
    engine.dispose()
    return mission_id


def _join(page: Page, live_server: LiveServer, code: str, name: str) -> None:
    page.goto(f"{live_server.url}/rejoindre/{code}")
    page.locator("#pseudonym").fill(name)
    page.get_by_role("button", name="Entrer dans l'équipe").click()
    expect(page).to_have_url(f"{live_server.url}/jouer")
    expect(page.locator("#conn")).to_contain_text("En ligne", timeout=TIMEOUT)


def _dismiss_celebration(page: Page) -> None:
    expect(page.locator("#celebrate")).to_have_attribute("open", "", timeout=TIMEOUT)
    page.locator("#celebrate-close").click()
    expect(page.locator("#celebrate")).not_to_have_attribute("open", "", timeout=TIMEOUT)


def _open_picker(page: Page, mission_id: str) -> None:
    open_card(page, mission_id)
    expect(page.locator("#panel")).to_have_attribute("open", "", timeout=TIMEOUT)
    expect(page.locator("#bk-pick-title")).to_have_text("Choisis ton créneau", timeout=TIMEOUT)


def test_a_phone_books_and_the_counsellor_sees_it(
    browser: Browser, live_server: LiveServer
) -> None:
    """Console availability, a phone books, a second phone finds it taken, the console sees both."""
    password = re.search(r"Mot de passe : (\S+)", live_server.tempo("demo", "--reset-password"))
    assert password is not None
    mission_id = _open_day_nine(live_server)

    # The counsellor publishes availability: 30-minute slots, no notice, every day 08:00–20:00.
    laptop = browser.new_context(viewport=LAPTOP, locale="fr-FR")
    console = laptop.new_page()
    console.goto(f"{live_server.url}/console/connexion")
    console.locator("#email").fill("conseillere@demo.tempo")
    console.locator("#password").fill(password.group(1))
    console.get_by_role("button", name="Se connecter").click()
    console.get_by_role("link", name="Rendez-vous", exact=True).click()
    expect(console.locator("h1")).to_have_text("Mes rendez-vous")
    console.get_by_role("link", name="Mes disponibilités").first.click()
    console.locator("#settings-notice_hours").fill("0")
    console.locator("#settings-place").fill("Mission Locale de Tours, 2 rue Nationale")
    console.get_by_role("button", name="Enregistrer les réglages").click()
    expect(console.locator(".flash")).to_contain_text("Réglages enregistrés")
    for weekday in range(7):
        console.locator("#rule-weekday").select_option(str(weekday))
        console.locator("#rule-start").fill("08:00")
        console.locator("#rule-end").fill("20:00")
        console.get_by_role("button", name="Ajouter ces horaires").click()
        expect(console.locator("#horaires tbody")).to_contain_text(WEEKDAYS[weekday])
    console.goto(f"{live_server.url}/console/disponibilites")
    expect(console.locator(".bk-preview li").first).to_be_visible()
    shot(console, "booking-availability")

    # A phone picks its slot; a second player (on a laptop) tries the same one a moment later.
    code = live_server.team_codes[0]
    phone_ctx = browser.new_context(viewport=PHONE, locale="fr-FR")
    phone = phone_ctx.new_page()
    _join(phone, live_server, code, "Lina")
    mate_ctx = browser.new_context(viewport=PHONE, locale="fr-FR")
    mate = mate_ctx.new_page()
    _join(mate, live_server, code, "Mehdi")
    other_ctx = browser.new_context(viewport=LAPTOP, locale="fr-FR")
    other = other_ctx.new_page()
    _join(other, live_server, live_server.team_codes[1], "Yanis")
    _open_picker(phone, mission_id)
    _open_picker(other, mission_id)
    for page in (phone, other):
        page.locator("#bk-pick-title").scroll_into_view_if_needed()
        shot(page, "booking-picker")

    # Three days at a time; « Voir d'autres jours » shows three more and moves the focus there.
    expect(other.locator(".bk-day")).to_have_count(3)
    other.get_by_role("button", name=re.compile("Voir d'autres jours")).click()
    expect(other.locator(".bk-day")).to_have_count(6)
    expect(other.locator(".bk-day").nth(3).locator("input").first).to_be_focused()

    first = phone.locator(".bk-slot").first
    wanted = first.locator("input").get_attribute("value")
    first.click()
    expect(phone.locator("#bk-chosen")).to_contain_text("Créneau choisi")
    phone.get_by_role("button", name="Réserver ce créneau").click()
    expect(phone.locator("#bk-done-title")).to_have_text(
        "✅ Ton rendez-vous est réservé", timeout=TIMEOUT
    )
    expect(phone.locator(".bk-done")).to_contain_text("À apporter")
    expect(phone.locator(".bk-done a[download]")).to_have_attribute(
        "href", "/jouer/rendez-vous/invitation.ics"
    )
    shot(phone, "booking-confirmation")
    # Her teammate sees it live; the mission waits for Mehdi's own booking.
    expect(mate.locator("#toasts")).to_contain_text(
        "Lina a réservé son rendez-vous à la Mission Locale", timeout=TIMEOUT
    )
    expect(phone.locator("#bk-root")).to_contain_text("1 membre de l'équipe a déjà réservé")

    other.locator(f'input[value="{wanted}"]').check()
    other.get_by_role("button", name="Réserver ce créneau").click()
    expect(other.locator("#bk-msg")).to_contain_text(
        "Ce créneau vient d'être pris", timeout=TIMEOUT
    )
    expect(other.locator(f'input[value="{wanted}"]')).to_have_count(0)
    shot(other, "booking-slot-taken")
    other.locator(".bk-slot").first.click()
    other.get_by_role("button", name="Réserver ce créneau").click()
    _dismiss_celebration(other)
    expect(other.locator("#bk-done-title")).to_be_visible(timeout=TIMEOUT)
    shot(other, "booking-confirmation")

    # The phone's page shows the appointment in its banner (after closing the mission).
    phone.get_by_role("button", name="Retour aux missions").click()
    expect(phone.locator("#panel")).not_to_have_attribute("open", "")
    expect(phone.locator("#booking-banner")).to_contain_text("ton rendez-vous à la Mission Locale")
    phone.locator("#booking-banner").scroll_into_view_if_needed()
    shot(phone, "booking-banner")

    # Yanis is alone in his team: his booking completed its mission (celebrated above).
    # The counsellor sees both bookings, in the cohort and in « mes rendez-vous ».
    console.goto(f"{live_server.url}/console/cohortes/demo/rendez-vous")
    expect(console.locator("table")).to_contain_text("Lina")
    expect(console.locator("table")).to_contain_text("Yanis")
    expect(console.locator("table")).to_contain_text("Mehdi")  # no appointment yet
    shot(console, "booking-console-cohort")
    console.goto(f"{live_server.url}/console/rendez-vous")
    expect(console.locator("#upcoming-title")).to_contain_text("À venir (2)")
    shot(console, "booking-console-mine")
    small = browser.new_context(viewport=PHONE, locale="fr-FR")
    for cookie in laptop.cookies():
        small.add_cookies([cookie])  # type: ignore[list-item]
    console_phone = small.new_page()
    console_phone.goto(f"{live_server.url}/console/rendez-vous")
    expect(console_phone.locator("table")).to_contain_text("Lina")
    shot(console_phone, "booking-console-mine")
    console_phone.goto(f"{live_server.url}/console/cohortes/demo/rendez-vous")
    shot(console_phone, "booking-console-cohort")
    console_phone.goto(f"{live_server.url}/console/disponibilites")
    shot(console_phone, "booking-availability")

    # The manage link, opened elsewhere without signing in.
    link = phone.locator("#booking-banner a").get_attribute("href")
    assert link
    stranger = browser.new_context(viewport=PHONE, locale="fr-FR").new_page()
    stranger.goto(link)
    expect(stranger.locator("h1")).to_have_text("Ton rendez-vous")
    shot(stranger, "booking-manage")
    stranger.get_by_role("link", name="Annuler le rendez-vous").click()
    shot(stranger, "booking-cancel-confirm")
    for ctx in (laptop, phone_ctx, mate_ctx, other_ctx, small, stranger.context):
        ctx.close()
