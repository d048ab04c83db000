"""The final « bilan Tempo » of one player: the adventure, their part in it, and the agenda.

Every figure is read from what the game recorded — missions done (`mission_progress`), who did
what (`team_event.player_id`, `mission_progress.completed_by_id`), hints bought, wrong answers,
when the player acted compared with when each day opened — and from the player's latest
self-diagnostic. Nothing is estimated: a measure the game does not record is left out.

The bilan exists once the player has completed the closing diagnostic (the adventure's last
step); `build` returns None before that.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tempo.engine.progress import open_days
from tempo.missions.appointment import AppointmentParams
from tempo.missions.split_clue import SplitClueParams
from tempo.models import (
    ClientAction,
    CohortStatus,
    DiagnosticAnswer,
    DiagnosticSession,
    MissionProgress,
    MissionStatus,
    Player,
    ShardEntry,
    TeamEvent,
    UnlockedOffer,
)
from tempo.scenarios.schema import SKILL_LABELS, Offer
from tempo.services.booking.appointments import attendance_for
from tempo.services.content import games
from tempo.services.diagnostic import runs as diagnostics


@dataclass(frozen=True)
class Contribution:
    """A mission the player completed themself (their action was the one that succeeded)."""

    mission_id: str
    title: str
    day: int
    reward: int
    first_try: bool


@dataclass(frozen=True)
class Punctuality:
    """Days opened so far, days the player acted on, and days they acted on the opening day."""

    days_open: int
    days_played: int
    days_on_time: int


@dataclass(frozen=True)
class SkillShown:
    """A working-life skill with its measure from recorded data."""

    key: str
    label: str
    headline: str
    details: tuple[str, ...]


@dataclass(frozen=True)
class Bilan:
    """Everything the one-page bilan shows."""

    player_id: int
    pseudonym: str
    team: str
    cohort: str
    scenario_title: str
    timezone: str
    now: datetime
    # the team's adventure
    missions_done: int
    missions_total: int
    shards_earned: int
    ai_name: str  # starting a sentence: « Le Brouillard », « KRONOS »
    ai_the_name: str  # inside one: « le Brouillard »
    ai_start: int
    ai_strength: int
    team_offers: tuple[Offer, ...]
    # the player's part
    contributions: tuple[Contribution, ...]
    shards_by_me: int
    offers_by_me: tuple[Offer, ...]
    hints_bought: int
    wrong_answers: int
    missions_joined: int
    instructions: tuple[int, int]  # missions exercising « instructions » done by the team / all
    teamwork: tuple[int, int]  # missions exercising « teamwork » done / all
    split_clues: tuple[int, int]  # split-clue missions done / all
    punctuality: Punctuality
    appointment_booked: bool | None
    appointment_attended: bool | None
    diagnostic: diagnostics.Results

    @property
    def ai_defeated(self) -> bool:
        """The team brought the AI's strength down to zero."""
        return self.ai_strength <= 0

    @property
    def ai_weakened_percent(self) -> int:
        """How much of the AI's strength the team took away, in percent."""
        if self.ai_start <= 0:
            return 0
        return round(100 * (self.ai_start - max(0, self.ai_strength)) / self.ai_start)

    @property
    def first_try(self) -> int:
        """Missions the player completed without a wrong answer of theirs before."""
        return sum(1 for c in self.contributions if c.first_try)

    @property
    def skills(self) -> tuple[SkillShown, ...]:
        """The four working-life skills, each with honest measures."""
        return skills_of(self)


# --- measures ---------------------------------------------------------------------------------


def _skill_label(skill: str) -> str:
    # The labels are marked for the catalogue where they are defined (N_ in the schema).
    return _(SKILL_LABELS[skill])


def punctuality_from(
    opened: Sequence[datetime], activity: Iterable[datetime], timezone: str
) -> Punctuality:
    """Count the days played, and those played on the (local) day they opened.

    `opened` holds each open day's opening instant in day order; a day « played » has some
    action of the player between its opening and the next day's.
    """
    tz = ZoneInfo(timezone)
    moments = sorted(activity)
    played = on_time = 0
    for index, start in enumerate(opened):
        end = opened[index + 1] if index + 1 < len(opened) else None
        inside = [t for t in moments if t >= start and (end is None or t < end)]
        if inside:
            played += 1
        opening_date = start.astimezone(tz).date()
        if any(t.astimezone(tz).date() == opening_date for t in inside):
            on_time += 1
    return Punctuality(days_open=len(opened), days_played=played, days_on_time=on_time)


