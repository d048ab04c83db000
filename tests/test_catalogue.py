"""The translation catalogue follows the code: every user-facing string is in it, in French."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask_babel import gettext, ngettext

from tempo.infra import catalogue


def test_the_catalogue_holds_every_string_of_the_code_and_templates() -> None:
    """`tempo catalogue` was run after the last change of a user-facing string."""
    assert catalogue.stale() == [], "run `tempo catalogue` to refresh translations/"


def test_the_french_catalogue_gives_french_plurals(app: Flask) -> None:
    """Zero is singular in French (« 0 mission »); gettext's fallback would say « 0 missions »."""
    with app.test_request_context(headers={"Accept-Language": "fr-FR"}):
        assert ngettext("%(num)d mission réussie", "%(num)d missions réussies", 0) == (
            "0 mission réussie"
        )
        assert ngettext("%(num)d mission réussie", "%(num)d missions réussies", 2) == (
            "2 missions réussies"
        )
        assert gettext("Cette page n'existe pas (ou plus).") == "Cette page n'existe pas (ou plus)."


def test_a_new_string_makes_the_catalogue_stale(tmp_path: Path) -> None:
    """The check really looks at the code: a string added in a template is noticed."""
    (tmp_path / "tempo").mkdir()
    (tmp_path / "tempo" / "page.py").write_text('from flask_babel import gettext as _\n_("Un")\n')
    (tmp_path / "templates").mkdir()
    catalogue.update(tmp_path)
    assert catalogue.stale(tmp_path) == []
    (tmp_path / "templates" / "new.html").write_text('<p>{{ _("Deux") }}</p>\n')
    assert catalogue.Paths(tmp_path).po in catalogue.stale(tmp_path)
    catalogue.update(tmp_path)
    assert catalogue.stale(tmp_path) == []
    assert {m.id for m in catalogue.read_french(tmp_path) if m.id} == {"Un", "Deux"}


def test_another_babel_version_does_not_make_the_catalogue_stale(tmp_path: Path) -> None:
    """Only msgids count: a new tool header or plural form count is no change of content."""
    (tmp_path / "tempo").mkdir()
    (tmp_path / "tempo" / "page.py").write_text(
        "from flask_babel import gettext as _, ngettext\n"
        '_("Un")\nngettext("%(num)d œuf", "%(num)d œufs", 2)\n'
    )
    catalogue.update(tmp_path)
    po = catalogue.Paths(tmp_path).po
    text = po.read_text()
    text = text.replace("Generated-By: Babel", "Generated-By: Babel 99.0 was")
    po.write_text(text)
    assert catalogue.stale(tmp_path) == []
    # An entry left untranslated is a real problem.
    po.write_text(text.replace('msgstr "Un"', 'msgstr ""'))
    assert catalogue.stale(tmp_path) == [po]
