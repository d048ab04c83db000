"""Concurrent writes on SQLite and on real PostgreSQL: one award, one version, no corruption."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from tempo.models import (
    Cohort,
    Player,
    Role,
    ScenarioVersion,
    ShardEntry,
    StaffAccount,
    Team,
    TeamEvent,
    utcnow,
)
from tempo.services.cohorts import admin as cohorts
from tempo.services.cohorts import dashboard
from tempo.services.content import publishing as content_service
from tempo.services.content.demo import ensure_demo
from tempo.services.content.publishing import load_valid_content
from tempo.services.play import actions as play
from tempo.services.play.players import join_team
from tempo.services.staff import accounts as staff
from tests import factories
from tests.conftest import CONTENT_DIR
from tests.realtime.helpers import first_of_type, start_shards

THREADS = 20


@pytest.fixture
def team(engine: Engine) -> tuple[int, list[int]]:
    """The demo cohort on this engine, with two players in its first team."""
    with Session(engine) as session:
        result = ensure_demo(session, load_valid_content(CONTENT_DIR), utcnow())
        session.commit()
        team_id = result.cohort.teams[0].id
        players = [join_team(session, team_id, name, utcnow()).player.id for name in ("Ana", "Bob")]
    return team_id, players


def _race(engine: Engine, players: list[int], send: Callable[[Session, Player, int], play.Reply]):
    """Run THREADS sends at once (alternating players), each in its own session."""
    barrier = threading.Barrier(THREADS)
    replies: list[play.Reply] = []
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        with Session(engine) as session:
            player = session.get(Player, players[n % len(players)])
            assert player is not None
            session.commit()  # give the connection back while waiting at the barrier
            barrier.wait()
            try:
                replies.append(send(session, player, n))
            except BaseException as exc:  # surfaced below
                errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert len(replies) == THREADS
    return replies


def _check_once(engine: Engine, team_id: int, mission_id: str) -> None:
    mission_reward = first_of_type("enigma").reward
    with Session(engine) as session:
        team = session.get(Team, team_id)
        assert team is not None
        completed = session.scalar(
            select(func.count())
            .select_from(TeamEvent)
            .where(TeamEvent.team_id == team_id, TeamEvent.type == "mission.completed")
        )
        assert completed == 1
        assert team.shards == start_shards() + mission_reward
        assert (
            session.scalar(
                select(func.count()).select_from(ShardEntry).where(ShardEntry.team_id == team_id)
            )
            == 1
        )
        versions = session.scalars(
            select(TeamEvent.version)
            .where(TeamEvent.team_id == team_id)
            .order_by(TeamEvent.version)
        ).all()
        assert list(versions) == list(range(1, team.version + 1))


def test_twenty_concurrent_answers_from_two_teammates_award_once(engine: Engine, team) -> None:  # type: ignore[no-untyped-def]
    """Twenty right answers at the same instant, from two phones: one completion, one award."""
    team_id, players = team
    mission = first_of_type("enigma")
    answer = mission.params["answers"][0]
    replies = _race(
        engine,
        players,
        lambda s, p, n: play.perform(
            s, p, f"race-{n}", mission.id, "answer", {"answer": answer}, utcnow()
        ),
    )
    assert sum(r.ok for r in replies) == 1
    assert {r.error["code"] for r in replies if not r.ok} == {"already_done"}  # type: ignore[index]
    _check_once(engine, team_id, mission.id)


def test_the_same_action_sent_twenty_times_at_once_is_applied_once(engine: Engine, team) -> None:  # type: ignore[no-untyped-def]
    """One client id retried twenty times concurrently: applied once, the rest are duplicates."""
    team_id, players = team
    mission = first_of_type("enigma")
    answer = mission.params["answers"][0]
    replies = _race(
        engine,
        players[:1],
        lambda s, p, n: play.perform(
            s, p, "same-id", mission.id, "answer", {"answer": answer}, utcnow()
        ),
    )
    assert sum(not r.duplicate for r in replies) == 1
    assert all(r.ok for r in replies)
    _check_once(engine, team_id, mission.id)


def test_counsellor_actions_during_play_keep_one_event_log(engine: Engine, team) -> None:  # type: ignore[no-untyped-def]
    """Counsellors mark absences and reset a mission while teammates answer: nothing is lost.

    Each dashboard action appends a versioned event to the team, as a play action does; all of
    them must queue on the team, or two take the same version (or one's version is lost).
    """
    team_id, players = team
    enigma = first_of_type("enigma")
    dialogue = first_of_type("dialogue")
    answer = enigma.params["answers"][0]

    def send(session: Session, player: Player, n: int) -> play.Reply | None:
        cohort = player.team.cohort
        if n % 4 == 0:
            dashboard.set_absent(session, cohort, players[1], n % 8 == 0, utcnow())
            return None
        if n % 4 == 2:
            dashboard.reset_mission(session, cohort, team_id, dialogue.id, utcnow())
            return None
        return play.perform(
            session, player, f"race-{n}", enigma.id, "answer", {"answer": answer}, utcnow()
        )

    replies = [r for r in _race(engine, players, send) if r is not None]
    assert sum(r.ok for r in replies) == 1
    _check_once(engine, team_id, enigma.id)
    with Session(engine) as session:
        kinds = session.scalars(select(TeamEvent.type).where(TeamEvent.team_id == team_id)).all()
        assert kinds.count("player.absent") == THREADS // 4
        assert kinds.count("mission.reset") == THREADS // 4


def test_moves_into_a_team_with_one_place_left_fill_it_once(engine: Engine, team) -> None:  # type: ignore[no-untyped-def]
    """Two counsellors move two players at once into a team with one place: one move wins."""
    team_id, players = team
    with Session(engine) as session:
        target = session.get(Team, team_id)
        assert target is not None
        other = next(t for t in target.cohort.teams if t.id != team_id)
        other_id, capacity = other.id, other.capacity
        for n in range(capacity - 1):
            join_team(session, other_id, f"Joueur {n}", utcnow())

    def send(session: Session, player: Player, n: int) -> str:
        try:
            dashboard.move_player(session, player.team.cohort, player.id, other_id, utcnow())
        except dashboard.DashboardError as exc:
            return exc.code
        return "done"

    outcomes = _race(engine, players, send)
    assert outcomes.count("done") == 1
    with Session(engine) as session:
        count = session.scalar(
            select(func.count()).select_from(Player).where(Player.team_id == other_id)
        )
        assert count == capacity


def _at_once(engine: Engine, work: Callable[[Session, int], object]) -> list[object]:
    """Run `work` THREADS times at the same instant, each in its own session; its results."""
    barrier = threading.Barrier(THREADS)
    results: list[object] = []
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        with Session(engine) as session:
            barrier.wait()
            try:
                results.append(work(session, n))
            except BaseException as exc:  # surfaced below
                errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    return results


def test_the_same_content_published_at_once_is_one_version(engine: Engine) -> None:
    """Authors (or cohorts created from the current content) publish at once: one version."""
    content = load_valid_content(CONTENT_DIR)
    ids = _at_once(
        engine, lambda s, n: content_service.publish_now(s, content, "tempo-2050", utcnow()).id
    )
    assert len(set(ids)) == 1
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(ScenarioVersion)) == 1


def test_two_cohorts_created_at_once_with_one_identifier(engine: Engine) -> None:
    """Counsellors create cohorts with the same identifier at once: one is created, the others
    are told the identifier is taken."""
    content = load_valid_content(CONTENT_DIR)
    with Session(engine) as session:
        counsellor = factories.staff(session, Role.COUNSELLOR)
        session.commit()
        counsellor_id = counsellor.id

    def create(session: Session, n: int) -> str:
        me = session.get(StaffAccount, counsellor_id)
        assert me is not None
        try:
            cohorts.new_cohort(
                session,
                cohorts.CurrentContent(content, "tempo-2050"),
                name=f"Promo {n}",
                slug="promo-avril",
                start=date(2099, 4, 6),
                team_names=["Alpha", "Beta"],
                capacity=12,
                counsellor_ids=[counsellor_id],
                weekends_played=False,
                timezone="Europe/Paris",
                by=me,
                now=utcnow(),
            )
        except cohorts.FormError as exc:
            return exc.errors.get("slug", "")
        return "created"

    outcomes = _at_once(engine, create)
    assert outcomes.count("created") == 1
    assert all("utilise déjà l'identifiant" in o for o in outcomes if o != "created")
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Cohort)) == 1
        assert session.scalar(select(func.count()).select_from(ScenarioVersion)) == 1


def test_parallel_password_guesses_get_the_login_limit_too(engine: Engine) -> None:
    """Twenty wrong passwords sent at once for one e-mail from one address: five are checked,
    the others wait, as if they had come one after the other."""
    with Session(engine) as session:
        email = factories.staff(session, Role.COUNSELLOR).email
        session.commit()
    policy = staff.Policy()
    now = utcnow()
    outcomes = _at_once(
        engine, lambda s, n: staff.login(s, email, f"essai-{n}", "1.2.3.4", now, policy).error
    )
    assert outcomes.count(staff.WRONG_CREDENTIALS) == policy.max_failures
    assert all(
        o is not None and "réessayez dans" in o for o in outcomes if o != staff.WRONG_CREDENTIALS
    )


def test_one_account_per_address_when_created_at_once(engine: Engine) -> None:
    """Administrators create the same address at once: one account, the others are told so."""

    def create(session: Session, n: int) -> str:
        try:
            staff.add_account(
                session, "Nadia@ML-test.fr", f"Nadia {n}", Role.COUNSELLOR, "trois mots au hasard"
            )
        except staff.StaffError as exc:
            return str(exc)
        return "created"

    outcomes = _at_once(engine, create)
    assert outcomes.count("created") == 1
    assert set(outcomes) == {"created", "Un compte existe déjà pour nadia@ml-test.fr."}
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(StaffAccount)) == 1
