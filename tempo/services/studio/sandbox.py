"""Studio play-tests (« essais »): a private cohort an author plays with simulated teammates.

A play-test is a cohort whose `sandbox_owner_id` is its author: no cohort listing, dashboard,
export, alert, projector or scheduler job sees it (`cohorts.admin.visible_cohorts`,
`visible_cohort`, `calendar.days.upcoming`). It runs a **frozen** copy of the draft: the content
is frozen as a version **without a number** (an « essai »: not listed, not offered to
counsellors, not current); publishing the same content later promotes that row to the next
number. Testing a published version uses that version as it is.

Its one team holds the author's own player (the first player, opened in a new tab as `/jouer`)
and 2 to 5 simulated teammates (the other players) that the web layer pins as present
(`realtime.presence.Presence.pin`), so split clues deal them fragments and votes count them.
The teammates act only when asked (`play_bots`), through the ordinary services
(`play.actions.perform`), and the days move by the author's hand (`go_to_day`: the calendar is
planned a year ahead so no day opens by its hour). The engine is not touched.
"""

from __future__ import annotations

import html
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import nh3
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tempo.infra import markup
from tempo.infra.transactions import write_transaction
from tempo.missions import votes
from tempo.missions.qr_checkpoint import QrCheckpointParams
from tempo.missions.split_clue import SplitClueParams, hands
from tempo.models import (
    Cohort,
    CohortDay,
    MissionProgress,
    Player,
    ScenarioDraft,
    ScenarioVersion,
    StaffAccount,
    Team,
)
from tempo.services.calendar import days as calendar
from tempo.services.cohorts import dashboard
from tempo.services.cohorts.admin import create_cohort
from tempo.services.content import publishing
from tempo.services.content.games import game_for
from tempo.services.events import Broadcasts, merge
from tempo.services.play import actions, checkpoints, players
from tempo.services.play.teamlog import lock_team, record_event
from tempo.services.privacy.erasure import Folders, erase_cohort
from tempo.services.studio import catalogue, media
from tempo.services.studio.drafts import StudioError, draft_of, valid_content

BOT_NAMES = ("Alix", "Sam", "Noa", "Lou", "Eden")
MIN_BOTS, MAX_BOTS = 2, 5
AUTHOR_PSEUDONYM = "Moi"
#: The mission types in which the simulated teammates have something to do (`play_bots`).
BOT_TYPES = frozenset({"split-clue", "dialogue", "quiz", "diagnostic", "appointment"})
#: How far ahead the play-test's calendar is planned: no day opens by its hour.
AHEAD = timedelta(days=365)


@dataclass
class BotTurn:
    """What the simulated teammates did on one mission: events to publish, lines to show."""

    broadcasts: Broadcasts = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


# --- reading --------------------------------------------------------------------------------


def my_sandboxes(session: Session, owner: StaffAccount) -> list[Cohort]:
    """The author's play-tests, the most recent first."""
    return list(
        session.scalars(
            select(Cohort)
            .where(Cohort.sandbox_owner_id == owner.id)
            .order_by(Cohort.created_at.desc(), Cohort.id.desc())
        )
    )


def sandbox_of(session: Session, owner: StaffAccount, cohort_id: int) -> Cohort:
    """Play-test `cohort_id` if `owner` owns it (play-tests are private to their author)."""
    cohort = session.get(Cohort, cohort_id)
    if cohort is None or cohort.sandbox_owner_id != owner.id:
        raise StudioError("not-found", "Cet essai n'existe pas ou n'est pas le vôtre.")
    return cohort


def team(cohort: Cohort) -> Team:
    """The play-test's one team."""
    return cohort.teams[0]


def author_player(cohort: Cohort) -> Player:
    """The author's own player: the team's first."""
    return min(team(cohort).players, key=lambda p: p.id)


def bots(cohort: Cohort) -> list[Player]:
    """The simulated teammates: every player but the author's."""
    me = author_player(cohort)
    return sorted((p for p in team(cohort).players if p.id != me.id), key=lambda p: p.id)


# --- creating -------------------------------------------------------------------------------


def _frozen_draft(
    session: Session, owner: StaffAccount, draft: ScenarioDraft, content_dir: Path
) -> ScenarioVersion:
    """The draft frozen as an unnumbered version (or the version that already holds it)."""
    content = valid_content(
        draft, content_dir, catalogue.files_base(session, content_dir), media.index(session)
    )
    frozen = publishing.frozen_copy(content, draft.slug)
    digest = publishing.content_digest(content, draft.slug)
    existing = session.scalar(
        select(ScenarioVersion).where(
            ScenarioVersion.slug == draft.slug, ScenarioVersion.content_hash == digest
        )
    )
    if existing is not None:
        media.freeze_from_library(session, existing, content.scenarios[draft.slug])
        return existing
    meta = content.scenarios[draft.slug].meta
    version = ScenarioVersion(
        slug=draft.slug,
        label=meta.version[:32],
        title=meta.title[:200],
        content_hash=digest,
        content=frozen,
        number=None,
        author_id=owner.id,
        files=dict(draft.files),
    )
    session.add(version)
    session.flush()
    media.freeze_from_library(session, version, content.scenarios[draft.slug])
    return version


