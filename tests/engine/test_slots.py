"""Appointment slots from a weekly plan and its exceptions, in Paris time, across DST changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from tempo.engine.slots import (
    DAY_BEFORE,
    HOUR_BEFORE,
    Agenda,
    Busy,
    DateException,
    Slot,
    WeeklyRule,
    by_local_day,
    candidate_slots,
    free_slots,
    offered_slots,
    reminder_times,
    reminders_due,
    to_utc,
)

PARIS = ZoneInfo("Europe/Paris")
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


def local(slot: Slot) -> str:
    """A slot's start on the Paris wall clock, « 2026-03-30 09:00 »."""
    return slot.start.astimezone(PARIS).strftime("%Y-%m-%d %H:%M")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def agenda(*rules: WeeklyRule, **kw: object) -> Agenda:
    kw.setdefault("notice_hours", 0)
    kw.setdefault("horizon_days", 7)
    return Agenda(rules=rules, **kw)  # type: ignore[arg-type]


# Thursday 26 March 2026, 08:00 UTC: Paris moves to summer time on Sunday 29 March at 02:00.
BEFORE_SPRING = utc(2026, 3, 26, 8, 0)


def test_weekly_hours_become_slots_of_the_given_length() -> None:
    """Monday 09:00–12:00 in 30-minute slots: six slots at local hours, with the place."""
    plan = agenda(WeeklyRule(MON, time(9), time(12), "Accueil, 2 rue Nationale"))
    slots = candidate_slots(plan, BEFORE_SPRING)
    assert [local(s) for s in slots] == [
        "2026-03-30 09:00",
        "2026-03-30 09:30",
        "2026-03-30 10:00",
        "2026-03-30 10:30",
        "2026-03-30 11:00",
        "2026-03-30 11:30",
    ]
    assert all(s.end - s.start == timedelta(minutes=30) for s in slots)
    assert {s.place for s in slots} == {"Accueil, 2 rue Nationale"}


def test_a_dst_week_keeps_nine_o_clock_local_and_moves_utc() -> None:
    """09:00 in Paris is 08:00 UTC the Friday before the change, 07:00 UTC the Monday after."""
    plan = agenda(WeeklyRule(FRI, time(9), time(9, 30)), WeeklyRule(MON, time(9), time(9, 30)))
    friday, monday = candidate_slots(plan, BEFORE_SPRING)
    assert (local(friday), friday.start) == ("2026-03-27 09:00", utc(2026, 3, 27, 8, 0))
    assert (local(monday), monday.start) == ("2026-03-30 09:00", utc(2026, 3, 30, 7, 0))


def test_the_spring_forward_gap_has_no_slots() -> None:
    """On 29 March 02:00–03:00 does not exist in Paris: no slot starts there, none is lost after."""
    plan = agenda(WeeklyRule(SUN, time(1), time(4)))
    slots = candidate_slots(plan, BEFORE_SPRING)
    assert [local(s) for s in slots] == [
        "2026-03-29 01:00",
        "2026-03-29 01:30",  # ends at 03:00 local: still 30 real minutes
        "2026-03-29 03:00",
        "2026-03-29 03:30",
    ]
    assert all(s.end - s.start == timedelta(minutes=30) for s in slots)


def test_the_autumn_repeated_hour_is_taken_once() -> None:
    """On 25 October 02:00–03:00 happens twice: slots take its first occurrence, none overlap."""
    plan = agenda(WeeklyRule(SUN, time(1), time(4)))
    slots = candidate_slots(plan, utc(2026, 10, 22, 8, 0))
    assert [local(s) for s in slots] == [
        "2026-10-25 01:00",
        "2026-10-25 01:30",
        "2026-10-25 02:00",
        "2026-10-25 02:30",
        "2026-10-25 03:00",
        "2026-10-25 03:30",
    ]
    assert slots[2].start == utc(2026, 10, 25, 0, 0)  # 02:00 summer time
    assert slots[4].start == utc(2026, 10, 25, 2, 0)  # 03:00 winter time
    assert all(a.end <= b.start for a, b in pairwise(slots))


