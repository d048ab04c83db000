"""A team's shared game state and the pure rules that change it.

`play` and `buy_hint` take the team's current state, an action and the context (time, players
present) and return what changes and the events to record; they never read a clock, a database
or a request. The service layer persists the changes and gives each event its version.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from tempo.missions import registry
from tempo.missions.base import (
    JSON,
    Action,
    ConsoleSummary,
    MissionContext,
    MissionError,
    MissionType,
    Params,
)
from tempo.scenarios.schema import Mission, Offer, Scenario

LOCKED, AVAILABLE, IN_PROGRESS, DONE = "locked", "available", "in_progress", "done"
# Fields of every mission view holding authored Markdown (paths as in `markdown_to_html`);
# the type's own view sits under `play`.
VIEW_MARKDOWN = ("narrative", "hints[].text", "on_wrong.text")

# While its cohort is paused a team plays nothing: every action, hint and scan gets this.
PAUSED = MissionError(
    "cohort_paused",
    "Le jeu est en pause : ton conseiller ou ta conseillère le relancera bientôt.",
)
# Actions the server sends for what is already recorded outside the team's state (a
# counsellor's review of a proof, a booked appointment, a finished diagnostic): they still
# apply during a pause, since refusing them would lose the link to that record.
PAUSE_EXEMPT = frozenset({"review", "booked", "completed"})


@dataclass(frozen=True)
class MissionRecord:
    """One team's record of one mission."""

    status: str = AVAILABLE
    state: JSON = field(default_factory=dict)
    hints_used: int = 0
    completed_by: str | None = None


@dataclass(frozen=True)
class TeamState:
    """The authoritative shared state of a team, as the engine sees it."""

    version: int
    shards: int
    ai_strength: int
    flags: Mapping[str, bool]
    missions: Mapping[str, MissionRecord]
    offers: tuple[str, ...]
    open_days: frozenset[int]
    paused: bool = False


def pause_refusal(team: TeamState, kind: str) -> MissionError | None:
    """The refusal of an action (a hint: kind "hint") while the team's cohort is paused."""
    if team.paused and kind not in PAUSE_EXEMPT:
        return PAUSED
    return None


@dataclass
class Result:
    """What an action did: the new state, the events to record, or a refusal."""

    state: TeamState
    events: list[JSON] = field(default_factory=list)
    error: MissionError | None = None
    wrong: bool = False
    changed: set[str] = field(default_factory=set)

    @property
    def ok(self) -> bool:
        """True when the action was accepted (even if the answer was wrong)."""
        return self.error is None or self.wrong


