"""Daily recaps: produced once when a game day closes, read by the journal, cards and e-mails.

`produce` runs inside the closing transaction (`tempo.services.calendar.days.after_day_closed`): it
reads what every team of the cohort did since the previous close with a handful of grouped
queries, writes one `TeamRecap` per team, one `PlayerRecap` per player and the cohort's
`RecapDigest`, and records a `recap.ready` event per team. Nothing slow happens there: cards
are drawn on first fetch (and cached), e-mails are queued afterwards by `recap_mail`.

A recap covers what happened between the previous close of the cohort and this one, so every
mission completed, shard earned or hint bought appears in exactly one recap — also a day-1
mission finished on the evening of day 2, after its own day had closed.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from tempo.models import (
    Cohort,
    CohortDay,
    MissionProgress,
    MissionStatus,
    Player,
    PlayerRecap,
    RecapDigest,
    ScenarioVersion,
    ShardEntry,
    Team,
    TeamEvent,
    TeamRecap,
    UnlockedOffer,
)
from tempo.scenarios.schema import Antagonist
from tempo.services.content.games import VersionCache
from tempo.services.documents.printing import plain
from tempo.services.events import Broadcasts
from tempo.services.play.teamlog import record_event
from tempo.services.recaps.cards import Card

EVENT = "recap.ready"
# A player's contributions counted from the team event log (the player who acted is recorded).
CONTRIBUTIONS = {
    "hint.bought": "hints",
    "checkpoint.scanned": "checkpoints",
    "proof.submitted": "proofs",
    "mission.attempted": "attempts",
    "mission.updated": "steps",
}


# --- the scenario's texts, read from the frozen version ---------------------------------------


@dataclass(frozen=True)
class ContentIndex:
    """Titles, rewards, offers and teasers of a frozen scenario version, by id."""

    missions: dict[str, dict[str, Any]]
    offers: dict[str, dict[str, Any]]
    days: dict[int, dict[str, Any]]
    ai_name: str
    ai_max: int
    title: str


def content_index(version: ScenarioVersion) -> ContentIndex:
    """The version's texts, indexed once per process (versions are immutable)."""
    return _indexes.get(version)


def _index(version: ScenarioVersion) -> ContentIndex:
    # Read from the frozen JSON rather than through the game engine: recaps only need texts,
    # and a recap must never fail because a mission type's parameters changed shape.
    content = version.content
    scenario = content.get("scenario", {})
    meta = scenario.get("meta", {})
    missions: dict[str, dict[str, Any]] = {}
    days: dict[int, dict[str, Any]] = {}
    for day in scenario.get("days", []):
        number = int(day.get("day", 0))
        teaser = day.get("teaser")
        # Teasers are authored Markdown; recaps show them as text (cards, e-mails, journal).
        days[number] = {"title": day.get("title", ""), "teaser": plain(teaser) if teaser else None}
        for mission in day.get("missions", []):
            missions[mission["id"]] = {
                "title": mission.get("title", mission["id"]),
                "day": number,
                "reward": int(mission.get("reward", 0)),
                "skills": list(mission.get("skills", [])),
            }
    offers = {o["id"]: dict(o) for o in content.get("offers", [])}
    ai = meta.get("ai", {})
    index = ContentIndex(
        missions=missions,
        offers=offers,
        days=days,
        ai_name=Antagonist.model_validate(ai).subject if ai else "KRONOS",
        ai_max=int(ai.get("strength", 1)),
        title=str(meta.get("title", version.title)),
    )
    return index


_indexes: VersionCache[ContentIndex] = VersionCache(_index)


# --- producing (inside the closing transaction) -----------------------------------------------


def _window(cohort: Cohort, day: CohortDay, now: datetime) -> datetime | None:
    """The previous close of the cohort: this recap covers (that moment, now]."""
    before = [
        d.closed_at
        for d in cohort.days
        if d.number != day.number and d.closed_at is not None and d.closed_at <= now
    ]
    return max(before) if before else None


def _in_window(column: Any, since: datetime | None, until: datetime) -> list[Any]:
    clauses = [column <= until]
    if since is not None:
        clauses.append(column > since)
    return clauses


@dataclass
class _Personal:
    missions: list[str] = field(default_factory=list)
    offers: list[str] = field(default_factory=list)
    hint_missions: list[str] = field(default_factory=list)
    shards_earned: int = 0
    counts: Counter[str] = field(default_factory=Counter)


