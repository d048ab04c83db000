"""Loading the content folder and publishing frozen scenario versions."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tempo.models import ScenarioVersion
from tempo.scenarios import Content, load_content


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


def publish(session: Session, content: Content, slug: str) -> ScenarioVersion:
    """Freeze scenario `slug` as a version; publishing identical content twice reuses it."""
    if slug not in content.scenarios:
        raise KeyError(slug)
    frozen = frozen_copy(content, slug)
    digest = hashlib.sha256(
        json.dumps(frozen, sort_keys=True, ensure_ascii=False).encode("utf-8")
    ).hexdigest()
    existing = session.scalar(
        select(ScenarioVersion).where(
            ScenarioVersion.slug == slug, ScenarioVersion.content_hash == digest
        )
    )
    if existing is not None:
        return existing
    meta = content.scenarios[slug].meta
    version = ScenarioVersion(
        slug=slug, label=meta.version, title=meta.title, content_hash=digest, content=frozen
    )
    session.add(version)
    session.flush()
    return version
