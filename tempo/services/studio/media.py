"""The studio's image library: upload (processed by Pillow), alternative texts, deletion, the
images a draft refers to, and freezing them with a published version.

Content refers to an image by its name. The library is shared by every author; a published
version keeps its own copy of the images it shows (`VersionImage`), so deleting one from the
library never breaks a running cohort.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session, undefer

from tempo.infra.transactions import write_transaction
from tempo.models import MediaImage, ScenarioDraft, ScenarioVersion, StaffAccount, VersionImage
from tempo.scenarios.files import FolderFiles
from tempo.scenarios.images import ImageRefused, Processed, process
from tempo.scenarios.loader import folder_image
from tempo.scenarios.schema import SLUG, ImageInfo, Scenario
from tempo.services.errors import ServiceError

MAX_ALT = 300
MAX_NAME = 64


class MediaError(ServiceError):
    """A refused image operation (French message)."""


@dataclass(frozen=True)
class Blob:
    """An image's bytes with what the export writes next to them."""

    data: bytes
    ext: str
    alt: str


def _alt(alt: str) -> str:
    alt = " ".join(alt.split())
    if not alt:
        raise MediaError(
            "alt",
            "Le texte alternatif est obligatoire : décrivez l'image en une phrase pour les "
            "personnes qui ne la voient pas.",
        )
    if len(alt) > MAX_ALT:
        raise MediaError("alt", f"Le texte alternatif tient en {MAX_ALT} caractères au plus.")
    return alt


def slugify(text: str) -> str:
    """An image name from what the author typed: « Le Phare (été) » -> « le-phare-ete »."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def _name(name: str, filename: str) -> str:
    name = slugify(name or Path(filename).stem)[:MAX_NAME].strip("-")
    if not name or not re.fullmatch(SLUG, name):
        raise MediaError(
            "name", "Donnez un nom à l'image (des lettres sans accents, des chiffres, des tirets)."
        )
    return name


def images(session: Session) -> list[MediaImage]:
    """Every image of the library, by name (without the bytes)."""
    return list(session.scalars(select(MediaImage).order_by(MediaImage.name)))


def image(session: Session, name: str, *, with_data: bool = False) -> MediaImage:
    """Image `name` of the library."""
    query = select(MediaImage).where(MediaImage.name == name)
    if with_data:
        query = query.options(undefer(MediaImage.data))
    found = session.scalar(query)
    if found is None:
        raise MediaError("not-found", f"L'image « {name} » n'est pas dans la bibliothèque.")
    return found


def index(session: Session) -> dict[str, ImageInfo]:
    """The library as the validator reads it: each name with its alternative text and size."""
    return {i.name: info(i) for i in images(session)}


def info(found: MediaImage | VersionImage) -> ImageInfo:
    """What content knows of a stored image."""
    return ImageInfo(
        alt=found.alt,
        width=found.width,
        height=found.height,
        sha256=found.sha256,
        content_type=found.content_type,
    )


def _store(
    session: Session,
    name: str,
    alt: str,
    image: Processed,
    uploader: StaffAccount | None,
    now: datetime,
) -> MediaImage:
    stored = MediaImage(
        name=name,
        alt=alt,
        content_type=image.content_type,
        width=image.width,
        height=image.height,
        size=len(image.data),
        sha256=image.sha256,
        data=image.data,
        uploader_id=uploader.id if uploader is not None else None,
        created_at=now,
    )
    session.add(stored)
    return stored


def upload(
    session: Session,
    uploader: StaffAccount,
    *,
    name: str,
    alt: str,
    data: bytes,
    filename: str,
    now: datetime,
) -> MediaImage:
    """Add an image: checked, turned upright, shrunk and stripped of its metadata."""
    alt = _alt(alt)
    name = _name(name, filename)
    try:
        processed = process(data)
    except ImageRefused as exc:
        raise MediaError("image", exc.message[:1].upper() + exc.message[1:] + ".") from None
    with write_transaction(session):
        if session.scalar(select(MediaImage.id).where(MediaImage.name == name)) is not None:
            raise MediaError(
                "taken", f"Une image s'appelle déjà « {name} » : choisissez un autre nom."
            )
        return _store(session, name, alt, processed, uploader, now)


def set_alt(session: Session, name: str, alt: str) -> MediaImage:
    """Change an image's alternative text (published versions keep the one they froze)."""
    alt = _alt(alt)
    with write_transaction(session):
        found = image(session, name)
        found.alt = alt
    return found


