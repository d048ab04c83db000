"""The `tempo` command: validate, demo, db upgrade, and help on every command."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from tempo.cli import cli
from tests.conftest import CONTENT_DIR, cli_env
from tests.databases import instance_tables
from tests.scenarios.builders import build_content
from tests.services_fallback import redis_url


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A CLI runner whose instance folder (and database) lives in tmp_path."""
    cli_env(monkeypatch, tmp_path / "instance")
    return CliRunner()


@pytest.mark.parametrize(
    "command", [[], ["serve"], ["db"], ["db", "upgrade"], ["validate"], ["demo"]]
)
def test_every_command_has_help(runner: CliRunner, command: list[str]) -> None:
    """`--help` works on each command and says what it does in French."""
    result = runner.invoke(cli, [*command, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.output


def test_validate_passes_on_the_real_content(runner: CliRunner) -> None:
    """`tempo validate content/` exits 0 and summarises what it checked."""
    result = runner.invoke(cli, ["validate", str(CONTENT_DIR)])
    assert result.exit_code == 0, result.output
    assert "Contenu valide : 25 offres, 11 familles" in result.output
    assert "Scénario tempo-2050 : 10 jours" in result.output


def test_validate_one_scenario_folder(runner: CliRunner) -> None:
    """A scenario folder can be validated on its own (with its content root's offers)."""
    result = runner.invoke(cli, ["validate", str(CONTENT_DIR / "scenarios" / "tempo-2050")])
    assert result.exit_code == 0, result.output


def test_validate_reports_three_broken_files_and_writes_nothing(
    runner: CliRunner, tmp_path: Path
) -> None:
    """A syntax error, a wrong type and a dangling reference are all printed; exit 1; no DB."""
    broken = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, broken)
    days = broken / "scenarios" / "tempo-2050" / "days"
    day2 = days / "day02.yaml"
    day2.write_text(day2.read_text(encoding="utf-8").replace("title:", "title: [", 1), "utf-8")
    day3 = days / "day03.yaml"
    day3.write_text(
        day3.read_text(encoding="utf-8").replace("reward:", "reward: beaucoup #", 1), "utf-8"
    )
    day4 = days / "day04.yaml"
    text = day4.read_text(encoding="utf-8")
    day4.write_text(
        text.replace("requires: [", "requires: [m-boss, ", 1)
        if "requires: [" in text
        else text.replace("requires:\n", "requires:\n      - m-boss\n", 1),
        "utf-8",
    )
    result = runner.invoke(cli, ["validate", str(broken)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert any(
        l.startswith("scenarios/tempo-2050/days/day02.yaml:") and "syntaxe YAML" in l for l in lines
    )
    assert any(
        l.startswith("scenarios/tempo-2050/days/day03.yaml:")
        and ".reward: doit être un nombre entier" in l
        for l in lines
    )
    assert any(
        l.startswith("scenarios/tempo-2050/days/day04.yaml:") and "mission inconnue : 'm-boss'" in l
        for l in lines
    )
    assert instance_tables(tmp_path / "instance") == set()


def test_validate_missing_folder_is_a_clear_error(runner: CliRunner, tmp_path: Path) -> None:
    """A path that does not exist is named in the error."""
    result = runner.invoke(cli, ["validate", str(tmp_path / "absent")])
    assert result.exit_code == 2
    assert "Dossier introuvable" in result.output


def test_db_upgrade_creates_the_schema(runner: CliRunner, tmp_path: Path) -> None:
    """`tempo db upgrade` migrates the instance's database (its SQLite file, or PostgreSQL)."""
    result = runner.invoke(cli, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "team_event" in instance_tables(tmp_path / "instance")


def test_demo_is_idempotent_and_prints_what_to_open(runner: CliRunner) -> None:
    """`tempo demo` creates the demo cohort once, prints codes, URLs and credentials."""
    first = runner.invoke(cli, ["demo"])
    assert first.exit_code == 0, first.output
    assert "Cohorte « Promo démo — Tempo 2050 » (demo) créée." in first.output
    assert "Mot de passe : " in first.output
    codes = [
        l.split("code ")[1].split()[0] for l in first.output.splitlines() if l.startswith("Équipe")
    ]
    assert len(codes) == 2
    assert "http://127.0.0.1:5000/rejoindre/" + codes[0] in first.output

    second = runner.invoke(cli, ["demo"])
    assert second.exit_code == 0, second.output
    assert "déjà présente" in second.output
    assert [
        l.split("code ")[1].split()[0] for l in second.output.splitlines() if l.startswith("Équipe")
    ] == codes
    assert "inchangé" in second.output

    reset = runner.invoke(cli, ["demo", "--reset-password"])
    assert "Mot de passe : " in reset.output and "inchangé" not in reset.output


def test_a_worker_refuses_to_start_without_a_redis_queue(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`tempo serve --worker` needs TEMPO_MESSAGE_QUEUE, and says how to set it."""
    monkeypatch.delenv("TEMPO_MESSAGE_QUEUE", raising=False)
    result = runner.invoke(cli, ["serve", "--worker"])
    assert result.exit_code == 2
    assert "TEMPO_MESSAGE_QUEUE=redis://" in result.output
    monkeypatch.setenv("TEMPO_MESSAGE_QUEUE", "amqp://127.0.0.1//")
    assert runner.invoke(cli, ["serve", "--worker"]).exit_code == 2


def test_a_worker_refuses_a_database_that_is_not_migrated(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Workers never migrate (several would race): they ask for `tempo db upgrade` first."""
    monkeypatch.setenv("TEMPO_MESSAGE_QUEUE", redis_url())
    monkeypatch.setenv("TEMPO_SERVER_MODE", "threading")  # this test process is not gevent's
    result = runner.invoke(cli, ["serve", "--worker", "--port", "1"])
    assert result.exit_code == 1
    assert "tempo db upgrade" in result.output
    assert not (tmp_path / "instance" / "tempo.sqlite3.scheduler.lock").exists()  # no clock


def test_validate_prints_warnings_without_failing(runner: CliRunner, tmp_path: Path) -> None:
    """A flag set but never read is a warning: printed, and the content stays valid."""
    content = build_content(tmp_path / "content")
    result = runner.invoke(cli, ["validate", str(content.root)])
    assert result.exit_code == 0, result.output
    assert (
        "scenarios/mini/days/day01.yaml:42 missions[1].params.nodes[1].choices[0].set_flags[0]: "
        "le drapeau 'contrat-lu' est posé mais aucune condition ne le lit "
        "(if_flags, unless_flags) (avertissement)"
    ) in result.output.splitlines()
    assert "1 avertissement(s) : le contenu reste valide." in result.output
    assert "Scénario mini : 10 jours, 11 missions." in result.output


def _catalogue_without_immersion() -> dict[str, str]:
    offers = (CONTENT_DIR / "offers.yaml").read_text(encoding="utf-8")
    start = offers.index("  - id: immersion")
    end = offers.index("  - id:", start + 5)
    return {
        "offers.yaml": offers[:start] + offers[end:],
        "diagnostic.yaml": (CONTENT_DIR / "diagnostic.yaml").read_text(encoding="utf-8"),
    }


def test_validate_with_a_catalogue_checks_offers_against_it(
    runner: CliRunner, tmp_path: Path
) -> None:
    """`--catalogue` (the studio's zip, or a folder) replaces the folder's offers: a scenario
    unlocking an offer the catalogue lacks fails, and the message names that offer."""
    from tempo.services.studio import archive

    zipped = tmp_path / "catalogue-1.zip"
    zipped.write_bytes(archive.write_catalogue_zip(_catalogue_without_immersion()))
    result = runner.invoke(cli, ["validate", str(CONTENT_DIR), "--catalogue", str(zipped)])
    assert result.exit_code == 1
    assert f"Catalogue : {zipped} (à la place des offres du dossier)." in result.output
    assert "offre inconnue : 'immersion'" in result.output
    # The same catalogue as a folder, with the offer kept: valid, with the catalogue's count.
    folder = tmp_path / "cat"
    folder.mkdir()
    for name in ("offers.yaml", "diagnostic.yaml"):
        (folder / name).write_text((CONTENT_DIR / name).read_text(encoding="utf-8"), "utf-8")
    ok = runner.invoke(cli, ["validate", str(CONTENT_DIR), "--catalogue", str(folder)])
    assert ok.exit_code == 0, ok.output
    assert "Contenu valide : 25 offres" in ok.output


def test_validate_refuses_a_catalogue_that_is_not_one(runner: CliRunner, tmp_path: Path) -> None:
    """A zip without the catalogue's files, or a folder missing one, is named in the error."""
    from tempo.services.studio import archive

    scenario_zip = tmp_path / "scenario.zip"
    scenario_zip.write_bytes(archive.write_zip("x", {"scenario.yaml": "slug: x\n"}))
    result = runner.invoke(cli, ["validate", str(CONTENT_DIR), "--catalogue", str(scenario_zip)])
    assert result.exit_code == 2
    assert "l'archive ne contient pas offers.yaml ni diagnostic.yaml" in result.output
    (tmp_path / "half").mkdir()
    (tmp_path / "half" / "offers.yaml").write_text("offers: []\n", "utf-8")
    half = runner.invoke(cli, ["validate", str(CONTENT_DIR), "--catalogue", str(tmp_path / "half")])
    assert half.exit_code == 2 and "il manque diagnostic.yaml" in half.output
