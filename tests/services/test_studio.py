"""The studio's drafts: template, autosave, restore, validation, zip import/export, publishing
numbered versions, refusing unchanged content, diffs, rollback, and drafts kept apart."""

from __future__ import annotations

import io
import shutil
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from tempo.models import Role, ScenarioDraft, StaffAccount
from tempo.scenarios import load_content
from tempo.services.content import publishing
from tempo.services.studio import archive
from tempo.services.studio import drafts as studio
from tests import factories
from tests.conftest import CONTENT_DIR

NOW = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)


def _author(session: Session) -> StaffAccount:
    account = factories.staff(session, Role.AUTHOR)
    session.commit()
    return account


def _draft(session: Session, title: str = "Mon aventure") -> tuple[StaffAccount, ScenarioDraft]:
    author = _author(session)
    return author, studio.create_from_template(session, author, title, NOW)


def test_template_is_valid_and_takes_the_title(session: Session) -> None:
    author, draft = _draft(session, "Cap sur l'été")
    assert draft.slug == "cap-sur-l-ete"
    assert draft.title == "Cap sur l'été"
    assert studio.validate(draft, CONTENT_DIR) == []
    assert [r.kind for r in studio.revisions(session, draft)] == ["creation"]
    assert studio.my_drafts(session, author) == [draft]


def test_autosave_coalesces_then_restore_brings_files_back(session: Session) -> None:
    author, draft = _draft(session)
    original = draft.files["days/day01.yaml"]
    studio.save_file(session, author, draft.id, "days/day01.yaml", original + "\n# a", NOW)
    studio.save_file(
        session,
        author,
        draft.id,
        "days/day01.yaml",
        original + "\n# ab",
        NOW + timedelta(minutes=1),
    )
    kinds = [r.kind for r in studio.revisions(session, draft)]
    assert kinds == ["autosave", "creation"]  # typing within 10 minutes is one revision
    studio.save_file(
        session, author, draft.id, "days/day01.yaml", "day: 1\n", NOW + timedelta(minutes=30)
    )
    assert len(studio.revisions(session, draft)) == 3
    creation = studio.revisions(session, draft)[-1]
    studio.restore(session, author, draft.id, creation.id, NOW + timedelta(minutes=31))
    assert draft.files["days/day01.yaml"] == original
    assert studio.revisions(session, draft)[0].kind == "restore"


def test_validation_messages_are_located_in_the_draft_file(session: Session) -> None:
    author, draft = _draft(session)
    text = draft.files["days/day02.yaml"].replace("reward: 25", "reward: beaucoup")
    studio.save_file(session, author, draft.id, "days/day02.yaml", text, NOW)
    errors = [e for e in studio.validate(draft, CONTENT_DIR) if e.file == "days/day02.yaml"]
    assert [(e.path, e.message) for e in errors] == [
        ("missions[0].reward", "doit être un nombre entier")
    ]
    line = text.splitlines().index("    reward: beaucoup") + 1
    assert errors[0].line == line
    assert errors[0].text == f"days/day02.yaml:{line} " + (
        "missions[0].reward: doit être un nombre entier"
    )


def test_zip_roundtrip_keeps_the_fingerprint_and_passes_tempo_validate(
    session: Session, tmp_path: Path
) -> None:
    author, draft = _draft(session)
    data = studio.export_zip(session, draft)
    again = studio.import_zip(session, author, data, NOW)
    assert studio.fingerprint(again.files) == studio.fingerprint(draft.files)
    assert again.slug == draft.slug
    # The exported folder is a content/scenarios/<slug>/ the command-line validator accepts.
    root = tmp_path / "content"
    (root / "scenarios").mkdir(parents=True)
    for name in ("offers.yaml", "diagnostic.yaml"):
        shutil.copy(CONTENT_DIR / name, root / name)
    zipfile.ZipFile(io.BytesIO(data)).extractall(root / "scenarios")
    result = load_content(root)
    assert result.ok, [str(e) for e in result.errors]
    assert list(result.content.scenarios) == [draft.slug]  # type: ignore[union-attr]


def test_fingerprint_ignores_comments_and_layout() -> None:
    files = studio.template_files()
    relaid = {**files, "scenario.yaml": "# un commentaire\n" + files["scenario.yaml"]}
    assert studio.fingerprint(relaid) == studio.fingerprint(files)
    changed = {**files, "scenario.yaml": files["scenario.yaml"].replace("100", "101")}
    assert studio.fingerprint(changed) != studio.fingerprint(files)


def _zip(entries: dict[str, bytes | str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ({"../evil/scenario.yaml": "slug: x"}, "../evil/scenario.yaml : chemin refusé"),
        ({"x/scenario.yaml": "a: 1", "x/../../etc/passwd": "root"}, "chemin refusé"),
        ({"/abs/scenario.yaml": "a: 1"}, "/abs/scenario.yaml : chemin refusé"),
        ({"x/scenario.yaml": "a: 1", "x/notes.txt": "!"}, "notes.txt : fichier refusé"),
        ({"x/scenario.yaml": "a: 1", "y/characters.yaml": "!"}, "y/characters.yaml : fichier hors"),
        ({"x/characters.yaml": "a: 1"}, "pas de fichier scenario.yaml"),
        ({"x/scenario.yaml": b"\xff\xfe"}, "x/scenario.yaml : le fichier doit être enregistré"),
    ],
)
def test_import_refuses_unsafe_or_unexpected_files(
    entries: dict[str, bytes | str], message: str
) -> None:
    with pytest.raises(archive.ArchiveError) as refused:
        archive.read_zip(_zip(entries))
    assert message in refused.value.message


