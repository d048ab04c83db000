"""Blocking work runs beside the gevent event loop, not on it (tempo.infra.offload)."""

from __future__ import annotations

import threading
import time

import gevent
import pytest
from gevent import socket as gsocket

from tempo.infra.offload import run_blocking, yield_to_waiting


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


def test_a_deferred_step_lets_ready_greenlets_go_first() -> None:
    """Work already waiting (a player's action) runs before the step that yields."""
    order: list[str] = []

    def presence_list() -> None:
        yield_to_waiting("gevent")
        order.append("presence")

    def action(name: str) -> None:
        order.append(name)

    steps = [gevent.spawn(presence_list), gevent.spawn(action, "a"), gevent.spawn(action, "b")]
    gevent.joinall(steps)
    assert order == ["a", "b", "presence"]


def test_a_deferred_step_lets_a_readable_socket_be_served_first() -> None:
    """A message that arrived on a socket while the step was queued is read and handled first."""
    order: list[str] = []
    left, right = gsocket.socketpair()

    def reader() -> None:
        order.append(left.recv(16).decode())  # waits for the message, then handles it

    def presence_list() -> None:
        right.sendall(b"action")  # the phone's action arrives: nothing has read it yet
        yield_to_waiting("gevent")
        order.append("presence")

    try:
        waiting = gevent.spawn(reader)
        gevent.sleep(0)  # the reader is now blocked on its socket
        gevent.joinall([gevent.spawn(presence_list), waiting])
    finally:
        left.close()
        right.close()
    assert order == ["action", "presence"]


def test_under_a_load_that_never_ends_a_deferred_step_still_runs() -> None:
    """Greenlets always ready (the loop never idles): the step goes ahead after its limit."""
    done: list[float] = []
    stop = False

    def busy() -> None:
        while not stop:
            gevent.sleep(0)

    spinners = [gevent.spawn(busy) for _ in range(3)]
    started = time.monotonic()
    try:
        step = gevent.spawn(lambda: (yield_to_waiting("gevent", limit=0.05), done.append(1)))
        step.join(timeout=2)
    finally:
        stop = True
        gevent.joinall(spinners)
    assert done == [1]
    assert time.monotonic() - started < 1


def test_in_threading_mode_a_deferred_step_does_not_wait() -> None:
    """Tests and command-line tools: nothing to yield to, the step runs at once."""
    started = time.monotonic()
    yield_to_waiting("threading", limit=5)
    assert time.monotonic() - started < 0.5
