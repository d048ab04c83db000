"""Fixtures for content tests: a fresh minimal content folder per test."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.scenarios.builders import ContentDir, build_content


@pytest.fixture
def content(tmp_path: Path) -> ContentDir:
    """The minimal valid content folder, ready to be broken by one test."""
    return build_content(tmp_path / "content")
