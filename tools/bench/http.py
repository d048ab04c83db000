"""How long `tempo serve` takes to answer a phone's HTTP requests on an idle machine.

`python -m tools.bench.http` builds the bench's world (a small cohort, day 6's QR checkpoints
open), starts `tempo serve` (gevent) on it, signs one phone in as the bench does (its rejoin
link's form), then times requests on one kept-alive connection, as a browser makes them: the
health check, the home page, the game page, the game's script and a QR scan (validated the
first time, « déjà validée » after). It prints the median and the slowest of each.

`--checkout PATH` runs the server of another tree of the project (an older commit in a `git
worktree`), to compare versions with the same script. docs/benchmarks.md, « HTTP answers
without Nagle's algorithm ».
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import aiohttp

from tools.bench.instance import BenchWorld, bench_config, build_world
from tools.bench.load import sign_in
from tools.bench.servers import start_tempo

PATHS = ["/healthz", "/", "/jouer", "/static/js/play.js"]


async def timed(http: aiohttp.ClientSession, url: str) -> float:
    """Milliseconds until the whole answer has arrived (redirects not followed)."""
    started = time.perf_counter()
    async with http.get(url, allow_redirects=False) as response:
        await response.read()
        if response.status >= 400:
            raise RuntimeError(f"{url} answered {response.status}")
    return (time.perf_counter() - started) * 1000


async def measure(url: str, world: BenchWorld, repeats: int) -> dict[str, list[float]]:
    """Each path's answer times, one kept-alive connection, one request at a time."""
    times: dict[str, list[float]] = {}
    connector = aiohttp.TCPConnector(limit=1)  # one connection, kept alive, as one tab
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(connector=connector, cookie_jar=jar) as http:
        await sign_in(http, url, world.players[0].rejoin_code)
        for path in PATHS:
            times[path] = [await timed(http, url + path) for _ in range(repeats)]
        token = next(iter(world.checkpoint_tokens.values()))
        times["/q/<jeton> (scan)"] = [await timed(http, f"{url}/q/{token}") for _ in range(repeats)]
    return times


def main() -> None:
    """Start a server, time its answers, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20, help="requests per path")
    parser.add_argument("--checkout", type=Path, help="the project tree whose server to run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tempo-http-") as tmp:
        world = build_world(Path(tmp) / "instance", 12)
        cfg = bench_config(world.instance_dir)
        server = start_tempo(cfg, world.instance_dir, cwd=args.checkout)
        try:
            times = asyncio.run(measure(server.url, world, args.repeats))
        finally:
            server.stop()
    print(f"tempo serve ({args.checkout or 'this checkout'}), {args.repeats} requests per path:")
    for path, values in times.items():
        print(f"  {path:<22} median {statistics.median(values):6.1f} ms, max {max(values):6.1f} ms")


if __name__ == "__main__":
    main()