def produce(
    session: Session, cohort: Cohort, day: CohortDay, teams: list[Team], now: datetime
) -> Broadcasts:
    """Write the day's team, player and cohort recaps once, and announce them to each team."""
    already = session.scalar(
        select(RecapDigest.id).where(
            RecapDigest.cohort_id == cohort.id, RecapDigest.day == day.number
        )
    )
    if already is not None or not teams:
        return {}
    index = content_index(cohort.scenario_version)
    since = _window(cohort, day, now)
    team_ids = [t.id for t in teams]

    done = session.execute(
        select(MissionProgress.team_id, MissionProgress.mission_id, MissionProgress.completed_by_id)
        .where(MissionProgress.team_id.in_(team_ids))
        .where(MissionProgress.status == MissionStatus.DONE)
        .where(*_in_window(MissionProgress.completed_at, since, now))
        .order_by(MissionProgress.completed_at, MissionProgress.id)
    ).all()
    shards = session.execute(
        select(ShardEntry.team_id, ShardEntry.player_id, ShardEntry.amount)
        .where(ShardEntry.team_id.in_(team_ids))
        .where(*_in_window(ShardEntry.created_at, since, now))
    ).all()
    offers = session.execute(
        select(UnlockedOffer.team_id, UnlockedOffer.offer_id, UnlockedOffer.mission_id)
        .where(UnlockedOffer.team_id.in_(team_ids))
        .where(*_in_window(UnlockedOffer.unlocked_at, since, now))
        .order_by(UnlockedOffer.id)
    ).all()
    contributions = session.execute(
        select(TeamEvent.team_id, TeamEvent.player_id, TeamEvent.type, func.count())
        .where(TeamEvent.team_id.in_(team_ids), TeamEvent.player_id.is_not(None))
        .where(TeamEvent.type.in_(list(CONTRIBUTIONS)))
        .where(*_in_window(TeamEvent.created_at, since, now))
        .group_by(TeamEvent.team_id, TeamEvent.player_id, TeamEvent.type)
    ).all()
    hint_rows = session.execute(
        select(TeamEvent.player_id, TeamEvent.payload)
        .where(TeamEvent.team_id.in_(team_ids), TeamEvent.player_id.is_not(None))
        .where(TeamEvent.type == "hint.bought")
        .where(*_in_window(TeamEvent.created_at, since, now))
        .order_by(TeamEvent.id)
    ).all()
    players = session.execute(
        select(Player.id, Player.team_id)
        .where(Player.team_id.in_(team_ids))
        .order_by(Player.team_id, Player.id)
    ).all()

    team_missions: dict[int, list[dict[str, Any]]] = defaultdict(list)
    personal: dict[int, _Personal] = defaultdict(_Personal)
    completer: dict[tuple[int, str], int | None] = {}
    for team_id, mission_id, by in done:
        info = index.missions.get(mission_id, {})
        team_missions[team_id].append(
            {"id": mission_id, "reward": int(info.get("reward", 0)), "by": by}
        )
        completer[(team_id, mission_id)] = by
        if by is not None:
            personal[by].missions.append(mission_id)
    earned: Counter[int] = Counter()
    spent: Counter[int] = Counter()
    for team_id, player_id, amount in shards:
        if amount > 0:
            earned[team_id] += amount
            if player_id is not None:
                personal[player_id].shards_earned += amount
        else:
            spent[team_id] -= amount
    team_offers: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for team_id, offer_id, mission_id in offers:
        by = completer.get((team_id, mission_id))
        team_offers[team_id].append({"id": offer_id, "mission": mission_id, "by": by})
        if by is not None:
            personal[by].offers.append(offer_id)
    team_counts: dict[int, Counter[str]] = defaultdict(Counter)
    for team_id, player_id, kind, count in contributions:
        key = CONTRIBUTIONS[kind]
        team_counts[team_id][key] += int(count)
        if player_id is not None:
            personal[player_id].counts[key] += int(count)
    for player_id, payload in hint_rows:
        mission = (payload or {}).get("mission")
        if player_id is not None and isinstance(mission, str):
            personal[player_id].hint_missions.append(mission)
    members: dict[int, list[int]] = defaultdict(list)
    for player_id, team_id in players:
        members[team_id].append(player_id)

    info = index.days.get(day.number, {})
    title, teaser = str(info.get("title", "")), info.get("teaser")
    next_day = day.number + 1 if (day.number + 1) in index.days else None
    until, since_iso = now.isoformat(), since.isoformat() if since else None
    team_rows: list[dict[str, Any]] = []
    player_rows: list[dict[str, Any]] = []
    out: Broadcasts = {}
    for team in teams:
        active = [p for p in members[team.id] if _active(personal.get(p))]
        data = {
            "title": title,
            "since": since_iso,
            "until": until,
            "missions": team_missions[team.id],
            "shards_earned": earned[team.id],
            "shards_spent": spent[team.id],
            "shards": team.shards,
            "ai_strength": team.ai_strength,
            "ai_max": index.ai_max,
            "offers": team_offers[team.id],
            "hints": team_counts[team.id]["hints"],
            "teaser": teaser,
            "next_day": next_day,
            "players": len(members[team.id]),
            "active_players": len(active),
        }
        team_rows.append(
            {
                "team_id": team.id,
                "cohort_id": cohort.id,
                "day": day.number,
                "data": data,
                "created_at": now,
            }
        )
        for player_id in members[team.id]:
            mine = personal.get(player_id) or _Personal()
            player_rows.append(
                {
                    "player_id": player_id,
                    "team_id": team.id,
                    "cohort_id": cohort.id,
                    "day": day.number,
                    "data": {
                        "missions": mine.missions,
                        "offers": mine.offers,
                        "shards_earned": mine.shards_earned,
                        "hint_missions": mine.hint_missions,
                        **{key: mine.counts[key] for key in CONTRIBUTIONS.values()},
                        "active": _active(mine),
                    },
                    "created_at": now,
                }
            )
        payload = {
            "day": day.number,
            "title": title,
            "missions": len(team_missions[team.id]),
            "shards": earned[team.id],
            "offers": len(team_offers[team.id]),
        }
        out[team.id] = [record_event(session, team, EVENT, payload, now)]
    session.add(RecapDigest(cohort_id=cohort.id, day=day.number, since=since, until=now))
    session.execute(insert(TeamRecap), team_rows)
    if player_rows:
        session.execute(insert(PlayerRecap), player_rows)
    return out


