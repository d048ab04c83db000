"""The player's journal, the recap cards, the e-mail consent form, the counsellors' digest."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import func, select

from tempo.extensions import db
from tempo.models import Player, Role, StaffAccount, TeamRecap
from tempo.services.calendar import days as calendar
from tempo.services.recaps import email_consent as player_email
from tests import recap_kit as kit
from tests.scheduler_kit import Clock
from tests.web.console_kit import staff_client, text


@dataclass
class Promo:
    """A cohort on Tempo 2050 with two teams and three players, and their phones."""

    cohort_id: int
    slug: str
    team_ids: list[int]
    comete: int
    hibou: int
    lynx: int
    phones: dict[str, FlaskClient]


@pytest.fixture
def clock(app: Flask) -> Clock:
    """The app's clock, at day 1's opening."""
    found = Clock(kit.DAY1_UNLOCK)
    app.config["CLOCK"] = found
    # The tests move the clock by hours: console sessions must outlive that.
    app.config.update(STAFF_IDLE_MINUTES=24 * 60, STAFF_SESSION_HOURS=24)
    return found


@pytest.fixture
def promo(app: Flask, clock: Clock) -> Promo:
    """Players signed in on their phones (clients whose session names them)."""
    with app.app_context():
        session = db.session
        cohort = kit.real_cohort(session)
        alpha, bravo = cohort.teams
        comete = kit.join(session, alpha, "Comète Agile", "Jessica")
        hibou = kit.join(session, alpha, "Hibou Malin")
        lynx = kit.join(session, bravo, "Lynx Vif")
        calendar.unlock_day(session, cohort.id, 1, kit.DAY1_UNLOCK)
        found = Promo(
            cohort.id,
            cohort.slug,
            [alpha.id, bravo.id],
            comete.id,
            hibou.id,
            lynx.id,
            {},
        )
        codes = {
            "comete": comete.rejoin_code,
            "hibou": hibou.rejoin_code,
            "lynx": lynx.rejoin_code,
        }
    for name, code in codes.items():
        phone = app.test_client()
        assert phone.post("/retour", data={"rejoin": code}).status_code == 302
        found.phones[name] = phone
    return found


def play_and_close(app: Flask, promo: Promo, clock: Clock) -> None:
    """Comète solves the badge, Hibou the contract; day 1 closes at 17:00."""
    with app.app_context():
        comete = db.session.get(Player, promo.comete)
        hibou = db.session.get(Player, promo.hibou)
        assert comete is not None and hibou is not None
        kit.solve(db.session, comete, "d01-badge-entree", clock.now + timedelta(hours=1))
        kit.solve(db.session, hibou, "d01-contrat", clock.now + timedelta(hours=1))
        calendar.close_day(db.session, promo.cohort_id, 1, kit.DAY1_CLOSE)
    clock.now = kit.DAY1_CLOSE + timedelta(minutes=5)


def test_the_journal_is_empty_before_day_one_closes(app: Flask, promo: Promo) -> None:
    """An empty state says when the first recap comes (local time), and the player page links."""
    page = promo.phones["comete"].get("/journal")
    assert page.status_code == 200
    body = text(page)
    assert "Ton journal est encore vide" in body
    assert "Fin du jour 1 : lundi 23 mars 2026, vers 17:00." in body
    assert 'href="/journal"' in text(promo.phones["comete"].get("/jouer"))
    assert 'id="recap-ready" class="recap-banner" hidden' in text(
        promo.phones["comete"].get("/jouer")
    )


def test_a_signed_out_visitor_is_sent_home(client: FlaskClient, promo: Promo) -> None:
    """No session, no journal and no card."""
    response = client.get("/journal")
    assert response.status_code == 302 and response.headers["Location"].endswith("/")
    assert client.get("/journal/jour-1.png").status_code == 404


def test_the_journal_keeps_each_recap_with_the_players_part(
    app: Flask, promo: Promo, clock: Clock
) -> None:
    """Missions, shards, offers with how to access them, the player's own part, the teaser."""
    play_and_close(app, promo, clock)
    game = promo.phones["comete"].get("/jouer")
    assert "📖 Ton récap du jour 1 est prêt !" in text(game)
    body = text(promo.phones["comete"].get("/journal"))
    assert 'id="jour-1"' in body and "Bienvenue chez Horizon 2050" in body
    assert "Tu as réussi 1 mission : «\u00a0Le badge d'entrée\u00a0»." in body
    assert "Le contrat de Maya" in body  # the team's missions, including Hibou's
    assert "Accès aux droits (sécurité sociale, CAF, C2S)" in body
    assert "Comment en profiter pour de vrai" in body and "Prends rendez-vous" in body
    assert "Demain commence votre période d'essai" in body
    assert 'href="/journal/jour-1.png?telecharger=1"' in body
    assert "Jessica" not in body
    # Opening the journal marks the recap as seen on this phone.
    assert 'id="recap-ready" class="recap-banner" hidden' in text(
        promo.phones["comete"].get("/jouer")
    )
    hibou = text(promo.phones["hibou"].get("/journal"))
    assert "Grâce à toi, l'équipe a découvert 1 offre" in hibou


