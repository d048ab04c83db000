"""Where the loader reads content files: a folder on disk, or files held in memory.

The loader names files by their path under the content root; a `Files` answers whether one
exists, its text, and the YAML files and sub-folders of a folder. `FolderFiles` reads the disk;
`OverlayFiles` serves one scenario folder from a map (a studio draft: path → YAML text) and
everything else (offers, diagnostic) from another `Files`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Protocol


class Files(Protocol):
    """Read access to a content tree."""

    def is_file(self, path: Path) -> bool:
        """Whether `path` is a file."""

    def is_dir(self, path: Path) -> bool:
        """Whether `path` is a folder."""

    def read(self, path: Path) -> str:
        """The UTF-8 text of file `path` (OSError or UnicodeDecodeError when unreadable)."""

    def read_bytes(self, path: Path) -> bytes:
        """The bytes of file `path` (an image; OSError when unreadable)."""

    def yaml_files(self, folder: Path) -> list[Path]:
        """The `*.yaml` files directly inside `folder`, sorted."""

    def folders(self, folder: Path) -> list[Path]:
        """The sub-folders of `folder`, sorted."""


class FolderFiles:
    """The files of the disk."""

    def is_file(self, path: Path) -> bool:
        return path.is_file()

    def is_dir(self, path: Path) -> bool:
        return path.is_dir()

    def read(self, path: Path) -> str:
        return path.read_text(encoding="utf-8")

    def read_bytes(self, path: Path) -> bytes:
        return path.read_bytes()

    def yaml_files(self, folder: Path) -> list[Path]:
        return sorted(folder.glob("*.yaml")) if folder.is_dir() else []

    def folders(self, folder: Path) -> list[Path]:
        return sorted(p for p in folder.glob("*") if p.is_dir())


class OverlayFiles:
    """Folder `at` served from `files` (relative posix path → text), the rest from `base`."""

    def __init__(self, at: Path, files: Mapping[str, str], base: Files | None = None) -> None:
        self.at = at
        self.files = dict(files)
        self.base: Files = base or FolderFiles()

    def _inside(self, path: Path) -> str | None:
        if path == self.at:
            return ""
        return path.relative_to(self.at).as_posix() if path.is_relative_to(self.at) else None

    def is_file(self, path: Path) -> bool:
        rel = self._inside(path)
        return self.base.is_file(path) if rel is None else rel in self.files

    def is_dir(self, path: Path) -> bool:
        rel = self._inside(path)
        if rel is None:
            return self.base.is_dir(path) or self.at.is_relative_to(path)
        return rel == "" or any(name.startswith(rel + "/") for name in self.files)

    def read(self, path: Path) -> str:
        rel = self._inside(path)
        if rel is None:
            return self.base.read(path)
        if rel not in self.files:
            raise FileNotFoundError(rel)
        return self.files[rel]

    def read_bytes(self, path: Path) -> bytes:
        rel = self._inside(path)
        if rel is None:
            return self.base.read_bytes(path)
        # A draft holds YAML only: its images are in the studio's library.
        raise FileNotFoundError(rel)

    def yaml_files(self, folder: Path) -> list[Path]:
        rel = self._inside(folder)
        if rel is None:
            return self.base.yaml_files(folder)
        prefix = f"{rel}/" if rel else ""
        return sorted(
            self.at / name
            for name in self.files
            if name.startswith(prefix) and "/" not in name[len(prefix) :] and name.endswith(".yaml")
        )

    def folders(self, folder: Path) -> list[Path]:
        found = set(self.base.folders(folder)) if self._inside(folder) is None else set()
        if self.at.parent == folder:
            found.add(self.at)
        return sorted(found)


class PatchedFiles:
    """Some files directly under `root` served from `files` (name → text), the rest from `base`.

    The studio's catalogue replaces `offers.yaml` and `diagnostic.yaml` of the content folder.
    """

    def __init__(self, root: Path, files: Mapping[str, str], base: Files | None = None) -> None:
        self.patch = {root / name: text for name, text in files.items()}
        self.base: Files = base or FolderFiles()

    def is_file(self, path: Path) -> bool:
        return path in self.patch or self.base.is_file(path)

    def is_dir(self, path: Path) -> bool:
        return self.base.is_dir(path)

    def read(self, path: Path) -> str:
        return self.patch[path] if path in self.patch else self.base.read(path)

    def read_bytes(self, path: Path) -> bytes:
        return self.base.read_bytes(path)

    def yaml_files(self, folder: Path) -> list[Path]:
        found = set(self.base.yaml_files(folder)) | {p for p in self.patch if p.parent == folder}
        return sorted(found)

    def folders(self, folder: Path) -> list[Path]:
        return self.base.folders(folder)