def _activity(session: Session, player: Player) -> list[datetime]:
    """Every instant the player did something the game recorded."""
    moments = [player.joined_at]
    moments += session.scalars(
        select(ClientAction.created_at).where(ClientAction.player_id == player.id)
    ).all()
    moments += session.scalars(
        select(TeamEvent.created_at).where(TeamEvent.player_id == player.id)
    ).all()
    moments += session.scalars(
        select(DiagnosticAnswer.answered_at)
        .join(DiagnosticSession, DiagnosticSession.id == DiagnosticAnswer.session_id)
        .where(DiagnosticSession.player_id == player.id)
    ).all()
    return [m for m in moments if m is not None]


def punctuality(session: Session, player: Player, now: datetime) -> Punctuality:
    """The player's punctuality over the cohort's open days."""
    cohort = player.team.cohort
    clocks = cohort.clocks()
    running = cohort.status != CohortStatus.SCHEDULED
    opened_numbers = open_days(clocks, now, running=running)
    opened = [
        d.unlocked_at or d.unlock_at
        for d in sorted(cohort.days, key=lambda d: d.number)
        if d.number in opened_numbers
    ]
    return punctuality_from(opened, _activity(session, player), cohort.timezone)


def appointment_attendance(session: Session, player: Player) -> bool | None:
    """Whether the player came to their real appointment: None while it is not marked."""
    return attendance_for(session, player.id).attended


def appointment_booked(session: Session, player: Player) -> bool | None:
    """Whether the player booked in the appointment mission (None: the scenario has none)."""
    game = games.cohort_game(player.team.cohort)
    mission_ids = [m for m, p in game.params.items() if isinstance(p, AppointmentParams)]
    if not mission_ids:
        return None
    states = session.scalars(
        select(MissionProgress.state).where(
            MissionProgress.team_id == player.team_id,
            MissionProgress.mission_id.in_(mission_ids),
        )
    ).all()
    return any(str(player.id) in (s or {}).get("booked", []) for s in states)


# --- the bilan --------------------------------------------------------------------------------


def available(session: Session, player: Player) -> bool:
    """True once the player has completed the closing diagnostic."""
    return diagnostics.status(session, player).closing_done


def build(session: Session, player: Player, now: datetime) -> Bilan | None:
    """The player's bilan, or None until they have completed the closing diagnostic."""
    if not available(session, player):
        return None
    result = diagnostics.results(session, player)
    assert result is not None
    team = player.team
    cohort = team.cohort
    game = games.cohort_game(cohort)
    rows = session.execute(
        select(
            MissionProgress.mission_id,
            MissionProgress.completed_by_id,
            MissionProgress.completed_at,
        ).where(MissionProgress.team_id == team.id, MissionProgress.status == MissionStatus.DONE)
    ).all()
    done = {r.mission_id for r in rows if r.mission_id in game.missions}
    mine = sorted(
        (r for r in rows if r.completed_by_id == player.id and r.mission_id in game.missions),
        key=lambda r: (r.completed_at is None, r.completed_at, r.mission_id),
    )
    events = session.execute(
        select(TeamEvent.type, TeamEvent.payload, TeamEvent.created_at).where(
            TeamEvent.team_id == team.id, TeamEvent.player_id == player.id
        )
    ).all()
    wrong_at: dict[str, list[datetime]] = {}
    joined: set[str] = set()
    hints = wrong = 0
    for kind, payload, created_at in events:
        mission_id = (payload or {}).get("mission")
        if isinstance(mission_id, str) and mission_id in game.missions:
            joined.add(mission_id)
        if kind == "hint.bought":
            hints += 1
        elif kind == "mission.attempted":
            wrong += 1
            if isinstance(mission_id, str):
                wrong_at.setdefault(mission_id, []).append(created_at)
    contributions = tuple(
        Contribution(
            mission_id=r.mission_id,
            title=game.missions[r.mission_id].title,
            day=game.day_of[r.mission_id],
            reward=game.missions[r.mission_id].reward,
            first_try=not any(
                r.completed_at is None or t <= r.completed_at
                for t in wrong_at.get(r.mission_id, [])
            ),
        )
        for r in mine
    )
    my_missions = {c.mission_id for c in contributions}
    unlocked = session.execute(
        select(UnlockedOffer.offer_id, UnlockedOffer.mission_id)
        .where(UnlockedOffer.team_id == team.id)
        .order_by(UnlockedOffer.id)
    ).all()
    earned = session.scalar(
        select(func.coalesce(func.sum(ShardEntry.amount), 0)).where(
            ShardEntry.team_id == team.id, ShardEntry.amount > 0
        )
    )

    def count(skill: str) -> tuple[int, int]:
        ids = [m.id for m in game.missions.values() if skill in m.skills]
        return sum(1 for m in ids if m in done), len(ids)

    splits = [m for m, p in game.params.items() if isinstance(p, SplitClueParams)]
    return Bilan(
        player_id=player.id,
        pseudonym=player.pseudonym,
        team=team.name,
        cohort=cohort.name,
        scenario_title=game.scenario.meta.title,
        timezone=cohort.timezone,
        now=now,
        missions_done=len(done),
        missions_total=len(game.missions),
        shards_earned=int(earned or 0),
        ai_name=game.scenario.meta.ai.subject,
        ai_the_name=game.scenario.meta.ai.the_name,
        ai_start=game.scenario.meta.ai.strength,
        ai_strength=team.ai_strength,
        team_offers=tuple(game.offers[o] for o, _m in unlocked if o in game.offers),
        contributions=contributions,
        shards_by_me=sum(c.reward for c in contributions),
        offers_by_me=tuple(
            game.offers[o] for o, m in unlocked if m in my_missions and o in game.offers
        ),
        hints_bought=hints,
        wrong_answers=wrong,
        missions_joined=len(joined),
        instructions=count("instructions"),
        teamwork=count("teamwork"),
        split_clues=(sum(1 for m in splits if m in done), len(splits)),
        punctuality=punctuality(session, player, now),
        appointment_booked=appointment_booked(session, player),
        appointment_attended=appointment_attendance(session, player),
        diagnostic=result,
    )


