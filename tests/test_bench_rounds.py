"""`tempo bench --rounds`: each server's rounds pooled into one run, and each round shown."""

from __future__ import annotations

import dataclasses
import gc
import weakref
from collections import Counter

from tools.bench import report
from tools.bench.load import _ADDED_UP, Plan, RunStats, quiet_collector
from tools.bench.run import Comparison, latest_markdown

PLAN = Plan(players=24, period=5, duration=20, warmup=5)


def _round(label: str, latencies: list[float], cpu: float, **more: object) -> RunStats:
    return RunStats(
        label=label,
        plan=PLAN,
        actions=10,
        timed=10,
        expected=len(latencies),
        delivered=len(latencies),
        latencies_ms=latencies,
        server_cpu_s=cpu,
        window_s=20.0,
        **more,  # type: ignore[arg-type]
    )


def test_pooled_rounds_add_up_every_measure_and_take_percentiles_over_all_deliveries() -> None:
    first = _round(
        "tempo",
        [1.0] * 98 + [50.0, 60.0],
        4.0,
        requests=Counter({"hint": 2}),
        no_event=Counter({"stale": 1}),
        server_rss_mb=200.0,
        connect_s=10.0,
        load_before=0.5,
        load_after=0.7,
        reconnect_ms=[30.0],
        scans=3,
    )
    second = _round(
        "tempo",
        [2.0] * 100,
        6.0,
        requests=Counter({"hint": 1, "inbox": 4}),
        server_rss_mb=220.0,
        connect_s=14.0,
        load_before=0.9,
        load_after=1.1,
        reconnect_ms=[40.0],
        scans=2,
    )
    pooled = RunStats.pooled([first, second])
    assert pooled.plan.duration == 40 and pooled.window_s == 40
    assert (pooled.actions, pooled.expected, pooled.delivered) == (20, 200, 200)
    assert pooled.server_cpu_s == 10.0 and pooled.scans == 5
    assert pooled.requests == Counter({"hint": 3, "inbox": 4})
    assert pooled.no_event == Counter({"stale": 1})
    assert pooled.reconnect_ms == [30.0, 40.0]
    # Two slow deliveries in 200: the first round's p99 is 50 ms, the pooled p99 is not.
    assert first.pct(99) == 50.0 and pooled.pct(99) == 2.0 and pooled.pct(100) == 60.0
    assert pooled.server_rss_mb == 220.0 and pooled.connect_s == 12.0
    assert (pooled.load_before, pooled.load_after) == (0.5, 1.1)
    assert pooled.deliveries_per_s == 5.0
    # Every measure of a round is pooled one way or another: a new one must say how.
    handled = {"label", "plan", "load_before", "load_after", "server_rss_mb", "connect_s"}
    handled |= {"connect_cpu_s"}
    assert {f.name for f in dataclasses.fields(RunStats)} == handled | set(_ADDED_UP)


def test_the_latest_run_shows_the_pooled_table_and_each_round_in_order() -> None:
    rounds = [
        (_round("tempo", [4.0] * 100, 8.0), _round("bare", [2.0] * 100, 4.0)),
        (_round("tempo", [9.0] * 100, 9.0), _round("bare", [3.0] * 100, 4.5)),
    ]
    result = Comparison(rounds, report.machine(), 300.0)
    text = latest_markdown(result)
    assert "Rounds: 2, taken in turn" in text
    assert "| 1 | 4.0 | 2.0 | 2.00 | 8.00 / 4.00 | 2.00 | 100 % |" in text
    assert "| 2 | 9.0 | 3.0 | 3.00 | 9.00 / 4.50 | 2.00 | 100 % |" in text
    # Pooled: p99 over both rounds' deliveries (9 ms against 3 ms), CPU added up.
    assert report.ratio_line(result.tempo, result.bare) == "ratio p99=3.00 cpu=2.00 delivered=100%"
    assert "| latency p99 (ms) | 9.0 | 3.0 | 3.00 |" in text


class _Phone:
    """Something a round's phone holds: a reference cycle, as the Socket.IO clients have."""

    def __init__(self) -> None:
        self.me = self


def test_a_round_collects_the_phones_an_earlier_round_froze() -> None:
    thresholds = gc.get_threshold()
    phone = _Phone()
    gone = weakref.ref(phone)
    try:
        quiet_collector()  # the first round, once its phones are connected
        del phone  # the round is over, its phones closed and dropped
        gc.collect()
        assert gone() is not None  # frozen: out of every collection of that round
        quiet_collector()  # the next round
        assert gone() is None
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)