def test_cards_are_served_only_to_their_player_and_team(
    app: Flask, promo: Promo, clock: Clock
) -> None:
    """The player's card and their team's card: 1080 × 1920 PNG, private; a download option."""
    play_and_close(app, promo, clock)
    phone = promo.phones["comete"]
    mine = phone.get("/journal/jour-1.png")
    assert mine.status_code == 200 and mine.mimetype == "image/png"
    assert mine.headers["Cache-Control"].startswith("private")
    assert Image.open(io.BytesIO(mine.data)).size == (1080, 1920)
    again = phone.get("/journal/jour-1.png")
    assert again.data == mine.data  # drawn once, then read from the cache
    download = phone.get("/journal/jour-1.png?telecharger=1")
    assert download.headers["Content-Disposition"] == 'attachment; filename="tempo-jour-1.png"'
    team = phone.get("/journal/jour-1-equipe.png")
    assert team.status_code == 200 and team.data != mine.data
    # Lynx's phone gets Lynx's own card (the URL names no player), never Comète's.
    lynx = promo.phones["lynx"].get("/journal/jour-1.png")
    assert lynx.status_code == 200 and lynx.data != mine.data
    assert phone.get("/journal/jour-2.png").status_code == 404


def test_giving_an_address_needs_a_valid_email_and_consent(app: Flask, promo: Promo) -> None:
    """Bad input is refused in French and keeps what was typed; withdrawal forgets the address."""
    phone = promo.phones["comete"]
    bad = phone.post("/journal/e-mail", data={"email": "jessica@", "consent": "1"})
    assert bad.status_code == 400
    assert "ne semble pas valide" in text(bad) and 'value="jessica@"' in text(bad)
    no_consent = phone.post("/journal/e-mail", data={"email": "jessica@example.org"})
    assert no_consent.status_code == 400 and "Coche la case" in text(no_consent)
    with app.app_context():
        player = db.session.get(Player, promo.comete)
        assert player is not None and player.email is None and not player.email_consent

    ok = phone.post("/journal/e-mail", data={"email": " Jessica@Example.ORG ", "consent": "1"})
    assert ok.status_code == 302
    with app.app_context():
        player = db.session.get(Player, promo.comete)
        assert player is not None
        assert (player.email, player.email_consent) == ("Jessica@example.org", True)
        assert player.email_consent_at == kit.DAY1_UNLOCK
    page = text(phone.get("/journal"))
    assert "Tes récaps sont envoyés chaque soir à" in page and "Jessica@example.org" in page
    assert "Ne plus recevoir mes récaps par e-mail" in page

    assert phone.post("/journal/e-mail/arret").status_code == 302
    with app.app_context():
        player = db.session.get(Player, promo.comete)
        assert player is not None and player.email is None and not player.email_consent


