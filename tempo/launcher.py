"""Entry point of the `tempo` command.

`tempo serve` runs under gevent (the production mode chosen by measurement, docs/architecture.md
section 8), which must patch the standard library before Flask, SQLAlchemy or sockets are
imported: this module therefore imports nothing heavy before deciding.
"""

from __future__ import annotations

import gc
import sys

# A live server allocates many short-lived objects per event (dicts, rows, JSON, packets); with
# CPython's default first-generation threshold (700) the collector runs many times a second
# under load and adds to the latency tail. Collections stay automatic, just less frequent.
SERVER_GC_THRESHOLDS = (20_000, 20, 20)


def tune_gc_for_serving() -> None:
    """Collect less often in a long-running server (the bare transport of the bench too)."""
    gc.set_threshold(*SERVER_GC_THRESHOLDS)


def freeze_startup_objects() -> None:
    """Leave the objects built at startup (the app, the scenarios, the ORM's metadata) out of
    every later collection: gc.freeze() after one full collection. Measured with `tempo bench`
    (docs/benchmarks.md): the collector's longest pause under 600 phones fell from 150 ms to
    about 35 ms, a pause every phone of every team waits through."""
    gc.collect()
    gc.freeze()


def main() -> None:
    """Run the `tempo` command line."""
    if len(sys.argv) > 1 and sys.argv[1] == "serve":
        from tempo.config import Config

        if Config.from_env().SERVER_MODE == "gevent":
            from gevent import monkey

            monkey.patch_all()
        tune_gc_for_serving()
    from tempo.cli import cli

    cli()


if __name__ == "__main__":
    main()
