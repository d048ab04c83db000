"""Hammer a live Tempo server with code guesses; print how many got through per second.

    python -m tools.guess http://127.0.0.1:5000 --seconds 10 --concurrency 20

From one address, it tries random team join codes (GET /rejoindre/<code>) and personal rejoin
codes (POST /retour, with the CSRF token of the home page's form) as fast as the server
answers. A guess « got through » when the server looked the code up (a 404 for a wrong code);
429 means the rate limit refused it unread. The
figures go in docs/benchmarks.md (section « Code guessing »). Needs the `bench` extra (aiohttp).
Point it only at a server you run: it is an attack.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import secrets
import time
from collections import Counter

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def _code(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


async def _worker(url: str, until: float, counts: Counter[str], n: int) -> None:
    import aiohttp

    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        # The home page's form gives the CSRF token a scripted guesser would reuse.
        async with http.get(f"{url}/") as response:
            found = re.search(r'name="csrf_token" value="([^"]+)"', await response.text())
        token = found.group(1) if found else ""
        i = n
        while time.monotonic() < until:
            i += 1
            if i % 2:
                request = http.get(f"{url}/rejoindre/{_code(6)}", allow_redirects=False)
            else:
                form = {"rejoin": _code(8), "csrf_token": token}
                request = http.post(f"{url}/retour", data=form, allow_redirects=False)
            async with request as response:
                await response.read()
                counts[str(response.status)] += 1
                counts["refused" if response.status == 429 else "through"] += 1


async def _run(url: str, seconds: float, concurrency: int) -> Counter[str]:
    counts: Counter[str] = Counter()
    until = time.monotonic() + seconds
    await asyncio.gather(*(_worker(url, until, counts, n) for n in range(concurrency)))
    return counts


def main() -> None:
    """Parse the options, hammer, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="the server's address, e.g. http://127.0.0.1:5000")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=20)
    args = parser.parse_args()
    url = args.url.rstrip("/")
    started = time.monotonic()
    counts = asyncio.run(_run(url, args.seconds, args.concurrency))
    elapsed = time.monotonic() - started
    total = counts["through"] + counts["refused"]
    print(f"{total} essais en {elapsed:.1f} s ({total / elapsed:.0f}/s)")
    print(
        f"  lus par le serveur : {counts['through']} ({counts['through'] / elapsed:.1f}/s)"
        f"  refusés (429) : {counts['refused']}"
    )
    statuses = sorted((k, v) for k, v in counts.items() if k.isdigit())
    print("  réponses : " + ", ".join(f"{status} × {n}" for status, n in statuses))


if __name__ == "__main__":
    main()
