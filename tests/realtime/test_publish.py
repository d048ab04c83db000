"""One module sends to phones and dashboards; the layers import each other one way only."""

from __future__ import annotations

import re
from pathlib import Path

TEMPO = Path(__file__).resolve().parents[2] / "tempo"
PUBLISHER = TEMPO / "realtime" / "publish.py"
# The bare Socket.IO server of the load benchmark is not Tempo's protocol.
NOT_TEMPO = TEMPO / "bench"


def _sources() -> list[Path]:
    return [p for p in sorted(TEMPO.rglob("*.py")) if NOT_TEMPO not in p.parents]


def _importers(package: str, under: Path) -> list[str]:
    pattern = re.compile(rf"^\s*(from|import) {re.escape(package)}\b", re.MULTILINE)
    return [
        str(p.relative_to(TEMPO))
        for p in sorted(under.rglob("*.py"))
        if pattern.search(p.read_text())
    ]


def test_only_the_publisher_emits() -> None:
    """No `.emit(` or `send(` of Socket.IO outside tempo/realtime/publish.py."""
    emitting = re.compile(r"\.emit\(|\bemit\(|from flask_socketio import [^\n]*\b(emit|send)\b")
    found = [
        str(p.relative_to(TEMPO))
        for p in _sources()
        if p != PUBLISHER and emitting.search(p.read_text())
    ]
    assert found == []


def test_layers_import_one_way() -> None:
    """Routes don't import the scheduler, realtime doesn't import web, services neither."""
    assert _importers("tempo.scheduler", TEMPO / "web") == []
    assert _importers("tempo.web", TEMPO / "realtime") == []
    assert _importers("tempo.realtime", TEMPO / "services") == []
    assert _importers("tempo.scheduler", TEMPO / "services") == []
