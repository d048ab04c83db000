"""The room's screen: what a projector shows a whole cohort (the « host screen » of a session).

Players see it from the back of a room, so it only ever shows what everyone may see: team names,
join codes, pseudonyms, progress, the cohort-wide strength of the scenario's AI, the counsellor's
latest message to the cohort or to a team, and the celebrations of the day. Never an answer, an
e-mail address, a rejoin code, a diagnostic result nor a message meant for one player.

The pure helpers (`kronos`, `timer_end`, `feed_item`, `phase`) take plain values; `screen`
reads the database and assembles them for the template.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tempo.engine.team import DONE
from tempo.models import Cohort, CohortDay, CohortStatus, Message, TeamEvent
from tempo.services.booking.appointments import hour_label, when_label
from tempo.services.cohorts.state import local
from tempo.services.content.games import game_for
from tempo.services.play.actions import team_state

#: The team events the screen celebrates, newest first in its feed.
CELEBRATED = ("mission.completed", "offer.unlocked", "player.joined")
FEED_SIZE = 6

ARRIVALS, PLAY, PAUSED = "arrivals", "play", "paused"


def _as_utc(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes: they are stored in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Kronos:
    """The scenario's AI for the whole cohort: every team weakens the same enemy."""

    name: str
    total: int
    remaining: int

    @property
    def taken(self) -> int:
        """The strength the cohort's teams have taken from it together."""
        return self.total - self.remaining

    @property
    def percent(self) -> int:
        """What is left of it, in whole percent (0 for a cohort without teams)."""
        return round(100 * self.remaining / self.total) if self.total else 0


def kronos(name: str, per_team: int, remaining: Iterable[int]) -> Kronos:
    """The cohort-wide AI: a team's full strength times the teams, and what the teams left."""
    left = [max(0, min(per_team, r)) for r in remaining]
    return Kronos(name=name, total=per_team * len(left), remaining=sum(left))


def _open(day: CohortDay) -> bool:
    return day.unlocked_at is not None and day.closed_at is None


def timer_end(days: Sequence[CohortDay], now: datetime) -> datetime | None:
    """When the day's timer ends: the first recap hour still ahead among the open days."""
    ahead = [_as_utc(d.recap_at) for d in days if _open(d) and _as_utc(d.recap_at) > now]
    return min(ahead) if ahead else None


def phase(status: CohortStatus, days: Sequence[CohortDay]) -> str:
    """Paused, players arriving (no day open), or playing."""
    if status is CohortStatus.PAUSED:
        return PAUSED
    return PLAY if any(_open(d) for d in days) else ARRIVALS


def feed_item(
    event_id: int,
    kind: str,
    payload: Mapping[str, Any],
    at: datetime,
    team: str,
    pseudonyms: Mapping[int, str],
    titles: Mapping[str, str],
) -> dict[str, Any] | None:
    """One celebration for the screen, or None for an event it does not celebrate.

    Only names are kept: the team's, the player's pseudonym (resolved from its id, or the one
    `player.joined` carries) and the mission's or the offer's title; nothing else of the payload.
    """
    if kind not in CELEBRATED:
        return None
    who = ""
    by = payload.get("by")
    player = payload.get("player")
    if isinstance(player, dict):
        who = str(player.get("pseudonym") or "")
    elif isinstance(by, int) and not isinstance(by, bool):
        who = pseudonyms.get(by, "")
    subject = ""
    if kind == "mission.completed":
        subject = titles.get(str(payload.get("mission", "")), "")
    elif kind == "offer.unlocked":
        details = payload.get("details")
        subject = str(details.get("title") or "") if isinstance(details, dict) else ""
    return {
        "id": event_id,
        "kind": kind,
        "team": team,
        "who": who,
        "subject": subject,
        "at": _as_utc(at),
    }


def _same_day(instant: datetime, now: datetime, tz: str) -> bool:
    return local(instant, tz).date() == local(now, tz).date()


def moment_label(instant: datetime, now: datetime, tz: str) -> str:
    """« 13:35 » today, « samedi 5 décembre à 13:35 » another day."""
    return hour_label(instant, tz) if _same_day(instant, now, tz) else when_label(instant, tz)


def latest_message(
    session: Session, cohort: Cohort, teams: Mapping[int, str], now: datetime
) -> dict[str, Any]:
    """The counsellor's latest message to the whole cohort or to one team (never to one
    player), with its time (« 13:35 » today, else its day too); an empty dict when none."""
    message = session.scalars(
        select(Message)
        .where(Message.cohort_id == cohort.id, Message.player_id.is_(None))
        .order_by(Message.created_at.desc(), Message.id.desc())
        .limit(1)
    ).first()
    if message is None:
        return {}
    at = _as_utc(message.created_at)
    return {
        "id": message.id,
        "body": message.body,
        "from": message.author_name,
        "team": teams.get(message.team_id, "") if message.team_id is not None else "",
        "at": at,
        "at_label": moment_label(at, now, cohort.timezone),
    }


def screen(
    session: Session, cohort: Cohort, now: datetime, online: Mapping[int, Sequence[int]]
) -> dict[str, Any]:
    """Everything the room's screen shows, as plain values for its template."""
    game = game_for(cohort.scenario_version)
    teams = sorted(cohort.teams, key=lambda t: t.id)
    states = {t.id: team_state(session, t, now) for t in teams}
    days = sorted(cohort.days, key=lambda d: d.number)
    open_numbers = [d.number for d in days if _open(d)]
    current = max(open_numbers) if open_numbers else None
    day = next((d for d in game.scenario.days if d.day == current), None)
    missions = [m.id for m in day.missions] if day else []
    rows = [
        {
            "id": team.id,
            "name": team.name,
            "join_code": team.join_code,
            "players": len(team.players),
            "online": len(online.get(team.id, [])),
            "done": sum(1 for m in missions if game.status(states[team.id], m) == DONE),
            "total": len(missions),
            "shards": states[team.id].shards,
        }
        for team in teams
    ]
    names = {t.id: t.name for t in teams}
    pseudonyms = {p.id: p.pseudonym for t in teams for p in t.players}
    titles = {m_id: m.title for m_id, m in game.missions.items()}
    recent = session.scalars(
        select(TeamEvent)
        .where(TeamEvent.team_id.in_(list(names)), TeamEvent.type.in_(CELEBRATED))
        .order_by(TeamEvent.created_at.desc(), TeamEvent.id.desc())
        .limit(FEED_SIZE)
    ).all()
    feed = [
        item
        for e in recent
        if (
            item := feed_item(
                e.id, e.type, e.payload, e.created_at, names[e.team_id], pseudonyms, titles
            )
        )
    ]
    ai = game.scenario.meta.ai
    end = timer_end(days, now)
    return {
        "phase": phase(cohort.status, days),
        "day": current,
        "day_title": day.title if day else "",
        "teams": rows,
        "kronos": kronos(ai.name, ai.strength, (t.ai_strength for t in teams)),
        "feed": feed,
        "message": latest_message(session, cohort, names, now),
        "timer_end": end,
        # « 17:00 » when the recap is today, « samedi 12 décembre à 17:00 » otherwise (a day
        # opened early keeps its own recap hour).
        "recap_today": end is not None and _same_day(end, now, cohort.timezone),
        "recap_label": moment_label(end, now, cohort.timezone) if end else "",
    }
