"""Loading the content folder and publishing frozen scenario versions."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from tempo.infra.transactions import write_transaction
from tempo.models import Cohort, CurrentVersion, ScenarioVersion, StaffAccount
from tempo.scenarios import Content, LoadResult, load_content
from tempo.services.studio import media

_loaded: dict[Path, tuple[tuple[tuple[str, int, int], ...], LoadResult]] = {}
_per_folder: dict[Path, tuple[tuple[tuple[str, int, int], ...], dict[str, LoadResult]]] = {}


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
        "scenario": _without_empty_images(content.scenarios[slug].model_dump(mode="json")),
        "offers": [o.model_dump(mode="json") for o in content.offers],
        "diagnostic": content.diagnostic.model_dump(mode="json"),
    }


def _without_empty_images(scenario: dict[str, Any]) -> dict[str, Any]:
    """A scenario that shows no image freezes (and hashes) as it did before images existed:
    its versions keep their fingerprint, so an unchanged scenario is not published again."""
    if not scenario.get("media"):
        scenario.pop("media", None)
    for item in [*scenario["characters"], *(m for d in scenario["days"] for m in d["missions"])]:
        if item.get("image") is None:
            item.pop("image", None)
    return scenario


def _digest(frozen: dict[str, Any]) -> str:
    return hashlib.sha256(
        json.dumps(frozen, sort_keys=True, ensure_ascii=False).encode("utf-8")
    ).hexdigest()


def published_version(session: Session, content: Content, slug: str) -> ScenarioVersion | None:
    """The published version identical to scenario `slug` of this content, if there is one."""
    digest = _digest(frozen_copy(content, slug))
    return session.scalar(
        select(ScenarioVersion).where(
            ScenarioVersion.slug == slug,
            ScenarioVersion.content_hash == digest,
            ScenarioVersion.number.is_not(None),  # a play-test's freeze is not published
        )
    )


def frozen_digest(frozen: dict[str, Any]) -> str:
    """The fingerprint of a frozen copy (`frozen_copy`, or a patched one)."""
    return _digest(frozen)


def content_digest(content: Content, slug: str) -> str:
    """The fingerprint of scenario `slug` as a version would freeze it (with offers, diagnostic)."""
    return _digest(frozen_copy(content, slug))


def last_version(session: Session, slug: str) -> ScenarioVersion | None:
    """The most recently numbered version of scenario `slug`."""
    return session.scalar(
        select(ScenarioVersion)
        .where(ScenarioVersion.slug == slug, ScenarioVersion.number.is_not(None))
        .order_by(ScenarioVersion.number.desc(), ScenarioVersion.id.desc())
        .limit(1)
    )


def publish(
    session: Session,
    content: Content,
    slug: str,
    now: datetime | None = None,
    *,
    files: dict[str, str] | None = None,
    author: StaffAccount | None = None,
    changelog: str | None = None,
    media_folder: Path | None = None,
) -> ScenarioVersion:
    """Freeze scenario `slug` as version N+1 of that slug, new cohorts' current version.

    Publishing identical content twice reuses the version. `files` are the YAML sources kept
    for diffs and copies, `changelog` the author's one line about what changed;
    `media_folder` is the scenario folder whose `media/` images the version freezes.
    """
    if slug not in content.scenarios:
        raise KeyError(slug)
    version = _publish(session, content, slug, now, files, author, changelog)
    if media_folder is not None and content.scenarios[slug].media:
        media.freeze_from_folder(session, version, content.scenarios[slug], media_folder)
    return version


def _publish(
    session: Session,
    content: Content,
    slug: str,
    now: datetime | None,
    files: dict[str, str] | None,
    author: StaffAccount | None,
    changelog: str | None,
) -> ScenarioVersion:
    frozen = frozen_copy(content, slug)
    digest = _digest(frozen)
    same = select(ScenarioVersion).where(
        ScenarioVersion.slug == slug, ScenarioVersion.content_hash == digest
    )
    existing = session.scalar(same)
    meta = content.scenarios[slug].meta
    previous = last_version(session, slug)
    if existing is not None and existing.number is None:
        # A studio play-test froze this content without a number: publishing promotes it.
        existing.number = (previous.number or 0) + 1 if previous is not None else 1
        existing.changelog, existing.files = changelog, files
        existing.author_id = author.id if author is not None else None
        if now is not None:
            existing.published_at = now
        make_current(session, existing, now)
        return existing
    if existing is not None:
        return existing
    version = ScenarioVersion(
        slug=slug,
        label=meta.version[:32],
        title=meta.title[:200],
        content_hash=digest,
        content=frozen,
        number=(previous.number or 0) + 1 if previous is not None else 1,
        changelog=changelog,
        author_id=author.id if author is not None else None,
        files=files,
    )
    if now is not None:
        version.published_at = now
    try:
        with session.begin_nested():
            session.add(version)
            session.flush()
    except IntegrityError:
        # On PostgreSQL another transaction may publish the same content between our read and
        # our insert (SQLite's single writer cannot): the unique key waits for it, then we
        # reuse its version, as if we had read it first.
        existing = session.scalar(same)
        if existing is None:
            raise
        return existing
    make_current(session, version, now)
    return version


def make_current(session: Session, version: ScenarioVersion, now: datetime | None = None) -> None:
    """Make `version` the one new cohorts of its scenario start from (running ones keep theirs)."""
    pointer = session.get(CurrentVersion, version.slug)
    if pointer is None:
        pointer = CurrentVersion(slug=version.slug, version_id=version.id)
        session.add(pointer)
    pointer.version_id = version.id
    if now is not None:
        pointer.changed_at = now


def current_versions(session: Session) -> dict[str, int]:
    """Each scenario's current version id (what new cohorts start from)."""
    return {
        slug: version_id
        for slug, version_id in session.execute(
            select(CurrentVersion.slug, CurrentVersion.version_id)
        ).all()
    }


