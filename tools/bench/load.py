"""The load generator: N simulated phones that play through the real protocol (asyncio).

One asyncio loop drives every phone (python-socketio's AsyncClient over WebSocket): on a
2-core machine a single event loop costs far less CPU than hundreds of threads, so the
generator itself stays out of the way (its CPU is measured and reported).

Against Tempo the phones play day 1 of "Tempo 2050" for real (docs/protocol.md): enigma,
split clue and quiz answers (wrong, then right; answers read from the frozen content), the
dialogue's choices, a text proof, QR checkpoints of day 6 opened with `/q/<token>` (tokens
signed by the bench with `tempo.services.play.checkpoints`), and reconnections that `sync` from
the last applied version. Against the bare transport every tick is one `action` relayed to
the room as one `team.event`.

Beside their actions the phones send what the real client sends (tools/bench/client_mix.json,
recorded from play.js in Chromium by tools/bench/mix.py): its requests on each connection
(`sync`, `inbox`) and, per action, its share of other requests (`view` of the mission, `hint`,
`inbox.read`, …), spread evenly over the ticks. Dialogues and quizzes are decided by vote, as
the phones of Tempo 2050 do: a team agrees on a reply and its players vote for it until the
majority of those present decides; the phones learn the new line from the `mission.view` push.

Latency is measured without adding anything to the protocol: the acting phone notes its send
time and reads its event's version from the acknowledgement; every phone notes when each
version arrives; the two are matched after the run. A scan is matched by its checkpoint
(`checkpoint.scanned` carries it), since its HTTP answer is a redirect.
"""

from __future__ import annotations

import asyncio
import json
import math
import random
import re
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

NS = "/play"
MIX_FILE = Path(__file__).with_name("client_mix.json")
# A phone that leaves less than this many seconds after an event was sent is not counted as
# a live recipient of it (it gets it on `sync`, which the replay check verifies instead).
OFFLINE_GRACE = 5.0
# Team attempts on a guess mission before the team finds the right answer.
RIGHT_AFTER = {"enigma": 4, "quiz": 10, "split-clue": 60}
# Rounds a team decides wrong on a quiz in vote mode before it votes the right answers.
QUIZ_WRONG_ROUNDS = 2
# Dialogue choices a team makes wandering (retry endings included) before heading to success.
DIALOGUE_WANDER = 8
# Share of ticks spent scanning a QR checkpoint while the team has some left.
SCAN_SHARE = 0.04
WRONG_TEXTS = ("kronos", "horizon", "travail", "avenir", "motivation", "pompier", "je sais pas")


@dataclass(frozen=True)
class Plan:
    """The load: players, one action every `period` seconds each, for `duration` seconds."""

    players: int
    period: float
    duration: float
    warmup: float
    reconnect_rate: float = 0.05
    drain: float = 2.0
    seed: int = 2050
    mix: str = "client"  # "client": the real client's requests (client_mix.json); "light": none
    bare_direct: bool = False  # the bare transport writes like `tempo serve` (direct_send)


class ClientMix:
    """The real client's requests beside its actions (tools/bench/client_mix.json)."""

    def __init__(self, connect: list[str], per_action: dict[str, float]) -> None:
        self.connect = list(connect)
        self.per_action = dict(per_action)

    @classmethod
    def load(cls, name: str = "client") -> ClientMix:
        """The recorded mix, or for "light" the bench's former one (`sync` on connect only)."""
        if name == "light":
            return cls(["sync"], {})
        data = json.loads(MIX_FILE.read_text("utf-8"))
        return cls(data["connect"], data["per_action"])

    def start(self, rng: random.Random) -> dict[str, float]:
        """A phone's starting credits: a random phase, so phones do not ask in step."""
        return {name: rng.random() for name in self.per_action}

    def extras(self, credit: dict[str, float]) -> list[str]:
        """The requests to send beside one action; `credit` carries the fractions over."""
        out = []
        for name, ratio in self.per_action.items():
            credit[name] = credit.get(name, 0.0) + ratio
            while credit[name] >= 1.0:
                credit[name] -= 1.0
                out.append(name)
        return out


