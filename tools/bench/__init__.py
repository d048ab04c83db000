"""`tempo bench`: live play measured against the bare Socket.IO transport (see docs/benchmarks.md).

A developer tool outside the installed package: it runs from a checkout with the `bench` extra.
Nothing heavy is imported here: `python -m tools.bench.bare` must patch gevent before Flask loads.
"""
