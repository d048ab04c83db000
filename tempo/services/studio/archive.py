"""A draft's files as a zip of its scenario folder, both ways, with limits and safe names."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping
from pathlib import PurePosixPath

import yaml

from tempo.scenarios.images import EXTENSIONS
from tempo.scenarios.images import MAX_BYTES as MAX_IMAGE_BYTES
from tempo.services.errors import ServiceError
from tempo.services.studio.media import Blob

#: What a draft may hold: scenario.yaml, characters.yaml and days/<name>.yaml.
PATH = re.compile(r"^(scenario\.yaml|characters\.yaml|days/[A-Za-z0-9_-]{1,40}\.yaml)$")
MAX_FILES = 40
MAX_FILE_BYTES = 256 * 1024
MAX_TOTAL_BYTES = 2 * 1024 * 1024
#: The images of `media/` (with `media.yaml`, their alternative texts), read as bytes.
MEDIA = re.compile(r"^media/([a-z0-9][a-z0-9-]{0,63})\.(" + "|".join(EXTENSIONS) + r")$")
MAX_IMAGES = 40
MAX_MEDIA_BYTES = 24 * 1024 * 1024
#: An uploaded zip larger than this is refused before it is opened.
MAX_ZIP_BYTES = 2 * 1024 * 1024 + MAX_MEDIA_BYTES
_JUNK = ("__MACOSX/", ".DS_Store", "Thumbs.db")


class ArchiveError(ServiceError):
    """An archive or a file the studio refuses (French message naming the file)."""


def check_path(path: str) -> None:
    """Refuse a file name outside the scenario folder's layout."""
    if not PATH.match(path):
        raise ArchiveError(
            "bad-path",
            f"{path} : fichier refusé (seuls scenario.yaml, characters.yaml et "
            "days/<nom>.yaml sont acceptés)",
        )


def check_size(files: Mapping[str, str]) -> None:
    """Refuse too many files, a file too large, or too much in all."""
    if len(files) > MAX_FILES:
        raise ArchiveError("too-many", f"trop de fichiers : {len(files)} (au plus {MAX_FILES})")
    total = 0
    for path, text in files.items():
        size = len(text.encode("utf-8"))
        total += size
        if size > MAX_FILE_BYTES:
            raise ArchiveError(
                "too-large", f"{path} : fichier trop gros (au plus {MAX_FILE_BYTES // 1024} Ko)"
            )
    if total > MAX_TOTAL_BYTES:
        raise ArchiveError(
            "too-large", f"le scénario est trop gros (au plus {MAX_TOTAL_BYTES // 1024} Ko)"
        )


def _safe_name(name: str) -> PurePosixPath:
    if "\\" in name or name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        raise ArchiveError("bad-path", f"{name} : chemin refusé")
    path = PurePosixPath(name)
    if any(part in ("..", "") for part in path.parts):
        raise ArchiveError("bad-path", f"{name} : chemin refusé (« .. » interdit)")
    return path


def read_zip(data: bytes) -> tuple[dict[str, str], dict[str, Blob]]:
    """The files of a zipped scenario folder (at the root, or in one folder, or scenarios/<slug>/)
    and the images of its `media/` folder, with their alternative texts from `media.yaml`.

    `.yml` files are renamed `.yaml`. Nothing is ever written to disk.
    """
    archive = _open_zip(data)
    entries = [
        info
        for info in archive.infolist()
        if not info.is_dir() and not any(j in info.filename for j in _JUNK)
    ]
    images_count = sum(1 for i in entries if "media/" in i.filename or "media.y" in i.filename)
    if len(entries) - images_count > MAX_FILES:
        raise ArchiveError(
            "too-many", f"trop de fichiers : {len(entries) - images_count} (au plus {MAX_FILES})"
        )
    if images_count > MAX_IMAGES + 1:
        raise ArchiveError("too-many", f"trop d'images : {images_count} (au plus {MAX_IMAGES})")
    paths = {info.filename: _safe_name(info.filename) for info in entries}
    roots = [p.parent for p in paths.values() if p.name == "scenario.yaml"]
    if len(roots) != 1:
        raise ArchiveError(
            "no-scenario",
            "l'archive doit contenir exactement un fichier scenario.yaml"
            if roots
            else "l'archive ne contient pas de fichier scenario.yaml",
        )
    root = roots[0]
    files: dict[str, str] = {}
    images: dict[str, tuple[bytes, str]] = {}
    alts: dict[str, str] | None = None
    total = media_total = 0
    for info in entries:
        path = paths[info.filename]
        if not path.is_relative_to(root):
            raise ArchiveError("bad-path", f"{info.filename} : fichier hors du dossier du scénario")
        rel = path.relative_to(root).as_posix()
        if rel.endswith(".yml"):
            rel = rel[:-4] + ".yaml"
        image = MEDIA.match(rel)
        if image is not None:
            if len(images) >= MAX_IMAGES or image.group(1) in images:
                raise ArchiveError("too-many", f"{info.filename} : image en trop ou en double")
            with archive.open(info) as stream:
                raw = stream.read(MAX_IMAGE_BYTES + 1)
            media_total += len(raw)
            if len(raw) > MAX_IMAGE_BYTES or media_total > MAX_MEDIA_BYTES:
                raise ArchiveError("too-large", f"{info.filename} : image trop lourde")
            images[image.group(1)] = (raw, image.group(2))
            continue
        if rel == "media.yaml":
            alts = _alts(archive, info)
            continue
        check_path(rel)
        if rel in files:
            raise ArchiveError("duplicate", f"{info.filename} : fichier en double")
        if info.file_size > MAX_FILE_BYTES:
            raise ArchiveError(
                "too-large",
                f"{info.filename} : fichier trop gros (au plus {MAX_FILE_BYTES // 1024} Ko)",
            )
        with archive.open(info) as stream:
            raw = stream.read(MAX_FILE_BYTES + 1)  # never trust the declared size alone
        total += len(raw)
        if len(raw) > MAX_FILE_BYTES or total > MAX_TOTAL_BYTES:
            raise ArchiveError("too-large", f"{info.filename} : fichier trop gros")
        try:
            files[rel] = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ArchiveError(
                "encoding", f"{info.filename} : le fichier doit être enregistré en UTF-8"
            ) from None
    return files, _with_alts(images, alts or {})