def create(
    session: Session,
    owner: StaffAccount,
    now: datetime,
    *,
    content_dir: Path,
    draft_id: int | None = None,
    version_id: int | None = None,
    bot_count: int = 3,
) -> Cohort:
    """A play-test of a draft (frozen now) or of a published version, day 1 open."""
    if not MIN_BOTS <= bot_count <= MAX_BOTS:
        raise StudioError("bots", f"Choisissez de {MIN_BOTS} à {MAX_BOTS} coéquipiers simulés.")
    with write_transaction(session):
        if draft_id is not None:
            version = _frozen_draft(session, owner, draft_of(session, owner, draft_id), content_dir)
        else:
            found = session.get(ScenarioVersion, version_id) if version_id is not None else None
            if found is None or found.number is None:
                raise StudioError("not-found", "Cette version n'existe pas.")
            version = found
        cohort = create_cohort(
            session,
            version,
            slug=f"essai-{secrets.token_hex(6)}",
            name=f"Essai — {version.title}"[:200],
            start=(now + AHEAD).date(),
            team_names=["Équipe d'essai"],
        )
        cohort.sandbox_owner_id = owner.id
        session.flush()
        cohort_id, team_id = cohort.id, cohort.teams[0].id
    for name in (AUTHOR_PSEUDONYM, *BOT_NAMES[:bot_count]):
        players.join_team(session, team_id, name, now)
    calendar.unlock_day(session, cohort_id, 1, now)
    return sandbox_of(session, owner, cohort_id)


def delete(
    session: Session, owner: StaffAccount, cohort_id: int, folders: Folders, now: datetime
) -> None:
    """Delete a play-test and everything its team did, files included, like any cohort's
    erasure (its frozen version stays)."""
    erase_cohort(session, sandbox_of(session, owner, cohort_id).id, folders, now)


# --- the simulated teammates ----------------------------------------------------------------


def play_bots(
    session: Session, cohort: Cohort, mission_id: str, present: list[int], now: datetime
) -> BotTurn:
    """Make the simulated teammates act on one mission: vote like the author in dialogues and
    quizzes, show their split-clue fragments, complete their diagnostic."""
    game = game_for(cohort.scenario_version)
    mission = game.missions.get(mission_id)
    if mission is None:
        raise StudioError("unknown-mission", "Cette mission n'existe pas.")
    the_team, me, mates = team(cohort), author_player(cohort), bots(cohort)
    state = actions.team_state(session, the_team, now)
    if game.status(state, mission_id) not in ("available", "in_progress"):
        return BotTurn(notes=[f"« {mission.title} » n'est pas jouable en ce moment."])
    record = state.missions.get(mission_id)
    mission_state: dict[str, Any] = dict(record.state) if record is not None else {}
    turn = BotTurn()
    if mission.type == "split-clue":
        params = game.params[mission_id]
        assert isinstance(params, SplitClueParams)
        held_by = hands(params, mission_state, tuple(str(p) for p in present))
        for bot in mates:
            held = held_by.get(str(bot.id), [])
            texts = " / ".join(f"« {_plain(params.fragments[i])} »" for i in held)
            turn.notes.append(f"{bot.pseudonym} : {texts or 'aucun fragment'}")
        return turn
    if mission.type in ("dialogue", "quiz"):
        round_ = mission_state.get("vote")
        mine = None
        if isinstance(round_, dict):
            mine = next((v for v in round_.get("votes", []) if v.get("player") == str(me.id)), None)
        if mine is None or not isinstance(round_, dict):
            turn.notes.append(
                "Votez d'abord sur votre téléphone : les coéquipiers voteront comme vous."
            )
            return turn
        key = round_.get("key")
        data: dict[str, Any] = (
            {"choice": mine["choice"], "node": key}
            if mission.type == "dialogue"
            else {"answers": mine["choice"], "round": key}
        )
        for bot in mates:
            reply = _act(session, bot, mission_id, votes.VOTE, data, present, now, turn)
            if reply.error is not None and reply.error.get("code") == votes.STALE_VOTE:
                break  # the vote was decided by the previous teammate
        if not turn.notes:
            turn.notes.append("Les coéquipiers ont voté comme vous.")
        return turn
    if mission.type == "diagnostic":
        for bot in mates:
            _act(session, bot, mission_id, "completed", {}, present, now, turn)
        turn.notes.append("Les coéquipiers ont terminé leur diagnostic.")
        return turn
    if mission.type == "appointment":
        # A play-test has no counsellor and so no slot: the booking is simulated for the whole
        # team, the author included, and no agenda is touched.
        for player in (me, *mates):
            _act(session, player, mission_id, "booked", {}, present, now, turn)
        turn.notes.append(
            "Rendez-vous simulé pour toute l'équipe, vous compris : aucun vrai agenda n'est touché."
        )
        return turn
    turn.notes.append(
        f"Dans « {mission.title} », les coéquipiers simulés n'ont rien à faire : jouez-la "
        "vous-même."
    )
    return turn