class Game:
    """A scenario ready to play: missions indexed, parameters parsed once."""

    def __init__(self, scenario: Scenario, offers: Sequence[Offer]) -> None:
        self.scenario = scenario
        self.offers = {o.id: o for o in offers}
        self.missions: dict[str, Mission] = {}
        self.day_of: dict[str, int] = {}
        self.params: dict[str, Params] = {}
        self.types: dict[str, MissionType[Any]] = {}
        for day, mission in scenario.missions():
            mission_type = registry.get(mission.type)
            if mission_type is None:  # the validator refuses this; guard for frozen content
                raise ValueError(f"unknown mission type {mission.type!r}")
            self.missions[mission.id] = mission
            self.day_of[mission.id] = day.day
            self.params[mission.id] = mission_type.parse(mission.params)
            self.types[mission.id] = mission_type

    @classmethod
    def from_frozen(cls, frozen: Mapping[str, Any]) -> Game:
        """Build from a scenario version's frozen content."""
        scenario = Scenario.model_validate(frozen["scenario"])
        offers = [Offer.model_validate(o) for o in frozen["offers"]]
        return cls(scenario, offers)

    def status(self, team: TeamState, mission_id: str) -> str:
        """Locked, available, in progress or done — derived for missions never touched."""
        record = team.missions.get(mission_id)
        if record is not None and record.status in (IN_PROGRESS, DONE):
            return record.status
        mission = self.missions[mission_id]
        if self.day_of[mission_id] not in team.open_days:
            return LOCKED
        if all(self._done(team, r) for r in mission.requires):
            return AVAILABLE
        return LOCKED

    def statuses(self, team: TeamState) -> dict[str, str]:
        """Every mission's status."""
        return {m: self.status(team, m) for m in self.missions}

    def initial_team(self, version: int = 0, open_days: frozenset[int] = frozenset()) -> TeamState:
        """A new team: the scenario's starting éclats, the AI at full strength."""
        return TeamState(
            version=version,
            shards=self.scenario.meta.starting_shards,
            ai_strength=self.scenario.meta.ai.strength,
            flags={},
            missions={},
            offers=(),
            open_days=open_days,
        )

    @staticmethod
    def _done(team: TeamState, mission_id: str) -> bool:
        record = team.missions.get(mission_id)
        return record is not None and record.status == DONE

    def _record(self, team: TeamState, mission_id: str) -> MissionRecord:
        record = team.missions.get(mission_id)
        if record is not None:
            return record
        mission_type = self.types[mission_id]
        return MissionRecord(state=mission_type.initial_state(self.params[mission_id]))

    def _playable(self, team: TeamState, mission_id: str) -> MissionError | None:
        if mission_id not in self.missions:
            return MissionError("unknown_mission", "Cette mission n'existe pas.")
        status = self.status(team, mission_id)
        if status == DONE:
            return MissionError("already_done", "Votre équipe a déjà réussi cette mission !")
        if status == LOCKED:
            return MissionError("mission_locked", "Cette mission n'est pas encore disponible.")
        return None

    def play(self, team: TeamState, mission_id: str, action: Action, ctx: MissionContext) -> Result:
        """Apply a player's (or counsellor's) action on a mission."""
        refusal = pause_refusal(team, action.kind) or self._playable(team, mission_id)
        if refusal is not None:
            return Result(team, error=refusal)
        mission_type = self.types[mission_id]
        record = self._record(team, mission_id)
        outcome = mission_type.handle(
            self.params[mission_id], record.state, action, replace(ctx, flags=team.flags)
        )
        if outcome.error is not None and not outcome.wrong:
            return Result(team, error=outcome.error)
        flags = {**team.flags, **outcome.set_flags}
        if not outcome.completed:
            new_record = replace(record, status=IN_PROGRESS, state=outcome.state)
            new_team = replace(
                team, flags=flags, missions={**team.missions, mission_id: new_record}
            )
            kind = "mission.attempted" if outcome.wrong else "mission.updated"
            events = [{"type": kind, "mission": mission_id, "by": action.player, **outcome.detail}]
            events += [{**e, "mission": mission_id} for e in outcome.events]
            return Result(
                new_team, events, error=outcome.error, wrong=outcome.wrong, changed={mission_id}
            )
        return self._complete(team, mission_id, record, outcome.state, flags, action.player)

    def _complete(
        self,
        team: TeamState,
        mission_id: str,
        record: MissionRecord,
        state: JSON,
        flags: Mapping[str, bool],
        player: str,
    ) -> Result:
        mission = self.missions[mission_id]
        before = self.statuses(team)
        done = replace(record, status=DONE, state=state, completed_by=player)
        # dict.fromkeys: an offer listed twice by one mission is still unlocked once.
        new_offers = list(dict.fromkeys(o for o in mission.unlocks if o not in team.offers))
        new_team = replace(
            team,
            shards=team.shards + mission.reward,
            ai_strength=max(0, team.ai_strength - mission.reward),
            flags=flags,
            missions={**team.missions, mission_id: done},
            offers=(*team.offers, *new_offers),
        )
        events: list[JSON] = [
            {
                "type": "mission.completed",
                "mission": mission_id,
                "by": player,
                "reward": mission.reward,
                "shards": new_team.shards,
                "ai_strength": new_team.ai_strength,
            }
        ]
        events += [
            {"type": "offer.unlocked", "offer": offer_id, "mission": mission_id}
            for offer_id in new_offers
        ]
        after = self.statuses(new_team)
        opened = [m for m, s in after.items() if s == AVAILABLE and before[m] == LOCKED]
        if opened:
            events.append({"type": "mission.available", "missions": opened})
        return Result(new_team, events, changed={mission_id})

    def regroup(self, team: TeamState, ctx: MissionContext) -> Result:
        """Re-deal what depends on who is present (split-clue fragments) over `ctx`'s players.

        Every mission of an open day not done yet, even one still waiting for its
        requirements, so the fragments a player reads once it unlocks are already theirs. The
        changed ones are in `changed`, with no event: phones ask again for the open mission's
        view when the online list changes.
        """
        missions = dict(team.missions)
        changed = set()
        for mission_id, mission_type in self.types.items():
            if not mission_type.dealt_by_presence:
                continue
            if self.day_of[mission_id] not in team.open_days or self._done(team, mission_id):
                continue
            record = self._record(team, mission_id)
            state = mission_type.regroup(
                self.params[mission_id], record.state, replace(ctx, flags=team.flags)
            )
            if state != record.state:
                missions[mission_id] = replace(record, state=state)
                changed.add(mission_id)
        return Result(replace(team, missions=missions), changed=changed)

    def buy_hint(
        self, team: TeamState, mission_id: str, index: int, player: str, given: bool = False
    ) -> Result:
        """Spend shards on the mission's next hint (hints are bought in order).

        `given`: a counsellor offers it (from the dashboard's alerts): it costs nothing.
        """
        refusal = pause_refusal(team, "hint") or self._playable(team, mission_id)
        if refusal is not None:
            return Result(team, error=refusal)
        hints = self.missions[mission_id].hints
        record = self._record(team, mission_id)
        if 0 <= index < record.hints_used:
            return Result(team, error=MissionError("hint_owned", "Votre équipe a déjà cet indice."))
        if index != record.hints_used or index >= len(hints):
            return Result(team, error=MissionError("no_hint", "Cet indice n'est pas disponible."))
        cost = 0 if given else hints[index].cost
        if team.shards < cost:
            return Result(
                team,
                error=MissionError(
                    "not_enough_shards",
                    f"Il faut {cost} éclats pour cet indice : votre équipe en a {team.shards}.",
                ),
            )
        new_record = replace(record, hints_used=index + 1)
        if new_record.status == AVAILABLE:
            new_record = replace(new_record, status=IN_PROGRESS)
        new_team = replace(
            team, shards=team.shards - cost, missions={**team.missions, mission_id: new_record}
        )
        event = {
            "type": "hint.bought",
            "mission": mission_id,
            "index": index,
            "text": hints[index].text,
            "cost": cost,
            "shards": new_team.shards,
            "by": player,
        }
        if given:
            event["given"] = True
        return Result(new_team, [event], changed={mission_id})

    def mission_view(
        self, team: TeamState, mission_id: str, player: str, ctx: MissionContext
    ) -> JSON:
        """What one player may see of one mission: never an accepted answer."""
        mission = self.missions[mission_id]
        dynamic = self.dynamic_view(team, mission_id, player, ctx)
        view: JSON = {
            "id": mission.id,
            "day": self.day_of[mission_id],
            "type": mission.type,
            "title": mission.title,
            "character": mission.character,
            "reward": mission.reward,
            "status": dynamic["status"],
            "requires": list(mission.requires),
            "offer_count": len(mission.unlocks),
            "skills": list(mission.skills),
            "hints": dynamic["hints"],
        }
        if "play" in dynamic:
            view["narrative"] = mission.narrative
            if mission.image is not None:
                view["image"] = mission.image
            if mission.on_wrong is not None:
                view["on_wrong"] = {
                    "character": mission.on_wrong.character or mission.character,
                    "text": mission.on_wrong.text,
                }
            view["play"] = dynamic["play"]
        if "unlocks" in dynamic:
            view["unlocks"] = dynamic["unlocks"]
        return view

    def dynamic_view(
        self, team: TeamState, mission_id: str, player: str, ctx: MissionContext
    ) -> JSON:
        """The parts of `mission_view` that change with play: `status`, `hints`, `play` (not
        while locked) and `unlocks` (once done)."""
        mission = self.missions[mission_id]
        status = self.status(team, mission_id)
        record = self._record(team, mission_id)
        view: JSON = {
            "status": status,
            "hints": [
                {"index": i, "cost": h.cost, "text": h.text if i < record.hints_used else None}
                for i, h in enumerate(mission.hints)
            ],
        }
        if status != LOCKED:
            view["play"] = self.types[mission_id].view(
                self.params[mission_id], record.state, player, replace(ctx, flags=team.flags)
            )
        if status == DONE:
            view["unlocks"] = list(mission.unlocks)
        return view

    def play_view(
        self, team: TeamState, mission_id: str, player: str, ctx: MissionContext
    ) -> JSON | None:
        """The type's part of a mission's view (`play`) for one player; None while locked."""
        if self.status(team, mission_id) == LOCKED:
            return None
        record = self._record(team, mission_id)
        return self.types[mission_id].view(
            self.params[mission_id], record.state, player, replace(ctx, flags=team.flags)
        )

    def console_summary(self, mission_id: str, state: JSON) -> ConsoleSummary:
        """What the counsellor's dashboard shows of a team's state of this mission."""
        return self.types[mission_id].console_summary(self.params[mission_id], state)

    def view_markdown(self, mission_id: str) -> tuple[str, ...]:
        """The Markdown fields of this mission's view: the common ones and its type's."""
        return VIEW_MARKDOWN + tuple(f"play.{path}" for path in self.types[mission_id].markdown)
