"""Loading the content folder and publishing frozen scenario versions."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tempo.infra.transactions import write_transaction
from tempo.models import Cohort, ScenarioVersion
from tempo.scenarios import Content, LoadResult, load_content

_loaded: dict[Path, tuple[tuple[tuple[str, int, int], ...], LoadResult]] = {}


class ContentInvalid(Exception):
    """The content folder has errors; nothing was published."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


def load_valid_content(root: Path) -> Content:
    """Load and validate `root`, raising ContentInvalid with every error."""
    result = load_content(root)
    if result.content is None:
        raise ContentInvalid([str(e) for e in result.errors])
    return result.content


def frozen_copy(content: Content, slug: str) -> dict[str, Any]:
    """What a scenario version freezes: the scenario, the offers and the diagnostic."""
    return {
        "scenario": content.scenarios[slug].model_dump(mode="json"),
        "offers": [o.model_dump(mode="json") for o in content.offers],
        "diagnostic": content.diagnostic.model_dump(mode="json"),
    }


def _digest(frozen: dict[str, Any]) -> str:
    return hashlib.sha256(
        json.dumps(frozen, sort_keys=True, ensure_ascii=False).encode("utf-8")
    ).hexdigest()


def published_version(session: Session, content: Content, slug: str) -> ScenarioVersion | None:
    """The published version identical to scenario `slug` of this content, if there is one."""
    digest = _digest(frozen_copy(content, slug))
    return session.scalar(
        select(ScenarioVersion).where(
            ScenarioVersion.slug == slug, ScenarioVersion.content_hash == digest
        )
    )


def publish(
    session: Session, content: Content, slug: str, now: datetime | None = None
) -> ScenarioVersion:
    """Freeze scenario `slug` as a version; publishing identical content twice reuses it."""
    if slug not in content.scenarios:
        raise KeyError(slug)
    frozen = frozen_copy(content, slug)
    digest = _digest(frozen)
    same = select(ScenarioVersion).where(
        ScenarioVersion.slug == slug, ScenarioVersion.content_hash == digest
    )
    existing = session.scalar(same)
    if existing is not None:
        return existing
    meta = content.scenarios[slug].meta
    version = ScenarioVersion(
        slug=slug, label=meta.version, title=meta.title, content_hash=digest, content=frozen
    )
    if now is not None:
        version.published_at = now
    try:
        with session.begin_nested():
            session.add(version)
    except IntegrityError:
        # On PostgreSQL another transaction may publish the same content between our read and
        # our insert (SQLite's single writer cannot): the unique key waits for it, then we
        # reuse its version, as if we had read it first.
        existing = session.scalar(same)
        if existing is None:
            raise
        return existing
    return version


def _fingerprint(root: Path) -> tuple[tuple[str, int, int], ...]:
    files = sorted(p for p in root.rglob("*") if p.is_file())
    return tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files)


def current_content(root: Path) -> LoadResult:
    """The content folder as it is now, loaded again only when one of its files changed."""
    fingerprint = _fingerprint(root)
    cached = _loaded.get(root)
    if cached is not None and cached[0] == fingerprint:
        return cached[1]
    result = load_content(root)
    _loaded[root] = (fingerprint, result)
    return result


def versions(session: Session) -> list[ScenarioVersion]:
    """Every published version, the most recent first."""
    return list(
        session.scalars(
            select(ScenarioVersion).order_by(
                ScenarioVersion.published_at.desc(), ScenarioVersion.id.desc()
            )
        )
    )


def version_uses(session: Session) -> dict[int, int]:
    """How many cohorts play each published version (versions no cohort plays are absent)."""
    return {
        version_id: count
        for version_id, count in session.execute(
            select(Cohort.scenario_version_id, func.count()).group_by(Cohort.scenario_version_id)
        ).all()
    }


def publish_now(session: Session, content: Content, slug: str, now: datetime) -> ScenarioVersion:
    """Publish scenario `slug` of `content` in its own transaction."""
    with write_transaction(session):
        version = publish(session, content, slug, now)
    return version
