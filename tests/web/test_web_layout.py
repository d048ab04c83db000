"""The web layer's layout: modules share helpers by public names only."""

from __future__ import annotations

import ast
from pathlib import Path

import tempo

WEB = Path(tempo.__file__).parent / "web"


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _module_of(path: Path) -> str:
    parts = path.relative_to(WEB.parent.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _private_uses(source: str, here: str) -> list[str]:
    """`from m import _x` and `m._x` where `m` is another tempo module, in module `here`."""
    tree = ast.parse(source)
    modules: set[str] = set()  # local names bound to tempo modules
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("tempo"):
            for alias in node.names:
                if _private(alias.name) and node.module != here:
                    found.append(f"from {node.module} import {alias.name}")
                modules.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            modules.update(a.asname or a.name for a in node.names if a.name.startswith("tempo"))
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in modules
            and _private(node.attr)
        ):
            found.append(f"{node.value.id}.{node.attr}")
    return found


def test_no_web_module_uses_another_modules_private_names() -> None:
    """What console or player pages share lives in a module of theirs under a public name."""
    offences = {
        str(path.relative_to(WEB)): uses
        for path in sorted(WEB.rglob("*.py"))
        if (uses := _private_uses(path.read_text(encoding="utf-8"), _module_of(path)))
    }
    assert offences == {}


def test_the_check_sees_both_forms_of_private_use() -> None:
    """The check above would have caught the console's former `_cohort_or_404` and `_NAV`."""
    source = (
        "from tempo.web import console\n"
        "from tempo.web.console.common import _cohort_or_404, me\n"
        "from tempo.web.console.sample import _own\n"
        "console._NAV.update({})\n"
        "me.__doc__\n"
    )
    assert _private_uses(source, "tempo.web.console.sample") == [
        "from tempo.web.console.common import _cohort_or_404",
        "console._NAV",
    ]
