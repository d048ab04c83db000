"""Authors' drafts: create, autosave, restore, validate, import and export, publish, roll back.

A draft is one author's copy of a scenario folder held in the database (path → YAML text);
it is validated with the same loader as `content/`, its offers and diagnostic read from the
content folder. Drafts are separate: a broken one blocks nobody else's publication.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from tempo.infra.transactions import write_transaction
from tempo.models import DraftRevision, ScenarioDraft, ScenarioVersion, StaffAccount
from tempo.scenarios import ContentError, load_content
from tempo.scenarios.files import Files, OverlayFiles
from tempo.scenarios.schema import SLUG, ImageInfo
from tempo.services.cohorts.admin import slugify
from tempo.services.content import publishing
from tempo.services.errors import ServiceError
from tempo.services.studio import archive, media

TEMPLATE = Path(__file__).parent / "template"
#: Autosaves closer than this to the previous autosave update it instead of adding a revision.
AUTOSAVE_WINDOW = timedelta(minutes=10)
MAX_CHANGELOG = 300


class StudioError(ServiceError):
    """A refused studio operation."""


@dataclass(frozen=True)
class Located:
    """A validation message for one file of the draft (`file` None: a shared content file)."""

    file: str | None
    line: int | None
    path: str
    message: str
    text: str


@dataclass(frozen=True)
class FileDiff:
    """The unified diff of one file between two versions."""

    path: str
    status: str  # "added", "removed" or "changed"
    lines: list[str]


# --- reading -------------------------------------------------------------------------------


def template_files() -> dict[str, str]:
    """The studio's starting scenario (it passes the validator as shipped)."""
    return publishing.folder_files(TEMPLATE)


def my_drafts(session: Session, owner: StaffAccount) -> list[ScenarioDraft]:
    """The drafts of `owner`, the most recently changed first."""
    return list(
        session.scalars(
            select(ScenarioDraft)
            .where(ScenarioDraft.owner_id == owner.id)
            .order_by(ScenarioDraft.updated_at.desc(), ScenarioDraft.id.desc())
        )
    )


def draft_of(session: Session, owner: StaffAccount, draft_id: int) -> ScenarioDraft:
    """Draft `draft_id` if `owner` owns it (drafts are private to their author)."""
    draft = session.get(ScenarioDraft, draft_id)
    if draft is None or draft.owner_id != owner.id:
        raise StudioError("not-found", "Ce brouillon n'existe pas ou n'est pas le vôtre.")
    return draft


def revisions(session: Session, draft: ScenarioDraft) -> list[DraftRevision]:
    """The draft's saves, the most recent first."""
    return list(
        session.scalars(
            select(DraftRevision)
            .where(DraftRevision.draft_id == draft.id)
            .order_by(DraftRevision.saved_at.desc(), DraftRevision.id.desc())
        )
    )


