"""`tempo bench`: live play measured against the bare Socket.IO transport (see docs/benchmarks.md).

Nothing heavy is imported here: `python -m tempo.bench.bare` must patch gevent before Flask loads.
"""
