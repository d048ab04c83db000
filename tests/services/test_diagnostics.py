"""The self-diagnostic service: runs saved answer by answer, resume, scores, the closing mission."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from tempo.extensions import db
from tempo.models import (
    Cohort,
    DiagnosticAnswer,
    MissionProgress,
    MissionStatus,
    Player,
    utcnow,
)
from tempo.services.calendar import days as calendar_service
from tempo.services.cohorts import dashboard
from tempo.services.diagnostic import bilan
from tempo.services.diagnostic import runs as diagnostics
from tests.conftest import Demo
from tests.services.playthrough import take_diagnostic

CLOSING = "d10-auto-diagnostic"
SKIP = "je-prefere-ne-pas-repondre"


@dataclass
class Team3:
    """Three players of the demo's first team, with every day open."""

    app: Flask
    demo: Demo
    ids: list[int]

    def player(self, index: int) -> Player:
        """A player, loaded in the current app context."""
        found = db.session.get(Player, self.ids[index])
        assert found is not None
        return found


@pytest.fixture
def team3(app: Flask, demo: Demo) -> Iterator[Team3]:
    """The demo cohort with days 1 to 10 open and three players in « Les Comètes »."""
    codes = [demo.join(0, name) for name in ("Inès", "Bilal", "Chloé")]
    with app.app_context():
        ids = [db.session.scalar(select(Player.id).where(Player.rejoin_code == c)) for c in codes]
        for number in range(2, 11):
            calendar_service.unlock_day(db.session, demo.cohort_id, number, utcnow())
        yield Team3(app, demo, [i for i in ids if i is not None])


def _mission(team_id: int, mission_id: str = CLOSING) -> MissionProgress | None:
    db.session.expire_all()
    return db.session.scalar(
        select(MissionProgress).where(
            MissionProgress.team_id == team_id, MissionProgress.mission_id == mission_id
        )
    )


def test_start_is_idempotent_and_begins_with_the_first_screening(team3: Team3) -> None:
    """Opening the diagnostic twice gives the same run, waiting on the first screening question."""
    me = team3.player(0)
    first = diagnostics.start(db.session, me, utcnow())
    again = diagnostics.start(db.session, me, utcnow())
    assert first.id == again.id
    flow = diagnostics.flow_for(me.team.cohort.scenario_version)
    assert diagnostics.resume_point(db.session, me) == flow.families[0].screening.id


def test_answers_are_saved_one_by_one_and_reopening_resumes_at_the_next(team3: Team3) -> None:
    """After three answers and a « lost » phone, the run resumes at the fourth question."""
    me = team3.player(0)
    diagnostics.start(db.session, me, utcnow())
    flow = diagnostics.flow_for(me.team.cohort.scenario_version)
    emploi = flow.families[0]
    diagnostics.answer(db.session, me, emploi.screening.id, "oui-vraiment", utcnow())
    diagnostics.answer(db.session, me, emploi.questions[0].id, "tout-a-fait", utcnow())
    step = diagnostics.answer(db.session, me, emploi.questions[1].id, "plutot-non", utcnow())
    assert step.next_question == emploi.questions[2].id and step.finished_run is None
    db.session.remove()  # a new request, as from another phone
    me = team3.player(0)
    assert diagnostics.resume_point(db.session, me) == emploi.questions[2].id
    status = diagnostics.status(db.session, me)
    assert status.in_progress and status.answered == 3 and status.finished == 0
    screen = diagnostics.screen(db.session, me, emploi.questions[2].id)
    assert screen.position == 4 and screen.previous == emploi.questions[1].id
    assert screen.estimate and screen.total >= 20