def _alts(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> dict[str, str]:
    """`media.yaml`: `images:` each name with its alternative text."""
    with archive.open(info) as stream:
        raw = stream.read(MAX_FILE_BYTES + 1)
    try:
        data = yaml.safe_load(raw.decode("utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError):
        raise ArchiveError("media", "media.yaml : fichier illisible") from None
    images = data.get("images") if isinstance(data, dict) else None
    if not isinstance(images, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in images.items()
    ):
        raise ArchiveError(
            "media", "media.yaml : attendu « images: » puis une ligne « nom: texte alternatif »"
        )
    return images


def _with_alts(images: Mapping[str, tuple[bytes, str]], alts: Mapping[str, str]) -> dict[str, Blob]:
    out: dict[str, Blob] = {}
    for name, (data, ext) in images.items():
        if not alts.get(name, "").strip():
            raise ArchiveError(
                "media", f"media/{name}.{ext} : texte alternatif manquant dans media.yaml"
            )
        out[name] = Blob(data, ext, alts[name])
    for name in alts:
        if name not in images:
            raise ArchiveError("media", f"media.yaml : l'image {name!r} n'est pas dans media/")
    return out


def write_zip(
    slug: str, files: Mapping[str, str], images: Mapping[str, Blob] | None = None
) -> bytes:
    """The draft as `<slug>/…`, ready for content/scenarios/ or for importing again; its images
    as `media/<name>.<ext>` with their alternative texts in `media.yaml`."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(files):
            archive.writestr(f"{slug}/{path}", files[path])
        if images:
            alts = {"images": {name: images[name].alt for name in sorted(images)}}
            archive.writestr(
                f"{slug}/media.yaml",
                "# Texte alternatif de chaque image de media/ (nom: description)\n"
                + yaml.safe_dump(alts, allow_unicode=True, sort_keys=True, width=1000),
            )
            for name in sorted(images):
                # Images are compressed already: stored as they are.
                archive.writestr(
                    f"{slug}/media/{name}.{images[name].ext}",
                    images[name].data,
                    compress_type=zipfile.ZIP_STORED,
                )
    return out.getvalue()


#: The two files of a Mission Locale's catalogue (offers and the diagnostic's links).
CATALOGUE_NAMES = ("offers.yaml", "diagnostic.yaml")


def write_catalogue_zip(files: Mapping[str, str]) -> bytes:
    """A catalogue as a zip of offers.yaml and diagnostic.yaml (`tempo validate --catalogue`)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in CATALOGUE_NAMES:
            archive.writestr(name, files[name])
    return out.getvalue()


def _open_zip(data: bytes) -> zipfile.ZipFile:
    # An upload is refused before it is opened when too big, then when it is no zip at all.
    if len(data) > MAX_ZIP_BYTES:
        raise ArchiveError(
            "too-large", f"archive trop grosse (au plus {MAX_ZIP_BYTES // 1024 // 1024} Mo)"
        )
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise ArchiveError("bad-zip", "ce fichier n'est pas une archive zip valide") from None


def read_catalogue_zip(data: bytes) -> dict[str, str]:
    """`offers.yaml` and `diagnostic.yaml` of a zipped catalogue (at its root or in one folder)."""
    archive = _open_zip(data)
    found: dict[str, str] = {}
    for info in archive.infolist():
        if info.is_dir() or any(j in info.filename for j in _JUNK):
            continue
        path = _safe_name(info.filename)
        if path.name not in CATALOGUE_NAMES or len(path.parts) > 2:
            continue
        if path.name in found:
            raise ArchiveError("duplicate", f"{info.filename} : fichier en double")
        with archive.open(info) as stream:
            raw = stream.read(MAX_FILE_BYTES + 1)
        if len(raw) > MAX_FILE_BYTES:
            raise ArchiveError("too-large", f"{info.filename} : fichier trop gros")
        try:
            found[path.name] = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ArchiveError(
                "encoding", f"{info.filename} : le fichier doit être enregistré en UTF-8"
            ) from None
    missing = [n for n in CATALOGUE_NAMES if n not in found]
    if missing:
        raise ArchiveError(
            "no-catalogue", f"l'archive ne contient pas {' ni '.join(missing)} (catalogue attendu)"
        )
    return found
