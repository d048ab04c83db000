"""Studio play-tests (private cohorts with simulated teammates, time travel) and patches to
running cohorts (the pure compatibility check, and applying one)."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.orm import Session

from tempo.models import Cohort, Role, ScenarioDraft, StaffAccount, TeamEvent
from tempo.scenarios import load_content
from tempo.services.calendar import days as calendar
from tempo.services.cohorts import admin
from tempo.services.content import publishing
from tempo.services.content.games import cohort_game
from tempo.services.play import actions
from tempo.services.play.checkpoints import short_code
from tempo.services.studio import drafts as studio
from tempo.services.studio import forms, patches, sandbox
from tests import factories
from tests.conftest import CONTENT_DIR

NOW = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)
SLUG = "tempo-2050"


def _published(session: Session) -> tuple[StaffAccount, Any]:
    author = factories.staff(session, Role.AUTHOR)
    session.commit()
    content = load_content(CONTENT_DIR).content
    assert content is not None
    files = publishing.folder_files(CONTENT_DIR / "scenarios" / SLUG)
    version = publishing.publish_now(session, content, SLUG, NOW, files=files, author=author)
    session.commit()
    return author, version


def _draft(session: Session) -> tuple[StaffAccount, Any, ScenarioDraft]:
    author, version = _published(session)
    return author, version, studio.create_from_version(session, author, version.id, NOW)


def _edit(session: Session, author: StaffAccount, draft: ScenarioDraft, old: str, new: str) -> None:
    path = "days/day01.yaml"
    text = draft.files[path]
    assert old in text
    studio.save_file(session, author, draft.id, path, text.replace(old, new, 1), NOW)


def test_sandbox_is_private_and_its_bots_count(session: Session) -> None:
    author, _version, draft = _draft(session)
    admin_account = factories.staff(session, Role.ADMIN)
    session.commit()
    _edit(session, author, draft, "Le badge d'entrée", "Le badge d'entrée !")
    cohort = sandbox.create(session, author, NOW, content_dir=CONTENT_DIR, draft_id=draft.id)
    assert cohort.sandbox_owner_id == author.id
    assert cohort.scenario_version.number is None  # frozen without a number: an « essai »
    assert [p.pseudonym for p in cohort.teams[0].players] == ["Moi", "Alix", "Sam", "Noa"]
    # Invisible to counsellors and administrators alike, and to the scheduler.
    assert cohort not in admin.visible_cohorts(session, admin_account)
    assert admin.visible_cohort(session, admin_account, cohort.slug) is None
    assert cohort.id not in calendar.clock_running_cohorts(session)
    assert all(v.number is not None for v in publishing.versions(session))
    assert sandbox.my_sandboxes(session, author) == [cohort]
    # Day 1 is open; publishing the same content later promotes the frozen copy.
    assert cohort.days[0].unlocked_at is not None
    version = studio.publish(session, author, draft.id, "Essai validé", CONTENT_DIR, NOW)
    assert version.id == cohort.scenario_version_id and version.number == 2


def test_split_clue_deals_fragments_to_bots(session: Session) -> None:
    author, version, _unused = _draft(session)
    cohort = sandbox.create(session, author, NOW, content_dir=CONTENT_DIR, version_id=version.id)
    present = [p.id for p in cohort.teams[0].players]
    sandbox.play_bots(session, cohort, "d01-badge-entree", present, NOW)  # nothing to do
    me = sandbox.author_player(cohort)
    reply = actions.perform(
        session, me, "a1", "d01-badge-entree", "answer", {"answer": "ensemble"}, NOW, present
    )
    assert reply.ok
    turn = sandbox.play_bots(session, cohort, "d01-annuaire", present, NOW)
    assert [n.split(" : ")[0] for n in turn.notes] == ["Alix", "Sam", "Noa"]
    assert all("«" in n for n in turn.notes)  # each bot holds at least one fragment


def test_bots_vote_like_the_author(session: Session) -> None:
    author, version, _d = _draft(session)
    cohort = sandbox.create(session, author, NOW, content_dir=CONTENT_DIR, version_id=version.id)
    present = [p.id for p in cohort.teams[0].players]
    me = sandbox.author_player(cohort)
    actions.perform(
        session, me, "a1", "d01-badge-entree", "answer", {"answer": "ensemble"}, NOW, present
    )
    turn = sandbox.play_bots(session, cohort, "d01-contrat", present, NOW)
    assert "Votez d'abord" in turn.notes[0]
    reply = actions.perform(
        session, me, "a2", "d01-contrat", "vote", {"choice": 0, "node": "accueil"}, NOW, present
    )
    assert reply.ok
    turn = sandbox.play_bots(session, cohort, "d01-contrat", present, NOW)
    kinds = [e["type"] for events in turn.broadcasts.values() for e in events]
    assert kinds, turn.notes
    state = actions.team_state(session, cohort.teams[0], NOW)
    assert state.missions["d01-contrat"].state.get("node") != "accueil"  # the vote was decided


def test_time_travel_forward_back_and_restart(session: Session) -> None:
    author, version, _d = _draft(session)
    cohort = sandbox.create(session, author, NOW, content_dir=CONTENT_DIR, version_id=version.id)
    sandbox.go_to_day(session, cohort, 3, NOW)
    session.refresh(cohort)
    assert [d.unlocked_at is not None for d in cohort.days][:4] == [True, True, True, False]
    present = [p.id for p in cohort.teams[0].players]
    me = sandbox.author_player(cohort)
    game = cohort_game(cohort)
    day3 = next(m for m, d in game.day_of.items() if d == 3 and not game.missions[m].requires)
    state = actions.team_state(session, cohort.teams[0], NOW)
    assert game.status(state, day3) == "available"
    actions.perform(session, me, "w1", day3, "answer", {"answer": "faux"}, NOW, present)
    sandbox.go_to_day(session, cohort, 1, NOW)
    session.refresh(cohort)
    assert [d.unlocked_at is not None for d in cohort.days][:3] == [True, False, False]
    state = actions.team_state(session, cohort.teams[0], NOW)
    assert day3 not in state.missions and game.status(state, day3) == "locked"
    kinds = [e.type for e in session.query(TeamEvent).filter_by(team_id=cohort.teams[0].id)]
    assert "sandbox.rewound" in kinds
    actions.perform(
        session, me, "a1", "d01-badge-entree", "answer", {"answer": "ensemble"}, NOW, present
    )
    sandbox.reset_mission(session, cohort, "d01-badge-entree", NOW)
    assert "d01-badge-entree" not in actions.team_state(session, cohort.teams[0], NOW).missions
    actions.perform(
        session, me, "a2", "d01-badge-entree", "answer", {"answer": "ensemble"}, NOW, present
    )
    sandbox.restart(session, cohort, NOW)
    assert actions.team_state(session, cohort.teams[0], NOW).missions == {}


def _scenario() -> dict[str, Any]:
    content = load_content(CONTENT_DIR).content
    assert content is not None
    return publishing.frozen_copy(content, SLUG)["scenario"]


def _mission(scenario: dict[str, Any], mission_id: str) -> dict[str, Any]:
    return next(m for d in scenario["days"] for m in d["missions"] if m["id"] == mission_id)


def test_patch_check_allows_texts_and_added_answers() -> None:
    before = _scenario()
    after = copy.deepcopy(before)
    _mission(after, "d01-badge-entree")["title"] = "Le badge d'entrée (corrigé)"
    _mission(after, "d01-badge-entree")["params"]["answers"].append("en equipe")
    _mission(after, "d01-contrat")["hints"][0]["text"] = "Lisez avant de signer."
    result = patches.check(before, after)
    assert result.ok, result.refusal
    assert "la mission d01-badge-entree : titre corrigé·e" in result.changes
    assert any("réponses acceptées ajoutées (en equipe)" in c for c in result.changes)
    assert "la mission d01-contrat : texte corrigé·e" in result.changes
    assert patches.check(before, copy.deepcopy(before)).changes == []


def test_patch_check_refuses_structure() -> None:
    before = _scenario()

    def refused(change: Any) -> str:
        after = copy.deepcopy(before)
        change(after)
        result = patches.check(before, after)
        assert not result.ok
        assert result.refusal is not None
        return result.refusal

    def reward(s: dict[str, Any]) -> None:
        _mission(s, "d02-casier")["reward"] += 1

    assert refused(reward) == (
        "Le patch change la structure : la mission d02-casier a une nouvelle récompense. "
        "Publiez une nouvelle version."
    )

    def requires(s: dict[str, Any]) -> None:
        _mission(s, "d01-contrat")["requires"] = []

    assert "d01-contrat a d'autres prérequis" in refused(requires)

    def unlocks(s: dict[str, Any]) -> None:
        _mission(s, "d01-contrat")["unlocks"] = []

    assert "débloque d'autres offres" in refused(unlocks)

    def removed_answer(s: dict[str, Any]) -> None:
        _mission(s, "d01-badge-entree")["params"]["answers"].pop(0)

    assert "retire une réponse acceptée" in refused(removed_answer)

    def mission_type(s: dict[str, Any]) -> None:
        _mission(s, "d01-badge-entree")["type"] = "quiz"

    assert "change de type" in refused(mission_type)

    def new_mission(s: dict[str, Any]) -> None:
        s["days"][0]["missions"].pop()

    assert "est ajoutée ou retirée" in refused(new_mission)

    def mission_id(s: dict[str, Any]) -> None:
        _mission(s, "d01-annuaire")["id"] = "d01-autre"

    assert "devient d01-autre" in refused(mission_id)


def test_patch_applied_to_running_cohort(session: Session) -> None:
    author, version, draft = _draft(session)
    cohort = factories.cohort(session, version=version, start=date(2026, 3, 20))
    session.commit()
    calendar.unlock_day(session, cohort.id, 1, NOW)
    _edit(session, author, draft, "Le badge d'entrée", "Le badge d'entrée !")
    base, result, _patched = patches.preview(session, author, draft.id, version.id, CONTENT_DIR)
    assert result.ok and base.id == version.id
    patch, out = patches.apply(session, author, draft.id, version.id, CONTENT_DIR, NOW)
    session.refresh(cohort)
    assert cohort.scenario_version_id == patch.patched_version_id != version.id
    assert cohort_game(cohort).missions["d01-badge-entree"].title == "Le badge d'entrée !"
    assert patches.patches_of(session, cohort) == [patch]
    assert patch.author_id == author.id
    assert patch.details["changes"] == ["la mission d01-badge-entree : titre corrigé·e"]
    assert {e["type"] for events in out.values() for e in events} == {"content.patched"}
    assert set(out) == {t.id for t in cohort.teams}
    # A structural change is refused with the French reason.
    _edit(session, author, draft, "reward: 15", "reward: 16")
    try:
        patches.apply(session, author, draft.id, version.id, CONTENT_DIR, NOW)
    except studio.StudioError as exc:
        assert "d01-contrat a une nouvelle récompense" in exc.message
    else:
        raise AssertionError("structural change accepted")
    assert session.get(Cohort, cohort.id) is not None


def _template_with(session: Session, *kinds: str) -> tuple[StaffAccount, Cohort]:
    """A play-test of the template's draft with one more day-1 mission of each of `kinds`."""
    author = factories.staff(session, Role.AUTHOR)
    session.commit()
    draft = studio.create_from_template(session, author, "Essai du panneau", NOW)
    path = "days/day01.yaml"
    day = yaml.safe_load(draft.files[path])
    for kind in kinds:
        day["missions"].append(
            {"id": f"j01-{kind}", "type": kind, "title": f"Mission {kind}",
             "narrative": "Le récit.", "reward": 10, "params": forms.SKELETONS[kind]}
        )  # fmt: skip
    studio.save_file(session, author, draft.id, path, forms.to_yaml(day), NOW)
    return author, sandbox.create(session, author, NOW, content_dir=CONTENT_DIR, draft_id=draft.id)