def test_bad_answers_are_refused_and_lose_nothing(team3: Team3) -> None:
    """An unknown value or a question ahead of the path is refused; saved answers stay."""
    me = team3.player(0)
    diagnostics.start(db.session, me, utcnow())
    flow = diagnostics.flow_for(me.team.cohort.scenario_version)
    first, second = flow.families[0].screening.id, flow.families[1].screening.id
    diagnostics.answer(db.session, me, first, "pas-pour-l-instant", utcnow())
    with pytest.raises(diagnostics.DiagnosticError) as bad_value:
        diagnostics.answer(db.session, me, second, "tout-a-fait", utcnow())
    assert bad_value.value.code == "invalid_answer"
    with pytest.raises(diagnostics.DiagnosticError) as ahead:
        diagnostics.answer(db.session, me, flow.families[3].screening.id, "un-peu", utcnow())
    assert ahead.value.code == "not_reachable"
    with pytest.raises(diagnostics.DiagnosticError):
        diagnostics.screen(db.session, me, flow.families[3].screening.id)
    assert diagnostics.resume_point(db.session, me) == second
    run = diagnostics.open_run(db.session, me)
    assert run is not None and diagnostics.answers_of(run) == {first: "pas-pour-l-instant"}


def test_going_back_and_changing_an_answer_keeps_one_answer(team3: Team3) -> None:
    """Back to the screening, opening the family: one row changes and its questions come next."""
    me = team3.player(0)
    diagnostics.start(db.session, me, utcnow())
    flow = diagnostics.flow_for(me.team.cohort.scenario_version)
    emploi = flow.families[0]
    step = diagnostics.answer(db.session, me, emploi.screening.id, "pas-pour-l-instant", utcnow())
    assert step.next_question == flow.families[1].screening.id
    step = diagnostics.answer(db.session, me, emploi.screening.id, "un-peu", utcnow())
    assert step.next_question == emploi.questions[0].id
    rows = db.session.scalar(select(func.count()).select_from(DiagnosticAnswer))
    assert rows == 1


def _skip_sensitive(flow: Any, question_id: str, answers: dict[str, str]) -> str:
    """Open every family, agree with everything, and skip every question that allows it."""
    step = flow.steps[question_id]
    values = [o.value for o in step.scale.options]
    if SKIP in values:
        return SKIP
    return values[0]


def test_finishing_scores_families_without_the_skipped_answers(team3: Team3) -> None:
    """A run answered at the strongest need everywhere, sensitive questions skipped: 100 each."""
    me = team3.player(0)
    done = take_diagnostic(me, utcnow(), _skip_sensitive)
    found = diagnostics.results(db.session, me)
    assert found is not None and found.run_id == done.finished_run
    assert {f.score for f in found.families} == {100}
    assert sum(f.skipped for f in found.families) == 6  # the six « fréquence » questions
    assert all(f.delta is None for f in found.families) and found.number == 1
    emploi = next(f for f in found.families if f.id == "emploi")
    assert [o.id for o in emploi.offers][:2] == ["cej", "cv-entretien"]
    assert emploi.offers[0].access  # how to access it for real


def test_the_closing_mission_completes_when_every_present_player_finished(team3: Team3) -> None:
    """Two of three finished: still open (their teammates see it); the third completes it."""
    team_id = team3.demo.team_ids[0]
    first = take_diagnostic(team3.player(0), utcnow())
    assert [e["type"] for e in first.events] == ["mission.updated"]
    assert first.events[0]["by"] == team3.ids[0]
    take_diagnostic(team3.player(1), utcnow())
    progress = _mission(team_id)
    assert progress is not None and progress.status == MissionStatus.IN_PROGRESS
    assert progress.state["completed_by"] == [str(i) for i in team3.ids[:2]]
    last = take_diagnostic(team3.player(2), utcnow())
    assert "mission.completed" in [e["type"] for e in last.events]
    progress = _mission(team_id)
    assert progress is not None and progress.status == MissionStatus.DONE
    assert progress.completed_by_id == team3.ids[2]
    for index in range(3):
        assert diagnostics.status(db.session, team3.player(index)).closing_done
        assert bilan.available(db.session, team3.player(index))


def test_absent_players_are_not_waited_for(team3: Team3) -> None:
    """A player marked absent before: the two others complete the mission."""
    cohort = db.session.get(Cohort, team3.demo.cohort_id)
    assert cohort is not None
    dashboard.set_absent(db.session, cohort, team3.ids[2], True, utcnow())
    take_diagnostic(team3.player(0), utcnow())
    done = take_diagnostic(team3.player(1), utcnow())
    assert "mission.completed" in [e["type"] for e in done.events]