def _active(mine: _Personal | None) -> bool:
    return mine is not None and bool(mine.missions or mine.shards_earned or +mine.counts)


# --- reading: the journal, the console's digest -----------------------------------------------


@dataclass(frozen=True)
class MissionLine:
    """A mission succeeded during the day, and whether this player completed it."""

    title: str
    reward: int
    mine: bool = False


@dataclass(frozen=True)
class RecapView:
    """One day's recap as a page, a card or an e-mail shows it (texts resolved, French)."""

    day: int
    title: str
    scenario: str
    team_id: int
    team_name: str
    closed_at: datetime
    missions: tuple[MissionLine, ...]
    shards_earned: int
    shards_spent: int
    shards: int
    ai_name: str
    ai_strength: int
    ai_max: int
    offers: tuple[dict[str, Any], ...]
    hints: int
    players: int
    active_players: int
    teaser: str | None
    next_day: int | None
    # The player's own part; None on a team recap (console) or a day before they joined.
    pseudonym: str | None = None
    player_recap_id: int | None = None
    personal: dict[str, Any] | None = None
    team_recap_id: int = 0
    days_total: int = 10

    @property
    def my_missions(self) -> tuple[MissionLine, ...]:
        """The missions this player completed."""
        return tuple(m for m in self.missions if m.mine)

    @property
    def my_offers(self) -> tuple[dict[str, Any], ...]:
        """The offers revealed by this player's missions."""
        return tuple(o for o in self.offers if o.get("mine"))

    @property
    def ai_percent(self) -> int:
        """What remains of the AI's strength, in percent."""
        return round(100 * self.ai_strength / self.ai_max) if self.ai_max else 0


def _view(
    index: ContentIndex,
    team: TeamRecap,
    team_name: str,
    mine: PlayerRecap | None = None,
    pseudonym: str | None = None,
) -> RecapView:
    data = team.data
    personal = dict(mine.data) if mine is not None else None
    my_missions = set(personal.get("missions", [])) if personal else set()
    my_offers = set(personal.get("offers", [])) if personal else set()
    missions = tuple(
        MissionLine(
            title=str(index.missions.get(m["id"], {}).get("title", m["id"])),
            reward=int(m.get("reward", 0)),
            mine=m["id"] in my_missions,
        )
        for m in data.get("missions", [])
    )
    offers = tuple(
        {**index.offers[o["id"]], "mine": o["id"] in my_offers}
        for o in data.get("offers", [])
        if o["id"] in index.offers
    )
    return RecapView(
        day=team.day,
        title=str(data.get("title", "")),
        scenario=index.title,
        team_id=team.team_id,
        team_name=team_name,
        closed_at=team.created_at,
        missions=missions,
        shards_earned=int(data.get("shards_earned", 0)),
        shards_spent=int(data.get("shards_spent", 0)),
        shards=int(data.get("shards", 0)),
        ai_name=index.ai_name,
        ai_strength=int(data.get("ai_strength", 0)),
        ai_max=int(data.get("ai_max", index.ai_max)),
        offers=offers,
        hints=int(data.get("hints", 0)),
        players=int(data.get("players", 0)),
        active_players=int(data.get("active_players", 0)),
        teaser=data.get("teaser"),
        next_day=data.get("next_day"),
        pseudonym=pseudonym,
        player_recap_id=mine.id if mine is not None else None,
        personal=personal,
        team_recap_id=team.id,
        days_total=len(index.days) or 10,
    )


