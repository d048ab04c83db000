"""Daily recaps on SQLite and PostgreSQL: what they hold, once per team and day, fast to close."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from PIL import Image
from sqlalchemy import Engine, event, func, select
from sqlalchemy.orm import Session

from tempo.infra.transactions import write_transaction
from tempo.models import Player, PlayerRecap, RecapDigest, TeamEvent, TeamRecap
from tempo.services.calendar import days as calendar
from tempo.services.recaps import cards as recap_cards
from tempo.services.recaps import produce as recaps
from tempo.services.recaps.cards import HEIGHT, WIDTH, render
from tests import recap_kit as kit

T1 = kit.DAY1_UNLOCK + timedelta(hours=1)


def counts(session: Session) -> tuple[int, int, int, int]:
    """(team recaps, player recaps, digests, recap.ready events)."""
    session.expire_all()
    return (
        session.scalar(select(func.count()).select_from(TeamRecap)) or 0,
        session.scalar(select(func.count()).select_from(PlayerRecap)) or 0,
        session.scalar(select(func.count()).select_from(RecapDigest)) or 0,
        session.scalar(
            select(func.count()).select_from(TeamEvent).where(TeamEvent.type == "recap.ready")
        )
        or 0,
    )


def recap_of(session: Session, team_id: int, day: int) -> TeamRecap:
    """A team's recap row."""
    found = session.scalar(
        select(TeamRecap).where(TeamRecap.team_id == team_id, TeamRecap.day == day)
    )
    assert found is not None
    return found


def mine(session: Session, player_id: int, day: int) -> dict[str, object]:
    """A player's recap data."""
    found = session.scalar(
        select(PlayerRecap).where(PlayerRecap.player_id == player_id, PlayerRecap.day == day)
    )
    assert found is not None
    return dict(found.data)


def test_a_closed_day_gives_each_team_and_player_their_recap(session: Session) -> None:
    """Missions, shards, offers (with how to access them), hints, each one's part, the teaser."""
    cohort = kit.real_cohort(session)
    alpha, bravo = cohort.teams
    comete = kit.join(session, alpha, "Comète Agile")
    hibou = kit.join(session, alpha, "Hibou Malin")
    lynx = kit.join(session, bravo, "Lynx Vif")
    calendar.unlock_day(session, cohort.id, 1, kit.DAY1_UNLOCK)
    kit.solve(session, comete, "d01-badge-entree", T1)
    kit.wrong(session, hibou, "d01-annuaire", T1)
    kit.hint(session, comete, "d01-contrat", T1)
    kit.solve(session, hibou, "d01-contrat", T1)

    out = calendar.close_day(session, cohort.id, 1, kit.DAY1_CLOSE)

    ready = {
        team_id: [e for e in events if e["type"] == "recap.ready"]
        for team_id, events in out.items()
    }
    assert ready[alpha.id] == [
        {
            "version": ready[alpha.id][0]["version"],
            "type": "recap.ready",
            "day": 1,
            "title": "Bienvenue chez Horizon 2050",
            "missions": 2,
            "shards": 21,
            "offers": 1,
        }
    ]
    assert ready[bravo.id][0]["missions"] == 0
    team = recap_of(session, alpha.id, 1).data
    assert [(m["id"], m["by"]) for m in team["missions"]] == [
        ("d01-badge-entree", comete.id),
        ("d01-contrat", hibou.id),
    ]
    assert (team["shards_earned"], team["shards_spent"], team["hints"]) == (21, 2, 1)
    assert [o["id"] for o in team["offers"]] == ["acces-droits"]
    assert team["teaser"].startswith("Demain commence votre période d'essai")
    assert (team["players"], team["active_players"], team["next_day"]) == (2, 2, 2)

    assert mine(session, comete.id, 1) | {"active": True} == {
        "missions": ["d01-badge-entree"],
        "offers": [],
        "shards_earned": 6,
        "hint_missions": ["d01-contrat"],
        "hints": 1,
        "checkpoints": 0,
        "proofs": 0,
        "attempts": 0,
        "steps": 0,
        "active": True,
    }
    hibou_data = mine(session, hibou.id, 1)
    assert hibou_data["missions"] == ["d01-contrat"]
    assert hibou_data["offers"] == ["acces-droits"]
    assert hibou_data["attempts"] == 1
    assert mine(session, lynx.id, 1)["active"] is False
    assert counts(session) == (2, 3, 1, 2)


