"""The `tempo` command as a package: every group registered, nothing gevent-unsafe on import."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tempo.cli import bench, cli

GROUPS = (
    "serve",
    "scheduler",
    "db",
    "validate",
    "catalogue",
    "demo",
    "qr",
    "kit",
    "export",
    "user",
    "day",
    "cohort",
    "recap",
    "mail",
    "bench",
    "proofs",
    "purge",
)


def test_help_lists_every_command_group() -> None:
    """`tempo --help` names each command family registered by the modules of tempo/cli/."""
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0, result.output
    listed = result.output.split("Commands:")[1].split()
    for name in GROUPS:
        assert name in listed
    assert sorted(cli.commands) == sorted(GROUPS)


def test_importing_the_cli_loads_neither_gevent_nor_the_bench() -> None:
    """gevent is for `tempo serve` after its patch; tools.bench lives outside the package."""
    code = (
        "import sys, tempo.cli;"
        "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in ('gevent', 'tools'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_bench_outside_a_checkout_says_where_to_run_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Installed without the checkout's tools/, `tempo bench` explains itself in one line."""
    monkeypatch.setattr(bench, "PROJECT_ROOT", tmp_path)
    result = CliRunner().invoke(cli, ["bench", "--no-write"])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "Le banc d'essai se lance depuis une copie du dépôt, avec l'extra bench "
        "(pip install -e '.[bench]')."
    ]
