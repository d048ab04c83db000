"""`tempo kit` and `tempo export`: the print kit and the exports on the command line."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from tempo.cli import cli
from tests.conftest import cli_env
from tests.services.pdfs import pages, qr_codes, texts

PUBLIC = "https://tempo.ml-exemple.fr"


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A CLI runner on a fresh database in tmp_path, with the demo cohort created."""
    cli_env(monkeypatch, tmp_path / "instance", PUBLIC_URL=PUBLIC)
    runner = CliRunner()
    result = runner.invoke(cli, ["demo"])
    assert result.exit_code == 0, result.output
    return runner


@pytest.mark.parametrize("command", ["kit", "export"])
def test_help_is_in_french(runner: CliRunner, command: str) -> None:
    """`--help` says what the command does, in French."""
    result = runner.invoke(cli, [command, "--help"])
    assert result.exit_code == 0
    assert "COHORTE" in result.output and "cohorte" in result.output


def test_kit_writes_a_pdf_whose_codes_point_at_the_public_address(
    runner: CliRunner, tmp_path: Path
) -> None:
    """`tempo kit demo -o kit.pdf`: team posters, an empty-team page each, checkpoint posters."""
    output = tmp_path / "impressions" / "kit.pdf"
    result = runner.invoke(cli, ["kit", "demo", "-o", str(output)])
    assert result.exit_code == 0, result.output
    assert "2 affiche(s) d'équipe" in result.output and "7 balise(s) QR" in result.output
    assert "Attention" not in result.output
    pdf = output.read_bytes()
    codes = [url for image in pages(pdf) for url in qr_codes(image)]
    assert len(codes) == 2 + 7
    assert sum("/rejoindre/" in url for url in codes) == 2
    assert sum("/q/" in url for url in codes) == 7
    assert all(url.startswith(PUBLIC + "/") for url in codes)
    assert "Personne n'a encore rejoint l'équipe Les Comètes." in texts(pdf)[2]


def test_kit_warns_when_phones_cannot_open_the_codes(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without TEMPO_PUBLIC_URL the codes point at 127.0.0.1: the command warns."""
    monkeypatch.delenv("TEMPO_PUBLIC_URL")
    result = runner.invoke(cli, ["kit", "demo", "-o", str(tmp_path / "kit.pdf")])
    assert result.exit_code == 0
    assert "TEMPO_PUBLIC_URL" in result.output


def test_unknown_cohort_is_a_clear_error(runner: CliRunner, tmp_path: Path) -> None:
    """An unknown slug names the cohorts that exist; nothing is written."""
    for args in (
        ["kit", "printemps", "-o", str(tmp_path / "kit.pdf")],
        ["export", "printemps", "--format", "pdf", "-o", str(tmp_path / "bilan.pdf")],
    ):
        result = runner.invoke(cli, args)
        assert result.exit_code == 1
        assert "Cohorte inconnue : printemps (cohortes existantes : demo)" in result.output
    assert list(tmp_path.glob("*.pdf")) == []


def test_wrong_file_names_are_refused(runner: CliRunner, tmp_path: Path) -> None:
    """A kit or a report must be a .pdf; CSV exports need a folder."""
    result = runner.invoke(cli, ["kit", "demo", "-o", str(tmp_path / "kit.png")])
    assert result.exit_code == 2 and "se terminer par .pdf" in result.output
    existing = tmp_path / "note.txt"
    existing.write_text("x")
    result = runner.invoke(cli, ["export", "demo", "--format", "csv", "-o", str(existing)])
    assert result.exit_code == 2 and "indiquez un dossier" in result.output


def test_export_csv_writes_players_and_teams(runner: CliRunner, tmp_path: Path) -> None:
    """`tempo export demo --format csv -o DIR` writes joueurs.csv and equipes.csv."""
    folder = tmp_path / "exports"
    result = runner.invoke(cli, ["export", "demo", "--format", "csv", "-o", str(folder)])
    assert result.exit_code == 0, result.output
    teams = (folder / "equipes.csv").read_bytes()
    assert teams.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(teams.decode("utf-8-sig")), delimiter=";"))
    assert [r["Équipe"] for r in rows] == ["Les Comètes", "Les Pionniers"]
    players = (folder / "joueurs.csv").read_bytes().decode("utf-8-sig")
    assert players.startswith("Cohorte;Équipe;Pseudonyme;")


def test_export_pdf_writes_the_report(runner: CliRunner, tmp_path: Path) -> None:
    """`tempo export demo --format pdf -o bilan.pdf` writes the cohort report."""
    output = tmp_path / "bilan.pdf"
    result = runner.invoke(cli, ["export", "demo", "--format", "pdf", "-o", str(output)])
    assert result.exit_code == 0, result.output
    assert "Bilan de la cohorte" in texts(output.read_bytes())[0]


def test_kit_before_the_database_exists(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """On a fresh install the command says how to create the database."""
    cli_env(monkeypatch, tmp_path / "vide")
    result = CliRunner().invoke(cli, ["kit", "demo", "-o", str(tmp_path / "kit.pdf")])
    assert result.exit_code == 1
    assert "tempo db upgrade" in result.output