def test_each_recap_covers_what_happened_since_the_previous_close(session: Session) -> None:
    """A day-1 mission finished on day 2 counts in day 2's recap, never twice."""
    cohort = kit.real_cohort(session)
    alpha = cohort.teams[0]
    comete = kit.join(session, alpha, "Comète Agile")
    calendar.unlock_day(session, cohort.id, 1, kit.DAY1_UNLOCK)
    kit.solve(session, comete, "d01-badge-entree", T1)
    calendar.close_day(session, cohort.id, 1, kit.DAY1_CLOSE)
    # After day 1 closed its missions stay playable: the evening and the next day count for day 2.
    kit.solve(session, comete, "d01-annuaire", kit.DAY1_CLOSE + timedelta(hours=3))
    calendar.unlock_day(session, cohort.id, 2, kit.DAY2_UNLOCK)
    kit.solve(session, comete, "d02-casier", kit.DAY2_UNLOCK + timedelta(hours=1))
    calendar.close_day(session, cohort.id, 2, kit.DAY2_CLOSE)

    day1, day2 = recap_of(session, alpha.id, 1).data, recap_of(session, alpha.id, 2).data
    assert [m["id"] for m in day1["missions"]] == ["d01-badge-entree"]
    assert [m["id"] for m in day2["missions"]] == ["d01-annuaire", "d02-casier"]
    assert [o["id"] for o in day2["offers"]] == ["decouverte-metiers", "competences-numeriques"]
    assert day2["since"] == kit.DAY1_CLOSE.isoformat()
    assert mine(session, comete.id, 2)["shards_earned"] == 9 + 7


def test_closing_again_or_catching_up_produces_nothing_more(session: Session) -> None:
    """A repeated close, a catch-up and a later close of another day leave day 1's recaps alone."""
    cohort = kit.real_cohort(session)
    kit.join(session, cohort.teams[0], "Comète Agile")
    calendar.close_day(session, cohort.id, 1, kit.DAY1_CLOSE)
    assert counts(session) == (2, 1, 1, 2)
    assert calendar.close_day(session, cohort.id, 1, kit.DAY1_CLOSE + timedelta(minutes=5)) == {}
    calendar.apply_due(session, cohort.id, kit.DAY1_CLOSE + timedelta(hours=1))
    assert counts(session) == (2, 1, 1, 2)
    calendar.apply_due(session, cohort.id, kit.DAY2_CLOSE)
    assert counts(session) == (4, 2, 2, 4)


@pytest.fixture
def statements(engine: Engine) -> Iterator[list[str]]:
    """The SQL statements run on the engine while the test records (list cleared by the test)."""
    seen: list[str] = []

    def record(conn: object, cursor: object, statement: str, *args: object) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


def test_closing_a_day_costs_the_same_statements_for_3_or_30_teams(
    session: Session, statements: list[str]
) -> None:
    """The recaps of a whole cohort are read and written in batches, not team by team."""
    costs = []
    for size in (3, 30):
        cohort = kit.real_cohort(session, teams=tuple(f"Équipe {i}" for i in range(size)))
        for team in cohort.teams:
            for n in range(4):
                kit.join(session, team, f"Joueur {team.id}-{n}")
        calendar.unlock_day(session, cohort.id, 1, kit.DAY1_UNLOCK)
        statements.clear()
        calendar.close_day(session, cohort.id, 1, kit.DAY1_CLOSE)
        # Each team's versioned events (day.closed, recap.ready) are one row each, as before;
        # everything else — reading the day's play, writing the recaps — is batched.
        batched = [
            s
            for s in statements
            if not s.lstrip().upper().startswith(("INSERT INTO TEAM_EVENT", "UPDATE TEAM SET"))
        ]
        costs.append(len(batched))
    assert costs[1] <= costs[0] + 2, costs


