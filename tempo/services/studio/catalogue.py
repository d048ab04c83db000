"""The Mission Locale's own catalogue: its offers and the diagnostic's families → offers links.

Administrators edit one draft (`offers.yaml` and `diagnostic.yaml` as YAML text) and publish
it as numbered versions with a changelog line. The draft starts as a copy of the content
folder's files (on first use, or with « Importer depuis content/ »). It is validated with the
content loader (the same pydantic models as `content/`). Once a catalogue is published,
scenarios are validated and frozen against its latest version instead of content/.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from tempo.infra.transactions import write_transaction
from tempo.models import CatalogueVersion, StaffAccount
from tempo.scenarios import ContentError, LoadResult, load_content
from tempo.scenarios.files import Files, PatchedFiles
from tempo.services.errors import ServiceError

NAMES = ("offers.yaml", "diagnostic.yaml")
MAX_CHANGELOG = 300
MAX_TEXT = 200_000


class CatalogueError(ServiceError):
    """A refused catalogue operation."""


@dataclass(frozen=True)
class Check:
    """The validator's answer on a catalogue: its own errors (they block publishing) and the
    scenarios of content/ it would break (an offer they unlock is gone)."""

    errors: list[ContentError]
    broken_scenarios: list[ContentError]


def latest(session: Session) -> CatalogueVersion | None:
    """The latest published catalogue (the one scenarios use), if any was published."""
    return session.scalar(
        select(CatalogueVersion)
        .where(CatalogueVersion.number.is_not(None))
        .order_by(CatalogueVersion.number.desc())
        .limit(1)
    )


def published(session: Session) -> list[CatalogueVersion]:
    """Every published catalogue, the most recent first."""
    return list(
        session.scalars(
            select(CatalogueVersion)
            .where(CatalogueVersion.number.is_not(None))
            .order_by(CatalogueVersion.number.desc())
        )
    )


def by_number(session: Session, number: int) -> CatalogueVersion | None:
    """Published catalogue number `number`, if there is one."""
    return session.scalar(select(CatalogueVersion).where(CatalogueVersion.number == number))


def files_base(session: Session, content_dir: Path) -> Files | None:
    """The content files with the published catalogue in place of content/'s (None: none yet)."""
    version = latest(session)
    if version is None:
        return None
    return PatchedFiles(content_dir.resolve(), version.files())


def offers_text(session: Session, content_dir: Path) -> str:
    """The offers.yaml scenarios use now: the published catalogue's, else content/'s."""
    version = latest(session)
    if version is not None:
        return version.offers
    path = content_dir / "offers.yaml"
    return path.read_text(encoding="utf-8") if path.is_file() else ""


def load(session: Session, content_dir: Path, only: Path | None = None) -> LoadResult:
    """`load_content` with the published catalogue, when there is one."""
    return load_content(content_dir, only=only, files=files_base(session, content_dir))


def _content_files(content_dir: Path) -> dict[str, str]:
    return {name: (content_dir / name).read_text(encoding="utf-8") for name in NAMES}


def draft(session: Session, content_dir: Path, now: datetime) -> CatalogueVersion:
    """The catalogue being edited; made on first use from the latest version, or content/."""
    row = session.scalar(select(CatalogueVersion).where(CatalogueVersion.number.is_(None)))
    if row is not None:
        return row
    with write_transaction(session):
        source = latest(session)
        files = source.files() if source is not None else _content_files(content_dir)
        row = CatalogueVersion(
            offers=files["offers.yaml"], diagnostic=files["diagnostic.yaml"], saved_at=now
        )
        session.add(row)
    return row


def check(files: Mapping[str, str], content_dir: Path) -> Check:
    """Validate the catalogue `files`, and every scenario of content/ against it."""
    root = content_dir.resolve()
    result = load_content(root, files=PatchedFiles(root, files))
    own = [e for e in result.errors if e.file in NAMES]
    others = [e for e in result.errors if e.file not in NAMES]
    return Check(own, others)


def save(
    session: Session,
    account: StaffAccount,
    offers: str,
    diagnostic: str,
    content_dir: Path,
    now: datetime,
) -> CatalogueVersion:
    """Replace the draft's two files (kept even when invalid: the page lists the errors)."""
    if len(offers) > MAX_TEXT or len(diagnostic) > MAX_TEXT:
        raise CatalogueError("too-big", "Le catalogue est trop long (200 000 caractères au plus).")
    row = draft(session, content_dir, now)
    with write_transaction(session):
        row.offers = offers.replace("\r\n", "\n")
        row.diagnostic = diagnostic.replace("\r\n", "\n")
        row.author_id = account.id
        row.saved_at = now
    return row


def import_content(
    session: Session, account: StaffAccount, content_dir: Path, now: datetime
) -> CatalogueVersion:
    """Put content/'s offers.yaml and diagnostic.yaml in the draft (the draft is replaced)."""
    files = _content_files(content_dir)
    return save(session, account, files["offers.yaml"], files["diagnostic.yaml"], content_dir, now)


def _same(a: Mapping[str, str], b: Mapping[str, str]) -> bool:
    try:
        return all(yaml.safe_load(a[n]) == yaml.safe_load(b[n]) for n in NAMES)
    except yaml.YAMLError:
        return False


def publish(
    session: Session,
    account: StaffAccount,
    changelog: str,
    content_dir: Path,
    now: datetime,
) -> CatalogueVersion:
    """Publish the draft as the next numbered catalogue, with a changelog line."""
    changelog = " ".join(changelog.split())
    if not changelog:
        raise CatalogueError("changelog", "Décrivez en une ligne ce qui change dans ce catalogue.")
    if len(changelog) > MAX_CHANGELOG:
        raise CatalogueError(
            "changelog", f"Le journal des modifications tient en {MAX_CHANGELOG} caractères."
        )
    row = draft(session, content_dir, now)
    found = check(row.files(), content_dir)
    if found.errors:
        raise CatalogueError(
            "invalid",
            f"Le catalogue contient {len(found.errors)} erreur(s) : corrigez-les avant de publier.",
        )
    with write_transaction(session):
        last = latest(session)
        if last is not None and _same(last.files(), row.files()):
            raise CatalogueError("unchanged", f"Rien n'a changé depuis le catalogue {last.number}.")
        version = CatalogueVersion(
            number=(last.number or 0) + 1 if last is not None else 1,
            offers=row.offers,
            diagnostic=row.diagnostic,
            changelog=changelog,
            author_id=account.id,
            saved_at=now,
        )
        session.add(version)
    return version