def test_marking_the_last_one_absent_completes_the_mission(team3: Team3) -> None:
    """Two finished and the third leaves: the recheck after marking them absent completes it."""
    team_id = team3.demo.team_ids[0]
    take_diagnostic(team3.player(0), utcnow())
    take_diagnostic(team3.player(1), utcnow())
    assert diagnostics.recheck_team(db.session, team_id, utcnow()) == []
    cohort = db.session.get(Cohort, team3.demo.cohort_id)
    assert cohort is not None
    dashboard.set_absent(db.session, cohort, team3.ids[2], True, utcnow())
    events = diagnostics.recheck_team(db.session, team_id, utcnow())
    assert "mission.completed" in [e["type"] for e in events]
    progress = _mission(team_id)
    assert progress is not None and progress.status == MissionStatus.DONE
    assert diagnostics.recheck_team(db.session, team_id, utcnow()) == []


def test_a_late_finisher_still_gets_the_closing_diagnostic(team3: Team3) -> None:
    """After the mission is done (one present), another player's run still counts for them."""
    cohort = db.session.get(Cohort, team3.demo.cohort_id)
    assert cohort is not None
    for index in (1, 2):
        dashboard.set_absent(db.session, cohort, team3.ids[index], True, utcnow())
    take_diagnostic(team3.player(0), utcnow())
    dashboard.set_absent(db.session, cohort, team3.ids[1], False, utcnow())
    late = take_diagnostic(team3.player(1), utcnow())
    assert late.events == []  # the team's mission was already done
    assert diagnostics.status(db.session, team3.player(1)).closing_done


def _choose(needs: dict[str, tuple[str, int]]) -> Any:
    """Screening value and the option index (0: strongest need) for each family's details."""

    def choose(flow: Any, question_id: str, answers: dict[str, str]) -> str:
        step = flow.steps[question_id]
        wanted = needs.get(step.family.id)
        if wanted is None:
            return "pas-pour-l-instant" if step.screening else step.scale.options[-1].value
        return wanted[0] if step.screening else step.scale.options[wanted[1]].value

    return choose


def test_taken_again_the_results_show_the_change_per_family(team3: Team3) -> None:
    """Emploi goes from 100 to 33 (−67 points), santé from 0 to 67 (+67), the rest stays 0."""
    me = team3.player(0)
    start = utcnow()
    first = take_diagnostic(me, start, _choose({"emploi": ("oui-vraiment", 0)}))
    second = take_diagnostic(
        me,
        start + timedelta(days=3),
        _choose({"emploi": ("je-ne-sais-pas", 2), "sante": ("un-peu", 1)}),
    )
    latest = diagnostics.results(db.session, me)
    assert latest is not None and latest.run_id == second.finished_run
    assert latest.number == 2 and latest.previous_at is not None
    by_id = {f.id: f for f in latest.families}
    assert (by_id["emploi"].score, by_id["emploi"].delta) == (33, -67)
    sante = by_id["sante"]
    assert sante.score is not None and sante.delta == sante.score
    assert by_id["argent"].delta == 0
    assert [f.id for f in latest.families][:2] == ["sante", "emploi"]
    earlier = diagnostics.results(db.session, me, first.finished_run)
    assert earlier is not None and earlier.number == 1
    assert all(f.delta is None for f in earlier.families)


def test_a_run_of_another_player_is_not_found(team3: Team3) -> None:
    """Asking for someone else's run gives nothing, as if it did not exist."""
    done = take_diagnostic(team3.player(0), utcnow())
    assert diagnostics.results(db.session, team3.player(1), done.finished_run) is None
    assert diagnostics.results(db.session, team3.player(1)) is None


def test_before_the_last_day_a_run_counts_for_no_mission(app: Flask, demo: Demo) -> None:
    """At the start of the adventure the diagnostic can be taken, but the bilan waits."""
    code = demo.join(0, "Inès")
    with app.app_context():
        me = db.session.scalar(select(Player).where(Player.rejoin_code == code))
        assert me is not None
        done = take_diagnostic(me, utcnow())
        assert done.events == []
        status = diagnostics.status(db.session, me)
        assert status.finished == 1 and not status.closing_done
        assert bilan.build(db.session, me, utcnow()) is None
