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
    #: Source text of the scalars YAML read as numbers (`10:00` is the integer 600 in YAML 1.1):
    #: where a text was expected, the validator quotes what the author typed.
    numbers: dict[Loc, str] = field(default_factory=dict)
    #: Keys written twice in one mapping (the second silently wins): path, first and second line.
    duplicate_keys: list[tuple[Loc, int, int]] = field(default_factory=list)

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


_NUMBER_TAGS = frozenset({"tag:yaml.org,2002:int", "tag:yaml.org,2002:float"})


def _record(node: yaml.Node, loc: Loc, src: Source) -> None:
    src.lines[loc] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            name = key.value if isinstance(key, yaml.ScalarNode) else str(key.value)
            line = key.start_mark.line + 1
            first = _first_line(node, key)
            if first is not None:
                src.duplicate_keys.append(((*loc, name), first, line))
            src.lines[(*loc, name)] = line
            _record_child(value, (*loc, name), src)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _record(item, (*loc, index), src)
    elif isinstance(node, yaml.ScalarNode) and node.tag in _NUMBER_TAGS:
        src.numbers[loc] = str(node.value)


def _first_line(mapping: yaml.MappingNode, key: yaml.Node) -> int | None:
    """Line of an earlier key of `mapping` equal to `key`, if it was written before."""
    for other, _ in mapping.value:
        if other is key:
            return None
        if isinstance(other, yaml.ScalarNode) and other.value == key.value:
            return int(other.start_mark.line) + 1
    return None


def _record_child(node: yaml.Node, loc: Loc, src: Source) -> None:
    # A mapping value's own line is the key's line (already recorded); only descend.
    if isinstance(node, yaml.MappingNode | yaml.SequenceNode):
        start = src.lines[loc]
        _record(node, loc, src)
        src.lines[loc] = start
    elif isinstance(node, yaml.ScalarNode) and node.tag in _NUMBER_TAGS:
        src.numbers[loc] = str(node.value)


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
    source = Source(name, data)
    if node is not None:
        _record(node, (), source)
    return source