def references(files: Mapping[str, str]) -> set[str]:
    """The image names a draft's files refer to (every `image:` of missions, characters and
    checkpoints); files that do not parse are skipped."""
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "image" and isinstance(value, str):
                    found.add(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    for text in files.values():
        try:
            walk(yaml.safe_load(text))
        except yaml.YAMLError:
            continue
    return found


def users(session: Session, name: str) -> list[ScenarioDraft]:
    """The drafts (of any author) that refer to image `name`."""
    return [
        d
        for d in session.scalars(select(ScenarioDraft).order_by(ScenarioDraft.title))
        if name in references(d.files)
    ]


def delete(session: Session, name: str) -> None:
    """Remove an image no draft refers to (published versions keep their own copy)."""
    with write_transaction(session):
        found = image(session, name)
        drafts = users(session, name)
        if drafts:
            titles = ", ".join(f"« {d.title} »" for d in drafts[:5])
            raise MediaError(
                "in-use",
                f"L'image « {name} » est utilisée par {len(drafts)} brouillon(s) ({titles}) : "
                "retirez-la de ces brouillons avant de la supprimer.",
            )
        session.delete(found)


def blobs(session: Session, names: Iterable[str]) -> dict[str, Blob]:
    """The bytes of the library's images `names` (the absent ones are left out)."""
    wanted = sorted(set(names))
    if not wanted:
        return {}
    rows = session.scalars(
        select(MediaImage).where(MediaImage.name.in_(wanted)).options(undefer(MediaImage.data))
    )
    return {r.name: Blob(r.data, _ext(r.content_type), r.alt) for r in rows}


def _ext(content_type: str) -> str:
    return {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}[content_type]


def import_images(
    session: Session, uploader: StaffAccount, found: Mapping[str, Blob], now: datetime
) -> None:
    """Add the images of an imported archive to the library (inside the caller's transaction).

    An image already there under the same name must be the same image with the same
    alternative text: anything else would silently change another scenario's picture.
    """
    for name, blob in sorted(found.items()):
        try:
            processed = process(blob.data)
        except ImageRefused as exc:
            raise MediaError("image", f"media/{name}.{blob.ext} : {exc.message}") from None
        existing = session.scalar(select(MediaImage).where(MediaImage.name == name))
        if existing is None:
            _store(session, name, _alt(blob.alt), processed, uploader, now)
        elif existing.sha256 != processed.sha256 or existing.alt != " ".join(blob.alt.split()):
            raise MediaError(
                "taken",
                f"media/{name}.{blob.ext} : la bibliothèque a déjà une autre image « {name} » "
                "(fichier ou texte alternatif différent) : renommez-la dans l'archive "
                "(media/ et media.yaml).",
            )


def freeze_from_library(session: Session, version: ScenarioVersion, scenario: Scenario) -> None:
    """Copy the library's images the version shows into the version (same transaction)."""
    stored = blobs(session, scenario.media)
    _freeze(
        session,
        version,
        {
            name: (stored[name].data, meta)
            for name, meta in scenario.media.items()
            if name in stored
        },
    )


def freeze_from_folder(
    session: Session, version: ScenarioVersion, scenario: Scenario, folder: Path
) -> None:
    """Copy a content folder's `media/` images the version shows into the version."""
    out: dict[str, tuple[bytes, ImageInfo]] = {}
    for name, meta in scenario.media.items():
        path = folder_image(FolderFiles(), folder, name)
        if path is not None:
            out[name] = (process(path.read_bytes()).data, meta)
    _freeze(session, version, out)


def _freeze(
    session: Session, version: ScenarioVersion, found: Mapping[str, tuple[bytes, ImageInfo]]
) -> None:
    have = set(
        session.scalars(select(VersionImage.name).where(VersionImage.version_id == version.id))
    )
    for name, (data, meta) in sorted(found.items()):
        if name in have:
            continue
        session.add(
            VersionImage(
                version_id=version.id,
                name=name,
                alt=meta.alt,
                content_type=meta.content_type,
                width=meta.width,
                height=meta.height,
                sha256=meta.sha256,
                data=data,
            )
        )
    session.flush()


def version_image(session: Session, version_id: int, name: str) -> VersionImage | None:
    """Image `name` as version `version_id` froze it."""
    return session.scalar(
        select(VersionImage)
        .where(VersionImage.version_id == version_id, VersionImage.name == name)
        .options(undefer(VersionImage.data))
    )


def copy_frozen(session: Session, source: ScenarioVersion, target: ScenarioVersion) -> None:
    """Give `target` the images `source` froze (a patched version shows the same pictures)."""
    have = set(
        session.scalars(select(VersionImage.name).where(VersionImage.version_id == target.id))
    )
    rows = session.scalars(
        select(VersionImage)
        .where(VersionImage.version_id == source.id)
        .options(undefer(VersionImage.data))
    )
    for row in rows:
        if row.name not in have:
            session.add(
                VersionImage(
                    version_id=target.id,
                    name=row.name,
                    alt=row.alt,
                    content_type=row.content_type,
                    width=row.width,
                    height=row.height,
                    sha256=row.sha256,
                    data=row.data,
                )
            )
    session.flush()