@dataclass
class RunStats:
    """What one run measured (one server, one load)."""

    label: str
    plan: Plan
    actions: int = 0
    timed: int = 0
    no_event: Counter[str] = field(default_factory=Counter)
    expected: int = 0
    delivered: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    version_gaps: int = 0
    server_cpu_s: float = 0.0
    server_rss_mb: float = 0.0
    generator_cpu_s: float = 0.0
    window_s: float = 0.0
    connect_s: float = 0.0
    connect_cpu_s: float = 0.0
    first_sync_ms: list[float] = field(default_factory=list)
    reconnects: int = 0
    replays_complete: int = 0
    reconnect_ms: list[float] = field(default_factory=list)
    scans: int = 0
    scan_ms: list[float] = field(default_factory=list)
    presence: int = 0
    skipped_offline: int = 0
    load_before: float = 0.0
    load_after: float = 0.0
    requests: Counter[str] = field(default_factory=Counter)  # other requests than actions

    @property
    def delivered_pct(self) -> float:
        """Live deliveries over expected ones, in percent."""
        return 100.0 * self.delivered / self.expected if self.expected else 0.0

    def pct(self, q: float) -> float:
        """Latency percentile `q` (0–100), milliseconds (nearest rank)."""
        return percentile(self.latencies_ms, q)

    @property
    def deliveries_per_s(self) -> float:
        """Live deliveries per second of measured play."""
        return self.delivered / self.plan.duration if self.plan.duration else 0.0

    @classmethod
    def pooled(cls, rounds: list[RunStats]) -> RunStats:
        """The rounds of one server as one run: their measured windows end to end (counts,
        CPU and latencies added up, so percentiles are over every delivery of every round);
        connecting is the mean of a round's, the peak RSS the highest."""
        first = rounds[0]
        pooled = cls(
            label=first.label,
            plan=replace(first.plan, duration=sum(r.plan.duration for r in rounds)),
            load_before=first.load_before,
            load_after=rounds[-1].load_after,
            server_rss_mb=max(r.server_rss_mb for r in rounds),
            connect_s=sum(r.connect_s for r in rounds) / len(rounds),
            connect_cpu_s=sum(r.connect_cpu_s for r in rounds) / len(rounds),
        )
        for r in rounds:
            for name in _ADDED_UP:
                setattr(pooled, name, getattr(pooled, name) + getattr(r, name))
        return pooled


#: What `RunStats.pooled` adds up from round to round (numbers, lists and counters).
_ADDED_UP = (
    "actions",
    "timed",
    "no_event",
    "expected",
    "delivered",
    "latencies_ms",
    "version_gaps",
    "server_cpu_s",
    "generator_cpu_s",
    "window_s",
    "first_sync_ms",
    "reconnects",
    "replays_complete",
    "reconnect_ms",
    "scans",
    "scan_ms",
    "presence",
    "skipped_offline",
    "requests",
)


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile of `values` (0 when empty)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


# --- What a team plays (read from the frozen scenario) -------------------------------------


def visible(choice: dict[str, Any], flags: dict[str, bool]) -> bool:
    """Whether a dialogue choice is offered, given the flags the team has set."""
    return all(flags.get(f) for f in choice.get("if_flags", [])) and not any(
        flags.get(f) for f in choice.get("unless_flags", [])
    )


class Script:
    """Day 1's missions and their answers, from the cohort's frozen scenario."""

    def __init__(self, scenario: dict[str, Any], day: int = 1) -> None:
        missions = next(d["missions"] for d in scenario["days"] if d["day"] == day)
        self.missions = {m["id"]: m for m in missions}
        self.guesses = [m["id"] for m in missions if m["type"] in RIGHT_AFTER]
        self.dialogue = next((m for m in missions if m["type"] == "dialogue"), None)
        self.proof = next((m["id"] for m in missions if m["type"] == "proof"), None)
        self.voted = {m["id"] for m in missions if m["params"].get("decision") == "vote"}
        self.hints = {m["id"]: len(m.get("hints") or []) for m in missions}
        # Checkpoint -> its mission: the scan that completes a mission is announced by
        # `mission.completed` (no `checkpoint.scanned`), so it is matched by the mission.
        self.checkpoint_missions = {
            cp["id"]: m["id"]
            for d in scenario["days"]
            for m in d["missions"]
            if m["type"] == "qr-checkpoint"
            for cp in m["params"]["checkpoints"]
        }
        self.nodes: dict[str, dict[str, Any]] = {}
        self.distance: dict[str, float] = {}
        if self.dialogue is not None:
            params = self.dialogue["params"]
            self.nodes = {n["id"]: n for n in params["nodes"]}
            self.start = params["start"]
            self.distance = {n: math.inf for n in self.nodes}
            changed = True
            while changed:  # shortest number of choices to a success ending (Bellman-Ford)
                changed = False
                for node_id, node in self.nodes.items():
                    best = min(self.cost(c) for c in node["choices"])
                    if best < self.distance[node_id]:
                        self.distance[node_id], changed = best, True

    def cost(self, choice: dict[str, Any]) -> float:
        """Choices still needed to succeed after taking `choice`."""
        if choice.get("end") == "success":
            return 0
        if choice.get("end") == "retry" or choice.get("next") is None:
            return math.inf
        return 1 + self.distance.get(choice["next"], math.inf)

    def right(self, mission_id: str) -> dict[str, Any]:
        """The data of a right answer."""
        mission = self.missions[mission_id]
        params = mission["params"]
        if mission["type"] == "quiz":
            return {
                "answers": [
                    [i for i, c in enumerate(q["choices"]) if c.get("correct")]
                    for q in params["questions"]
                ]
            }
        return {"answer": params["answers"][0]}

    def wrong(self, mission_id: str, rng: random.Random) -> dict[str, Any]:
        """The data of a wrong answer."""
        mission = self.missions[mission_id]
        if mission["type"] == "quiz":
            picks = []
            for q in mission["params"]["questions"]:
                wrong = [i for i, c in enumerate(q["choices"]) if not c.get("correct")]
                picks.append([rng.choice(wrong)])
            return {"answers": picks}
        return {"answer": rng.choice(WRONG_TEXTS)}


