"""Example or short secret keys are refused at start: they would let anyone forge sessions."""

from __future__ import annotations

import re
import secrets
from pathlib import Path

import pytest
from click.testing import CliRunner

from tempo import create_app
from tempo.cli import cli
from tempo.config import PROJECT_ROOT, WeakSecretKey, check_secret_key, secret_key_weakness
from tests.conftest import cli_env, make_config


def _example_key() -> str:
    text = (PROJECT_ROOT / "deploy" / "tempo.env.example").read_text(encoding="utf-8")
    found = re.search(r"^TEMPO_SECRET_KEY=(.*)$", text, re.MULTILINE)
    assert found is not None
    return found.group(1).strip()


@pytest.mark.parametrize(
    "key",
    [
        "change-me",
        "CHANGE_ME",
        "changeme",
        "secret",
        "dev",
        "Test",
        "change-me-to-a-long-random-string-before-production",
        "remplacer-par-une-cle-aleatoire-de-48-caracteres",
        "a" * 64,
        "Uf-l39Y9c0hrKaQq81aCpg",  # random-looking, but 22 characters
    ],
)
def test_placeholder_and_short_keys_are_weak(key: str) -> None:
    """Examples (any case or separator), low variety and fewer than 32 characters are refused."""
    assert secret_key_weakness(key) is not None
    with pytest.raises(WeakSecretKey, match=r"secrets\.token_urlsafe"):
        check_secret_key(key)


def test_the_deployment_examples_key_is_refused() -> None:
    """Copying deploy/tempo.env.example without replacing its key does not start a server."""
    assert secret_key_weakness(_example_key()) == "est une valeur d'exemple"


def test_generated_and_unset_keys_are_accepted() -> None:
    """What the message tells people to run passes; unset means a key generated per instance."""
    assert secret_key_weakness(secrets.token_urlsafe(48)) is None
    assert secret_key_weakness(secrets.token_hex(16)) is None
    check_secret_key(None)
    check_secret_key("")


def test_create_app_refuses_a_weak_key_outside_tests(tmp_path: Path) -> None:
    """create_app stops on the example key unless it runs the test suite."""
    with pytest.raises(WeakSecretKey, match="valeur d'exemple"):
        create_app(make_config(tmp_path, SECRET_KEY="change-me", TESTING=False))
    assert create_app(make_config(tmp_path, SECRET_KEY="change-me")).config["TESTING"]


def test_without_a_key_one_is_generated_and_kept(tmp_path: Path) -> None:
    """The embedded default (./scripts/run, no settings) still starts: a key in the instance."""
    first = create_app(make_config(tmp_path, SECRET_KEY=None, TESTING=False))
    again = create_app(make_config(tmp_path, SECRET_KEY=None, TESTING=False))
    key = first.config["SECRET_KEY"]
    assert secret_key_weakness(key) is None and again.config["SECRET_KEY"] == key
    assert (tmp_path / "instance" / "secret_key").read_text(encoding="utf-8").strip() == key


def test_the_scheduler_command_refuses_a_weak_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`tempo scheduler` exits at once with the French message (it signs e-mail links)."""
    cli_env(monkeypatch, tmp_path / "instance", SECRET_KEY="change-me")
    result = CliRunner().invoke(cli, ["scheduler"])
    assert result.exit_code == 1
    assert "TEMPO_SECRET_KEY est une valeur d'exemple" in result.output
    assert "secrets.token_urlsafe(48)" in result.output
