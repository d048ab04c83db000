"""Revision 0010 numbers the versions published before the studio and marks the last current."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Engine

from tempo.infra import db as schema


def test_existing_versions_are_numbered_per_scenario(engine: Engine) -> None:
    schema.downgrade(engine, "0010_access")
    with engine.begin() as conn:
        for slug, digest, at in [
            ("tempo-2050", "a", "2026-03-01 10:00:00"),
            ("autre", "b", "2026-03-02 10:00:00"),
            ("tempo-2050", "c", "2026-03-03 10:00:00"),
        ]:
            conn.execute(
                text(
                    "INSERT INTO scenario_version (slug, label, title, content_hash, content, "
                    "published_at) VALUES (:slug, '1.0', 'T', :digest, '{}', :at)"
                ),
                {"slug": slug, "digest": digest, "at": at},
            )
    schema.upgrade(engine)
    with engine.connect() as conn:
        numbers = conn.execute(
            text("SELECT content_hash, number FROM scenario_version ORDER BY content_hash")
        ).all()
        current = conn.execute(
            text(
                "SELECT c.slug, v.content_hash FROM scenario_current c "
                "JOIN scenario_version v ON v.id = c.version_id ORDER BY c.slug"
            )
        ).all()
    assert [tuple(r) for r in numbers] == [("a", 1), ("b", 1), ("c", 2)]
    assert [tuple(r) for r in current] == [("autre", "b"), ("tempo-2050", "c")]