def test_import_refuses_oversize() -> None:
    big = "a: " + "x" * (archive.MAX_FILE_BYTES + 10)
    with pytest.raises(archive.ArchiveError, match=r"days/day01\.yml : fichier trop gros"):
        archive.read_zip(_zip({"s/scenario.yaml": "a: 1", "s/days/day01.yml": big}))
    many = {"s/scenario.yaml": "a: 1"} | {f"s/days/d{i}.yaml": "a: 1" for i in range(60)}
    with pytest.raises(archive.ArchiveError, match="trop de fichiers"):
        archive.read_zip(_zip(many))
    with pytest.raises(archive.ArchiveError, match="archive trop grosse"):
        archive.read_zip(b"0" * (archive.MAX_ZIP_BYTES + 1))
    with pytest.raises(archive.ArchiveError, match="pas une archive zip"):
        archive.read_zip(b"pas un zip")


def test_import_accepts_yml_and_a_bare_folder() -> None:
    files, images = archive.read_zip(_zip({"scenario.yaml": "a: 1", "days/day01.yml": "b: 2"}))
    assert files == {"scenario.yaml": "a: 1", "days/day01.yaml": "b: 2"}
    assert images == {}


def test_publish_numbers_versions_refuses_unchanged_and_shows_a_diff(session: Session) -> None:
    author, draft = _draft(session)
    with pytest.raises(studio.StudioError, match="Décrivez"):
        studio.publish(session, author, draft.id, "  ", CONTENT_DIR, NOW)
    v1 = studio.publish(session, author, draft.id, "Première version", CONTENT_DIR, NOW)
    assert (v1.number, v1.changelog, v1.author_id) == (1, "Première version", author.id)
    with pytest.raises(studio.StudioError, match="Rien n'a changé depuis la version 1"):
        studio.publish(session, author, draft.id, "Encore", CONTENT_DIR, NOW)
    # An edit that leaves the author's `version:` text alone still makes version 2.
    text = draft.files["days/day01.yaml"].replace("reward: 30", "reward: 32")
    studio.save_file(session, author, draft.id, "days/day01.yaml", text, NOW)
    later = NOW + timedelta(hours=1)
    v2 = studio.publish(session, author, draft.id, "Plus d'éclats au jour 1", CONTENT_DIR, later)
    assert v2.number == 2 and v2.label == v1.label
    assert publishing.current_versions(session)[draft.slug] == v2.id
    diff = studio.diff(studio.previous_version(session, v2), v2)
    assert diff is not None and [f.path for f in diff] == ["days/day01.yaml"]
    assert "-    reward: 30" in diff[0].lines and "+    reward: 32" in diff[0].lines
    # Rolling back makes version 1 current for new cohorts; version 2 stays.
    studio.rollback(session, v1.id, later)
    assert publishing.current_versions(session)[draft.slug] == v1.id
    # Publishing version 1's content again is refused: roll back instead.
    studio.save_file(
        session,
        author,
        draft.id,
        "days/day01.yaml",
        text.replace("reward: 32", "reward: 30"),
        later,
    )
    with pytest.raises(studio.StudioError, match="celui de la version 1"):
        studio.publish(session, author, draft.id, "Retour", CONTENT_DIR, later)


def test_a_broken_draft_does_not_stop_another_author(session: Session) -> None:
    author, draft = _draft(session, "Brouillon cassé")
    text = draft.files["scenario.yaml"].replace("strength: 100", "strength: -3")
    studio.save_file(session, author, draft.id, "scenario.yaml", text, NOW)
    other, good = _draft(session, "Brouillon correct")
    with pytest.raises(studio.StudioError, match="erreur"):
        studio.publish(session, author, draft.id, "Essai", CONTENT_DIR, NOW)
    version = studio.publish(session, other, good.id, "Prêt", CONTENT_DIR, NOW)
    assert version.number == 1


def test_drafts_are_private(session: Session) -> None:
    _author_a, draft = _draft(session)
    other = _author(session)
    with pytest.raises(studio.StudioError, match="pas le vôtre"):
        studio.save_file(session, other, draft.id, "scenario.yaml", "x", NOW)
    assert studio.my_drafts(session, other) == []


def test_copy_from_a_version_with_sources(session: Session) -> None:
    author, draft = _draft(session)
    version = studio.publish(session, author, draft.id, "v1", CONTENT_DIR, NOW)
    copy = studio.create_from_version(session, author, version.id, NOW)
    assert copy.files == draft.files
    legacy = factories.scenario_version(session)
    session.commit()
    with pytest.raises(studio.StudioError, match="pas conservé ses fichiers"):
        studio.create_from_version(session, author, legacy.id, NOW)
