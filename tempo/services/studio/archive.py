"""A draft's files as a zip of its scenario folder, both ways, with limits and safe names."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping
from pathlib import PurePosixPath

from tempo.services.errors import ServiceError

#: What a draft may hold: scenario.yaml, characters.yaml and days/<name>.yaml.
PATH = re.compile(r"^(scenario\.yaml|characters\.yaml|days/[A-Za-z0-9_-]{1,40}\.yaml)$")
MAX_FILES = 40
MAX_FILE_BYTES = 256 * 1024
MAX_TOTAL_BYTES = 2 * 1024 * 1024
#: An uploaded zip larger than this is refused before it is opened.
MAX_ZIP_BYTES = 2 * 1024 * 1024
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


def read_zip(data: bytes) -> dict[str, str]:
    """The files of a zipped scenario folder (at the root, or in one folder, or scenarios/<slug>/).

    `.yml` files are renamed `.yaml`. Nothing is ever written to disk.
    """
    if len(data) > MAX_ZIP_BYTES:
        raise ArchiveError(
            "too-large", f"archive trop grosse (au plus {MAX_ZIP_BYTES // 1024 // 1024} Mo)"
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise ArchiveError("bad-zip", "ce fichier n'est pas une archive zip valide") from None
    entries = [
        info
        for info in archive.infolist()
        if not info.is_dir() and not any(j in info.filename for j in _JUNK)
    ]
    if len(entries) > MAX_FILES:
        raise ArchiveError("too-many", f"trop de fichiers : {len(entries)} (au plus {MAX_FILES})")
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
    total = 0
    for info in entries:
        path = paths[info.filename]
        if not path.is_relative_to(root):
            raise ArchiveError("bad-path", f"{info.filename} : fichier hors du dossier du scénario")
        rel = path.relative_to(root).as_posix()
        if rel.endswith(".yml"):
            rel = rel[:-4] + ".yaml"
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
    return files


def write_zip(slug: str, files: Mapping[str, str]) -> bytes:
    """The draft as `<slug>/…`, ready for content/scenarios/ or for importing again."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(files):
            archive.writestr(f"{slug}/{path}", files[path])
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


def read_catalogue_zip(data: bytes) -> dict[str, str]:
    """`offers.yaml` and `diagnostic.yaml` of a zipped catalogue (at its root or in one folder)."""
    if len(data) > MAX_ZIP_BYTES:
        raise ArchiveError(
            "too-large", f"archive trop grosse (au plus {MAX_ZIP_BYTES // 1024 // 1024} Mo)"
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise ArchiveError("bad-zip", "ce fichier n'est pas une archive zip valide") from None
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
