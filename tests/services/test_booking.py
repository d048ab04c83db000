"""Booking on SQLite and real PostgreSQL: one slot, one player; moves, cancels, marks, reminders."""

from __future__ import annotations

import threading
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tempo.models import (
    Booking,
    BookingStatus,
    MissionProgress,
    Player,
    Role,
    Team,
    TeamEvent,
)
from tempo.services.booking import appointments as booking
from tempo.services.diagnostic import bilan
from tempo.services.play.players import join_team
from tests import factories
from tests.booking_kit import NOW, PLACE, Setup, counsellor, demo_ready, manage_url

THREADS = 20
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def ready(engine: Engine) -> Setup:
    """The demo cohort on this engine, appointment open, weekday mornings offered."""
    with Session(engine) as session:
        return demo_ready(session)


def _players(engine: Engine, setup: Setup, count: int) -> list[int]:
    """`count` players spread over the demo's two teams."""
    with Session(engine) as session:
        return [
            join_team(session, setup.team_ids[n % 2], f"Joueur {n}", NOW).player.id
            for n in range(count)
        ]


def _first_slot(engine: Engine, setup: Setup) -> booking.OfferedSlot:
    with Session(engine) as session:
        cohort = session.get(Team, setup.team_ids[0]).cohort  # type: ignore[union-attr]
        return booking.offered(session, cohort, NOW, limit=1)[0]


def test_twenty_players_booking_the_same_slot_at_once_get_one_booking(
    engine: Engine, ready: Setup
) -> None:
    """Twenty phones, one slot, the same instant: one booking; nineteen clear refusals with
    the next free slots (which never include the taken one)."""
    players = _players(engine, ready, THREADS)
    slot = _first_slot(engine, ready)
    barrier = threading.Barrier(THREADS)
    booked: list[tuple[int, bool]] = []
    refused: list[booking.BookingError] = []
    errors: list[BaseException] = []

    def worker(player_id: int) -> None:
        with Session(engine) as session:
            barrier.wait()
            try:
                made = booking.book(session, player_id, slot.id, NOW, manage_url)
                booked.append((made.booking.player_id, made.created))
            except booking.BookingError as exc:
                refused.append(exc)
            except BaseException as exc:  # surfaced below
                errors.append(exc)

    threads = [threading.Thread(target=worker, args=(p,)) for p in players]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert len(booked) == 1 and booked[0][1]
    assert len(refused) == THREADS - 1
    assert {e.code for e in refused} == {"slot_taken"}
    assert all(e.message.startswith("Ce créneau vient d'être pris") for e in refused)
    for e in refused:
        assert e.slots, "the refusal offers the next free slots"
        assert slot.id not in {s.id for s in e.slots}
        assert [s.start for s in e.slots] == sorted(s.start for s in e.slots)
    with Session(engine) as session:
        live = session.scalars(
            select(Booking).where(
                Booking.staff_id == slot.staff_id, Booking.starts_at == slot.start
            )
        ).all()
        assert len(live) == 1
        assert live[0].player_id == booked[0][0]


def test_the_database_refuses_a_second_live_booking_of_a_slot(
    session: Session, engine: Engine
) -> None:
    """The partial unique index itself: two live bookings of one slot fail; a cancelled one not."""
    setup = demo_ready(session)
    team = session.get(Team, setup.team_ids[0])
    assert team is not None
    a, b = factories.player(session, team), factories.player(session, team)
    session.commit()

    def row(player: Player, token: str, status: BookingStatus) -> Booking:
        return Booking(
            player_id=player.id,
            cohort_id=setup.cohort_id,
            staff_id=setup.staff_id,
            mission_id=setup.mission_id,
            starts_at=NOW + timedelta(days=2),
            ends_at=NOW + timedelta(days=2, minutes=30),
            status=status,
            token=token,
        )

    session.add(row(a, "t1", BookingStatus.CANCELLED))
    session.add(row(b, "t2", BookingStatus.BOOKED))
    session.commit()
    session.add(row(a, "t3", BookingStatus.BOOKED))
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()
    # One upcoming booking per player, even at another time.
    other = row(b, "t4", BookingStatus.BOOKED)
    other.starts_at += timedelta(hours=1)
    session.add(other)
    with pytest.raises(IntegrityError):
        session.commit()


