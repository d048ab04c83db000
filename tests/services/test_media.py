"""The studio's image library: processing (upright, shrunk, metadata stripped), refusals with
French messages, references checked by the validator, zips carrying images with the same
fingerprint, publishing freezing the images, and deletion guarded while a draft uses one."""

from __future__ import annotations

import io
import shutil
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy.orm import Session

from tempo.models import Role, ScenarioDraft, StaffAccount
from tempo.scenarios import load_content
from tempo.scenarios.images import MAX_BYTES, MAX_SIDE, process
from tempo.services.content import publishing
from tempo.services.studio import archive, media
from tempo.services.studio import drafts as studio
from tests import factories
from tests.conftest import CONTENT_DIR

NOW = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)
GPS_IFD = 0x8825


def photo(fmt: str = "JPEG", size: tuple[int, int] = (2400, 1200), *, gps: bool = True) -> bytes:
    """A photo as a phone takes it: turned by its EXIF orientation, with a GPS position."""
    image = Image.new("RGB", size, (200, 40, 40))
    image.paste((20, 90, 200), (0, 0, size[0] // 2, size[1]))  # left half blue: shows rotation
    exif = image.getexif()
    exif[0x0112] = 6  # « rotate 90° clockwise to display »
    exif[0x010F] = "PhoneMaker"
    if gps:
        exif.get_ifd(GPS_IFD).update({1: "N", 2: (50.0, 37.0, 12.0), 3: "E", 4: (3.0, 3.0, 0.0)})
    out = io.BytesIO()
    image.save(out, fmt, exif=exif.tobytes())
    return out.getvalue()


def _author(session: Session) -> StaffAccount:
    account = factories.staff(session, Role.AUTHOR)
    session.commit()
    return account


def _upload(session: Session, author: StaffAccount, name: str = "phare", **kw: object) -> None:
    media.upload(
        session,
        author,
        name=name,
        alt=str(kw.get("alt", "Un phare rouge et blanc au bout de la jetée")),
        data=kw.get("data", photo()),  # type: ignore[arg-type]
        filename=f"{name}.jpg",
        now=NOW,
    )


def _with_image(session: Session, author: StaffAccount, name: str = "phare") -> ScenarioDraft:
    draft = studio.create_from_template(session, author, "Cap au phare", NOW)
    text = draft.files["days/day01.yaml"].replace(
        "    type: enigma\n", f"    type: enigma\n    image: {name}\n", 1
    )
    studio.save_file(session, author, draft.id, "days/day01.yaml", text, NOW)
    return draft


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_upload_is_upright_shrunk_and_without_gps(session: Session, fmt: str) -> None:
    original = photo(fmt)
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)  # the upload has GPS
    author = _author(session)
    _upload(session, author, data=original)
    stored = media.image(session, "phare", with_data=True)
    assert stored.alt == "Un phare rouge et blanc au bout de la jetée"
    assert stored.uploader_id == author.id
    image = Image.open(io.BytesIO(stored.data))
    # Turned upright (the EXIF said « rotate »), then shrunk to MAX_SIDE on its longest side.
    assert (stored.width, stored.height) == image.size == (MAX_SIDE // 2, MAX_SIDE)
    assert image.format == fmt and stored.content_type == f"image/{fmt.lower()}"
    assert not image.getexif(), "no EXIF at all: neither GPS nor the phone's make"
    assert b"PhoneMaker" not in stored.data
    assert "exif" not in image.info
    # Processing what was processed gives the same bytes: an export re-imported is unchanged.
    assert process(stored.data).data == stored.data


def test_small_clean_image_is_kept_as_sent(session: Session) -> None:
    out = io.BytesIO()
    Image.new("RGB", (300, 200), (0, 128, 0)).save(out, "PNG")
    _upload(session, _author(session), "pre", data=out.getvalue())
    stored = media.image(session, "pre", with_data=True)
    assert (stored.width, stored.height, stored.data) == (300, 200, out.getvalue())


def test_refusals_say_why_in_french(session: Session) -> None:
    author = _author(session)
    with pytest.raises(media.MediaError, match="Le texte alternatif est obligatoire"):
        _upload(session, author, alt="   ")
    gif = io.BytesIO()
    Image.new("RGB", (10, 10)).save(gif, "GIF")
    with pytest.raises(
        media.MediaError, match=r"^Format GIF refusé : seuls JPEG, PNG et WebP sont acceptés\.$"
    ):
        _upload(session, author, data=gif.getvalue())
    with pytest.raises(media.MediaError, match="n'est pas une image lisible"):
        _upload(session, author, data=b"%PDF-1.4 pas une image")
    with pytest.raises(media.MediaError, match=r"Image trop lourde \(8\.0 Mo\) : 8 Mo au plus"):
        _upload(session, author, data=b"\xff" * (MAX_BYTES + 1))
    _upload(session, author)
    with pytest.raises(media.MediaError, match="Une image s'appelle déjà « phare »"):
        _upload(session, author)
    assert [i.name for i in media.images(session)] == ["phare"]


def test_unknown_image_is_an_error_listing_the_known_names(session: Session) -> None:
    author = _author(session)
    _upload(session, author, "port")
    _upload(session, author, "quai")
    draft = _with_image(session, author, "phare")
    errors = studio.validate(draft, CONTENT_DIR, None, media.index(session))
    assert [(e.file, e.path, e.message) for e in errors] == [
        ("days/day01.yaml", "missions[0].image", "image inconnue : 'phare' (connues : port, quai)")
    ]
    _upload(session, author, "phare")
    assert studio.validate(draft, CONTENT_DIR, None, media.index(session)) == []


def test_scenario_folder_media_is_the_library_of_the_command_line(
    session: Session, tmp_path: Path
) -> None:
    root = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, root, ignore=shutil.ignore_patterns("scenarios"))
    folder = root / "scenarios" / "cap"
    (folder / "days").mkdir(parents=True)
    for name, text in studio.template_files().items():
        (folder / name).write_text(text.replace("slug: mon-aventure", "slug: cap"), "utf-8")
    meta = (folder / "scenario.yaml").read_text("utf-8")
    (folder / "scenario.yaml").write_text(
        "\n".join("slug: cap" if line.startswith("slug:") else line for line in meta.splitlines()),
        "utf-8",
    )
    chars = (folder / "characters.yaml").read_text("utf-8")
    (folder / "characters.yaml").write_text(
        chars.replace('    avatar: "🧭"\n', '    avatar: "🧭"\n    image: portrait\n', 1), "utf-8"
    )
    result = load_content(root)
    assert [e.message for e in result.errors] == [
        "image inconnue : 'portrait' (aucune n'est définie)"
    ]
    (folder / "media").mkdir()
    (folder / "media" / "portrait.jpg").write_bytes(photo())
    (folder / "media.yaml").write_text("images:\n  portrait: Camille sourit\n", "utf-8")
    result = load_content(root)
    assert result.ok, [str(e) for e in result.errors]
    image = result.content.scenarios["cap"].media["portrait"]  # type: ignore[union-attr]
    assert (image.alt, image.width, image.height) == ("Camille sourit", 800, 1600)
    # Publishing the folder (console « Publier », a cohort on the current content) freezes it.
    version = publishing.publish_now(
        session,
        result.content,
        "cap",
        NOW,
        media_folder=folder,  # type: ignore[arg-type]
    )
    frozen = media.version_image(session, version.id, "portrait")
    assert frozen is not None and frozen.sha256 == image.sha256 and frozen.alt == "Camille sourit"
    (folder / "media.yaml").write_text("images:\n  portrait: ''\n", "utf-8")
    assert [e.message for e in load_content(root).errors] == [
        "texte alternatif manquant : décrivez l'image pour qui ne la voit pas"
    ]


def test_zip_carries_the_images_and_reimports_to_the_same_fingerprint(
    session: Session, tmp_path: Path
) -> None:
    author = _author(session)
    _upload(session, author, "phare")
    _upload(session, author, "inutile")  # in the library, shown by nothing: not exported
    draft = _with_image(session, author)
    before = studio.draft_fingerprint(session, draft)
    data = studio.export_zip(session, draft)
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert "cap-au-phare/media/phare.jpg" in names and "cap-au-phare/media.yaml" in names
    assert not any("inutile" in n for n in names)
    # `tempo validate` accepts the exported folder, its media/ being the library.
    root = tmp_path / "content"
    (root / "scenarios").mkdir(parents=True)
    for name in ("offers.yaml", "diagnostic.yaml"):
        shutil.copy(CONTENT_DIR / name, root / name)
    zipfile.ZipFile(io.BytesIO(data)).extractall(root / "scenarios")
    result = load_content(root)
    assert result.ok, [str(e) for e in result.errors]
    assert list(result.content.scenarios["cap-au-phare"].media) == ["phare"]  # type: ignore[union-attr]
    # A fresh library: the image comes back from the zip, byte for byte.
    studio.delete(session, author, draft.id)
    media.delete(session, "phare")
    again = studio.import_zip(session, author, data, NOW)
    assert studio.draft_fingerprint(session, again) == before
    assert media.image(session, "phare").alt == "Un phare rouge et blanc au bout de la jetée"
    # The image's bytes count in the fingerprint.
    changed = {**media.index(session)}
    changed["phare"] = changed["phare"].model_copy(update={"sha256": "0" * 64})
    assert studio.fingerprint(again.files, changed) != before


def test_import_refuses_another_image_under_a_taken_name(session: Session) -> None:
    author = _author(session)
    _upload(session, author, "phare")
    data = studio.export_zip(session, _with_image(session, author))
    media.set_alt(session, "phare", "Un autre texte")
    with pytest.raises(media.MediaError, match="la bibliothèque a déjà une autre image « phare »"):
        studio.import_zip(session, author, data, NOW)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        entries = {n: z.read(n) for n in z.namelist() if not n.endswith("media.yaml")}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for n, raw in entries.items():
            z.writestr(n, raw)
    with pytest.raises(archive.ArchiveError, match=r"texte alternatif manquant dans media\.yaml"):
        archive.read_zip(out.getvalue())


def test_publishing_freezes_images_and_deletion_waits_for_the_drafts(session: Session) -> None:
    author = _author(session)
    _upload(session, author, "phare")
    draft = _with_image(session, author)
    version = studio.publish(session, author, draft.id, "Avec le phare", CONTENT_DIR, NOW, None)
    assert version.content["scenario"]["media"]["phare"]["alt"] == (
        "Un phare rouge et blanc au bout de la jetée"
    )
    with pytest.raises(media.MediaError) as refused:
        media.delete(session, "phare")
    assert refused.value.message == (
        "L'image « phare » est utilisée par 1 brouillon(s) (« Cap au phare ») : retirez-la de "
        "ces brouillons avant de la supprimer."
    )
    studio.delete(session, author, draft.id)
    media.delete(session, "phare")
    assert media.images(session) == []
    frozen = media.version_image(session, version.id, "phare")
    assert frozen is not None and frozen.content_type == "image/jpeg"
    assert Image.open(io.BytesIO(frozen.data)).size == (800, 1600)
