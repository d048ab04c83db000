"""Console services on SQLite and PostgreSQL: staff sessions, login limit, calendar edits."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy.orm import Session

from tempo.models import LoginFailure, Role, StaffSession
from tempo.services.cohorts import admin as cohorts
from tempo.services.staff import accounts as staff
from tests import factories

NOW = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)
POLICY = staff.Policy()


def test_sessions_open_resume_expire_and_close(session: Session) -> None:
    """A login gives a token; it resumes the account until idle, lifetime or logout end it."""
    account = factories.staff(session, Role.COUNSELLOR)
    session.commit()
    result = staff.login(session, account.email, "mot-de-passe-test", "1.2.3.4", NOW, POLICY)
    assert result.token and result.error is None
    stored = session.query(StaffSession).one()
    assert stored.token_hash != result.token  # only a hash is kept
    resumed = staff.resume(session, result.token, NOW + timedelta(minutes=59), POLICY)
    assert resumed.account is not None and resumed.account.id == account.id
    idle = staff.resume(session, result.token, NOW + timedelta(minutes=59 + 60), POLICY)
    assert idle.account is None and idle.expired
    assert session.query(StaffSession).count() == 0
    again = staff.login(session, account.email, "mot-de-passe-test", "1.2.3.4", NOW, POLICY)
    assert again.token is not None
    staff.logout(session, again.token)
    assert staff.resume(session, again.token, NOW, POLICY).account is None


def test_login_limit_counts_failures_per_email_and_address(session: Session) -> None:
    """Five failures block the sixth attempt for that pair only; success clears the count."""
    account = factories.staff(session, Role.COUNSELLOR)
    session.commit()
    at = NOW
    for _ in range(5):
        assert staff.login(session, account.email, "faux", "1.2.3.4", at, POLICY).error
        at += timedelta(seconds=30)
    blocked = staff.login(session, account.email, "mot-de-passe-test", "1.2.3.4", at, POLICY)
    assert blocked.token is None and blocked.retry_after == timedelta(seconds=150)
    elsewhere = staff.login(session, account.email, "mot-de-passe-test", "5.6.7.8", at, POLICY)
    assert elsewhere.token is not None
    later = at + timedelta(seconds=150)
    assert staff.login(session, account.email, "mot-de-passe-test", "1.2.3.4", later, POLICY).token
    assert session.query(LoginFailure).count() == 0


def test_calendar_changes_on_both_databases(session: Session) -> None:
    """A day moves in local time; a recap before its unlock is refused and nothing moves."""
    cohort = factories.cohort(session, start=date(2026, 3, 23))
    session.commit()
    moved = cohorts.update_calendar(
        session,
        cohort.id,
        [cohorts.DayChange(number=8, date=date(2026, 3, 30), unlock=time(9), recap=time(18))],
        NOW,
    )
    assert moved == [8]
    day8 = cohort.days[7]
    assert day8.unlock_at == datetime(2026, 3, 30, 7, 0, tzinfo=UTC)  # 09:00 in summer time
    with pytest.raises(cohorts.CalendarError) as refused:
        cohorts.update_calendar(
            session,
            cohort.id,
            [
                cohorts.DayChange(number=9, date=date(2026, 3, 31), unlock=time(9), recap=time(18)),
                cohorts.DayChange(number=2, date=date(2026, 3, 24), unlock=time(9), recap=time(8)),
            ],
            NOW,
        )
    assert set(refused.value.problems) == {2}
    session.expire_all()
    assert cohort.days[8].unlock_at == datetime(2026, 3, 31, 7, 30, tzinfo=UTC)


def test_a_login_clears_sessions_nobody_came_back_to(session: Session) -> None:
    """Abandoned sessions (browser closed) are deleted at the next login, not kept forever."""
    account = factories.staff(session, Role.COUNSELLOR)
    session.commit()
    staff.login(session, account.email, "mot-de-passe-test", "1.2.3.4", NOW, POLICY)
    staff.login(session, account.email, "mot-de-passe-test", "1.2.3.4", NOW, POLICY)
    assert session.query(StaffSession).count() == 2
    later = NOW + timedelta(hours=2)
    staff.login(session, account.email, "mot-de-passe-test", "1.2.3.4", later, POLICY)
    assert session.query(StaffSession).count() == 1