def test_booking_tells_the_team_and_completes_when_every_present_player_booked(
    session: Session,
) -> None:
    """The `booked` action runs through live play: updated for one, completed for both."""
    setup = demo_ready(session)
    ana = join_team(session, setup.team_ids[0], "Ana", NOW).player.id
    bob = join_team(session, setup.team_ids[0], "Bob", NOW).player.id
    cohort = counsellor(session, setup.staff_id) and session.get(Team, setup.team_ids[0]).cohort  # type: ignore[union-attr]
    first, second = booking.offered(session, cohort, NOW, limit=2)
    made = booking.book(session, ana, first.id, NOW, manage_url, present=[ana, bob])
    assert made.created
    assert [e["type"] for e in made.events[setup.team_ids[0]]] == ["mission.updated"]
    made = booking.book(session, bob, second.id, NOW, manage_url, present=[ana, bob])
    types = [e["type"] for e in made.events[setup.team_ids[0]]]
    assert types[0] == "mission.completed"
    progress = session.scalar(
        select(MissionProgress).where(
            MissionProgress.team_id == setup.team_ids[0],
            MissionProgress.mission_id == setup.mission_id,
        )
    )
    assert progress is not None and progress.status.value == "done"
    assert set(progress.state["booked"]) == {str(ana), str(bob)}


def test_one_upcoming_booking_per_player_and_booking_again_is_idempotent(
    session: Session,
) -> None:
    """The same slot again returns the booking; another slot is refused until moved or cancelled."""
    setup = demo_ready(session)
    ana = join_team(session, setup.team_ids[0], "Ana", NOW).player.id
    cohort = session.get(Team, setup.team_ids[0]).cohort  # type: ignore[union-attr]
    first, second = booking.offered(session, cohort, NOW, limit=2)
    made = booking.book(session, ana, first.id, NOW, manage_url)
    again = booking.book(session, ana, first.id, NOW, manage_url)
    assert again.booking.id == made.booking.id and not again.created
    with pytest.raises(booking.BookingError) as refused:
        booking.book(session, ana, second.id, NOW, manage_url)
    assert refused.value.code == "already_booked"


def test_booking_waits_for_the_mission_to_open(session: Session) -> None:
    """Before the appointment mission is available, booking is refused in French."""
    from tempo.services.content.demo import ensure_demo
    from tempo.services.content.publishing import load_valid_content
    from tests.booking_kit import weekday_mornings
    from tests.conftest import CONTENT_DIR

    result = ensure_demo(session, load_valid_content(CONTENT_DIR), NOW)
    session.commit()
    weekday_mornings(session, result.counsellor.id)
    ana = join_team(session, result.cohort.teams[0].id, "Ana", NOW).player.id
    slot = booking.offered(session, result.cohort, NOW, limit=1)[0]
    with pytest.raises(booking.BookingError) as refused:
        booking.book(session, ana, slot.id, NOW, manage_url)
    assert refused.value.code == "mission_locked"
    assert "pas encore ouverte" in refused.value.message


def test_malformed_and_unknown_slots_are_refused(session: Session) -> None:
    """A forged id, a slot outside the plan, another cohort's counsellor: refused, nothing kept."""
    setup = demo_ready(session)
    ana = join_team(session, setup.team_ids[0], "Ana", NOW).player.id
    outsider = factories.staff(session)
    session.commit()
    for raw in ("n'importe quoi", 42, f"{setup.staff_id}-abc"):
        with pytest.raises(booking.BookingError) as refused:
            booking.book(session, ana, raw, NOW, manage_url)
        assert refused.value.code == "invalid_slot"
    three_am = booking.slot_id(setup.staff_id, NOW.replace(hour=2))
    foreign = booking.slot_id(outsider.id, NOW + timedelta(hours=1))
    for raw in (three_am, foreign):
        with pytest.raises(booking.BookingError) as refused:
            booking.book(session, ana, raw, NOW, manage_url)
        assert refused.value.code == "slot_taken"
    assert session.scalar(select(func.count()).select_from(Booking)) == 0


def test_only_the_cohort_counsellors_slots_are_offered(session: Session) -> None:
    """A counsellor outside the cohort publishes slots that its players never see."""
    setup = demo_ready(session)
    outsider = factories.staff(session)
    session.commit()
    form = {"slot_minutes": "20", "buffer_minutes": "0", "notice_hours": "0", "horizon_days": "5"}
    booking.save_settings(session, outsider.id, form)
    booking.add_rule(session, outsider.id, {"weekday": "0", "start": "14:00", "end": "16:00"})
    cohort = session.get(Team, setup.team_ids[0]).cohort  # type: ignore[union-attr]
    slots = booking.offered(session, cohort, NOW)
    assert {s.staff_id for s in slots} == {setup.staff_id}
    first = slots[0]
    assert first.start.astimezone(PARIS).strftime("%H:%M") == "09:00"
    assert first.place == PLACE
    assert first.to_json()["day_label"] == "lundi 23 mars"