def _plain(text: str) -> str:
    """Authored Markdown as the plain text the panel shows (« **Lettre 2** » → « Lettre 2 »)."""
    return html.unescape(nh3.clean(str(markup.render(text)), tags=set())).strip()


def _act(
    session: Session,
    bot: Player,
    mission_id: str,
    kind: str,
    data: dict[str, Any],
    present: list[int],
    now: datetime,
    turn: BotTurn,
) -> actions.Reply:
    reply = actions.perform(
        session,
        bot,
        actions.server_action_id("bot", bot.id, mission_id, kind, secrets.token_hex(4)),
        mission_id,
        kind,
        data,
        now,
        present,
    )
    if reply.error is not None:
        turn.notes.append(f"{bot.pseudonym} : {reply.error.get('message', '')}")
    if reply.team_id is not None:
        turn.broadcasts = merge(turn.broadcasts, {reply.team_id: reply.events})
    return reply


# --- time travel ----------------------------------------------------------------------------


def go_to_day(session: Session, cohort: Cohort, number: int, now: datetime) -> Broadcasts:
    """Open every day up to `number` now; days after it are locked again and their missions'
    progress reset (a rewind)."""
    if not 1 <= number <= len(cohort.days):
        raise StudioError("unknown-day", f"Choisissez un jour de 1 à {len(cohort.days)}.")
    out: Broadcasts = {}
    for day in cohort.days:
        if day.number <= number and day.unlocked_at is None:
            out = merge(out, calendar.unlock_day(session, cohort.id, day.number, now))
    later = [d.number for d in cohort.days if d.number > number and d.unlocked_at is not None]
    if later:
        out = merge(out, _rewind(session, cohort, set(later), now))
    return out


def _rewind(session: Session, cohort: Cohort, numbers: set[int], now: datetime) -> Broadcasts:
    game = game_for(cohort.scenario_version)
    the_team = team(cohort)
    out: Broadcasts = {}
    touched = set(
        session.scalars(
            select(MissionProgress.mission_id).where(MissionProgress.team_id == the_team.id)
        )
    )
    for mission_id in sorted(touched):
        if game.day_of.get(mission_id) in numbers:
            out = merge(out, dashboard.reset_mission(session, cohort, the_team.id, mission_id, now))
    return merge(out, _relock(session, cohort, numbers, now))


def _relock(session: Session, cohort: Cohort, numbers: set[int], now: datetime) -> Broadcasts:
    with write_transaction(session):
        session.execute(
            update(CohortDay)
            .where(CohortDay.cohort_id == cohort.id, CohortDay.number.in_(numbers))
            .values(unlocked_at=None, closed_at=None)
        )
        locked = lock_team(session, team(cohort).id)
        assert locked is not None
        # Phones know no event that closes a day's cards: this one makes them ask for the
        # whole state (protocol.md, `sandbox.rewound`).
        event = record_event(session, locked, "sandbox.rewound", {"days": sorted(numbers)}, now)
    session.expire(cohort)
    return {locked.id: [event]}


def reset_mission(session: Session, cohort: Cohort, mission_id: str, now: datetime) -> Broadcasts:
    """Put one mission back to its start for the play-test's team."""
    return dashboard.reset_mission(session, cohort, team(cohort).id, mission_id, now)


def restart(session: Session, cohort: Cohort, now: datetime) -> Broadcasts:
    """Start the play-test again: every mission reset, day 1 open alone."""
    out = go_to_day(session, cohort, 1, now)
    game = game_for(cohort.scenario_version)
    touched = session.scalars(
        select(MissionProgress.mission_id).where(MissionProgress.team_id == team(cohort).id)
    ).all()
    for mission_id in sorted(set(touched)):
        if mission_id in game.missions:
            out = merge(out, reset_mission(session, cohort, mission_id, now))
    return out


# --- what the author plays in the place of a counsellor -------------------------------------


def checkpoint_codes(cohort: Cohort, secret: str) -> dict[str, list[tuple[str, str]]]:
    """Each QR mission's checkpoints as (label, code to type): the author has no printed
    posters, so the panel shows the six characters printed under each QR code."""
    game = game_for(cohort.scenario_version)
    return {
        mission_id: [
            (cp.label, checkpoints.short_code(secret, cohort.id, cp.id))
            for cp in params.checkpoints
        ]
        for mission_id, params in game.params.items()
        if isinstance(params, QrCheckpointParams)
    }


def pending_proofs(session: Session, cohort: Cohort) -> set[str]:
    """The missions whose proof waits for a review (the author reviews it: no counsellor)."""
    rows = session.scalars(
        select(MissionProgress).where(MissionProgress.team_id == team(cohort).id)
    )
    return {r.mission_id for r in rows if r.state.get("status") == "pending"}


def review_proof(
    session: Session, cohort: Cohort, mission_id: str, accepted: bool, now: datetime, photos: Path
) -> Broadcasts:
    """Accept or refuse the play-test team's pending proof, as the counsellor would."""
    comment = "Validée pendant l'essai." if accepted else "Refusée pendant l'essai."
    return dashboard.review_proof(
        session, cohort, team(cohort).id, mission_id, accepted, comment, now, photos=photos
    )