def fingerprint(files: dict[str, str], images: Mapping[str, ImageInfo] | None = None) -> str:
    """sha256 over the canonical parsed content: comments, quoting and layout do not count.

    A file that does not parse counts by its text. `images` (the library) adds the bytes'
    fingerprint and alternative text of each image the files refer to.
    """
    canonical: dict[str, Any] = {}
    if images:
        canonical["media"] = {
            name: [images[name].sha256, images[name].alt]
            for name in sorted(media.references(files))
            if name in images
        }
    for path, text in sorted(files.items()):
        try:
            canonical[path] = ["yaml", yaml.safe_load(text)]
        except yaml.YAMLError:
            canonical[path] = ["text", text]
    blob = json.dumps(canonical, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _identity(files: dict[str, str]) -> tuple[str | None, str | None]:
    """The slug and title scenario.yaml declares, when it can be read."""
    try:
        meta = yaml.safe_load(files.get("scenario.yaml", ""))
    except yaml.YAMLError:
        return None, None
    if not isinstance(meta, dict):
        return None, None
    slug = meta.get("slug")
    title = meta.get("title")
    return (
        slug if isinstance(slug, str) and re.match(SLUG, slug) and len(slug) <= 64 else None,
        title.strip()[:200] if isinstance(title, str) and title.strip() else None,
    )


# --- validation ----------------------------------------------------------------------------


def validate(
    draft: ScenarioDraft,
    content_dir: Path,
    base: Files | None = None,
    images: Mapping[str, ImageInfo] | None = None,
) -> list[Located]:
    """The validator's messages for this draft, each located in a draft file when it is one.

    `base` reads the shared files (default: content/; the studio passes the published
    catalogue's offers and diagnostic when there is one); `images` is the image library.
    """
    root = content_dir.resolve()
    at = root / "scenarios" / draft.slug
    files = OverlayFiles(at, draft.files, base)
    result = load_content(root, only=at, files=files, media=images or {})
    prefix = f"scenarios/{draft.slug}/"
    return [_locate(e, prefix) for e in result.errors]


def _locate(error: ContentError, prefix: str) -> Located:
    if not error.file.startswith(prefix):
        return Located(None, error.line, error.path, error.message, str(error))
    mine = replace(error, file=error.file[len(prefix) :])
    return Located(mine.file, mine.line, mine.path, mine.message, str(mine))


def valid_content(
    draft: ScenarioDraft,
    content_dir: Path,
    base: Files | None,
    images: Mapping[str, ImageInfo] | None = None,
) -> Any:
    """The draft's parsed content (over `base`, the catalogue, and `images`, the library), or a
    StudioError if invalid."""
    root = content_dir.resolve()
    at = root / "scenarios" / draft.slug
    files = OverlayFiles(at, draft.files, base)
    result = load_content(root, only=at, files=files, media=images or {})
    if result.content is None:
        raise StudioError(
            "invalid",
            f"Ce brouillon contient {len(result.errors)} erreur(s) : corrigez-les avant de "
            "publier.",
        )
    return result.content


# --- changing drafts -----------------------------------------------------------------------


def _new_draft(
    session: Session,
    owner: StaffAccount,
    files: dict[str, str],
    kind: str,
    note: str,
    now: datetime,
) -> ScenarioDraft:
    archive.check_size(files)
    for path in files:
        archive.check_path(path)
    slug, title = _identity(files)
    with write_transaction(session):
        draft = ScenarioDraft(
            owner_id=owner.id,
            slug=slug or "brouillon",
            title=title or "Brouillon sans titre",
            files=files,
            created_at=now,
            updated_at=now,
        )
        session.add(draft)
        session.flush()
        session.add(
            DraftRevision(draft_id=draft.id, saved_at=now, kind=kind, note=note, files=files)
        )
    return draft


def create_from_template(
    session: Session, owner: StaffAccount, title: str, now: datetime
) -> ScenarioDraft:
    """A new draft from the studio's template, with `title` and a slug made from it."""
    title = " ".join(title.split())
    slug = slugify(title)[:48].strip("-")
    if not title or not slug:
        raise StudioError("title", "Donnez un titre au scénario (des lettres ou des chiffres).")
    if len(title) > 120:
        raise StudioError("title", "Le titre est trop long (120 caractères au plus).")
    files = template_files()
    meta = files["scenario.yaml"]
    meta = re.sub(r"(?m)^slug: .*$", lambda _m: f"slug: {slug}", meta, count=1)
    quoted = json.dumps(title, ensure_ascii=False)
    meta = re.sub(r"(?m)^title: .*$", lambda _m: f"title: {quoted}", meta, count=1)
    files["scenario.yaml"] = meta
    return _new_draft(session, owner, files, "creation", "Créé depuis le modèle", now)


def create_from_version(
    session: Session, owner: StaffAccount, version_id: int, now: datetime
) -> ScenarioDraft:
    """A new draft holding the sources of a published version."""
    version = session.get(ScenarioVersion, version_id)
    if version is None or not version.files:
        raise StudioError(
            "no-sources",
            "Cette version n'a pas conservé ses fichiers : elle ne peut pas être copiée.",
        )
    note = f"Copie de la version {version.number or version.label}"
    return _new_draft(session, owner, dict(version.files), "creation", note, now)


def import_zip(session: Session, owner: StaffAccount, data: bytes, now: datetime) -> ScenarioDraft:
    """A new draft from a zipped scenario folder (checked by `archive.read_zip`); the images of
    its `media/` folder join the library."""
    files, images = archive.read_zip(data)
    with write_transaction(session):
        media.import_images(session, owner, images, now)
    return _new_draft(session, owner, files, "import", "Importé d'une archive zip", now)


def export_zip(session: Session, draft: ScenarioDraft) -> bytes:
    """The draft as a zip of its folder with the library's images it shows (`media/` and
    `media.yaml`): `tempo validate` accepts it under content/scenarios/."""
    return archive.write_zip(
        draft.slug, draft.files, media.blobs(session, media.references(draft.files))
    )


def draft_fingerprint(session: Session, draft: ScenarioDraft) -> str:
    """The draft's fingerprint, with the images it shows from the library."""
    return fingerprint(draft.files, media.index(session))


def save_file(
    session: Session, owner: StaffAccount, draft_id: int, path: str, text: str, now: datetime
) -> ScenarioDraft:
    """Autosave one file; close autosaves share one revision (one per 10 minutes of typing)."""
    with write_transaction(session):
        draft = draft_of(session, owner, draft_id)
        if path not in draft.files:
            raise StudioError("no-file", f"{path} : ce fichier n'existe pas dans le brouillon.")
        files = {**draft.files, path: text.replace("\r\n", "\n")}
        archive.check_size(files)
        _set_files(session, draft, files, "autosave", None, now)
    return draft


def restore(
    session: Session, owner: StaffAccount, draft_id: int, revision_id: int, now: datetime
) -> ScenarioDraft:
    """Bring back the files of an earlier save (itself kept as a new revision)."""
    with write_transaction(session):
        draft = draft_of(session, owner, draft_id)
        revision = session.get(DraftRevision, revision_id)
        if revision is None or revision.draft_id != draft.id:
            raise StudioError("not-found", "Cet enregistrement n'existe pas.")
        note = f"Retour à l'enregistrement du {revision.saved_at:%d/%m/%Y %H:%M} (UTC)"
        _set_files(session, draft, dict(revision.files), "restore", note, now)
    return draft


def delete(session: Session, owner: StaffAccount, draft_id: int) -> None:
    """Delete a draft and its saves (published versions stay)."""
    with write_transaction(session):
        session.delete(draft_of(session, owner, draft_id))


def _set_files(
    session: Session,
    draft: ScenarioDraft,
    files: dict[str, str],
    kind: str,
    note: str | None,
    now: datetime,
) -> None:
    draft.files = files
    draft.updated_at = now
    slug, title = _identity(files)
    draft.slug = slug or draft.slug
    draft.title = title or draft.title
    last = session.scalar(
        select(DraftRevision)
        .where(DraftRevision.draft_id == draft.id)
        .order_by(DraftRevision.saved_at.desc(), DraftRevision.id.desc())
        .limit(1)
    )
    if (
        kind == "autosave"
        and last is not None
        and last.kind == "autosave"
        and now - last.saved_at < AUTOSAVE_WINDOW
    ):
        last.files = files
        last.saved_at = now
        return
    session.add(DraftRevision(draft_id=draft.id, saved_at=now, kind=kind, note=note, files=files))


# --- versions ------------------------------------------------------------------------------


def publish(
    session: Session,
    owner: StaffAccount,
    draft_id: int,
    changelog: str,
    content_dir: Path,
    now: datetime,
    base: Files | None = None,
) -> ScenarioVersion:
    """Publish the draft as the next numbered version of its scenario, with a changelog line.

    `base` as for `validate`: the version freezes the offers and diagnostic it reads.
    """
    changelog = " ".join(changelog.split())
    if not changelog:
        raise StudioError("changelog", "Décrivez en une ligne ce qui change dans cette version.")
    if len(changelog) > MAX_CHANGELOG:
        raise StudioError(
            "changelog", f"Le journal des modifications tient en {MAX_CHANGELOG} caractères."
        )
    with write_transaction(session):
        draft = draft_of(session, owner, draft_id)
        content = valid_content(draft, content_dir, base, media.index(session))
        digest = publishing.content_digest(content, draft.slug)
        last = publishing.last_version(session, draft.slug)
        if last is not None and last.content_hash == digest:
            raise StudioError(
                "unchanged", f"Rien n'a changé depuis la version {last.number or last.label}."
            )
        same = session.scalar(
            select(ScenarioVersion).where(
                ScenarioVersion.slug == draft.slug,
                ScenarioVersion.content_hash == digest,
                ScenarioVersion.number.is_not(None),
            )
        )
        if same is not None:
            raise StudioError(
                "same-as-older",
                f"Ce contenu est celui de la version {same.number or same.label} : pour y "
                "revenir, rendez-la actuelle depuis la liste des versions.",
            )
        version = publishing.publish(
            session,
            content,
            draft.slug,
            now,
            files=dict(draft.files),
            author=owner,
            changelog=changelog,
        )
        media.freeze_from_library(session, version, content.scenarios[draft.slug])
    return version


def rollback(session: Session, version_id: int, now: datetime) -> ScenarioVersion:
    """Make an older version the one new cohorts start from (running cohorts keep theirs)."""
    with write_transaction(session):
        version = session.get(ScenarioVersion, version_id)
        if version is None:
            raise StudioError("not-found", "Cette version n'existe pas.")
        publishing.make_current(session, version, now)
    return version


def previous_version(session: Session, version: ScenarioVersion) -> ScenarioVersion | None:
    """The version published just before `version` for the same scenario."""
    if version.number is None:
        return None
    return session.scalar(
        select(ScenarioVersion)
        .where(ScenarioVersion.slug == version.slug, ScenarioVersion.number < version.number)
        .order_by(ScenarioVersion.number.desc())
        .limit(1)
    )


def diff(before: ScenarioVersion | None, after: ScenarioVersion) -> list[FileDiff] | None:
    """Unified diffs per file from `before` to `after`; None when a side kept no sources."""
    if after.files is None or (before is not None and before.files is None):
        return None
    old: dict[str, str] = dict(before.files or {}) if before is not None else {}
    new: dict[str, str] = dict(after.files)
    out: list[FileDiff] = []
    for path in sorted(set(old) | set(new)):
        if old.get(path) == new.get(path):
            continue
        status = "added" if path not in old else "removed" if path not in new else "changed"
        lines = list(
            difflib.unified_diff(
                old.get(path, "").splitlines(),
                new.get(path, "").splitlines(),
                fromfile=f"avant/{path}",
                tofile=f"après/{path}",
                lineterm="",
            )
        )
        out.append(FileDiff(path, status, lines))
    return out