def test_the_panel_gives_qr_codes_and_reviews_proofs(session: Session, tmp_path: Path) -> None:
    _author, cohort = _template_with(session, "qr-checkpoint", "proof")
    codes = sandbox.checkpoint_codes(cohort, "secret")
    assert codes == {
        "j01-qr-checkpoint": [("Balise 1", short_code("secret", cohort.id, "balise-1"))]
    }
    present = [p.id for p in cohort.teams[0].players]
    me = sandbox.author_player(cohort)
    assert sandbox.pending_proofs(session, cohort) == set()
    reply = actions.perform(
        session, me, "p1", "j01-proof", "submit", {"text": "Notre preuve."}, NOW, present
    )
    assert reply.ok
    assert sandbox.pending_proofs(session, cohort) == {"j01-proof"}
    sandbox.review_proof(session, cohort, "j01-proof", True, NOW, tmp_path)
    assert sandbox.pending_proofs(session, cohort) == set()
    state = actions.team_state(session, cohort.teams[0], NOW)
    assert cohort_game(cohort).status(state, "j01-proof") == "done"


def test_the_teammates_simulate_an_appointment_for_the_whole_team(session: Session) -> None:
    _author, cohort = _template_with(session, "appointment")
    present = [p.id for p in cohort.teams[0].players]
    turn = sandbox.play_bots(session, cohort, "j01-appointment", present, NOW)
    assert turn.notes == [
        "Rendez-vous simulé pour toute l'équipe, vous compris : aucun vrai agenda n'est touché."
    ]
    state = actions.team_state(session, cohort.teams[0], NOW)
    assert cohort_game(cohort).status(state, "j01-appointment") == "done"
    assert "appointment" in sandbox.BOT_TYPES and "enigma" not in sandbox.BOT_TYPES


def test_patch_check_accepts_a_base_frozen_before_images_existed() -> None:
    """A version frozen before images lacks `image` and `media`: empty, they are no change;
    showing an image is a new version, not a patch."""
    old = _scenario()
    assert "media" not in old and "image" not in _mission(old, "d01-badge-entree")
    before = copy.deepcopy(old)
    before["media"] = {}
    for day in before["days"]:
        for m in day["missions"]:
            m["image"] = None
    _mission(before, "d01-badge-entree")["title"] = "Le badge (corrigé)"
    result = patches.check(old, before)
    assert result.ok, result.refusal
    assert result.changes == ["la mission d01-badge-entree : titre corrigé·e"]
    after = copy.deepcopy(before)
    _mission(after, "d01-badge-entree")["image"] = "badge"
    assert patches.check(before, after).refusal == (
        "Le patch change la structure : la mission d01-badge-entree change « image ». "
        "Publiez une nouvelle version."
    )
