"""Tables for the terminal (French) and for docs/benchmarks.md (English), machine description."""

from __future__ import annotations

import math
import platform
import re
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from tools.bench.load import RunStats, percentile

LIBRARIES = (
    "flask",
    "flask-socketio",
    "python-socketio",
    "python-engineio",
    "gevent",
    "simple-websocket",
    "sqlalchemy",
    "aiohttp",
)
HISTORY_KEEP = 12


def machine() -> dict[str, str]:
    """CPU model and cores, memory, Python, kernel and library versions."""
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    models = re.findall(r"^model name\s*:\s*(.+)$", cpuinfo, re.MULTILINE)
    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else ""
    mem = re.search(r"^MemTotal:\s*(\d+) kB", meminfo, re.MULTILINE)
    versions = []
    for name in LIBRARIES:
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} absent")
    return {
        "cpu": f"{models[0] if models else platform.processor() or '?'} × {len(models) or '?'}",
        "ram": f"{int(mem.group(1)) / 1024 / 1024:.1f} GiB" if mem else "?",
        "python": platform.python_version(),
        "kernel": f"{platform.system()} {platform.release()}",
        "sqlite": sqlite3.sqlite_version,
        "libraries": ", ".join(versions),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def ratio(a: float, b: float) -> float:
    """a / b, infinite when b is zero."""
    return a / b if b else math.inf


def floor2(value: float) -> str:
    """A percentage floored to two decimals, trailing zeros dropped (100 only when all)."""
    text = f"{math.floor(value * 100) / 100:.2f}".rstrip("0").rstrip(".")
    return text


def ratio_line(tempo: RunStats, bare: RunStats) -> str:
    """The final line: `ratio p99=X cpu=Y delivered=Z%`."""
    p99 = ratio(tempo.pct(99), bare.pct(99))
    cpu = ratio(tempo.server_cpu_s, bare.server_cpu_s)
    return f"ratio p99={p99:.2f} cpu={cpu:.2f} delivered={floor2(tempo.delivered_pct)}%"


def round_line(tempo: RunStats, bare: RunStats) -> str:
    """One round's figures, for the terminal while the bench runs (French)."""
    return (
        f"p99 Tempo {tempo.pct(99):.1f} ms, nu {bare.pct(99):.1f} ms "
        f"(× {ratio(tempo.pct(99), bare.pct(99)):.2f}) ; "
        f"CPU × {ratio(tempo.server_cpu_s, bare.server_cpu_s):.2f} ; "
        f"livrés {floor2(tempo.delivered_pct)} %"
    )


def rounds_markdown(rounds: list[tuple[RunStats, RunStats]]) -> str:
    """Each round's own figures, in the order they ran (English)."""
    lines = [
        "| round | Tempo p99 (ms) | bare p99 (ms) | p99 ratio | server CPU Tempo / bare (s) "
        "| CPU ratio | Tempo delivered |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for number, (t, b) in enumerate(rounds, 1):
        lines.append(
            f"| {number} | {t.pct(99):.1f} | {b.pct(99):.1f} | "
            f"{ratio(t.pct(99), b.pct(99)):.2f} | {t.server_cpu_s:.2f} / {b.server_cpu_s:.2f} | "
            f"{ratio(t.server_cpu_s, b.server_cpu_s):.2f} | {floor2(t.delivered_pct)} % |"
        )
    return "\n".join(lines)


def _rows(t: RunStats, b: RunStats | None) -> list[tuple[str, str, str, str, str]]:
    """(French label, English label, Tempo, bare, ratio) rows."""

    def add(
        fr: str, en: str, fn: Callable[[RunStats], Any], fmt: str, with_ratio: bool = True
    ) -> None:
        tempo_value = fmt.format(fn(t))
        bare_value = fmt.format(fn(b)) if b is not None else "—"
        quotient = "—"
        if with_ratio and b is not None:
            value = ratio(fn(t), fn(b))
            quotient = "—" if math.isinf(value) else f"{value:.2f}"
        rows.append((fr, en, tempo_value, bare_value, quotient))

    rows: list[tuple[str, str, str, str, str]] = []

    add("actions envoyées", "actions sent", lambda s: s.actions, "{}", False)
    add("actions avec événement", "actions with an event", lambda s: s.timed, "{}", False)
    rows.append(
        (
            "autres requêtes (tout le passage)",
            "other requests (whole run)",
            _requests(t),
            _requests(b) if b else "—",
            "—",
        )
    )
    rows.append(
        (
            "livrés / attendus",
            "delivered / expected",
            f"{t.delivered}/{t.expected} ({floor2(t.delivered_pct)} %)",
            f"{b.delivered}/{b.expected} ({floor2(b.delivered_pct)} %)" if b else "—",
            "—",
        )
    )
    add("latence p50 (ms)", "latency p50 (ms)", lambda s: s.pct(50), "{:.1f}")
    add("latence p95 (ms)", "latency p95 (ms)", lambda s: s.pct(95), "{:.1f}")
    add("latence p99 (ms)", "latency p99 (ms)", lambda s: s.pct(99), "{:.1f}")
    add("latence max (ms)", "latency max (ms)", lambda s: s.pct(100), "{:.1f}")
    add("livraisons / s", "deliveries / s", lambda s: s.deliveries_per_s, "{:.0f}")
    add("CPU serveur (s)", "server CPU (s)", lambda s: s.server_cpu_s, "{:.2f}")
    add(
        "CPU serveur (% d'un cœur)",
        "server CPU (% of a core)",
        lambda s: 100 * s.server_cpu_s / s.window_s if s.window_s else 0,
        "{:.0f}",
    )
    add("RSS max serveur (Mio)", "server peak RSS (MiB)", lambda s: s.server_rss_mb, "{:.0f}")
    add(
        "CPU générateur (% d'un cœur)",
        "generator CPU (% of a core)",
        lambda s: 100 * s.generator_cpu_s / s.window_s if s.window_s else 0,
        "{:.0f}",
        False,
    )
    add(
        "connexion + 1re synchro (s)",
        "connect + first sync, all (s)",
        lambda s: s.connect_s,
        "{:.1f}",
    )
    add(
        "1re synchro p99 (ms)",
        "first sync p99 (ms)",
        lambda s: percentile(s.first_sync_ms, 99),
        "{:.0f}",
    )
    add(
        "CPU serveur pendant les connexions (s)",
        "server CPU while connecting (s)",
        lambda s: s.connect_cpu_s,
        "{:.2f}",
    )
    rows.append(
        (
            "reconnexions (rattrapage complet)",
            "reconnections (complete replay)",
            f"{t.reconnects} ({t.replays_complete})",
            f"{b.reconnects} (—)" if b else "—",
            "—",
        )
    )
    add(
        "reconnexion + sync p99 (ms)",
        "reconnect + sync p99 (ms)",
        lambda s: percentile(s.reconnect_ms, 99),
        "{:.0f}",
        False,
    )
    rows.append(
        (
            "scans QR : nombre (réponse HTTP p50, ms)",
            "QR scans: count (HTTP answer p50, ms)",
            f"{t.scans} ({percentile(t.scan_ms, 50):.0f})",
            "—",
            "—",
        )
    )
    add(
        "téléphones avec un trou de versions",
        "phones missing a version",
        lambda s: s.version_gaps,
        "{}",
        False,
    )
    rows.append(
        (
            "actions sans événement",
            "actions without an event",
            _codes(t),
            _codes(b) if b else "—",
            "—",
        )
    )
    add("charge machine (avant → après)", "machine load (before → after)", _load, "{}", False)
    return rows


def _load(s: RunStats) -> str:
    return f"{s.load_before:.2f} → {s.load_after:.2f}"


def _requests(s: RunStats) -> str:
    total = sum(s.requests.values())
    if not total:
        return "0"
    return f"{total} (" + ", ".join(f"{k} {v}" for k, v in sorted(s.requests.items())) + ")"


def _codes(s: RunStats) -> str:
    total = sum(s.no_event.values())
    if not total:
        return "0"
    detail = ", ".join(f"{k} {v}" for k, v in s.no_event.most_common())
    return f"{total} ({detail})"


def terminal_table(tempo: RunStats, bare: RunStats | None) -> str:
    """The comparison as a French text table."""
    rows = _rows(tempo, bare)
    width = max(len(r[0]) for r in rows)
    tw = max(len("Tempo"), *(len(r[2]) for r in rows))
    bw = max(len("nu"), *(len(r[3]) for r in rows))
    lines = [f"{'':<{width}}  {'Tempo':>{tw}}  {'nu':>{bw}}  Tempo/nu"]
    for fr, _en, tv, bv, rv in rows:
        lines.append(f"{fr:<{width}}  {tv:>{tw}}  {bv:>{bw}}  {rv}")
    return "\n".join(lines)


def markdown_table(tempo: RunStats, bare: RunStats | None) -> str:
    """The comparison as a Markdown table (English)."""
    lines = ["| measure | Tempo | bare transport | Tempo / bare |", "|---|---:|---:|---:|"]
    for _fr, en, tv, bv, rv in _rows(tempo, bare):
        lines.append(f"| {en} | {tv} | {bv} | {rv} |")
    return "\n".join(lines)


def machine_markdown(info: dict[str, str]) -> str:
    """The machine, as a Markdown list."""
    return "\n".join(
        [
            f"- Date: {info['date']}",
            f"- CPU: {info['cpu']}; RAM: {info['ram']}; {info['kernel']}",
            f"- Python {info['python']}, SQLite {info['sqlite']}",
            f"- {info['libraries']}",
        ]
    )


def targets_markdown(tempo: RunStats, bare: RunStats) -> str:
    """Each target of issue 6, met or missed and by how much."""
    p99 = ratio(tempo.pct(99), bare.pct(99))
    cpu = ratio(tempo.server_cpu_s, bare.server_cpu_s)
    delivered = tempo.delivered_pct

    def verdict(ok: bool) -> str:
        return "met" if ok else "**missed**"

    return "\n".join(
        [
            f"- 100 % delivered: {floor2(delivered)} % — "
            + verdict(tempo.delivered == tempo.expected),
            f"- p99 ≤ 2 × bare p99: {p99:.2f} × — {verdict(p99 <= 2)}",
            f"- CPU ≤ 2.5 × bare CPU: {cpu:.2f} × — {verdict(cpu <= 2.5)}",
        ]
    )


def history_row(tempo: RunStats, bare: RunStats, info: dict[str, str]) -> str:
    """One line of the history table."""
    plan = tempo.plan
    return (
        f"| {info['date']} | {plan.players} | {plan.period:g} s | {plan.duration:g} s | "
        f"{tempo.pct(99):.0f} ms | {bare.pct(99):.0f} ms | "
        f"{ratio(tempo.server_cpu_s, bare.server_cpu_s):.2f} | {floor2(tempo.delivered_pct)} % | "
        f"{tempo.load_before:.2f} |"
    )


HISTORY_HEADER = (
    "| date | players | period | play | Tempo p99 | bare p99 | CPU Tempo/bare | "
    "Tempo delivered | load before |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|"
)


def replace_section(text: str, name: str, body: str) -> str:
    """Replace what lies between `<!-- bench:NAME:start -->` and its end marker."""
    start, end = f"<!-- bench:{name}:start -->", f"<!-- bench:{name}:end -->"
    if start not in text or end not in text:
        return text.rstrip("\n") + f"\n\n{start}\n{body.strip()}\n{end}\n"
    head, rest = text.split(start, 1)
    _old, tail = rest.split(end, 1)
    return f"{head}{start}\n{body.strip()}\n{end}{tail}"


def section(text: str, name: str) -> str:
    """What lies between a section's markers ('' when absent)."""
    start, end = f"<!-- bench:{name}:start -->", f"<!-- bench:{name}:end -->"
    if start not in text or end not in text:
        return ""
    return text.split(start, 1)[1].split(end, 1)[0].strip()


def add_history(text: str, row: str) -> str:
    """Prepend a row to the history table, keeping the most recent ones."""
    old = section(text, "history")
    rows = [line for line in old.splitlines() if line.startswith("| 2")]
    rows = [row, *rows][:HISTORY_KEEP]
    return replace_section(text, "history", HISTORY_HEADER + "\n" + "\n".join(rows))