@dataclass
class Move:
    """What a phone does at a tick."""

    mission: str = ""
    kind: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    intent: str = "wrong"  # wrong, right, dialogue, proof, scan, idle
    choice: dict[str, Any] | None = None
    checkpoint: str = ""


class TeamPlay:
    """A team's shared view of its game, updated from events and acknowledgements.

    The team's phones live in one process, so they share it, as teammates in one room would
    share what they see: no two of them pick the same dialogue line at once, and a mission
    being solved is not answered again.
    """

    def __init__(self, script: Script, checkpoints: list[str]) -> None:
        self.script = script
        self.done: set[str] = set()
        self.seen: set[int] = set()
        self.node = getattr(script, "start", "")
        self.flags: dict[str, bool] = {}
        self.dialogue_busy = False
        self.dialogue_steps = 0
        self.attempts: Counter[str] = Counter()
        self.solving: set[str] = set()
        self.unscanned = list(checkpoints)
        self.proof_sent = False
        self.shown: list[str] | None = None  # the dialogue's replies on screen (last view)
        self.target: int | None = None  # the reply the team votes for at this node
        self.rounds: dict[str, int] = {}  # quiz -> its current vote round (attempt number)
        self.hints_bought: Counter[str] = Counter()

    def apply(self, event: dict[str, Any]) -> None:
        """Take an event into account once (every teammate receives it)."""
        version = event.get("version")
        if not isinstance(version, int) or version in self.seen:
            return
        self.seen.add(version)
        if event.get("type") == "mission.completed":
            self.done.add(str(event.get("mission")))
            self.solving.discard(str(event.get("mission")))

    def on_view(self, mission_id: str, play: dict[str, Any]) -> None:
        """A `mission.view` push (or `view` reply): where a voted dialogue or quiz stands."""
        script = self.script
        if script.dialogue is not None and mission_id == script.dialogue["id"]:
            node = play.get("node")
            if isinstance(node, str) and node in script.nodes and node != self.node:
                if self.target is not None:  # the team's reply was decided: its flags hold
                    chosen = self._shown()[self.target]
                    self.flags.update(dict.fromkeys(chosen.get("set_flags", []), True))
                self.node, self.target = node, None
            choices = play.get("choices")
            if isinstance(choices, list):
                self.shown = [str(c) for c in choices]
        elif isinstance(play.get("vote_round"), int):
            self.rounds[mission_id] = int(play["vote_round"])

    def _shown(self) -> list[dict[str, Any]]:
        """The current node's replies offered to the team (from the view, else the flags)."""
        node = self.script.nodes[self.node]
        if self.shown is not None:
            by_text = {c["text"]: c for c in node["choices"]}
            shown = [by_text[t] for t in self.shown if t in by_text]
            if len(shown) == len(self.shown):
                return shown
        return [c for c in node["choices"] if visible(c, self.flags)]

    def hint(self, mission_id: str) -> int:
        """The index of the team's next hint on this mission (past the last: refused)."""
        index = self.hints_bought[mission_id]
        if index < self.script.hints.get(mission_id, 0):
            self.hints_bought[mission_id] += 1
        return index

    def _available(self, mission_id: str) -> bool:
        mission = self.script.missions[mission_id]
        return mission_id not in self.done and all(r in self.done for r in mission["requires"])

    def next_move(self, rng: random.Random) -> Move:
        """Pick this tick's move: a scan now and then, else a mission action."""
        if self.unscanned and rng.random() < SCAN_SHARE:
            return Move(intent="scan", checkpoint=self.unscanned.pop())
        options: list[tuple[float, str]] = []
        dialogue = self.script.dialogue
        voted = dialogue is not None and dialogue["id"] in self.script.voted
        if dialogue and (voted or not self.dialogue_busy) and self._available(dialogue["id"]):
            options.append((2.0, "dialogue"))
        for mission_id in self.script.guesses:
            if mission_id not in self.solving and self._available(mission_id):
                options.append((1.0, mission_id))
        proof = self.script.proof
        if proof and not self.proof_sent and self._available(proof):
            options.append((0.3, "proof"))
        if not options:
            # Nothing left that changes the game: an answer to a done mission (no event).
            first = self.script.guesses[0]
            return Move(first, "answer", {"answer": "encore"}, intent="idle")
        pick = rng.choices([o for _w, o in options], weights=[w for w, _o in options])[0]
        if pick == "dialogue":
            return self._dialogue_move(rng)
        if pick == "proof":
            self.proof_sent = True
            text = (
                "Les Chronos : 1) on s'entraide ; 2) on prévient si on est en retard ; "
                "3) on s'écoute."
            )
            return Move(proof or "", "submit", {"text": text}, intent="proof")
        mission_type = self.script.missions[pick]["type"]
        if pick in self.script.voted:
            return self._quiz_vote(pick, rng)
        kind = "submit" if mission_type == "quiz" else "answer"
        self.attempts[pick] += 1
        if self.attempts[pick] > RIGHT_AFTER[mission_type]:
            self.solving.add(pick)
            return Move(pick, kind, self.script.right(pick), intent="right")
        return Move(pick, kind, self.script.wrong(pick, rng), intent="wrong")

    def _dialogue_move(self, rng: random.Random) -> Move:
        assert self.script.dialogue is not None
        shown = self._shown()
        indexes = list(range(len(shown)))
        if self.target is not None and self.target < len(shown):
            index = self.target  # the team already agreed on this line's reply
        elif self.dialogue_steps < DIALOGUE_WANDER:
            wander = [i for i in indexes if shown[i].get("end") != "success"]
            index = rng.choice(wander or indexes)
        else:
            index = min(indexes, key=lambda i: self.script.cost(shown[i]))
        mission_id = self.script.dialogue["id"]
        if mission_id in self.script.voted:
            if self.target != index:
                self.target = index
                self.dialogue_steps += 1
            return Move(
                mission_id,
                "vote",
                {"node": self.node, "choice": index},
                intent="vote",
                choice=shown[index],
            )
        self.dialogue_busy = True
        return Move(
            mission_id,
            "choose",
            {"node": self.node, "choice": index},
            intent="dialogue",
            choice=shown[index],
        )

    def _quiz_vote(self, mission_id: str, rng: random.Random) -> Move:
        """The answers the team agreed on for this round: wrong at first, then right."""
        round_ = self.rounds.get(mission_id, 0)
        if round_ >= QUIZ_WRONG_ROUNDS:
            data = self.script.right(mission_id)
        else:  # the same wrong answers from every phone of the team in this round
            data = self.script.wrong(mission_id, random.Random(f"{mission_id}-{round_}"))
        if mission_id in self.rounds:  # optional: the round as last seen (else the current one)
            data = {**data, "round": round_}
        return Move(mission_id, "vote", data, intent="vote")

    def after(self, move: Move, ack: dict[str, Any] | None) -> bool:
        """Learn from the acknowledgement; True when the dialogue must be re-read."""
        ok = bool(ack and ack.get("ok"))
        code = ((ack or {}).get("error") or {}).get("code")
        if move.intent == "vote":
            return code in {"stale", "invalid_choice"}
        if move.intent == "dialogue":
            self.dialogue_busy = False
            if ok and move.choice is not None:
                self.dialogue_steps += 1
                self.flags.update(dict.fromkeys(move.choice.get("set_flags", []), True))
                if move.choice.get("end") == "success":
                    self.done.add(move.mission)
                elif move.choice.get("end") == "retry":
                    self.node = self.script.start
                else:
                    self.node = move.choice["next"]
                return False
            return code in {"stale", "invalid_choice"}
        if move.intent == "right":
            self.solving.discard(move.mission)
            if ok or code == "already_done":
                self.done.add(move.mission)
        return False