def _team_names(session: Session, team_ids: set[int]) -> dict[int, str]:
    if not team_ids:
        return {}
    return dict(session.execute(select(Team.id, Team.name).where(Team.id.in_(team_ids))).all())


def journal(session: Session, player: Player) -> list[RecapView]:
    """Every recap of this player, newest first: their own, and their team's before they joined.

    A day has the player's recap when they were in a team as it closed (with that team's
    recap); days closed before they joined show their current team's recap alone.
    """
    cohort = player.team.cohort
    index = content_index(cohort.scenario_version)
    mine = {
        r.day: r
        for r in session.scalars(select(PlayerRecap).where(PlayerRecap.player_id == player.id))
    }
    wanted = {(r.team_id, r.day) for r in mine.values()}
    teams_recaps = session.scalars(
        select(TeamRecap)
        .where(TeamRecap.cohort_id == cohort.id)
        .where(TeamRecap.team_id.in_({player.team_id} | {t for t, _ in wanted}))
    ).all()
    by_key = {(r.team_id, r.day): r for r in teams_recaps}
    names = _team_names(session, {r.team_id for r in teams_recaps})
    views = []
    days = sorted({d for _, d in by_key} | set(mine), reverse=True)
    for day in days:
        own = mine.get(day)
        team = by_key.get((own.team_id, day)) if own else by_key.get((player.team_id, day))
        if team is None:
            continue
        views.append(
            _view(
                index,
                team,
                names.get(team.team_id, ""),
                own,
                player.pseudonym if own else None,
            )
        )
    return views


def player_recap(session: Session, player: Player, day: int) -> RecapView | None:
    """This player's recap of `day` (with their team's), or None."""
    own = session.scalar(
        select(PlayerRecap).where(PlayerRecap.player_id == player.id, PlayerRecap.day == day)
    )
    if own is None:
        return None
    return player_view(session, own, player.pseudonym)


def player_view(session: Session, own: PlayerRecap, pseudonym: str) -> RecapView | None:
    """A player recap row as a view, with its team's recap of the same day."""
    team = session.scalar(
        select(TeamRecap).where(TeamRecap.team_id == own.team_id, TeamRecap.day == own.day)
    )
    cohort = session.get(Cohort, own.cohort_id)
    if team is None or cohort is None:
        return None
    index = content_index(cohort.scenario_version)
    return _view(
        index, team, _team_names(session, {team.team_id}).get(team.team_id, ""), own, pseudonym
    )


def team_recap(session: Session, team_id: int, day: int) -> RecapView | None:
    """A team's recap of `day`, or None."""
    found = session.scalar(
        select(TeamRecap).where(TeamRecap.team_id == team_id, TeamRecap.day == day)
    )
    if found is None:
        return None
    cohort = session.get(Cohort, found.cohort_id)
    if cohort is None:
        return None
    index = content_index(cohort.scenario_version)
    return _view(index, found, _team_names(session, {team_id}).get(team_id, ""))


def latest_team_recap_day(session: Session, team_id: int) -> int | None:
    """The latest day the team has a recap of, or None."""
    latest = session.scalar(select(func.max(TeamRecap.day)).where(TeamRecap.team_id == team_id))
    return None if latest is None else int(latest)


def team_on_day(session: Session, player_id: int, day: int) -> int | None:
    """The team the player was in on `day`, as their recap of that day records it."""
    return session.scalar(
        select(PlayerRecap.team_id).where(
            PlayerRecap.player_id == player_id, PlayerRecap.day == day
        )
    )


