"""Blocking work runs beside the gevent event loop, not on it (tempo.infra.offload)."""

from __future__ import annotations

import threading
import time

import gevent
import pytest

from tempo.infra.offload import run_blocking


def test_under_gevent_the_hub_keeps_serving_while_work_runs() -> None:
    """Half a second of blocking work on a worker thread: other greenlets run meanwhile."""
    ticks: list[float] = []

    def other_player() -> None:
        for _ in range(20):
            ticks.append(time.monotonic())
            gevent.sleep(0.01)

    def work() -> int:
        time.sleep(0.5)  # the real, unpatched sleep: it blocks whichever thread runs it
        return threading.get_ident()

    started = time.monotonic()
    player = gevent.spawn(other_player)
    worker_thread = run_blocking("gevent", work)
    player.join()
    assert worker_thread != threading.get_ident()
    # The other greenlet ticked during the work instead of waiting for its end.
    assert len([t for t in ticks if t < started + 0.45]) >= 5


def test_errors_of_the_work_reach_the_caller() -> None:
    """An exception raised on the worker thread is raised again in the waiting greenlet."""

    def broken() -> None:
        raise ValueError("unreadable")

    with pytest.raises(ValueError, match="unreadable"):
        run_blocking("gevent", broken)


def test_in_threading_mode_work_runs_in_place() -> None:
    """Tests and command-line tools: no pool, the calling thread does the work."""
    assert run_blocking("threading", threading.get_ident) == threading.get_ident()
