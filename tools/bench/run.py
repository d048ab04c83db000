"""`tempo bench`: Tempo against the bare transport under one load, the knee, other costs."""

from __future__ import annotations

import asyncio
import resource
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path

import click

from tempo.config import PROJECT_ROOT
from tools.bench import pageload, report
from tools.bench.instance import BenchWorld, bench_config, build_world
from tools.bench.load import ClientMix, Generator, Plan, RunStats
from tools.bench.servers import BENCH_WRONG_LIMIT, Server, start_bare, start_tempo

KNEE_TARGET_MS = 250.0


def _raise_file_limit() -> None:
    # Every phone holds a socket on each side; the default soft limit may be 1024.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and (hard == resource.RLIM_INFINITY or soft < hard):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def _drive(server: Server, generator: Generator) -> RunStats:
    return asyncio.run(generator.run(server.cpu, server.peak_rss))


def run_tempo(world: BenchWorld, plan: Plan, log: Callable[[str], None]) -> RunStats:
    """Start `tempo serve` on the world's instance and play the load against it."""
    cfg = bench_config(world.instance_dir)
    server = start_tempo(cfg, world.instance_dir)
    log(f"  tempo serve prêt (pid {server.pid}, {server.url}) ; {plan.players} téléphones…")
    try:
        players = [(p.index, p.team_id, p.rejoin_code) for p in world.players]
        generator = Generator(
            server.url,
            plan,
            "tempo",
            players,
            bare=False,
            scenario=world.scenario,
            tokens=world.checkpoint_tokens,
        )
        return _drive(server, generator)
    finally:
        server.stop()


def run_bare(world: BenchWorld, plan: Plan, workdir: Path, log: Callable[[str], None]) -> RunStats:
    """Start the bare transport and play the identical load (same phones, same rooms)."""
    workdir.mkdir(parents=True, exist_ok=True)
    server = start_bare(bench_config(world.instance_dir), workdir, direct=plan.bare_direct)
    log(f"  serveur nu prêt (pid {server.pid}, {server.url}) ; {plan.players} téléphones…")
    try:
        players = [(p.index, p.team_id, p.rejoin_code) for p in world.players]
        return _drive(server, Generator(server.url, plan, "bare", players, bare=True))
    finally:
        server.stop()


@dataclass
class Comparison:
    """Tempo and the bare transport under the same load, round after round."""

    rounds: list[tuple[RunStats, RunStats]]  # (Tempo, bare) in the order they ran
    machine: dict[str, str]
    seconds: float

    @cached_property
    def tempo(self) -> RunStats:
        """Tempo's rounds as one run."""
        return RunStats.pooled([t for t, _b in self.rounds])

    @cached_property
    def bare(self) -> RunStats:
        """The bare transport's rounds as one run."""
        return RunStats.pooled([b for _t, b in self.rounds])


def compare(plan: Plan, log: Callable[[str], None], rounds: int = 1) -> Comparison:
    """One bench run: Tempo then the bare transport, `rounds` times in turn, Tempo each time
    on a fresh copy of one instance.

    Taking turns spreads the machine's slow and fast spells over both servers: on a shared
    machine the same code's p99 ratio went from 1.5 to 9.4 from one run to the next
    (docs/benchmarks.md, « Rounds, one frame per emit »), which a single window per server
    could not tell from a difference in code.
    """
    _raise_file_limit()
    started = time.monotonic()
    played: list[tuple[RunStats, RunStats]] = []
    with tempfile.TemporaryDirectory(prefix="tempo-bench-") as tmp:
        log(f"Préparation : cohorte « Tempo 2050 » et {plan.players} joueurs (SQLite temporaire)…")
        world = build_world(Path(tmp) / "instance", plan.players)
        for number in range(1, rounds + 1):
            heading = f"manche {number}/{rounds} — " if rounds > 1 else ""
            copy = Path(tmp) / f"instance-{number}"
            # Not the WAL's shared-memory index: SQLite rebuilds it from the log for the copy.
            shutil.copytree(world.instance_dir, copy, ignore=shutil.ignore_patterns("*-shm"))
            log(f"{heading}Tempo (tempo serve, gevent) :")
            tempo = run_tempo(replace(world, instance_dir=copy), plan, log)
            log(f"{heading}Transport nu (Flask-SocketIO, gevent) :")
            bare = run_bare(world, plan, Path(tmp) / f"bare-{number}", log)
            played.append((tempo, bare))
            if rounds > 1:
                log(f"  {report.round_line(tempo, bare)}")
    return Comparison(played, report.machine(), time.monotonic() - started)