def test_cancel_frees_the_slot_and_move_keeps_the_link(session: Session) -> None:
    """Cancelling gives the slot back; moving changes the time, not the manage link."""
    setup = demo_ready(session)
    ana = join_team(session, setup.team_ids[0], "Ana", NOW).player.id
    bob = join_team(session, setup.team_ids[0], "Bob", NOW).player.id
    cohort = session.get(Team, setup.team_ids[0]).cohort  # type: ignore[union-attr]
    first, second, third = booking.offered(session, cohort, NOW, limit=3)
    made = booking.book(session, ana, first.id, NOW, manage_url).booking
    token = made.token
    moved = booking.move(session, made.id, third.id, NOW, manage_url)
    assert (moved.token, moved.starts_at, moved.moves) == (token, third.start, 1)
    assert first.id in {s.id for s in booking.offered(session, cohort, NOW)}
    booking.book(session, bob, second.id, NOW, manage_url)
    with pytest.raises(booking.BookingError) as taken:
        booking.move(session, made.id, second.id, NOW, manage_url)
    assert taken.value.code == "slot_taken" and taken.value.slots
    assert booking.cancel(session, made.id, NOW)
    assert not booking.cancel(session, made.id, NOW)  # a second cancel changes nothing
    assert third.id in {s.id for s in booking.offered(session, cohort, NOW)}
    assert booking.upcoming_booking(session, ana) is None
    again = booking.book(session, ana, third.id, NOW, manage_url)  # the player may book again
    assert again.created


def test_counsellor_marks_attended_and_the_team_celebrates(session: Session) -> None:
    """Attended: a `booking.attended` team event, once; missed: no event; not before the hour."""
    setup = demo_ready(session)
    ana = join_team(session, setup.team_ids[0], "Ana", NOW).player.id
    cohort = session.get(Team, setup.team_ids[0]).cohort  # type: ignore[union-attr]
    slot = booking.offered(session, cohort, NOW + timedelta(days=1), limit=1)[0]
    made = booking.book(session, ana, slot.id, NOW, manage_url).booking
    staff = counsellor(session, setup.staff_id)
    with pytest.raises(booking.BookingError) as early:
        booking.mark(session, staff, made.id, True, NOW)
    assert early.value.code == "not_started"
    later = slot.start + timedelta(minutes=5)
    out = booking.mark(session, staff, made.id, True, later)
    (event,) = out[setup.team_ids[0]]
    assert (event["type"], event["player"], event["pseudonym"]) == ("booking.attended", ana, "Ana")
    assert booking.mark(session, staff, made.id, True, later) == {}
    assert booking.mark(session, staff, made.id, False, later) == {}
    assert session.get(Booking, made.id).status is BookingStatus.MISSED  # type: ignore[union-attr]
    assert booking.attendance_for(session, ana).attended is False


def test_a_counsellor_of_another_cohort_cannot_mark(session: Session) -> None:
    """Marking someone else's appointment is refused as if it did not exist; admins may."""
    setup = demo_ready(session)
    ana = join_team(session, setup.team_ids[0], "Ana", NOW).player.id
    outsider = factories.staff(session)
    admin = factories.staff(session, Role.ADMIN)
    session.commit()
    cohort = session.get(Team, setup.team_ids[0]).cohort  # type: ignore[union-attr]
    slot = booking.offered(session, cohort, NOW, limit=1)[0]
    made = booking.book(session, ana, slot.id, NOW, manage_url).booking
    with pytest.raises(booking.BookingError) as refused:
        booking.mark(session, outsider, made.id, True, slot.start)
    assert refused.value.code == "not_found"
    assert booking.mark(session, admin, made.id, True, slot.start)


def test_attendance_for_the_bilan(session: Session) -> None:
    """Never booked, booked, moved, cancelled, attended: what the bilan reads."""
    setup = demo_ready(session)
    ana = join_team(session, setup.team_ids[0], "Ana", NOW).player.id
    assert booking.attendance_for(session, ana) == booking.Attendance(status=None)
    cohort = session.get(Team, setup.team_ids[0]).cohort  # type: ignore[union-attr]
    a, b, c = booking.offered(session, cohort, NOW, limit=3)
    first = booking.book(session, ana, a.id, NOW, manage_url).booking
    booking.cancel(session, first.id, NOW)
    second = booking.book(session, ana, b.id, NOW, manage_url).booking
    booking.move(session, second.id, c.id, NOW, manage_url)
    record = booking.attendance_for(session, ana)
    assert (record.status, record.starts_at, record.moves, record.cancellations) == (
        "booked",
        c.start,
        1,
        1,
    )
    assert record.counsellor == "Inès Ferrand (démo)" and record.attended is None
    player = session.get(Player, ana)
    assert player is not None and bilan.appointment_attendance(session, player) is None
    booking.mark(session, counsellor(session, setup.staff_id), second.id, True, c.end)
    assert booking.attendance_for(session, ana).attended is True
    # The bilan's punctuality reads the same record.
    assert bilan.appointment_attendance(session, player) is True


