"""The test suite's own settings (TEMPO_TEST_*), read here: Tempo's code never reads them."""

from __future__ import annotations

import os


def test_postgres_url() -> str:
    """PostgreSQL URL the test suite uses for the real-server runs."""
    return os.environ.get(
        "TEMPO_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )


def test_database() -> str:
    """The database the test suite puts Tempo on: "sqlite" (default) or "postgresql"."""
    value = os.environ.get("TEMPO_TEST_DATABASE", "sqlite").strip().lower() or "sqlite"
    if value not in {"sqlite", "postgresql"}:
        raise ValueError(f"TEMPO_TEST_DATABASE must be sqlite or postgresql, not {value!r}")
    return value
