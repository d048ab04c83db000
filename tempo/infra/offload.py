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
