"""The studio's forms from the validator's models: fields per mission type, a form's data read
back to the same YAML, validator paths mapped to form fields, previews of draft missions."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import yaml

from tempo.config import PROJECT_ROOT
from tempo.missions import registry
from tempo.services.studio import drafts, forms, preview
from tempo.services.studio.forms import FormField

TEMPO_2050 = PROJECT_ROOT / "content" / "scenarios" / "tempo-2050"


def _posted(form: FormField) -> dict[str, list[str]]:
    """What a browser posts for an untouched form (unchecked boxes are not sent)."""
    out: dict[str, list[str]] = {}
    for f in form.walk():
        if f.kind == "checkbox":
            if f.value:
                out[f.name] = ["on"]
        elif f.kind == "multi":
            out[f.name] = list(f.value)
        elif f.kind in ("text", "textarea", "markdown", "number", "select"):
            out[f.name] = ["" if f.value is None else str(f.value)]
        elif f.kind == "yaml":
            out[f.name] = [forms.to_yaml(f.value) if f.value is not None else ""]
    return out


def _getter(data: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    return lambda name: data.get(name, [])


@pytest.mark.parametrize("key", registry.keys())
def test_each_mission_type_has_a_form_from_its_params_schema(key: str) -> None:
    kind = registry.get(key)
    assert kind is not None
    form = forms.params_form(key, forms.SKELETONS[key], "missions[0].params")
    names = {f.name for f in form.walk()}
    schema = kind.params_model.model_json_schema()
    for prop in schema["properties"]:
        assert f"missions[0].params.{prop}" in names
    # The skeleton « Ajouter une mission » inserts is valid for the type's own checks.
    assert kind.check(kind.params_model.model_validate(forms.SKELETONS[key])) == []
    for pattern in kind.markdown:
        if "[]" not in pattern and pattern in schema["properties"]:
            field = next(f for f in form.walk() if f.key == pattern)
            assert field.kind == "markdown"


def test_controls_follow_the_schema() -> None:
    form = forms.file_form("days/day01.yaml", (TEMPO_2050 / "days/day01.yaml").read_text())
    assert form is not None
    by_name = {f.name: f for f in form.walk()}
    assert by_name["day"].kind == "number" and by_name["day"].minimum == 1
    assert by_name["intro"].kind == "markdown"
    assert by_name["missions[0].narrative"].kind == "markdown"
    assert by_name["weekend"].kind == "checkbox" and not by_name["weekend"].required
    assert by_name["missions[0].skills"].kind == "multi"
    assert by_name["missions[0].hints"].kind == "list"
    assert by_name["missions[0].type"].readonly
    assert by_name["missions"].kind == "list" and by_name["missions[0]"].kind == "object"


@pytest.mark.parametrize(
    "path", ["scenario.yaml", "characters.yaml", "days/day01.yaml", "days/day05.yaml"]
)
def test_form_data_gives_back_the_same_document(path: str) -> None:
    source = (TEMPO_2050 / path).read_text()
    form = forms.file_form(path, source)
    assert form is not None
    data = forms.submitted(path, source, _getter(_posted(form)))
    assert yaml.safe_load(forms.to_yaml(data)) == yaml.safe_load(source)


def test_add_and_remove_items() -> None:
    source = drafts.template_files()["days/day01.yaml"]
    form = forms.file_form("days/day01.yaml", source)
    assert form is not None
    posted = _posted(form)
    added = forms.submitted(
        "days/day01.yaml", source, _getter({**posted, "_add": ["missions"], "_type": ["quiz"]})
    )
    assert added is not None and added["missions"][-1]["params"] == forms.SKELETONS["quiz"]
    hint = forms.submitted(
        "days/day01.yaml", source, _getter({**posted, "_add": ["missions[0].hints"]})
    )
    assert hint is not None and hint["missions"][0]["hints"][-1] == {"text": "", "cost": 0}
    removed = forms.submitted(
        "days/day01.yaml", source, _getter({**posted, "_remove": ["missions[0].hints[0]"]})
    )
    assert removed is not None and removed["missions"][0]["hints"] == []


def test_validator_paths_land_on_form_fields() -> None:
    names = {"missions", "missions[0]", "missions[0].params", "missions[0].params.answers",
             "missions[0].params.answers[1]", "missions[0].reward"}  # fmt: skip
    answer = "missions[0].params.answers[1]"
    assert forms.field_for(answer, names) == answer
    assert forms.field_for("missions[0].reward", names) == "missions[0].reward"
    assert forms.field_for("missions[0].params.oops", names) == "missions[0].params"
    assert forms.field_for("missions[0].params.answers[7]", names) == "missions[0].params.answers"
    assert forms.field_for("nothing", names) is None


def test_preview_is_the_players_view_without_answers() -> None:
    files = drafts.template_files()
    view = preview.mission(files, "days/day01.yaml", 0, datetime(2026, 1, 5, tzinfo=UTC))
    assert view["status"] == "open" and view["narrative_html"].startswith("<p>")
    assert "answers" not in view["play"]
    assert preview.characters(files)[view["character"]]["name"]
    with pytest.raises(drafts.StudioError):
        preview.mission(files, "days/day01.yaml", 42, datetime(2026, 1, 5, tzinfo=UTC))


def test_a_split_clue_preview_shows_every_fragment_written() -> None:
    files = drafts.template_files()
    day = forms.submitted(
        "days/day01.yaml",
        files["days/day01.yaml"],
        lambda name: {"_add": ["missions"], "_type": ["split-clue"]}.get(name, []),
    )
    assert day is not None
    files["days/day01.yaml"] = forms.to_yaml(day)
    view = preview.mission(files, "days/day01.yaml", 1, datetime(2026, 1, 5, tzinfo=UTC))
    shown = [f["text_html"] for f in view["play"]["fragments"]]
    assert shown == ["<p>Premier indice</p>\n", "<p>Second indice</p>\n"]
