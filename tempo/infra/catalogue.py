"""The translation catalogue: extract every user-facing string, keep `translations/` current.

French is the source language: strings are written in French in the code and templates, and
`translations/fr` maps each one to itself. That catalogue still matters: it gives French its
plural rule (« 0 mission », where gettext's fallback would say « 0 missions »), and it is the
list a translator starts from for another language (`translations/messages.pot`). Run
`tempo catalogue` after changing user-facing strings; a test fails while it is out of date.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po, write_po

from tempo.config import PROJECT_ROOT

DOMAIN = "messages"
SOURCE_LOCALE = "fr"
# The gettext functions Tempo's code and templates call (aliases included).
KEYWORDS = {
    "_": None,
    "gettext": None,
    "_l": None,
    "lazy_gettext": None,
    "ngettext": (1, 2),
    "_n": (1, 2),
    # No-op marker for strings defined away from where they are shown (translated there).
    "N_": None,
}
# Fixed header dates: the files change only when a string does.
STAMP = datetime(2026, 1, 1, tzinfo=UTC)
METHODS = [("tempo/**.py", "python"), ("templates/**.html", "jinja2")]


@dataclass(frozen=True)
class Paths:
    """Where the catalogue lives under a project root."""

    root: Path

    @property
    def folder(self) -> Path:
        """`translations/`."""
        return self.root / "translations"

    @property
    def template(self) -> Path:
        """The extracted template, `messages.pot`."""
        return self.folder / f"{DOMAIN}.pot"

    @property
    def po(self) -> Path:
        """The French catalogue."""
        return self.folder / SOURCE_LOCALE / "LC_MESSAGES" / f"{DOMAIN}.po"

    @property
    def mo(self) -> Path:
        """The compiled French catalogue Flask-Babel reads."""
        return self.po.with_suffix(".mo")


def extract(root: Path = PROJECT_ROOT) -> Catalog:
    """Every translatable string of the code and templates, with where it is used."""
    catalog = Catalog(
        project="Tempo", domain=DOMAIN, fuzzy=False, creation_date=STAMP, revision_date=STAMP
    )
    for filename, lineno, message, comments, context in extract_from_dir(
        str(root),
        method_map=METHODS,
        options_map={"templates/**.html": {"extensions": "jinja2.ext.i18n"}},
        keywords=KEYWORDS,
        comment_tags=("TRANSLATORS:",),
        strip_comment_tags=True,
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def french(template: Catalog) -> Catalog:
    """The French catalogue: each string translated by itself, with French plural rules."""
    catalog = Catalog(
        locale=SOURCE_LOCALE,
        project="Tempo",
        domain=DOMAIN,
        fuzzy=False,
        creation_date=STAMP,
        revision_date=STAMP,
    )
    for message in template:
        if not message.id:
            continue
        if isinstance(message.id, list | tuple):
            # Babel's French plural rule has had two forms and now three (CLDR's « many »):
            # every form after the first is the plural text.
            singular, plural = message.id[0], message.id[1]
            string: str | tuple[str, ...] = (singular,) + (plural,) * (catalog.num_plurals - 1)
        else:
            string = message.id
        catalog.add(message.id, string, message.locations, context=message.context)
    return catalog


def _msgid(value: object) -> object:
    return tuple(value) if isinstance(value, list | tuple) else value


def _problems(found: Catalog, wanted: Catalog, translated: bool) -> set[object]:
    """What differs in content: msgids missing or extra, and (if asked) untranslated entries.

    Judged by msgids, never by the tool's output (header, plural form count, order), so a newer
    Babel cannot make a current catalogue stale.
    """
    have = {(_msgid(m.id), m.context) for m in found if m.id}
    need = {(_msgid(m.id), m.context) for m in wanted if m.id}
    problems: set[object] = have ^ need
    if translated:
        for m in found:
            strings = m.string if isinstance(m.string, list | tuple) else (m.string,)
            if m.id and not all(strings):
                problems.add(("untranslated", _msgid(m.id)))
    return problems


def _read(path: Path) -> Catalog | None:
    if not path.exists():
        return None
    with path.open("rb") as handle:
        if path.suffix == ".mo":
            return read_mo(handle)
        return read_po(handle, locale=SOURCE_LOCALE if path.suffix == ".po" else None)


def wanted(root: Path = PROJECT_ROOT) -> dict[Path, Catalog]:
    """The catalogues the code and templates need: template, French .po and compiled .mo."""
    paths = Paths(root)
    template = extract(root)
    fr = french(template)
    return {paths.template: template, paths.po: fr, paths.mo: fr}


def stale(root: Path = PROJECT_ROOT) -> list[Path]:
    """The catalogue files whose messages differ from what the code and templates need.

    Compared by msgids, not bytes, so a different Babel version (its header, its plural form
    count) is no change.
    """
    out = []
    paths = Paths(root)
    for path, catalog in wanted(root).items():
        found = _read(path)
        if found is None or _problems(found, catalog, translated=path != paths.template):
            out.append(path)
    return out


def update(root: Path = PROJECT_ROOT) -> list[Path]:
    """Rewrite the catalogue files that changed; the ones written."""
    targets = wanted(root)
    written = []
    for path in stale(root):
        path.parent.mkdir(parents=True, exist_ok=True)
        out = io.BytesIO()
        if path.suffix == ".mo":
            write_mo(out, targets[path])
        else:
            # No line numbers: moving code around does not touch the catalogue.
            write_po(out, targets[path], width=100, no_location=True, sort_output=True)
        path.write_bytes(out.getvalue())
        written.append(path)
    return written


def read_french(root: Path = PROJECT_ROOT) -> Catalog:
    """The committed French catalogue."""
    with Paths(root).po.open("rb") as handle:
        return read_po(handle, locale=SOURCE_LOCALE)