def find_knee(
    plan: Plan, steps: list[int], log: Callable[[str], None]
) -> tuple[list[RunStats], int | None]:
    """Tempo alone at growing N; the largest N whose p99 stays under 250 ms, all delivered."""
    _raise_file_limit()
    results: list[RunStats] = []
    best: int | None = None
    for players in steps:
        step = replace(plan, players=players)
        with tempfile.TemporaryDirectory(prefix="tempo-knee-") as tmp:
            log(f"Coude : {players} joueurs…")
            world = build_world(Path(tmp) / "instance", players)
            stats = run_tempo(world, step, log)
        results.append(stats)
        ok = stats.pct(99) < KNEE_TARGET_MS and stats.delivered == stats.expected
        log(
            f"  p99 {stats.pct(99):.0f} ms, livrés {report.floor2(stats.delivered_pct)} %, "
            f"CPU serveur {stats.server_cpu_s:.1f} s"
        )
        if not ok:
            break
        best = players
    return results, best


def method_markdown(plan: Plan, rounds: int = 1) -> str:
    """How the run was made (English, for docs/benchmarks.md)."""
    return "\n".join(
        [
            f"- Load: {plan.players} simulated phones in teams of 12, one action every "
            f"{plan.period:g} s each (random phase), {plan.duration:g} s measured after "
            f"{plan.warmup:g} s of warm-up; {plan.reconnect_rate:.0%} of the phones drop and "
            "reconnect once (`sync` from their last version).",
            *(
                [
                    f"- Rounds: {rounds}, taken in turn (Tempo, then the bare transport, "
                    f"{rounds} times; each Tempo round on a fresh copy of one instance, every "
                    "phone connecting anew). The table pools them: its percentiles are over "
                    "every delivery of every round of a server, its CPU over all its measured "
                    f"windows ({rounds} × {plan.duration:g} s); each round's own figures "
                    "follow it."
                ]
                if rounds > 1
                else []
            ),
            "- Tempo: `tempo serve` (gevent) on a fresh SQLite instance, cohort on Tempo 2050 "
            "with days 1 and 6 open; the phones play day 1 through docs/protocol.md (wrong and "
            "right answers to the enigma, split clue and quiz, dialogue choices, a text proof) "
            "and open day 6's QR checkpoints with `/q/<token>` (tokens signed with "
            "`tempo.services.play.checkpoints`); the dialogue and the quiz are decided by vote "
            "(a team votes for one reply until the majority of those present decides). "
            + _mix_markdown(plan)
            + " Wrong-answer limits raised to "
            f"{BENCH_WRONG_LIMIT} (TEMPO_WRONG_LIMIT_PLAYER/TEAM) so every team can guess "
            "every few seconds; the limit's queries still run.",
            "- Bare transport: `tools/bench/bare.py`, Flask-SocketIO in gevent mode that relays "
            "each `action` and each `hint` to its room as one `team.event`, and a phone's "
            "arrival or departure as one `presence` (no database, no game), and answers the "
            "phones' other requests with an empty acknowledgement. Like Tempo, it gives "
            "Socket.IO's path a Flask rule (`tempo.realtime.path`) and tunes its collector "
            "(`tempo.launcher`). "
            + (
                "Like `tempo serve` (`--bare-direct`), it writes an idle socket's packets where "
                "they are emitted (`tempo.infra.direct_send`)."
                if plan.bare_direct
                else "It keeps Flask-SocketIO's own writer (one writer greenlet per socket), "
                "which `tempo serve` replaces with `tempo.infra.direct_send` (`--bare-direct` "
                "gives it the same)."
            ),
            "- Phones that will scan sign their browser in (`/retour`) while connecting, as "
            "joining did for a real player: the measured window holds the scans, not the "
            "sign-ins.",
            "- Latency: from the acting phone's send to the event's arrival on every teammate's "
            "socket (the sender's included), matched by the version in the acknowledgement "
            "(scans by their checkpoint). Expected = teammates connected when it was sent and "
            "not leaving within 5 s (those get it by `sync`, checked as the replay count).",
            "- Generator: one asyncio process (python-socketio AsyncClient, WebSocket) on the "
            "same machine; its CPU is reported. Once its phones are connected it freezes what "
            "it holds and collects as rarely as the servers, so that its own pauses do not "
            "stamp arrivals late (`quiet_collector`). Server CPU and peak RSS from /proc.",
        ]
    )


def _mix_markdown(plan: Plan) -> str:
    """The phones' other requests, in words."""
    if plan.mix == "light":
        return "Light mix (`--mix light`): the phones send their actions and `sync` only."
    mix = ClientMix.load(plan.mix)
    per = ", ".join(f"`{name}` {ratio:g}" for name, ratio in mix.per_action.items())
    return (
        "Beside their actions the phones send the real client's requests "
        "(`tools/bench/client_mix.json`, recorded from play.js in Chromium): on each "
        f"connection {', '.join(f'`{n}`' for n in mix.connect)}; per action {per or 'none'}."
    )