def next_recap(session: Session, cohort: Cohort) -> dict[str, Any] | None:
    """When the next recap comes: the first day of the cohort that is not closed yet."""
    day = session.scalar(
        select(CohortDay)
        .where(CohortDay.cohort_id == cohort.id, CohortDay.closed_at.is_(None))
        .order_by(CohortDay.number)
    )
    if day is None:
        return None
    at: datetime = day.recap_at.astimezone(ZoneInfo(cohort.timezone))
    return {"day": day.number, "date": at.date(), "hour": at.strftime("%H:%M")}


@dataclass(frozen=True)
class DigestDay:
    """A closed day of a cohort with every team's recap (the counsellors' digest)."""

    day: int
    title: str
    closed_at: datetime
    teams: tuple[RecapView, ...]

    @property
    def missions(self) -> int:
        """Missions succeeded by all teams that day."""
        return sum(len(t.missions) for t in self.teams)

    @property
    def shards(self) -> int:
        """Shards earned by all teams that day."""
        return sum(t.shards_earned for t in self.teams)

    @property
    def offers(self) -> int:
        """Distinct offers discovered by at least one team that day."""
        return len({o["id"] for t in self.teams for o in t.offers})


def digests(session: Session, cohort: Cohort, day: int | None = None) -> list[DigestDay]:
    """The cohort's closed days with their team recaps, newest first (or only `day`)."""
    index = content_index(cohort.scenario_version)
    query = select(RecapDigest).where(RecapDigest.cohort_id == cohort.id)
    if day is not None:
        query = query.where(RecapDigest.day == day)
    found = session.scalars(query.order_by(RecapDigest.day.desc())).all()
    if not found:
        return []
    recaps_query = select(TeamRecap).where(TeamRecap.cohort_id == cohort.id)
    if day is not None:
        recaps_query = recaps_query.where(TeamRecap.day == day)
    by_day: dict[int, list[TeamRecap]] = defaultdict(list)
    for recap in session.scalars(recaps_query.order_by(TeamRecap.team_id)):
        by_day[recap.day].append(recap)
    names = _team_names(session, {r.team_id for rs in by_day.values() for r in rs})
    return [
        DigestDay(
            day=d.day,
            title=str(index.days.get(d.day, {}).get("title", "")),
            closed_at=d.until,
            teams=tuple(_view(index, r, names.get(r.team_id, "")) for r in by_day[d.day]),
        )
        for d in found
    ]


# --- words: the player's own part, the card ---------------------------------------------------


def _quoted(titles: list[str]) -> str:
    # French quotes hold their words with non-breaking spaces (no « alone at a line's end).
    return ", ".join(f"«\u00a0{t}\u00a0»" for t in titles)


def personal_lines(view: RecapView) -> list[str]:
    """The player's own part of the day, as short French sentences (empty on a team recap)."""
    p = view.personal
    if p is None:
        return []
    lines = []
    mine = [m.title for m in view.my_missions]
    if mine:
        lines.append(
            ngettext(
                "Tu as réussi %(num)d mission : %(titles)s.",
                "Tu as réussi %(num)d missions : %(titles)s.",
                len(mine),
                titles=_quoted(mine),
            )
        )
    if p.get("shards_earned"):
        lines.append(
            ngettext(
                "Tu as rapporté %(num)d éclat d'avenir à ton équipe.",
                "Tu as rapporté %(num)d éclats d'avenir à ton équipe.",
                int(p["shards_earned"]),
            )
        )
    offers = [o["title"] for o in view.my_offers]
    if offers:
        lines.append(
            ngettext(
                "Grâce à toi, l'équipe a découvert %(num)d offre : %(titles)s.",
                "Grâce à toi, l'équipe a découvert %(num)d offres : %(titles)s.",
                len(offers),
                titles=_quoted(offers),
            )
        )
    if p.get("checkpoints"):
        lines.append(
            ngettext(
                "Tu as validé %(num)d balise en ville.",
                "Tu as validé %(num)d balises en ville.",
                int(p["checkpoints"]),
            )
        )
    if p.get("proofs"):
        lines.append(
            ngettext(
                "Tu as envoyé %(num)d preuve à ton conseiller ou ta conseillère.",
                "Tu as envoyé %(num)d preuves à ton conseiller ou ta conseillère.",
                int(p["proofs"]),
            )
        )
    # A scanned checkpoint or a sent proof also moves its mission on: count the other steps.
    steps = int(p.get("steps", 0)) - int(p.get("checkpoints", 0)) - int(p.get("proofs", 0))
    if steps > 0:
        lines.append(
            ngettext(
                "Tu as fait avancer une mission %(num)d fois (dialogues, étapes).",
                "Tu as fait avancer les missions %(num)d fois (dialogues, étapes).",
                steps,
            )
        )
    if p.get("attempts"):
        lines.append(
            ngettext(
                "Tu as tenté %(num)d réponse : chaque essai rapproche l'équipe du but.",
                "Tu as tenté %(num)d réponses : chaque essai rapproche l'équipe du but.",
                int(p["attempts"]),
            )
        )
    if p.get("hints"):
        lines.append(
            ngettext(
                "Tu as demandé %(num)d indice : savoir demander de l'aide, c'est une force.",
                "Tu as demandé %(num)d indices : savoir demander de l'aide, c'est une force.",
                int(p["hints"]),
            )
        )
    if not lines:
        lines.append(_("Tu n'as pas joué ce jour-là : ton équipe compte sur toi pour la suite !"))
    return lines


