"""The self-diagnostic's rules on the real content: funnel, progress, scoring, ranking, changes."""

from __future__ import annotations

from typing import Any

import pytest

from tempo.engine.diagnostic import Flow, changes
from tempo.scenarios.schema import DiagnosticFile
from tests.engine.kit import real_content

SKIP = "je-prefere-ne-pas-repondre"


@pytest.fixture(scope="module")
def flow() -> Flow:
    """The flow of content/diagnostic.yaml."""
    return Flow(real_content().diagnostic)


def family(flow: Flow, family_id: str) -> Any:
    """A family of the real content by id."""
    return next(f for f in flow.families if f.id == family_id)


def close_all(flow: Flow) -> dict[str, str]:
    """Every screening answered « pas pour l'instant » (no family opens)."""
    return {f.screening.id: "pas-pour-l-instant" for f in flow.families}


def test_the_bank_has_51_questions_and_the_closed_path_has_11(flow: Flow) -> None:
    """Eleven screenings alone when nothing opens; the details appear only when opened."""
    assert flow.question_count == 51
    answers = close_all(flow)
    assert flow.path(answers) == [f.screening.id for f in flow.families]
    assert flow.complete(answers)


def test_a_screening_answer_in_opens_on_adds_the_familys_questions(flow: Flow) -> None:
    """« Oui, vraiment » opens the detailed questions, right after the screening."""
    emploi = family(flow, "emploi")
    answers = {emploi.screening.id: "oui-vraiment"}
    path = flow.path(answers)
    details = [q.id for q in emploi.questions]
    assert path[: 1 + len(details)] == [emploi.screening.id, *details]
    assert flow.next_unanswered(answers) == details[0]
    closed = {emploi.screening.id: "pas-pour-l-instant"}
    assert not set(details) & set(flow.path(closed))
    assert flow.next_unanswered(closed) == flow.families[1].screening.id


def test_back_and_next_follow_the_path(flow: Flow) -> None:
    """Back from the first detail goes to its screening; next after the last detail, onwards."""
    emploi = family(flow, "emploi")
    answers = {emploi.screening.id: "un-peu"}
    first, last = emploi.questions[0].id, emploi.questions[-1].id
    assert flow.before(answers, first) == emploi.screening.id
    assert flow.before(answers, emploi.screening.id) is None
    assert flow.after(answers, last) == flow.families[1].screening.id


def test_only_answered_questions_and_the_next_one_are_reachable(flow: Flow) -> None:
    """A player cannot jump ahead of the first unanswered question."""
    answers = {flow.families[0].screening.id: "pas-pour-l-instant"}
    assert flow.reachable(answers, flow.families[0].screening.id)
    assert flow.reachable(answers, flow.families[1].screening.id)
    assert not flow.reachable(answers, flow.families[2].screening.id)
    assert not flow.reachable(answers, "inconnue")


def test_progress_is_an_estimate_until_every_screening_is_answered(flow: Flow) -> None:
    """About 24 questions at first; exact once all screenings are known."""
    first = flow.families[0].screening.id
    position, total, estimate = flow.progress({}, first)
    assert (position, estimate) == (1, True)
    assert 20 <= total <= 30
    answers = close_all(flow)
    answers[family(flow, "sante").screening.id] = "oui-vraiment"
    sante = family(flow, "sante")
    position, total, estimate = flow.progress(answers, sante.questions[0].id)
    assert not estimate
    assert total == 11 + len(sante.questions)
    assert position == [q for q in flow.path(answers)].index(sante.questions[0].id) + 1


def test_family_score_averages_the_needs_of_answered_questions(flow: Flow) -> None:
    """Screening and details all scored out of 3: (3 + 3 + 2 + 1 + 0) / 15 = 60."""
    emploi = family(flow, "emploi")
    q = [x.id for x in emploi.questions]
    answers = {
        emploi.screening.id: "oui-vraiment",  # 3
        q[0]: "tout-a-fait",  # 3
        q[1]: "plutot-oui",  # 2
        q[2]: "plutot-non",  # 1
        q[3]: "pas-du-tout",  # 0
    }
    score = flow.family_score(emploi, answers)
    assert (score.score, score.answered, score.skipped) == (60, 5, 0)
    assert score.level == "high"