def latest_markdown(result: Comparison) -> str:
    """The 'latest run' section of docs/benchmarks.md."""
    t, b = result.tempo, result.bare
    rounds = len(result.rounds)
    each = []
    if rounds > 1:
        each = [f"Each round, in the order they ran:\n\n{report.rounds_markdown(result.rounds)}"]
    return "\n\n".join(
        [
            report.machine_markdown(result.machine),
            method_markdown(result.rounds[0][0].plan, rounds),
            report.markdown_table(t, b),
            *each,
            "Targets:\n\n" + report.targets_markdown(t, b),
            f"`{report.ratio_line(t, b)}` — whole run {result.seconds:.0f} s.",
        ]
    )


def knee_markdown(results: list[RunStats], best: int | None, info: dict[str, str]) -> str:
    """The knee section of docs/benchmarks.md."""
    lines = [
        f"Measured {info['date']} on {info['cpu']} (load before each step in the table).",
        "",
        "| players | p50 (ms) | p99 (ms) | delivered | server CPU (% of a core) | "
        "generator CPU (% of a core) | load before |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for s in results:
        lines.append(
            f"| {s.plan.players} | {s.pct(50):.0f} | {s.pct(99):.0f} | "
            f"{report.floor2(s.delivered_pct)} % | {100 * s.server_cpu_s / s.window_s:.0f} | "
            f"{100 * s.generator_cpu_s / s.window_s:.0f} | {s.load_before:.2f} |"
        )
    lines.append("")
    lines.append(
        f"Knee (largest N with p99 < {KNEE_TARGET_MS:.0f} ms and everything delivered, "
        f"P = {results[0].plan.period:g} s): **{best if best is not None else 'none'}**."
        if results
        else "No step ran."
    )
    return "\n".join(lines)


DOC_TEMPLATE = """# Benchmarks

`tempo bench` measures Tempo's live play against the bare Flask-SocketIO transport on the same
machine and under the same load (issue 6). Run it with its defaults (600 players, one action
every 5 s each, 20 s of play measured per round, three rounds in which Tempo and the bare
transport take turns; about four minutes), or see `tempo bench --help`:
`--knee` steps the number of players up to find the largest N whose p99 stays under 250 ms,
`--other` measures the player page's first load in headless Chromium and the print kit of
a cohort of 8 teams.

The sections between `bench:` markers are rewritten by the command; the rest is written by hand.

## Latest run

<!-- bench:latest:start -->
<!-- bench:latest:end -->

## Knee

<!-- bench:knee:start -->
Not measured yet (`tempo bench --knee`).
<!-- bench:knee:end -->

## Other costs

<!-- bench:other:start -->
Not measured yet (`tempo bench --other`).
<!-- bench:other:end -->

## History

<!-- bench:history:start -->
<!-- bench:history:end -->
"""


def write_doc(path: Path, sections: dict[str, str], history: str | None = None) -> None:
    """Rewrite the given sections of docs/benchmarks.md (created from a template if absent)."""
    text = path.read_text(encoding="utf-8") if path.exists() else DOC_TEMPLATE
    for name, body in sections.items():
        text = report.replace_section(text, name, body)
    if history is not None:
        text = report.add_history(text, history)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def main(
    players: int,
    period: float,
    duration: float,
    warmup: float | None,
    reconnect_rate: float,
    mix: str,
    bare_direct: bool,
    knee: bool,
    knee_steps: str,
    other: bool,
    output: Path | None,
    no_write: bool,
    rounds: int = 1,
) -> None:
    """`tempo bench`: run the comparison (or the knee), print it and write docs/benchmarks.md."""
    plan = Plan(
        players=players,
        period=period,
        duration=duration,
        warmup=period if warmup is None else warmup,
        reconnect_rate=reconnect_rate,
        mix=mix,
        bare_direct=bare_direct,
    )
    target = output or PROJECT_ROOT / "docs" / "benchmarks.md"
    sections: dict[str, str] = {}

    def log(line: str) -> None:
        click.echo(line, err=True)

    if knee:
        try:
            steps = [int(x) for x in knee_steps.split(",") if x.strip()]
        except ValueError:
            raise click.UsageError("--knee-steps : des nombres séparés par des virgules.") from None
        results, best = find_knee(plan, steps, log)
        for stats in results:
            click.echo(
                f"N={stats.plan.players} p99={stats.pct(99):.0f} ms "
                f"livrés={report.floor2(stats.delivered_pct)} %"
            )
        click.echo(f"Coude (p99 < 250 ms) : {best if best is not None else 'aucun'} joueurs.")
        sections["knee"] = knee_markdown(results, best, report.machine())
        if not no_write:
            write_doc(target, sections)
            click.echo(f"Résultats écrits dans {target}.")
        return

    result = compare(plan, log, rounds)
    if other:
        log("Premier chargement de la page joueur (Chromium sans écran)…")
        sections["other"] = pageload.other_costs_markdown(pageload.measure(log))
    click.echo(report.terminal_table(result.tempo, result.bare))
    sections["latest"] = latest_markdown(result)
    if not no_write:
        history = report.history_row(result.tempo, result.bare, result.machine)
        write_doc(target, sections, history)
        click.echo(f"Résultats écrits dans {target}.")
    click.echo(report.ratio_line(result.tempo, result.bare))