def _card_personal(view: RecapView) -> tuple[str, ...]:
    """The player's part in three short lines at most (the card has little room)."""
    p = view.personal or {}
    lines = []
    if view.my_missions:
        lines.append(
            ngettext(
                "%(num)d mission réussie par moi",
                "%(num)d missions réussies par moi",
                len(view.my_missions),
            )
        )
    if p.get("shards_earned"):
        lines.append(
            ngettext(
                "%(num)d éclat rapporté à l'équipe",
                "%(num)d éclats rapportés à l'équipe",
                int(p["shards_earned"]),
            )
        )
    if p.get("checkpoints"):
        lines.append(
            ngettext("%(num)d balise validée", "%(num)d balises validées", int(p["checkpoints"]))
        )
    if p.get("hints"):
        lines.append(
            ngettext("%(num)d indice demandé", "%(num)d indices demandés", int(p["hints"]))
        )
    if p.get("attempts") and len(lines) < 3:
        lines.append(
            ngettext("%(num)d réponse tentée", "%(num)d réponses tentées", int(p["attempts"]))
        )
    return tuple(lines[:3])


def card_of(view: RecapView) -> Card:
    """The shareable card of a recap: pseudonym and team on a player's card, no other name."""
    offers = tuple(o["title"] for o in view.offers) or (
        _("Pas de nouvelle offre ce jour-là : elles vous attendent demain."),
    )
    missions = tuple(m.title for m in view.missions)
    sections: list[tuple[str, tuple[str, ...], str]] = []
    if view.personal is not None:
        # A player's own part comes first: it is what they share.
        sections.append((_("Ma part aujourd'hui"), _card_personal(view), "mine"))
    sections.append((_("Offres débloquées"), offers, "offers"))
    sections.append((_("Missions réussies"), missions, "missions"))
    return Card(
        kicker=view.scenario.upper(),
        day_label=_("JOUR %(n)s / %(total)s", n=view.day, total=view.days_total),
        title=view.title,
        who=view.pseudonym or view.team_name,
        team=view.team_name if view.pseudonym else None,
        stats=(
            (
                str(len(view.missions)),
                ngettext("mission réussie", "missions réussies", len(view.missions)),
            ),
            (f"+{view.shards_earned}", _("éclats d'avenir")),
            (
                str(len(view.offers)),
                ngettext("offre découverte", "offres découvertes", len(view.offers)),
            ),
        ),
        ai_label=_(
            "%(ai)s : encore %(left)s / %(max)s",
            ai=view.ai_name,
            left=view.ai_strength,
            max=view.ai_max,
        ),
        ai_fraction=view.ai_strength / view.ai_max if view.ai_max else 0.0,
        sections=tuple(sections),
        teaser_title=_("À suivre…") if view.next_day else _("Et maintenant…"),
        teaser=view.teaser,
        footer=_("Tempo — une aventure de ta Mission Locale"),
        more=_("… et {n} de plus (voir le journal)"),
    )


def players_by_team(session: Session, cohort_id: int, day: int) -> dict[int, list[str]]:
    """Pseudonyms of the players who have a recap of `day`, by team (for `tempo recap`)."""
    rows = session.execute(
        select(PlayerRecap.team_id, Player.pseudonym)
        .join(Player, Player.id == PlayerRecap.player_id)
        .where(PlayerRecap.cohort_id == cohort_id, PlayerRecap.day == day)
        .order_by(PlayerRecap.team_id, Player.pseudonym)
    ).all()
    out: dict[int, list[str]] = defaultdict(list)
    for team_id, pseudonym in rows:
        out[team_id].append(pseudonym)
    return dict(out)
