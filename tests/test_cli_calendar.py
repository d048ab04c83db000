"""`tempo day` and `tempo cohort`: the counsellor's calendar actions on the command line."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from tempo.cli import cli
from tests.conftest import cli_env
from tests.databases import instance_url


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A CLI runner on a fresh instance folder holding the demo cohort (day 1 open)."""
    cli_env(monkeypatch, tmp_path / "instance")
    monkeypatch.delenv("TEMPO_MESSAGE_QUEUE", raising=False)
    runner = CliRunner()
    assert runner.invoke(cli, ["demo"]).exit_code == 0
    return runner


def query(tmp_path: Path, sql: str) -> list[tuple[object, ...]]:
    """Rows from the instance's database."""
    engine = create_engine(instance_url(tmp_path / "instance"))
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(text(sql))]
    engine.dispose()
    return rows


@pytest.mark.parametrize(
    "command",
    [["scheduler"], ["day"], ["day", "list"], ["day", "unlock"], ["cohort"], ["cohort", "pause"]],
)
def test_calendar_commands_have_help(runner: CliRunner, command: list[str]) -> None:
    """Every new command explains itself."""
    result = runner.invoke(cli, [*command, "--help"])
    assert result.exit_code == 0 and "Usage:" in result.output


def test_day_unlock_once_and_says_phones_learn_it_on_reload(
    runner: CliRunner, tmp_path: Path
) -> None:
    """`tempo day unlock demo 2` opens day 2 once; without a queue it says how phones learn it."""
    first = runner.invoke(cli, ["day", "unlock", "demo", "2"])
    assert first.exit_code == 0, first.output
    assert "Jour 2 ouvert pour les 2 équipe(s)" in first.output
    assert "TEMPO_MESSAGE_QUEUE" in first.output and "une à deux secondes" in first.output
    again = runner.invoke(cli, ["day", "unlock", "demo", "2"])
    assert again.exit_code == 0
    assert "déjà ouvert" in again.output
    rows = query(tmp_path, "SELECT type, team_id FROM team_event WHERE type = 'day.unlocked'")
    assert len(rows) == 2
    listing = runner.invoke(cli, ["day", "list", "demo"])
    lines = [line for line in listing.output.splitlines() if line.startswith("Jour ")]
    assert len(lines) == 10
    assert "ouvert le" in lines[1] and "à venir" in lines[2]


def test_day_unlock_refuses_a_day_that_does_not_exist(runner: CliRunner) -> None:
    """Day 11 and an unknown cohort are clear errors."""
    result = runner.invoke(cli, ["day", "unlock", "demo", "11"])
    assert result.exit_code == 1
    assert "Le jour 11 n'existe pas" in result.output
    result = runner.invoke(cli, ["day", "unlock", "inconnue", "2"])
    assert result.exit_code == 1
    assert "Cohorte inconnue : inconnue" in result.output


def test_cohort_pause_and_resume(runner: CliRunner, tmp_path: Path) -> None:
    """Pause, pause again (nothing), unlock refused while paused, resume."""
    paused = runner.invoke(cli, ["cohort", "pause", "demo"])
    assert paused.exit_code == 0 and "est en pause" in paused.output
    assert "déjà en pause" in runner.invoke(cli, ["cohort", "pause", "demo"]).output
    refused = runner.invoke(cli, ["day", "unlock", "demo", "2"])
    assert refused.exit_code == 1 and "relancez-la" in refused.output
    resumed = runner.invoke(cli, ["cohort", "resume", "demo"])
    assert resumed.exit_code == 0 and "a repris" in resumed.output
    assert query(tmp_path, "SELECT status FROM cohort") == [("running",)]
    kinds = query(tmp_path, "SELECT type FROM team_event WHERE type LIKE 'cohort.%' ORDER BY id")
    assert [k for (k,) in kinds] == ["cohort.paused"] * 2 + ["cohort.resumed"] * 2


def test_serve_refuses_an_unknown_scheduler_mode(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A mistyped TEMPO_SCHEDULER stops `tempo serve` with a French explanation."""
    monkeypatch.setenv("TEMPO_SCHEDULER", "cron")
    result = runner.invoke(cli, ["serve"])
    assert result.exit_code == 2
    assert "choisissez inprocess ou off" in result.output