def _n(singular: str, plural: str, count: int, **variables: object) -> str:
    """`ngettext` with the French rule: 0 and 1 take the singular (« 0 indice demandé »)."""
    return _(plural if count > 1 else singular, num=count, **variables)


def skills_of(b: Bilan) -> tuple[SkillShown, ...]:
    """The four skills the bilan shows, in French, each from measured figures."""
    done, total = b.instructions
    mine = len(b.contributions)
    if mine:
        own = _n(
            "Sur la mission que tu as validée toi-même, %(first)s du premier coup.",
            "Sur les %(num)s missions que tu as validées toi-même, %(first)s du premier coup.",
            mine,
            first=b.first_try,
        )
    else:
        own = _("Tu n'as pas validé de mission toi-même : la prochaine fois, lance-toi !")
    instructions = SkillShown(
        "instructions",
        _skill_label("instructions"),
        _(
            "%(done)s / %(total)s missions à consignes réussies par ton équipe",
            done=done,
            total=total,
        ),
        (
            own,
            _n(
                "%(num)s réponse proposée à côté.",
                "%(num)s réponses proposées à côté.",
                b.wrong_answers,
            ),
        ),
    )
    p = b.punctuality
    details = [
        _n(
            "Tu as joué %(played)s de la journée ouverte.",
            "Tu as joué %(played)s des %(num)s journées ouvertes.",
            p.days_open,
            played=p.days_played,
        )
    ]
    if b.appointment_attended is not None:
        details.append(
            _("Tu es venu·e à ton rendez-vous à la Mission Locale.")
            if b.appointment_attended
            else _("Ton rendez-vous à la Mission Locale est noté manqué : on en reprend un ?")
        )
    punctual = SkillShown(
        "punctuality",
        _skill_label("punctuality"),
        _n(
            "%(on_time)s / %(num)s jour joué le jour même de son ouverture",
            "%(on_time)s / %(num)s jours joués le jour même de leur ouverture",
            p.days_open,
            on_time=p.days_on_time,
        ),
        tuple(details),
    )
    help_details = [_("Demander de l'aide, c'est un réflexe de pro, pas un aveu de faiblesse.")]
    if b.appointment_booked is not None:
        help_details.append(
            _("Ton rendez-vous avec un conseiller ou une conseillère est réservé.")
            if b.appointment_booked
            else _("Ton rendez-vous n'est pas encore réservé : c'est la prochaine étape.")
        )
    asking = SkillShown(
        "asking-for-help",
        _skill_label("asking-for-help"),
        _n(
            "%(num)s indice demandé pour ton équipe",
            "%(num)s indices demandés pour ton équipe",
            b.hints_bought,
        ),
        tuple(help_details),
    )
    team_done, team_total = b.teamwork
    split_done, split_total = b.split_clues
    teamwork = SkillShown(
        "teamwork",
        _skill_label("teamwork"),
        _("%(done)s / %(total)s missions d'équipe réussies", done=team_done, total=team_total),
        (
            _(
                "%(done)s / %(total)s énigmes à fragments résolues en mettant vos morceaux "
                "en commun.",
                done=split_done,
                total=split_total,
            ),
            _n(
                "Tu as participé à %(num)s mission de l'équipe.",
                "Tu as participé à %(num)s missions de l'équipe.",
                b.missions_joined,
            ),
        ),
    )
    return (instructions, punctual, asking, teamwork)
