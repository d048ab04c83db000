"""The collector settings of a serving process (`tempo serve` and the bench's bare transport)."""

from __future__ import annotations

import gc

from tempo.launcher import SERVER_GC_THRESHOLDS, freeze_startup_objects, tune_gc_for_serving


def test_a_server_collects_rarely_and_never_walks_its_startup_objects_again() -> None:
    """What exists once the app is built is frozen (left out of every later collection), so a
    collection under load only walks what play allocated since."""
    thresholds = gc.get_threshold()
    startup = [{"scenario": n} for n in range(1000)]  # stands in for the app's own objects
    try:
        tune_gc_for_serving()
        assert gc.get_threshold() == SERVER_GC_THRESHOLDS
        freeze_startup_objects()
        assert gc.get_freeze_count() >= len(startup)
        assert gc.get_count()[0] < 100  # the young generation starts empty
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)
