"""The mix `tempo bench` replays is the real client's: re-recorded from play.js, it must match
tools/bench/client_mix.json (same requests on connecting, same requests per action within a
tolerance). A change to play.js, the mission modules, inbox.js or offline.js that moves it fails
here until the mix is re-recorded and the bench re-run."""

from __future__ import annotations

from playwright.sync_api import Browser

from tests.live import LiveServer
from tools.bench import mix


def test_the_client_sends_the_mix_the_bench_replays(
    browser: Browser, live_server: LiveServer
) -> None:
    fresh = mix.record(live_server, browser)
    problems = mix.drift(mix.load(), fresh)
    assert not problems, (
        "The player page's requests moved away from tools/bench/client_mix.json:\n  "
        + "\n  ".join(problems)
        + f"\nRe-record it with `{mix.RECORD_COMMAND}`, then re-run `tempo bench` (600 phones) "
        "and update docs/benchmarks.md with the new figures."
    )