def test_nonexistent_local_times_are_reported() -> None:
    """`to_utc` refuses a wall-clock time inside the spring gap."""
    assert to_utc(date(2026, 3, 29), time(2, 30), PARIS) is None
    assert to_utc(date(2026, 3, 29), time(3, 0), PARIS) == utc(2026, 3, 29, 1, 0)


def test_buffer_between_slots() -> None:
    """30-minute slots with a 15-minute buffer from 09:00 to 11:00: 09:00, 09:45, 10:30."""
    plan = agenda(WeeklyRule(MON, time(9), time(11)), buffer_minutes=15)
    assert [local(s)[-5:] for s in candidate_slots(plan, BEFORE_SPRING)] == [
        "09:00",
        "09:45",
        "10:30",
    ]


def test_minimum_notice() -> None:
    """With 24 hours' notice, Monday 10:00 is too late for Tuesday 09:30 but not Tuesday 10:00."""
    plan = agenda(
        WeeklyRule(MON, time(9), time(12)),
        WeeklyRule(TUE, time(9), time(11)),
        notice_hours=24,
    )
    monday_ten = datetime(2026, 3, 30, 10, 0, tzinfo=PARIS).astimezone(UTC)
    slots = candidate_slots(plan, monday_ten)
    assert [local(s) for s in slots][:2] == ["2026-03-31 10:00", "2026-03-31 10:30"]
    assert all(s.start >= monday_ten + timedelta(hours=24) for s in slots)


def test_horizon_limits_how_far_ahead() -> None:
    """Only the next `horizon_days` days are offered."""
    plan = agenda(WeeklyRule(MON, time(9), time(9, 30)), horizon_days=14)
    assert [local(s)[:10] for s in candidate_slots(plan, BEFORE_SPRING)] == [
        "2026-03-30",
        "2026-04-06",
    ]


def test_a_closed_date_has_no_slots() -> None:
    """A whole day closed removes that date's weekly hours only."""
    plan = agenda(
        WeeklyRule(MON, time(9), time(10)),
        exceptions=(DateException(date(2026, 3, 30), closed=True),),
        horizon_days=12,
    )
    assert [local(s) for s in candidate_slots(plan, BEFORE_SPRING)] == [
        "2026-04-06 09:00",
        "2026-04-06 09:30",
    ]


def test_closed_hours_cut_a_window() -> None:
    """Closed 10:00–11:00 on a 09:00–12:00 morning leaves 09:00, 09:30, 11:00, 11:30."""
    plan = agenda(
        WeeklyRule(MON, time(9), time(12)),
        exceptions=(DateException(date(2026, 3, 30), True, time(10), time(11)),),
    )
    assert [local(s)[-5:] for s in candidate_slots(plan, BEFORE_SPRING)] == [
        "09:00",
        "09:30",
        "11:00",
        "11:30",
    ]


def test_extra_hours_on_a_date_with_their_own_place() -> None:
    """Extra hours on a Saturday add slots at their place, even on a date otherwise closed."""
    extra = DateException(date(2026, 3, 28), False, time(14), time(15), "Forum de l'emploi")
    plan = agenda(
        exceptions=(extra, DateException(date(2026, 3, 28), closed=True)),
        default_place="Mission Locale",
    )
    slots = candidate_slots(plan, BEFORE_SPRING)
    assert [(local(s), s.place) for s in slots] == [
        ("2026-03-28 14:00", "Forum de l'emploi"),
        ("2026-03-28 14:30", "Forum de l'emploi"),
    ]


def test_default_place_when_the_rule_has_none() -> None:
    """A rule without a place uses the agenda's default place."""
    plan = agenda(WeeklyRule(MON, time(9), time(9, 30)), default_place="Mission Locale de Tours")
    assert candidate_slots(plan, BEFORE_SPRING)[0].place == "Mission Locale de Tours"


