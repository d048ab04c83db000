"""`tempo recap COHORT --day N`: closes a day's recaps by hand, once, and says where they are."""

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
    """A CLI runner on a fresh instance holding the demo cohort (day 1 open) and two players."""
    cli_env(monkeypatch, tmp_path / "instance", PUBLIC_URL="https://tempo.ml-test.fr")
    monkeypatch.delenv("TEMPO_MESSAGE_QUEUE", raising=False)
    runner = CliRunner()
    assert runner.invoke(cli, ["demo"]).exit_code == 0
    rows = query(tmp_path, "SELECT id FROM team ORDER BY id")
    engine = create_engine(instance_url(tmp_path / "instance"))
    with engine.begin() as conn:
        for n, pseudonym in enumerate(("Comète Agile", "Hibou Malin")):
            conn.execute(
                text(
                    "INSERT INTO player (team_id, pseudonym, rejoin_code, email, email_consent,"
                    " absent, joined_at) VALUES (:t, :p, :c, :e, :ok, :absent, CURRENT_TIMESTAMP)"
                ),
                {
                    "t": rows[0][0],
                    "p": pseudonym,
                    "c": f"CLI{n:05d}",
                    "e": "comete@example.org" if n == 0 else None,
                    "ok": n == 0,
                    "absent": False,
                },
            )
    engine.dispose()
    return runner


def query(tmp_path: Path, sql: str) -> list[tuple[object, ...]]:
    """Rows from the instance's database."""
    engine = create_engine(instance_url(tmp_path / "instance"))
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(text(sql))]
    engine.dispose()
    return rows


def test_recap_has_help(runner: CliRunner) -> None:
    """The command explains itself."""
    result = runner.invoke(cli, ["recap", "--help"])
    assert result.exit_code == 0 and "--day" in result.output


def test_recap_closes_the_day_once_and_prints_where_to_see_it(
    runner: CliRunner, tmp_path: Path
) -> None:
    """Day 1 closes through the calendar; a second run produces nothing new."""
    first = runner.invoke(cli, ["recap", "demo", "--day", "1"])
    assert first.exit_code == 0, first.output
    out = first.output
    assert "Jour 1 de « Promo démo — Tempo 2050 » clôturé : récaps produits." in out
    assert "https://tempo.ml-test.fr/console/cohortes/demo/recaps#jour-1" in out
    assert "- Les Comètes : 0 mission(s), +0 éclat(s), 0 offre(s) — carte : " in out
    assert "https://tempo.ml-test.fr/console/cohortes/demo/recaps/jour-1/equipe-1.png" in out
    assert (
        "2 récap(s) de joueur, dans leur journal (https://tempo.ml-test.fr/journal#jour-1) : "
        "Comète Agile, Hibou Malin"
    ) in out
    # Comète consented; the demo counsellor gets the digest.
    assert "2 courriel(s) de récap mis en file d'envoi" in out
    assert "une à deux secondes" in out  # without a message queue, the server tells phones

    again = runner.invoke(cli, ["recap", "demo", "--day", "1"])
    assert again.exit_code == 0, again.output
    assert "était déjà clôturé" in again.output and "rien de nouveau" in again.output
    assert "courriel" not in again.output
    assert query(tmp_path, "SELECT count(*) FROM team_recap") == [(2,)]
    assert query(tmp_path, "SELECT count(*) FROM player_recap") == [(2,)]
    keys = [k for (k,) in query(tmp_path, "SELECT key FROM outbound_email ORDER BY key")]
    assert [k.split(":")[1] for k in keys] == ["digest", "player"]
    kinds = query(tmp_path, "SELECT type FROM team_event WHERE type = 'recap.ready'")
    assert len(kinds) == 2
    listing = runner.invoke(cli, ["day", "list", "demo"]).output
    assert "clos le" in next(line for line in listing.splitlines() if line.startswith("Jour  1"))


def test_recap_refuses_a_day_not_open_yet(runner: CliRunner, tmp_path: Path) -> None:
    """Day 3 has not opened: a French error, nothing written."""
    result = runner.invoke(cli, ["recap", "demo", "--day", "3"])
    assert result.exit_code == 1
    assert "Le jour 3 n'a pas encore été ouvert" in result.output
    assert query(tmp_path, "SELECT count(*) FROM team_recap") == [(0,)]
    unknown = runner.invoke(cli, ["recap", "inconnue", "--day", "1"])
    assert unknown.exit_code == 1 and "Cohorte inconnue" in unknown.output