def test_a_closed_family_scores_its_screening_only(flow: Flow) -> None:
    """Answers left from before a screening was changed to closed are not counted."""
    emploi = family(flow, "emploi")
    answers = {emploi.screening.id: "pas-pour-l-instant"}
    answers.update({x.id: "tout-a-fait" for x in emploi.questions})
    score = flow.family_score(emploi, answers)
    assert (score.score, score.answered) == (0, 1)
    assert score.level == "low"


def test_prefer_not_to_answer_is_skipped_not_scored_as_no_need(flow: Flow) -> None:
    """A skipped question neither lowers nor raises the score, and is counted as skipped."""
    sante = family(flow, "sante")
    sensitive = next(q for q in sante.questions if flow.steps[q.id].scale.id == "frequence")
    others = [q for q in sante.questions if q.id != sensitive.id]
    base = {sante.screening.id: "oui-vraiment"}
    base.update({q.id: "tout-a-fait" for q in others if flow.steps[q.id].scale.id == "accord"})
    base.update({q.id: "souvent" for q in others if flow.steps[q.id].scale.id == "frequence"})
    with_skip = {**base, sensitive.id: SKIP}
    scored = flow.family_score(sante, with_skip)
    assert scored.score == 100  # every other answer signals the strongest need
    assert scored.skipped == 1
    never = flow.family_score(sante, {**base, sensitive.id: "jamais"})
    assert never.score is not None and never.score < 100  # « jamais » is a real « no need »


def test_a_family_with_every_answer_skipped_has_no_score(flow: Flow) -> None:
    """Nothing scored gives None (« sans réponse »), ranked after every scored family."""
    content = real_content().diagnostic.model_dump()
    content["families"][0]["screening"]["scale"] = "frequence"
    content["families"][0]["screening"]["opens_on"] = ["souvent"]
    bent = Flow(DiagnosticFile.model_validate(content))
    first = bent.families[0]
    answers = close_all(bent)
    answers[first.screening.id] = SKIP
    assert bent.family_score(first, answers).score is None
    assert bent.ranking(answers)[-1].family.id == first.id
    assert bent.ranking(answers)[-1].level == "none"


def test_the_skip_flag_and_the_legacy_value_both_skip(flow: Flow) -> None:
    """Content with `skip: true`, and content frozen before the flag existed, skip alike."""
    frequence = next(s for s in real_content().diagnostic.scales if s.id == "frequence")
    option = next(o for o in frequence.options if o.value == SKIP)
    assert option.skip
    legacy = real_content().diagnostic.model_dump()
    for scale in legacy["scales"]:
        for o in scale["options"]:
            o.pop("skip", None)
    old = Flow(DiagnosticFile.model_validate(legacy))
    sante = family(old, "sante")
    sensitive = next(q for q in sante.questions if old.steps[q.id].scale.id == "frequence")
    answers = {sante.screening.id: "oui-vraiment", sensitive.id: SKIP}
    assert old.family_score(sante, answers).skipped == 1


def test_ranking_puts_the_highest_need_first_and_keeps_content_order_on_ties(flow: Flow) -> None:
    """Priorities come first; equal scores keep the content's order."""
    answers = close_all(flow)
    answers[family(flow, "logement").screening.id] = "je-ne-sais-pas"  # 1/3 -> 33
    mobilite = family(flow, "mobilite")
    answers[mobilite.screening.id] = "oui-vraiment"
    answers.update({q.id: "tout-a-fait" for q in mobilite.questions})
    ranked = [s.family.id for s in flow.ranking(answers)]
    assert ranked[:2] == ["mobilite", "logement"]
    assert ranked[2:] == [f.id for f in flow.families if f.id not in {"mobilite", "logement"}]


def test_changes_are_points_between_two_runs() -> None:
    """A family's change is the difference in points; unknown on either side gives None."""
    assert changes({"emploi": 70, "sante": 20, "argent": None}, {"emploi": 50, "sante": 35}) == {
        "emploi": 20,
        "sante": -15,
        "argent": None,
    }


def test_an_unknown_value_is_not_an_option(flow: Flow) -> None:
    """Only the scale's own values are answers."""
    first = flow.families[0].screening.id
    assert flow.option(first, "oui-vraiment") is not None
    assert flow.option(first, "tout-a-fait") is None  # a value of another scale
    assert flow.option("inconnue", "oui-vraiment") is None
