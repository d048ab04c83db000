"""Model tests, run once on SQLite and once on real PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, func, inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tempo.infra import db as schema
from tempo.models import (
    Base,
    ClientAction,
    Cohort,
    CohortDay,
    MissionProgress,
    MissionStatus,
    Player,
    Role,
    ShardEntry,
    Team,
    TeamEvent,
    UnlockedOffer,
)
from tempo.services.staff.accounts import check_password
from tests import factories


def test_migrations_create_every_table(engine: Engine) -> None:
    """The Alembic head creates exactly the models' tables, and the scheduler's job store."""
    tables = set(inspect(engine).get_table_names()) - {"alembic_version"}
    assert tables == set(Base.metadata.tables) | schema.FOREIGN_TABLES


def test_migrations_match_the_models(engine: Engine) -> None:
    """No model change is left without an Alembic revision."""
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": schema.include_name})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_downgrade_to_base_and_back(engine: Engine) -> None:
    """The initial revision can be reverted and re-applied."""
    schema.downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    schema.upgrade(engine)
    assert "team_event" in inspect(engine).get_table_names()


def test_cohort_with_calendar_teams_and_counsellor(session: Session) -> None:
    """A cohort gets ten days in Europe/Paris, its teams and its counsellors."""
    counsellor = factories.staff(session)
    cohort = factories.cohort(session, counsellors=[counsellor])
    session.commit()
    loaded = session.scalars(select(Cohort).where(Cohort.id == cohort.id)).one()
    assert [d.number for d in loaded.days] == list(range(1, 11))
    # 2026-03-23 is a Monday; weekends are played, and Paris moves to summer time on the 29th.
    first, seventh = loaded.days[0], loaded.days[6]
    assert first.unlock_at == datetime(2026, 3, 23, 8, 30, tzinfo=UTC)
    assert seventh.date.isoformat() == "2026-03-29"
    assert seventh.unlock_at == datetime(2026, 3, 29, 7, 30, tzinfo=UTC)
    assert [t.name for t in loaded.teams] == ["Alpha", "Bravo"]
    assert loaded.counsellors == [counsellor]
    assert all(len(t.join_code) == 6 for t in loaded.teams)
    assert loaded.teams[0].ai_strength == 100


def test_datetimes_come_back_aware_in_utc(session: Session) -> None:
    """A datetime written in any zone reads back as the same instant in UTC."""
    cohort = factories.cohort(session)
    paris = timezone(timedelta(hours=1))
    cohort.days[0].unlocked_at = datetime(2026, 3, 23, 10, 0, tzinfo=paris)
    session.commit()
    session.expire_all()
    day = session.scalars(select(CohortDay).where(CohortDay.cohort_id == cohort.id)).first()
    assert day is not None
    assert day.unlocked_at == datetime(2026, 3, 23, 9, 0, tzinfo=UTC)
    assert day.unlocked_at.tzinfo is not None


def test_naive_datetimes_are_refused(session: Session) -> None:
    """Storing a naive datetime is a bug, caught at the column."""
    cohort = factories.cohort(session)
    cohort.days[0].unlocked_at = datetime(2026, 3, 23, 10, 0)
    with pytest.raises(Exception, match="naive datetime"):
        session.flush()


def test_team_state_players_progress_offers_and_shards(session: Session) -> None:
    """A team's shared state and per-player records persist together."""
    team = factories.cohort(session).teams[0]
    alice = factories.player(session, team, "Alice")
    team.flags = {"contrat-lu": True}
    team.version = 3
    team.shards = 15
    session.add_all(
        [
            MissionProgress(
                team=team,
                mission_id="m1",
                status=MissionStatus.DONE,
                state={"attempts": 2},
                completed_by_id=alice.id,
            ),
            UnlockedOffer(team=team, offer_id="cej", mission_id="m1"),
            ShardEntry(
                team_id=team.id, player_id=alice.id, mission_id="m1", amount=15, reason="mission"
            ),
            TeamEvent(
                team_id=team.id,
                version=1,
                type="mission.completed",
                payload={"mission": "m1"},
                player_id=alice.id,
                client_action_id="a-1",
            ),
        ]
    )
    session.commit()
    session.expire_all()
    loaded = session.get(Team, team.id)
    assert loaded is not None
    assert loaded.flags == {"contrat-lu": True}
    assert loaded.progress[0].status is MissionStatus.DONE
    assert loaded.progress[0].state == {"attempts": 2}
    assert [o.offer_id for o in loaded.offers] == ["cej"]
    total = session.scalar(select(func.sum(ShardEntry.amount)).where(ShardEntry.team_id == team.id))
    assert total == 15


def _events(t: Team) -> list[object]:
    return [
        TeamEvent(team_id=t.id, version=1, type="x"),
        TeamEvent(team_id=t.id, version=1, type="y"),
    ]


def _actions(t: Team) -> list[object]:
    return [
        ClientAction(team_id=t.id, client_action_id="c"),
        ClientAction(team_id=t.id, client_action_id="c"),
    ]


def _offers(t: Team) -> list[object]:
    return [
        UnlockedOffer(team=t, offer_id="cej", mission_id="a"),
        UnlockedOffer(team=t, offer_id="cej", mission_id="b"),
    ]


def _progress(t: Team) -> list[object]:
    return [MissionProgress(team=t, mission_id="m1"), MissionProgress(team=t, mission_id="m1")]


def _pseudonyms(t: Team) -> list[object]:
    return [
        Player(team=t, pseudonym="Zoé", rejoin_code="AAA"),
        Player(team=t, pseudonym="Zoé", rejoin_code="BBB"),
    ]


@pytest.mark.parametrize("make_duplicate", [_events, _actions, _offers, _progress, _pseudonyms])
def test_uniqueness_guards_team_state(session: Session, make_duplicate) -> None:  # type: ignore[no-untyped-def]
    """The database itself refuses duplicates that would corrupt a team's state."""
    team = factories.cohort(session).teams[0]
    session.commit()
    session.add_all(make_duplicate(team))
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()


def test_deleting_a_cohort_deletes_its_teams_and_players(session: Session) -> None:
    """Purging a cohort leaves nothing of its players behind."""
    cohort = factories.cohort(session)
    factories.player(session, cohort.teams[0])
    session.commit()
    session.delete(cohort)
    session.commit()
    assert session.scalar(select(func.count()).select_from(Team)) == 0
    assert session.scalar(select(func.count()).select_from(Player)) == 0


def test_staff_passwords_are_hashed_with_argon2(session: Session) -> None:
    """Passwords are never stored in clear and verify with argon2."""
    account = factories.staff(session, Role.ADMIN)
    session.commit()
    assert account.password_hash.startswith("$argon2")
    assert "mot-de-passe-test" not in account.password_hash
    assert check_password(account, "mot-de-passe-test")
    assert not check_password(account, "mauvais-mot-de-passe")
    assert account.role is Role.ADMIN
