"""Blocking work (decoding a photo) off the gevent event loop, so other phones keep being served.

Under `tempo serve` (gevent) every request and socket shares one thread: a second of CPU-bound
work there makes every player wait that second. Such work runs on a small pool of real threads
instead; the request's greenlet waits for it while the hub serves everyone else. Pillow releases
the interpreter lock while it decodes, converts and resizes, so the threads truly run beside it.
In threading mode (tests, command-line tools) each request already has its thread: work runs as is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

# Image work needs memory in proportion to its pixels: a few at a time per process bound it.
POOL_SIZE = 2
_pool: Any = None


def run_blocking(async_mode: str, work: Callable[[], T]) -> T:
    """Run `work` on a worker thread under gevent (the hub keeps serving), directly otherwise."""
    if async_mode != "gevent":
        return work()
    return _gevent_pool().spawn(work).get()  # type: ignore[no-any-return]


def _gevent_pool() -> Any:
    global _pool
    if _pool is None:
        # Imported here: the threading mode never loads gevent.
        from gevent.threadpool import ThreadPool

        _pool = ThreadPool(POOL_SIZE)
    return _pool


#: The longest `yield_to_waiting` lets ready work go first: under a load that never lets the
#: event loop idle, the deferred step goes ahead after this.
YIELD_LIMIT_SECONDS = 0.05


def yield_to_waiting(async_mode: str, limit: float = YIELD_LIMIT_SECONDS) -> None:
    """Under gevent, let what is already waiting run first, then return (after `limit` at most).

    What is waiting: the greenlets ready to run and the sockets with something to read, players'
    actions among them. A step that no phone is waiting on (a presence list, the cohort's gauge)
    calls this before its few milliseconds of work, so that an action arriving meanwhile is
    not served after it. In threading mode (tests, command-line tools) it returns at once.
    """
    if async_mode != "gevent":
        return
    import gevent

    # The loop is idle once no callback is pending and its poll found no socket ready.
    with gevent.Timeout(limit, False):  # type: ignore[arg-type]  # False: end quietly
        gevent.idle()
