"""YAML loading that remembers the line of every value, so errors can point at it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tempo.scenarios.errors import ContentError, Loc, format_loc


@dataclass
class Source:
    """A parsed YAML file: its data and the 1-based line of each path inside it."""

    file: str
    data: Any
    lines: dict[Loc, int] = field(default_factory=dict)

    def line(self, loc: Loc) -> int | None:
        """Line of the deepest known prefix of `loc` (a missing key points at its parent)."""
        for end in range(len(loc), -1, -1):
            found = self.lines.get(tuple(loc[:end]))
            if found is not None:
                return found
        return None

    def error(self, loc: Loc, message: str) -> ContentError:
        """A located error inside this file."""
        return ContentError(self.file, self.line(loc), format_loc(loc), message)


#: libyaml's loader where PyYAML was built with it (about 20 times faster on content/).
_FAST: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _parse(text: str, loader_class: Any) -> tuple[yaml.Node | None, Any]:
    """One pass: the node tree gives the lines and is constructed into data (safe tags only)."""
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        return node, loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()


def _record(node: yaml.Node, loc: Loc, lines: dict[Loc, int]) -> None:
    lines[loc] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            name = key.value if isinstance(key, yaml.ScalarNode) else str(key.value)
            lines[(*loc, name)] = key.start_mark.line + 1
            _record_child(value, (*loc, name), lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _record(item, (*loc, index), lines)


def _record_child(node: yaml.Node, loc: Loc, lines: dict[Loc, int]) -> None:
    # A mapping value's own line is the key's line (already recorded); only descend.
    if isinstance(node, yaml.MappingNode | yaml.SequenceNode):
        start = lines[loc]
        _record(node, loc, lines)
        lines[loc] = start


def load_yaml(path: Path, root: Path) -> Source | ContentError:
    """Parse `path`; a syntax error comes back as a ContentError with its line."""
    name = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return ContentError(name, None, "", f"fichier illisible : {exc}")
    return parse_yaml(name, text)


def parse_yaml(name: str, text: str) -> Source | ContentError:
    """Parse the text of file `name`; a syntax error comes back as a ContentError with its line."""
    try:
        node, data = _parse(text, _FAST)
    except yaml.YAMLError:
        # libyaml words its errors differently: the pure-Python parser says what is wrong the
        # same way on every machine (errors are rare, so parsing twice costs nothing).
        try:
            node, data = _parse(text, yaml.SafeLoader)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark else None
            problem = exc.problem or str(exc)
            return ContentError(name, line, "", f"erreur de syntaxe YAML : {problem}")
        except yaml.YAMLError as exc:
            return ContentError(name, None, "", f"erreur de syntaxe YAML : {exc}")
    lines: dict[Loc, int] = {}
    if node is not None:
        _record(node, (), lines)
    return Source(name, data, lines)