def test_overlapping_windows_never_give_overlapping_slots() -> None:
    """Weekly 09:00–10:00 and extra 09:15–10:15 the same day: the earlier slots win."""
    plan = agenda(
        WeeklyRule(MON, time(9), time(10)),
        exceptions=(DateException(date(2026, 3, 30), False, time(9, 15), time(10, 15)),),
    )
    assert [local(s)[-5:] for s in candidate_slots(plan, BEFORE_SPRING)] == [
        "09:00",
        "09:30",
    ]


def test_busy_times_are_not_offered() -> None:
    """A booking takes its slot; with a buffer it also keeps the neighbours free of overlap."""
    plan = agenda(WeeklyRule(MON, time(9), time(11)))
    nine_thirty = datetime(2026, 3, 30, 9, 30, tzinfo=PARIS).astimezone(UTC)
    busy = [Busy(nine_thirty, nine_thirty + timedelta(minutes=30))]
    assert [local(s)[-5:] for s in offered_slots(plan, BEFORE_SPRING, busy)] == [
        "09:00",
        "10:00",
        "10:30",
    ]
    padded = free_slots(candidate_slots(plan, BEFORE_SPRING), busy, buffer_minutes=10)
    assert [local(s)[-5:] for s in padded] == ["10:30"]


def test_no_slots_without_a_length() -> None:
    """A zero slot length offers nothing (instead of looping)."""
    assert (
        candidate_slots(agenda(WeeklyRule(MON, time(9), time(12)), slot_minutes=0), BEFORE_SPRING)
        == []
    )


def test_grouping_by_local_day() -> None:
    """A slot at 23:30 UTC in winter belongs to the next Paris day."""
    late = Slot(utc(2026, 1, 5, 23, 30), utc(2026, 1, 6, 0, 0))
    early = Slot(utc(2026, 1, 5, 8, 0), utc(2026, 1, 5, 8, 30))
    grouped = by_local_day([late, early], "Europe/Paris")
    assert grouped == [(date(2026, 1, 5), [early]), (date(2026, 1, 6), [late])]


def test_reminders_a_day_and_an_hour_before() -> None:
    """Booked a week ahead: the day-before reminder at T-24h, the hour-before one at T-1h."""
    start = utc(2026, 4, 7, 8, 0)
    booked = start - timedelta(days=7)
    assert reminder_times(start, booked) == {
        DAY_BEFORE: start - timedelta(hours=24),
        HOUR_BEFORE: start - timedelta(hours=1),
    }
    assert reminders_due(start, booked, start - timedelta(hours=25), []) == []
    assert reminders_due(start, booked, start - timedelta(hours=24), []) == [DAY_BEFORE]
    assert reminders_due(start, booked, start - timedelta(hours=2), [DAY_BEFORE]) == []
    assert reminders_due(start, booked, start - timedelta(minutes=59), [DAY_BEFORE]) == [
        HOUR_BEFORE
    ]
    assert reminders_due(start, booked, start, []) == []


def test_after_a_downtime_both_reminders_are_due_the_latest_last() -> None:
    """Coming back 30 minutes before: both are due, and the caller gives only the hour one."""
    start = utc(2026, 4, 7, 8, 0)
    due = reminders_due(start, start - timedelta(days=3), start - timedelta(minutes=30), [])
    assert due == [DAY_BEFORE, HOUR_BEFORE]


def test_a_late_booking_gets_no_day_before_reminder() -> None:
    """Booked 5 hours ahead: no "tomorrow" reminder, only the hour-before one."""
    start = utc(2026, 4, 7, 8, 0)
    booked = start - timedelta(hours=5)
    assert reminder_times(start, booked) == {HOUR_BEFORE: start - timedelta(hours=1)}
    assert reminders_due(start, booked, start - timedelta(hours=4), []) == []
    assert reminders_due(start, booked, start - timedelta(minutes=30), []) == [HOUR_BEFORE]
