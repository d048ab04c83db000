"""`tempo bench` end to end at a tiny size: both servers, the ratio line, the Markdown file.

The figures themselves are the bench's business (docs/benchmarks.md); this test only makes
sure the command keeps working from a fresh install, as the issue's acceptance runs it.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tempo.config import child_environment

# Both servers under load, then the player page's first load in Chromium (--other). The bench
# builds its own SQLite instance whatever the run's database (`sqlite`).
pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.sqlite]


def test_bench_plays_both_servers_and_writes_every_section(tmp_path: Path) -> None:
    output = tmp_path / "benchmarks.md"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "tempo.launcher",
            "bench",
            "--players",
            "24",
            "--period",
            "1",
            "--duration",
            "3",
            "--rounds",
            "2",
            "--other",
            "-o",
            str(output),
        ],
        env=child_environment({"INSTANCE_DIR": str(tmp_path / "unused")}),
        cwd=tmp_path,  # outside the checkout's folder: `tempo bench` finds tools/ by itself
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    # A simulated phone that crashes only logs a traceback: it must not happen silently.
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    last = done.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"ratio p99=\d+\.\d\d cpu=\d+\.\d\d delivered=100(\.0+)?%", last), last
    doc = output.read_text(encoding="utf-8")
    latest = doc.split("<!-- bench:latest:start -->")[1].split("<!-- bench:latest:end -->")[0]
    assert "tempo serve" in latest and "p99" in latest
    assert "Rounds: 2, taken in turn" in latest and "| 2 |" in latest  # each round's figures
    assert "manche 2/2" in done.stderr
    other = doc.split("<!-- bench:other:start -->")[1].split("<!-- bench:other:end -->")[0]
    assert "First load of the player page" in other and "KiB" in other
    assert "Print kit" in other
    assert not (tmp_path / "unused").exists()  # the bench works in its own temporary instance
