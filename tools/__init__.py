"""Developer tools run from a checkout (the benchmark, shared test settings); never installed.

The `tempo` package never imports this folder: `tempo bench` reaches it only from a checkout.
"""