def test_reminders_a_day_and_an_hour_before_each_once(session: Session) -> None:
    """`booking.reminder` at T-24h and T-1h, once each; none for a cancelled booking."""
    setup = demo_ready(session)
    ana = join_team(session, setup.team_ids[0], "Ana", NOW).player.id
    bob = join_team(session, setup.team_ids[0], "Bob", NOW).player.id
    cohort = session.get(Team, setup.team_ids[0]).cohort  # type: ignore[union-attr]
    later = [s for s in booking.offered(session, cohort, NOW) if s.start >= NOW + timedelta(days=3)]
    mine, theirs = later[0], later[1]
    booking.book(session, ana, mine.id, NOW, manage_url)
    other = booking.book(session, bob, theirs.id, NOW, manage_url).booking
    booking.cancel(session, other.id, NOW)
    start = mine.start
    assert booking.send_reminders(session, start - timedelta(hours=25)) == {}
    out = booking.send_reminders(session, start - timedelta(hours=24))
    assert [(e["type"], e["player"], e["when"]) for e in out[setup.team_ids[0]]] == [
        ("booking.reminder", ana, "day")
    ]
    assert booking.send_reminders(session, start - timedelta(hours=23)) == {}
    out = booking.send_reminders(session, start - timedelta(minutes=60))
    assert [e["when"] for e in out[setup.team_ids[0]]] == ["hour"]
    assert booking.send_reminders(session, start - timedelta(minutes=30)) == {}
    reminders = session.scalar(
        select(func.count()).select_from(TeamEvent).where(TeamEvent.type == "booking.reminder")
    )
    assert reminders == 0  # for the player's phones only: not in the team's log


def test_after_a_downtime_only_the_latest_reminder_is_given(session: Session) -> None:
    """The job comes back 30 minutes before: one "in an hour" reminder, not two."""
    setup = demo_ready(session)
    ana = join_team(session, setup.team_ids[0], "Ana", NOW).player.id
    cohort = session.get(Team, setup.team_ids[0]).cohort  # type: ignore[union-attr]
    slot = next(
        s for s in booking.offered(session, cohort, NOW) if s.start > NOW + timedelta(days=2)
    )
    booking.book(session, ana, slot.id, NOW, manage_url)
    out = booking.send_reminders(session, slot.start - timedelta(minutes=30))
    assert [e["when"] for e in out[setup.team_ids[0]]] == ["hour"]
    assert booking.send_reminders(session, slot.start - timedelta(minutes=10)) == {}


def test_rows_and_agenda_list_upcoming_first(session: Session) -> None:
    """The cohort table: upcoming soonest first, then to mark, then players without booking."""
    setup = demo_ready(session)
    ana = join_team(session, setup.team_ids[0], "Ana", NOW).player.id
    bob = join_team(session, setup.team_ids[1], "Bob", NOW).player.id
    join_team(session, setup.team_ids[1], "Cyd", NOW)
    cohort = session.get(Team, setup.team_ids[0]).cohort  # type: ignore[union-attr]
    slots = booking.offered(session, cohort, NOW)
    booking.book(session, bob, slots[5].id, NOW, manage_url)
    booking.book(session, ana, slots[0].id, NOW, manage_url)
    at = slots[0].end  # Ana's appointment is over, not marked yet
    rows = booking.cohort_rows(session, cohort, at)
    assert [r.player.pseudonym for r in rows] == ["Bob", "Ana", "Cyd"]
    agenda = booking.staff_agenda(session, setup.staff_id, at)
    assert [b.player.pseudonym for b in agenda.upcoming] == ["Bob"]
    assert [b.player.pseudonym for b in agenda.to_mark] == ["Ana"]
    assert agenda.past == []


def test_recovery_replays_a_lost_booked_action_once(session: Session) -> None:
    """A booking committed without its mission action (a crash between the two) is recovered
    by the next status read; once the mission counts the player, recovery writes nothing."""
    setup = demo_ready(session)
    ana = join_team(session, setup.team_ids[0], "Ana", NOW).player.id
    found = Booking(
        player_id=ana,
        cohort_id=setup.cohort_id,
        staff_id=setup.staff_id,
        mission_id=setup.mission_id,
        starts_at=NOW + timedelta(days=2),
        ends_at=NOW + timedelta(days=2, minutes=30),
        status=BookingStatus.BOOKED,
        token="lost-action",
    )
    session.add(found)
    session.commit()
    events = booking.recover_mission(session, found, NOW)
    assert events[setup.team_ids[0]]
    progress = session.scalar(
        select(MissionProgress).where(
            MissionProgress.team_id == setup.team_ids[0],
            MissionProgress.mission_id == setup.mission_id,
        )
    )
    assert progress is not None and str(ana) in progress.state["booked"]
    logged = session.scalar(select(func.count()).select_from(TeamEvent))
    assert booking.recover_mission(session, found, NOW) == {}
    assert session.scalar(select(func.count()).select_from(TeamEvent)) == logged
