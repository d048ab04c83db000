"""A real team playing Tempo 2050 through the services, day by day, on a known calendar.

The cohort « promo-test » starts on Monday 23 March 2026 (Europe/Paris, weekends played): day N
opens at its scheduled 09:30 and its missions are played an hour later, each action by the
next player in turn — except on `late_day`, played the next morning at 08:00, before the next
day opens. On day 10 every player answers the whole self-diagnostic, which completes the
closing diagnostic mission. Answers come from the content (tests/engine/kit.py's dialogue
solver), so this follows the scenario when it changes.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import select

from tempo.engine.team import AVAILABLE, IN_PROGRESS
from tempo.extensions import db
from tempo.models import Cohort, CohortDay, CohortStatus, Player, Role, Team
from tempo.services.calendar import days as calendar_service
from tempo.services.cohorts import dashboard
from tempo.services.cohorts.admin import create_cohort
from tempo.services.content import games
from tempo.services.content.publishing import load_valid_content, publish
from tempo.services.diagnostic import runs as diagnostics
from tempo.services.play import actions as play
from tempo.services.play.players import join_team
from tempo.services.staff.accounts import create_staff
from tests.conftest import CONTENT_DIR
from tests.engine.kit import dialogue_path

START = date(2026, 3, 23)
NAMES = ("Inès", "Bilal", "Chloé")

# Answers that make « mobilité » the first priority and « logement » the second.
PRIORITY_ANSWERS = {
    "mobilite": ("oui-vraiment", "tout-a-fait"),
    "logement": ("un-peu", "plutot-oui"),
}


@dataclass
class Played:
    """What the playthrough did, for tests to check the bilan against."""

    cohort_id: int
    slug: str
    team_id: int
    players: list[int]
    counsellor_id: int
    opened: dict[int, datetime] = field(default_factory=dict)
    completed_by: dict[str, int] = field(default_factory=dict)
    hints_by: dict[int, int] = field(default_factory=dict)
    wrong_by: dict[int, int] = field(default_factory=dict)
    wrong_mission: str | None = None


def diagnostic_answer(flow: Any, question_id: str, answers: dict[str, str]) -> str:
    """The answer a test player gives: needs in mobility and housing, nothing elsewhere."""
    step = flow.steps[question_id]
    wanted = PRIORITY_ANSWERS.get(step.family.id)
    if wanted is None:
        return "pas-pour-l-instant" if step.screening else step.scale.options[-1].value
    screening_value, detail_value = wanted
    if step.screening:
        return screening_value
    values = [o.value for o in step.scale.options]
    return detail_value if detail_value in values else values[0]


def take_diagnostic(
    player: Player,
    now: datetime,
    choose: Callable[[Any, str, dict[str, str]], str] = diagnostic_answer,
) -> diagnostics.Answered:
    """Answer a whole diagnostic run for `player`, one question after another."""
    diagnostics.start(db.session, player, now)
    flow = diagnostics.flow_for(player.team.cohort.scenario_version)
    answers: dict[str, str] = {}
    question = diagnostics.resume_point(db.session, player)
    result = None
    while question is not None:
        value = choose(flow, question, answers)
        answers[question] = value
        result = diagnostics.answer(db.session, player, question, value, now)
        question = result.next_question
    assert result is not None and result.finished_run is not None
    return result


def _actions(game: Any, state: Any, mission_id: str) -> Iterator[tuple[str, dict[str, Any]]]:
    m = game.missions[mission_id]
    p = m.params
    if m.type in ("enigma", "split-clue"):
        yield "answer", {"answer": p["answers"][0]}
    elif m.type == "code-lock":
        yield "try", {"code": p["code"]}
    elif m.type == "quiz":
        answers = [
            [i for i, c in enumerate(q["choices"]) if c.get("correct")] for q in p["questions"]
        ]
        yield "submit", {"answers": answers}
    elif m.type == "dialogue":
        for index in dialogue_path(p, p["start"], dict(state.flags)):
            yield "choose", {"choice": index}
    elif m.type == "proof":
        yield "submit", {"text": "Notre preuve.", "photo": "0123456789abcdef0123456789abcdef.jpg"}
    elif m.type == "qr-checkpoint":
        for checkpoint in p["checkpoints"]:
            yield "scan", {"checkpoint": checkpoint["id"]}
    else:  # pragma: no cover - appointment and diagnostic are played by every player below
        raise AssertionError(m.type)


def play_through(
    app: Flask,
    *,
    late_day: int = 6,
    wrong_player: int = 0,
    hint_player: int = 1,
    diagnostic_players: tuple[int, ...] = (0, 1, 2),
) -> Played:
    """Create the cohort, play its ten days, and have `diagnostic_players` finish day 10."""
    ids = itertools.count()
    with app.app_context():
        session = db.session
        content = load_valid_content(CONTENT_DIR)
        counsellor = create_staff(
            session, "conseil@promo.test", "Conseillère test", Role.COUNSELLOR, "mot-de-passe-x"
        )
        version = publish(session, content, "tempo-2050", _at(START, 8))
        cohort = create_cohort(
            session,
            version,
            slug="promo-test",
            name="Promo test",
            start=START,
            team_names=("Les Comètes",),
            counsellors=[counsellor],
        )
        cohort.status = CohortStatus.RUNNING
        session.commit()
        team = cohort.teams[0]
        played = Played(cohort.id, cohort.slug, team.id, [], counsellor.id)
        joined_at = _at(START, 8)
        for name in NAMES:
            played.players.append(join_team(session, team.id, name, joined_at).player.id)
        game = games.cohort_game(cohort)
        days = {
            d.number: d
            for d in session.scalars(select(CohortDay).where(CohortDay.cohort_id == cohort.id))
        }
        turn = itertools.count()
        for number in range(1, 11):
            opening = days[number].unlock_at
            calendar_service.unlock_day(session, cohort.id, number, opening)
            played.opened[number] = opening
            when = opening + timedelta(hours=1)
            if number == late_day:
                local_next = days[number].date + timedelta(days=1)
                when = _at(local_next, 8)
            while True:
                team = session.get(Team, played.team_id)
                assert team is not None
                state = play.team_state(session, team, when)
                todo = [
                    m
                    for m, status in game.statuses(state).items()
                    if status in (AVAILABLE, IN_PROGRESS)
                    and game.day_of[m] == number
                    and game.missions[m].type != "diagnostic"
                ]
                if not todo:
                    break
                mission_id = todo[0]
                mission = game.missions[mission_id]
                actor = played.players[next(turn) % len(played.players)]
                if mission.type == "appointment":
                    for pid in played.players:
                        reply = play.perform_as(
                            session,
                            pid,
                            f"t{next(ids)}",
                            mission_id,
                            "booked",
                            {},
                            when,
                            played.players,
                        )
                        assert reply.ok, reply.error
                    played.completed_by[mission_id] = played.players[-1]
                    continue
                affordable = mission.hints and mission.hints[0].cost <= state.shards
                if affordable and hint_player is not None and not played.hints_by:
                    by = played.players[hint_player]
                    reply = play.buy_hint(
                        session, session.get(Player, by), f"t{next(ids)}", mission_id, 0, when
                    )
                    assert reply.ok, reply.error
                    played.hints_by[by] = played.hints_by.get(by, 0) + 1
                if mission.type == "enigma" and wrong_player is not None and not played.wrong_by:
                    by = played.players[wrong_player]
                    reply = play.perform_as(
                        session,
                        by,
                        f"t{next(ids)}",
                        mission_id,
                        "answer",
                        {"answer": "pas du tout ça"},
                        when,
                        played.players,
                    )
                    assert not reply.ok
                    played.wrong_by[by] = 1
                    played.wrong_mission = mission_id
                # Dialogues and quizzes are decided by a vote of the present players: the bilan
                # is about who did what, so the actor plays them alone (a vote of one decides).
                voting = mission.type in ("dialogue", "quiz")
                present = [actor] if voting else played.players
                for kind, data in list(_actions(game, state, mission_id)):
                    reply = play.perform_as(
                        session,
                        actor,
                        f"t{next(ids)}",
                        mission_id,
                        kind,
                        data,
                        when,
                        present,
                    )
                    assert reply.ok, (mission_id, kind, reply.error)
                    team = session.get(Team, played.team_id)
                    assert team is not None
                    state = play.team_state(session, team, when)
                if mission.type == "proof":
                    cohort = session.get(Cohort, played.cohort_id)
                    dashboard.review_proof(
                        session, cohort, played.team_id, mission_id, True, "Bravo", when
                    )
                played.completed_by[mission_id] = actor
        finish = played.opened[10] + timedelta(hours=2)
        for index in diagnostic_players:
            take_diagnostic(session.get(Player, played.players[index]), finish)
        return played


def _at(day: date, hour: int) -> datetime:
    """`hour` o'clock on `day` in Europe/Paris, as an aware instant."""
    from zoneinfo import ZoneInfo

    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=ZoneInfo("Europe/Paris"))
