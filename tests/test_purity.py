"""The pure packages stay pure: no web framework, ORM or socket import in them."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tempo.config import PROJECT_ROOT

PURE = ("tempo/engine", "tempo/missions", "tempo/scenarios")
FORBIDDEN = ("flask", "flask_socketio", "flask_sqlalchemy", "flask_babel", "sqlalchemy", "socketio")


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


@pytest.mark.parametrize("package", PURE)
def test_pure_packages_import_no_framework(package: str) -> None:
    """engine/, missions/ and scenarios/ never import flask, flask_socketio or sqlalchemy."""
    offenders = [
        f"{path.relative_to(PROJECT_ROOT)}:{line} imports {name}"
        for path in sorted((PROJECT_ROOT / package).rglob("*.py"))
        for line, name in _imports(path)
        if name.split(".")[0] in FORBIDDEN
    ]
    assert offenders == []


def test_pure_packages_do_not_pull_frameworks_transitively() -> None:
    """Importing the pure packages in a fresh interpreter loads none of the frameworks."""
    import subprocess
    import sys

    code = (
        "import sys, tempo.engine.calendar, tempo.engine.progress, tempo.missions, tempo.scenarios;"
        f"bad = [m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r}];"
        "print(','.join(sorted(bad)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_only_config_reads_the_environment() -> None:
    """TEMPO_* settings are read in tempo/config.py and nowhere else (the bench in tools/ too)."""
    offenders = []
    paths = [*(PROJECT_ROOT / "tempo").rglob("*.py"), *(PROJECT_ROOT / "tools").rglob("*.py")]
    for path in sorted(paths):
        if path.name == "config.py":
            continue
        text = path.read_text(encoding="utf-8")
        if "os.environ" in text or "getenv(" in text:
            offenders.append(str(path.relative_to(PROJECT_ROOT)))
    assert offenders == []


def test_the_product_does_not_import_the_tools() -> None:
    """tools/ is not installed: only `tempo bench` reaches it, from a checkout, when it runs."""
    offenders = [
        f"{path.relative_to(PROJECT_ROOT)}:{line} imports {name}"
        for path in sorted((PROJECT_ROOT / "tempo").rglob("*.py"))
        for line, name in _imports(path)
        if name.split(".")[0] == "tools" and path != PROJECT_ROOT / "tempo" / "cli" / "bench.py"
    ]
    assert offenders == []