def folder_files(folder: Path) -> dict[str, str]:
    """A scenario folder's YAML sources: path under the folder → text."""
    names = ["scenario.yaml", "characters.yaml"] + [
        f"days/{p.name}" for p in sorted((folder / "days").glob("*.yaml"))
    ]
    return {
        name: (folder / name).read_text(encoding="utf-8")
        for name in names
        if (folder / name).is_file()
    }


def scenarios_on_disk(root: Path) -> dict[str, LoadResult]:
    """Each scenario folder of `root` loaded on its own, so one broken folder hides no other.

    Errors of the shared files (offers, diagnostic) are every scenario's errors.
    """
    root = root.resolve()
    fingerprint = _fingerprint(root)
    cached = _per_folder.get(root)
    if cached is not None and cached[0] == fingerprint:
        return cached[1]
    folders = sorted(p for p in (root / "scenarios").glob("*") if p.is_dir())
    loaded = {folder.name: load_content(root, only=folder) for folder in folders}
    _per_folder[root] = (fingerprint, loaded)
    return loaded


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
            select(ScenarioVersion)
            .where(ScenarioVersion.number.is_not(None))  # not the studio's play-test freezes
            .options(joinedload(ScenarioVersion.author))
            .order_by(ScenarioVersion.published_at.desc(), ScenarioVersion.id.desc())
        )
    )


def version_uses(session: Session) -> dict[int, int]:
    """How many cohorts play each published version (versions no cohort plays are absent)."""
    return {
        version_id: count
        for version_id, count in session.execute(
            select(Cohort.scenario_version_id, func.count())
            .where(Cohort.sandbox_owner_id.is_(None))
            .group_by(Cohort.scenario_version_id)
        ).all()
    }


def publish_now(
    session: Session,
    content: Content,
    slug: str,
    now: datetime,
    *,
    files: dict[str, str] | None = None,
    author: StaffAccount | None = None,
    media_folder: Path | None = None,
) -> ScenarioVersion:
    """Publish scenario `slug` of `content` in its own transaction."""
    with write_transaction(session):
        version = publish(
            session, content, slug, now, files=files, author=author, media_folder=media_folder
        )
    return version