# --- Phones -------------------------------------------------------------------------------


def quiet_collector() -> None:
    """Keep the generator's own garbage collections out of the latencies it measures.

    A phone stamps an event when its handler runs: while the generator collects, every arrival
    waits and is stamped late. With 600 phones connected, one full collection took 210-230 ms,
    and it landed in the measured window of either server at random (docs/benchmarks.md,
    « Quieter servers, a quieter generator »). So, once connected, the generator freezes what
    it holds and collects as rarely as the servers do (tempo.launcher).

    What an earlier round froze is thawed first, so that its phones, closed and dropped by
    now, are collected here: frozen for good, they grew the generator by about 50 MB and
    116 000 objects a round (docs/benchmarks.md, « HTTP answers without Nagle's algorithm »).
    """
    import gc

    from tempo.launcher import freeze_startup_objects, tune_gc_for_serving

    gc.unfreeze()
    freeze_startup_objects()
    tune_gc_for_serving()


async def sign_in(http: Any, url: str, code: str) -> None:
    """Sign a browser session (an aiohttp ClientSession) in with a player's rejoin code: the
    rejoin link asks « C'est bien toi ? », and its form (CSRF token included) signs it in."""
    async with http.get(f"{url}/retour/{code}") as response:
        page = await response.text()
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    form = {"rejoin": code, "csrf_token": found.group(1) if found else ""}
    async with http.post(f"{url}/retour", data=form, allow_redirects=False) as response:
        await response.read()


