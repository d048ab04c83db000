"""Authored content: schema (pydantic), YAML loading with line numbers, and the validator."""

from tempo.scenarios.errors import ContentError
from tempo.scenarios.loader import LoadResult, content_root_for, load_content
from tempo.scenarios.schema import Content, Scenario

__all__ = ["Content", "ContentError", "LoadResult", "Scenario", "content_root_for", "load_content"]