def test_the_stop_link_of_an_email_works_without_signing_in(
    app: Flask, promo: Promo, client: FlaskClient
) -> None:
    """GET asks (mail scanners follow links), POST stops; a forged or stale link stops nothing."""
    promo.phones["comete"].post(
        "/journal/e-mail", data={"email": "jessica@example.org", "consent": "1"}
    )
    with app.app_context():
        player = db.session.get(Player, promo.comete)
        assert player is not None
        token = player_email.unsubscribe_token(app.config["SECRET_KEY"], player)
    assert "jessica" not in token.lower()  # the link does not show the address
    asked = client.get(f"/recaps/arret/{token}")
    assert asked.status_code == 200 and "Ne plus recevoir mes récaps" in text(asked)
    with app.app_context():
        assert db.session.get(Player, promo.comete).email_consent  # type: ignore[union-attr]
    assert client.get(f"/recaps/arret/{token}x").status_code == 404
    done = client.post(f"/recaps/arret/{token}")
    assert "C'est fait" in text(done)
    with app.app_context():
        player = db.session.get(Player, promo.comete)
        assert player is not None and player.email is None
    # The same link later, after a new address was given, leaves the new address alone.
    promo.phones["comete"].post(
        "/journal/e-mail", data={"email": "nouvelle@example.org", "consent": "1"}
    )
    client.post(f"/recaps/arret/{token}")
    with app.app_context():
        player = db.session.get(Player, promo.comete)
        assert player is not None and player.email == "nouvelle@example.org"


def _counsellor(app: Flask, promo: Promo) -> FlaskClient:
    browser, account_id = staff_client(app, Role.COUNSELLOR, "Inès")
    with app.app_context():
        from tempo.models import Cohort

        cohort = db.session.get(Cohort, promo.cohort_id)
        account = db.session.get(StaffAccount, account_id)
        assert cohort is not None and account is not None
        cohort.counsellors.append(account)
        db.session.commit()
    return browser


def test_the_console_lists_each_teams_recap_by_day(app: Flask, promo: Promo, clock: Clock) -> None:
    """Cohort → Récaps: empty state, then each team's line; cards; other counsellors see 404."""
    counsellor = _counsellor(app, promo)
    page = f"/console/cohortes/{promo.slug}/recaps"
    before = text(counsellor.get(page))
    assert "Aucun récap pour l'instant" in before and "Clôturer et envoyer les récaps" in before
    play_and_close(app, promo, clock)
    body = text(counsellor.get(page))
    assert "Jour 1 : Bienvenue chez Horizon 2050" in body
    assert "Alpha" in body and "Bravo" in body and "2 sur 2" in body
    assert "Accès aux droits (sécurité sociale, CAF, C2S)" in body
    card = counsellor.get(
        f"/console/cohortes/{promo.slug}/recaps/jour-1/equipe-{promo.team_ids[0]}.png"
    )
    assert card.status_code == 200 and Image.open(io.BytesIO(card.data)).size == (1080, 1920)
    assert (
        counsellor.get(f"/console/cohortes/{promo.slug}/recaps/jour-1/equipe-9999.png").status_code
        == 404
    )
    stranger, _ = staff_client(app, Role.COUNSELLOR, "Autre")
    assert stranger.get(page).status_code == 404
    assert promo.phones["comete"].get(page).status_code == 302  # players never reach the console


def test_a_counsellor_closes_the_day_and_recaps_come_once(
    app: Flask, promo: Promo, clock: Clock
) -> None:
    """The close button produces the recaps; pressing it again says they already exist."""
    counsellor = _counsellor(app, promo)
    clock.now = kit.DAY1_CLOSE - timedelta(hours=1)
    url = f"/console/cohortes/{promo.slug}/recaps/clore"
    done = counsellor.post(url, data={"day": "1"}, follow_redirects=True)
    assert "Jour 1 clôturé : les récaps des équipes et des joueurs sont prêts." in text(done)
    again = counsellor.post(url, data={"day": "1"}, follow_redirects=True)
    assert "Le jour 1 était déjà clôturé" in text(again)
    refused = counsellor.post(url, data={"day": "4"}, follow_redirects=True)
    assert "Le jour 4 n'a pas encore été ouvert" in text(refused)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(TeamRecap)) == 2
    assert "Ton récap du jour 1 est prêt" in text(promo.phones["lynx"].get("/jouer"))