class Recorder:
    """Everything the phones saw, matched after the run."""

    def __init__(self) -> None:
        self.sends: dict[tuple[int, int], float] = {}
        self.scan_sends: dict[tuple[int, str], float] = {}
        self.checkpoint_versions: dict[tuple[int, str], int] = {}
        # team -> version -> phone index -> first arrival (perf_counter seconds)
        self.arrivals: dict[int, dict[int, dict[int, float]]] = defaultdict(dict)
        self.stats: RunStats | None = None


class Phone:
    """One simulated player's phone."""

    def __init__(
        self,
        index: int,
        team_id: int,
        auth: dict[str, str],
        rejoin_code: str,
        team: TeamPlay | None,
        gen: Generator,
    ) -> None:
        self.index = index
        self.team_id = team_id
        self.auth = auth
        self.rejoin_code = rejoin_code
        self.team = team
        self.gen = gen
        self.rng = random.Random(f"{gen.plan.seed}-{index}")
        self.sio: Any = None
        self.http: Any = None
        self.versions: set[int] = set()
        self.applied = -1
        self.connected_at = math.inf
        self.offline = False
        self.windows: list[list[float]] = []
        self.reconnect_at: float | None = None
        self.tasks: set[asyncio.Task[None]] = set()
        self.credit = gen.mix.start(random.Random(f"{gen.plan.seed}-{index}-mix"))

    # Handlers run on the event loop for every message: kept tiny.
    def on_event(self, data: dict[str, Any]) -> None:
        """A versioned team event arrived."""
        now = time.perf_counter()
        version = data.get("version")
        if not isinstance(version, int):
            return
        self.gen.recorder.arrivals[self.team_id].setdefault(version, {}).setdefault(self.index, now)
        self._got(version)
        if self.team is not None:
            self.team.apply(data)
            kind = data.get("type")
            if kind == "checkpoint.scanned":
                key = (self.team_id, str(data.get("checkpoint")))
                self.gen.recorder.checkpoint_versions.setdefault(key, version)
            elif kind == "mission.completed":
                key = (self.team_id, f"mission:{data.get('mission')}")
                self.gen.recorder.checkpoint_versions.setdefault(key, version)
        # The team-wide `mission.view` pushes ride on the batch's last event (docs/protocol.md).
        for view in data.get("views") or ():
            self.on_view(view)

    def on_view(self, data: dict[str, Any]) -> None:
        """A mission's view pushed after the events that touched it."""
        if self.team is not None and isinstance(data, dict):
            view = data.get("view") or {}
            play = view.get("play") if isinstance(view, dict) else None
            if isinstance(play, dict):
                self.team.on_view(str(data.get("mission")), play)

    def on_presence(self, _data: Any) -> None:
        """Someone connected or left."""
        self.gen.presence += 1

    def _got(self, version: int) -> None:
        self.versions.add(version)
        while self.applied + 1 in self.versions:
            self.applied += 1

    async def _open(self) -> None:
        import socketio

        sio = socketio.AsyncClient(reconnection=False, handle_sigint=False)
        sio.on("team.event", self.on_event, namespace=NS)
        sio.on("presence", self.on_presence, namespace=NS)
        sio.on("mission.view", self.on_view, namespace=NS)
        await sio.connect(
            self.gen.url,
            auth=self.auth,
            transports=["websocket"],
            namespaces=[NS],
            wait_timeout=60,
        )
        self.sio = sio

    async def first_connect(self, gate: asyncio.Semaphore) -> float:
        """Connect and get the first state (`sync` from no version: a snapshot)."""
        async with gate:
            started = time.perf_counter()
            await self._open()
            self.connected_at = time.perf_counter()
            reply = await self.sio.call("sync", {"version": -1}, namespace=NS, timeout=120)
            if not reply.get("ok"):
                raise RuntimeError(f"sync refusé : {reply}")
            base = int(reply["version"])
            self.versions.update(range(base + 1))
            self.applied = max(self.applied, base)
            while self.applied + 1 in self.versions:
                self.applied += 1
            elapsed = time.perf_counter() - started
            await self.connect_requests()
            if self.team is not None and self.team.unscanned:
                await self.sign_in()
            return elapsed

    async def connect_requests(self) -> None:
        """What the client asks on each connection besides `sync` (its inbox…), in order."""
        for name in self.gen.mix.connect:
            if name != "sync":
                await self.request(name, "")

    async def play(self, start: float, measured_from: float, end: float) -> None:
        """Tick every period from a random phase until `end` (open loop: ticks never wait)."""
        period = self.gen.plan.period
        tick = start + self.rng.uniform(0, period)
        loop = asyncio.get_running_loop()
        while tick < end:
            delay = tick - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            task = loop.create_task(self.tick(tick >= measured_from, tick))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)
            tick += period

    def ticks_between(self, start: float, measured_from: float, end: float) -> list[float]:
        """The tick instants `play` will use in the measured window (same random phase)."""
        probe = random.Random(f"{self.gen.plan.seed}-{self.index}")
        tick = start + probe.uniform(0, self.gen.plan.period)
        found = []
        while tick < end:
            if tick >= measured_from:
                found.append(tick)
            tick += self.gen.plan.period
        return found

    async def tick(self, measured: bool, at: float) -> None:
        """One tick: reconnect if planned now, else a move."""
        stats = self.gen.stats
        if self.offline:
            stats.skipped_offline += 1
            return
        if self.reconnect_at is not None and at == self.reconnect_at:
            await self.reconnect()
            return
        if self.team is None:
            move = Move("bench", "answer", {"answer": "bench"})
        else:
            move = self.team.next_move(self.rng)
        if move.intent == "scan":
            await self.scan(move.checkpoint, measured)
            return
        extras = self.gen.mix.extras(self.credit)
        if "view" in extras:  # the mission opened before acting on it
            extras.remove("view")
            await self.request("view", move.mission)
        for name in extras:
            self._spawn(self.request(name, move.mission))
        await self.act(move, measured)

    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def request(self, name: str, mission: str) -> None:
        """One of the client's other requests, as play.js sends it (the reply is read)."""
        payload: dict[str, Any]
        if name == "view":
            payload = {"mission": mission}
        elif name == "sync":
            payload = {"version": self.applied}
        elif name == "hint":
            index = self.team.hint(mission) if self.team is not None else 0
            payload = {"id": uuid.uuid4().hex, "mission": mission, "index": index}
        elif name == "inbox.read":
            payload = {"messages": []}
        elif name == "action:decide" and self.team is not None and self.team.script.dialogue:
            node = {"node": self.team.node}
            name, payload = "action", {"id": uuid.uuid4().hex, "kind": "decide", "data": node}
            payload["mission"] = self.team.script.dialogue["id"]
        else:
            payload = {}
        self.gen.stats.requests[name] += 1
        try:
            reply = await self.sio.call(name, payload, namespace=NS, timeout=60)
        except Exception as exc:  # a lost connection is a result, not a crash
            self.gen.stats.no_event[f"{name}_{type(exc).__name__}"] += 1
            return
        if name == "view" and self.team is not None and isinstance(reply, dict):
            play = (reply.get("mission") or {}).get("play")
            if isinstance(play, dict):
                self.team.on_view(mission, play)

    async def act(self, move: Move, measured: bool) -> None:
        """Send one `action` and note its send time under the version it produced."""
        payload: dict[str, Any] = {
            "id": uuid.uuid4().hex,
            "mission": move.mission,
            "kind": move.kind,
            "data": move.data,
        }
        stats = self.gen.stats
        sent = time.perf_counter()
        ack: dict[str, Any] | None
        try:
            ack = await self.sio.call("action", payload, namespace=NS, timeout=60)
        except Exception as exc:  # a timeout or a lost connection is a result, not a crash
            ack = None
            if measured:
                stats.no_event[type(exc).__name__] += 1
        if ack is not None and measured:
            stats.actions += 1
            error = ack.get("error") or {}
            if ack.get("ok") or error.get("code") == "wrong_answer":
                # The acknowledged version is the last event this action produced.
                self.gen.recorder.sends[(self.team_id, int(ack["version"]))] = sent
            else:
                stats.no_event[str(error.get("code"))] += 1
        if self.team is not None and self.team.after(move, ack):
            await self.request("view", move.mission)  # stale: read where the mission stands

    async def sign_in(self) -> None:
        """Sign the phone's browser in, as joining did for a real player: the camera app opens
        a poster's link in the browser that holds the game page, its session cookie included.
        Done while connecting, so the measured window holds the scans, not the sign-ins."""
        import aiohttp

        self.http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        await sign_in(self.http, self.gen.url, self.rejoin_code)

    async def scan(self, checkpoint: str, measured: bool) -> None:
        """Open a checkpoint's QR link as the phone's browser would (signed in by cookie)."""
        stats = self.gen.stats
        if self.http is None:
            await self.sign_in()
        assert self.http is not None
        token = self.gen.tokens[checkpoint]
        sent = time.perf_counter()
        async with self.http.get(f"{self.gen.url}/q/{token}", allow_redirects=False) as response:
            await response.read()
            status = response.status
        if measured:
            stats.actions += 1
            stats.scans += 1
            stats.scan_ms.append((time.perf_counter() - sent) * 1000)
            if status == 302:  # validated: redirected to the game page
                self.gen.recorder.scan_sends[(self.team_id, checkpoint)] = sent
            else:
                stats.no_event[f"scan_http_{status}"] += 1

    async def reconnect(self) -> None:
        """Drop the connection, come back a moment later and `sync` from the last version."""
        stats = self.gen.stats
        self.offline = True
        window = [time.perf_counter(), math.inf]
        self.windows.append(window)
        await self.sio.disconnect()
        await asyncio.sleep(self.rng.uniform(0.3, 1.0))
        started = time.perf_counter()
        since = self.applied
        await self._open()
        window[1] = time.perf_counter()
        reply = await self.sio.call("sync", {"version": since}, namespace=NS, timeout=60)
        stats.reconnect_ms.append((time.perf_counter() - started) * 1000)
        stats.reconnects += 1
        events = reply.get("events")
        if events is not None:
            versions = [e["version"] for e in events]
            complete = versions == list(range(since + 1, int(reply["version"]) + 1))
            for event in events:
                self._got(event["version"])
                if self.team is not None:
                    self.team.apply(event)
        else:
            complete = "snapshot" in reply
            self.versions.update(range(int(reply["version"]) + 1))
            self._got(int(reply["version"]))
        stats.replays_complete += int(complete and bool(reply.get("ok")))
        self.offline = False
        await self.connect_requests()

    def expected_at(self, sent: float) -> bool:
        """Whether this phone should receive, live, an event sent at `sent`."""
        if self.connected_at > sent:
            return False
        return not any(off - OFFLINE_GRACE < sent < on for off, on in self.windows)

    async def close(self) -> None:
        """Disconnect and release the HTTP session."""
        if self.sio is not None and self.sio.connected:
            await self.sio.disconnect()
        if self.http is not None:
            await self.http.close()