def test_journal_lists_the_players_recaps_newest_first(session: Session, app: Flask) -> None:
    """Own recaps with French sentences; days before joining show the team's recap alone."""
    cohort = kit.real_cohort(session)
    alpha = cohort.teams[0]
    comete = kit.join(session, alpha, "Comète Agile")
    calendar.unlock_day(session, cohort.id, 1, kit.DAY1_UNLOCK)
    kit.solve(session, comete, "d01-badge-entree", T1)
    calendar.close_day(session, cohort.id, 1, kit.DAY1_CLOSE)
    late = kit.join(session, alpha, "Nova Tenace")
    calendar.apply_due(session, cohort.id, kit.DAY2_CLOSE)
    session.expire_all()

    with app.app_context():
        comete_row = session.get(Player, comete.id)
        assert comete_row is not None
        entries = recaps.journal(session, comete_row)
        assert [e.day for e in entries] == [2, 1]
        day1 = entries[1]
        assert day1.pseudonym == "Comète Agile" and day1.team_name == "Alpha"
        assert [m.title for m in day1.my_missions] == ["Le badge d'entrée"]
        lines = recaps.personal_lines(day1)
        assert lines[0] == "Tu as réussi 1 mission : «\u00a0Le badge d'entrée\u00a0»."
        assert "Tu as rapporté 6 éclats d'avenir à ton équipe." in lines
        assert recaps.personal_lines(entries[0]) == [
            "Tu n'as pas joué ce jour-là : ton équipe compte sur toi pour la suite !"
        ]
        late_row = session.get(Player, late.id)
        assert late_row is not None
        late_entries = recaps.journal(session, late_row)
        assert [(e.day, e.personal is None) for e in late_entries] == [(2, False), (1, True)]


def test_the_card_is_a_phone_story_with_no_personal_data(session: Session, app: Flask) -> None:
    """1080 × 1920 PNG; the pseudonym and team are there, never the first name or the e-mail."""
    cohort = kit.real_cohort(session)
    comete = kit.join(session, cohort.teams[0], "Comète Agile", "Jessica", "jessica@example.org")
    calendar.unlock_day(session, cohort.id, 1, kit.DAY1_UNLOCK)
    kit.solve(session, comete, "d01-badge-entree", T1)
    calendar.close_day(session, cohort.id, 1, kit.DAY1_CLOSE)
    with app.app_context():
        player = session.get(Player, comete.id)
        assert player is not None
        view = recaps.player_recap(session, player, 1)
        assert view is not None
        card = recaps.card_of(view)
        texts = " ".join(card.texts())
        assert "Comète Agile" in texts and "Alpha" in texts and "JOUR 1 / 10" in texts
        assert "Jessica" not in texts and "jessica" not in texts.lower()
        data = render(card)
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG" and image.size == (WIDTH, HEIGHT) == (1080, 1920)
    assert not image.info.get("text") and b"Jessica" not in data and b"example.org" not in data
    # Something is drawn: the picture is far from a single colour.
    assert len(image.convert("RGB").getcolors(maxcolors=1_000_000) or []) > 100


def test_rows_vanish_with_their_cohort(session: Session) -> None:
    """Recaps belong to the cohort: deleting it deletes them (retention, purge)."""
    cohort = kit.real_cohort(session)
    kit.join(session, cohort.teams[0], "Comète Agile")
    calendar.close_day(session, cohort.id, 1, kit.DAY1_CLOSE)
    with write_transaction(session):
        session.delete(session.get(type(cohort), cohort.id))
    assert counts(session)[:3] == (0, 0, 0)


@pytest.mark.parametrize("first", [0, 1, 2, 3, 4, 5, 6, 7, 8])
def test_a_card_never_drops_list_items_silently(
    first: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever room is left, a list shows all its items or ends with « … et N de plus »."""
    drawn: list[str] = []
    original = recap_cards._Canvas.text

    def record(self, at, text, font, fill):  # type: ignore[no-untyped-def]
        drawn.append(text)
        return original(self, at, text, font, fill)

    monkeypatch.setattr(recap_cards._Canvas, "text", record)
    tone = next(iter(recap_cards.TONES))
    lists = (
        ("Ta part", tuple(f"Moi {n}" for n in range(first)), tone),
        ("Missions", tuple(f"Mission {n}" for n in range(6)), tone),
        ("Offres", tuple(f"Offre {n}" for n in range(6)), tone),
    )
    card = recap_cards.Card(
        kicker="TEMPO 2050",
        day_label="JOUR 3 / 10",
        title="Le jour des contrats",
        who="Comète",
        team="Les Chronos",
        stats=(("3", "missions"), ("40", "éclats"), ("2", "offres")),
        ai_label="KRONOS : 300 / 400",
        ai_fraction=0.75,
        sections=lists,
        teaser_title="Demain",
        teaser="Une longue journée vous attend, avec un rendez-vous important.",
        footer="tempo",
        more="… et {n} de plus",
    )
    recap_cards.render(card)
    for heading, items, _tone in lists:
        if not items or heading not in drawn:
            continue
        after = drawn[drawn.index(heading) + 1 :]
        shown = [i for i in items if i in after]
        if len(shown) < len(items):
            more = f"… et {len(items) - len(shown)} de plus"
            assert more in after, (heading, shown, after)