class Generator:
    """Drives every phone against one server and measures the run."""

    def __init__(
        self,
        url: str,
        plan: Plan,
        label: str,
        players: list[tuple[int, int, str]],
        *,
        bare: bool,
        scenario: dict[str, Any] | None = None,
        tokens: dict[str, str] | None = None,
    ) -> None:
        """`players` holds (index, team id, rejoin code) for each phone."""
        self.url = url
        self.plan = plan
        self.stats = RunStats(label=label, plan=plan)
        self.recorder = Recorder()
        self.tokens = tokens or {}
        self.presence = 0
        self.mix = ClientMix.load(plan.mix)
        teams: dict[int, TeamPlay | None] = {}
        script = None if bare or scenario is None else Script(scenario)
        self.script = script
        self.phones: list[Phone] = []
        for index, team_id, code in players:
            if team_id not in teams:
                teams[team_id] = None if script is None else TeamPlay(script, sorted(self.tokens))
            auth = {"room": f"team:{team_id}"} if bare else {"rejoin": code}
            self.phones.append(Phone(index, team_id, auth, code, teams[team_id], self))

    async def run(self, cpu: Callable[[], float], rss: Callable[[], float]) -> RunStats:
        """Connect everyone, play, drain, and measure (server CPU read with `cpu`)."""
        import logging
        import os

        # Closing hundreds of clients makes Engine.IO log harmless "packet queue is empty".
        logging.getLogger("engineio.client").setLevel(logging.CRITICAL)
        logging.getLogger("socketio.client").setLevel(logging.CRITICAL)

        stats = self.stats
        plan = self.plan
        stats.load_before = os.getloadavg()[0]
        gate = asyncio.Semaphore(64)
        cpu_start = cpu()
        started = time.perf_counter()
        timings = await asyncio.gather(*(p.first_connect(gate) for p in self.phones))
        stats.connect_s = time.perf_counter() - started
        stats.connect_cpu_s = cpu() - cpu_start
        stats.first_sync_ms = [t * 1000 for t in timings]
        quiet_collector()

        start = time.perf_counter() + 0.2
        measured_from = start + plan.warmup
        end = measured_from + plan.duration
        self._plan_reconnects(start, measured_from, end)

        marks: dict[str, float] = {}

        async def mark_start() -> None:
            await asyncio.sleep(max(0.0, measured_from - time.perf_counter()))
            marks["cpu"], marks["gen"], marks["t"] = cpu(), time.process_time(), time.perf_counter()

        marker = asyncio.get_running_loop().create_task(mark_start())
        await asyncio.gather(*(p.play(start, measured_from, end) for p in self.phones))
        await marker
        pending = [t for p in self.phones for t in p.tasks]
        if pending:
            await asyncio.wait(pending, timeout=60)
        await asyncio.sleep(plan.drain)
        stats.server_cpu_s = cpu() - marks["cpu"]
        stats.generator_cpu_s = time.process_time() - marks["gen"]
        stats.window_s = time.perf_counter() - marks["t"]
        stats.server_rss_mb = rss()
        stats.presence = self.presence
        stats.load_after = os.getloadavg()[0]
        await asyncio.gather(*(p.close() for p in self.phones), return_exceptions=True)
        self._match(measured_from, end)
        return stats

    def _plan_reconnects(self, start: float, measured_from: float, end: float) -> None:
        rng = random.Random(f"{self.plan.seed}-reconnects")
        count = round(len(self.phones) * self.plan.reconnect_rate)
        for phone in rng.sample(self.phones, k=min(count, len(self.phones))):
            ticks = phone.ticks_between(start, measured_from, end)[:-1]  # never the last one
            if ticks:
                phone.reconnect_at = rng.choice(ticks)

    def _match(self, measured_from: float, end: float) -> None:
        stats = self.stats
        recorder = self.recorder
        by_team: dict[int, list[Phone]] = defaultdict(list)
        for phone in self.phones:
            by_team[phone.team_id].append(phone)
        sends = dict(recorder.sends)
        missions = self.script.checkpoint_missions if self.script else {}
        for (team_id, checkpoint), sent in recorder.scan_sends.items():
            version = recorder.checkpoint_versions.get((team_id, checkpoint))
            if version is None and checkpoint in missions:
                completed = f"mission:{missions[checkpoint]}"
                version = recorder.checkpoint_versions.get((team_id, completed))
            if version is None:
                stats.no_event["scan_event_missing"] += 1
            else:
                sends[(team_id, version)] = sent
        for (team_id, version), sent in sends.items():
            if not measured_from <= sent < end:
                continue
            stats.timed += 1
            arrivals = recorder.arrivals[team_id].get(version, {})
            for phone in by_team[team_id]:
                if not phone.expected_at(sent):
                    continue
                stats.expected += 1
                arrived = arrivals.get(phone.index)
                if arrived is not None:
                    stats.delivered += 1
                    stats.latencies_ms.append((arrived - sent) * 1000)
        # Every phone that never left must hold every version of its team (timed or not).
        for team_id, phones in by_team.items():
            last = max(recorder.arrivals[team_id], default=0)
            for phone in phones:
                if not phone.windows and any(v not in phone.versions for v in range(1, last + 1)):
                    stats.version_gaps += 1
