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


def _tempo_2050_files() -> dict[str, str]:
    return {
        p.relative_to(TEMPO_2050).as_posix(): p.read_text(encoding="utf-8")
        for p in TEMPO_2050.rglob("*.yaml")
    }


OFFERS = (PROJECT_ROOT / "content" / "offers.yaml").read_text(encoding="utf-8")


def test_references_are_the_drafts_ids_with_their_names() -> None:
    """Characters from characters.yaml, missions of every day in day order, the catalogue's
    offers; a file that does not parse defines nothing."""
    files = _tempo_2050_files()
    refs = forms.references(files, OFFERS)
    assert refs["character"][0] == ("maya", "Maya Diallo")
    assert ("d02-essai-quiz", "L'essai, mode d'emploi") in refs["mission"]
    ids = [i for i, _name in refs["mission"]]
    assert ids.index("d02-essai-quiz") < ids.index("d02-point-samir")
    assert ids[0].startswith("d01-") and len(ids) == len(set(ids))
    assert ("cej", "Contrat d'Engagement Jeune (CEJ)") in refs["offer"] and len(refs["offer"]) == 25
    broken = {**files, "characters.yaml": "characters: [\n"}
    assert forms.references(broken, "")["character"] == []
    assert forms.references(broken, "")["offer"] == []


def test_reference_fields_become_pickers_of_known_ids() -> None:
    """`character` is a select of the characters, `requires` and `unlocks` are checkbox groups
    of missions and offers (« id — name »), ticked as in the file, names unchanged."""
    files = _tempo_2050_files()
    refs = forms.references(files, OFFERS)
    form = forms.file_form("days/day02.yaml", files["days/day02.yaml"], refs)
    assert form is not None
    by_name = {f.name: f for f in form.walk()}
    samir = next(f for f in by_name["missions"].children if f.value["id"] == "d02-point-samir")
    who = by_name[samir.name + ".character"]
    assert who.kind == "select" and who.value == "samir" and who.ref == "character"
    assert who.options[0] == "" and "maya" in who.options  # optional: « (aucun) » first
    assert who.labels["samir"] == "samir — Samir Benali"
    requires = by_name[samir.name + ".requires"]
    assert requires.kind == "multi" and requires.value == ["d01-contrat", "d02-essai-quiz"]
    assert requires.labels["d02-essai-quiz"] == "d02-essai-quiz — L'essai, mode d'emploi"
    assert "d02-point-samir" not in requires.options  # not itself
    unlocks = by_name["missions[0].unlocks"]
    assert unlocks.kind == "multi" and unlocks.ref == "offer"
    assert unlocks.labels["cej"] == "cej — Contrat d'Engagement Jeune (CEJ)"
    # The scenario's counsellor character is a picker too.
    meta = forms.file_form("scenario.yaml", files["scenario.yaml"], refs)
    assert meta is not None
    counsellor = next(f for f in meta.walk() if f.name == "counsellor")
    assert counsellor.kind == "select" and "ines" in counsellor.options


def test_dialogue_targets_and_speakers_are_pickers_of_its_own_nodes() -> None:
    files = _tempo_2050_files()
    refs = forms.references(files, OFFERS)
    form = forms.file_form("days/day02.yaml", files["days/day02.yaml"], refs)
    assert form is not None
    params = next(f for f in form.walk() if f.name.endswith(".params.start"))
    base = params.name.rsplit(".", 1)[0]
    by_name = {f.name: f for f in form.walk()}
    nodes = [n["id"] for n in by_name[base].value["nodes"]]
    assert params.kind == "select" and params.options == nodes  # required: no empty choice
    assert params.labels[nodes[0]].startswith(nodes[0] + " — ")
    speaker = by_name[base + ".nodes[0].speaker"]
    assert speaker.kind == "select" and speaker.ref == "character" and "samir" in speaker.options
    nexts = [f for f in form.walk() if f.name.startswith(base) and f.key == "next"]
    assert nexts and all(f.kind == "select" and f.options[0] == "" for f in nexts)
    assert {o for f in nexts for o in f.options if o} <= set(nodes)


def test_image_fields_are_pickers_of_the_library() -> None:
    """A mission's illustration, a character's portrait and a checkpoint's photo are selects of
    the studio's images (« name — alternative text »); an image since deleted stays selectable,
    unlabelled, and the choice is read back into the file."""
    files = drafts.template_files()
    day = yaml.safe_load(files["days/day01.yaml"])
    day["missions"][0]["image"] = "disparue"
    day["missions"].append(
        {
            "id": "j01-balise",
            "type": "qr-checkpoint",
            "title": "La balise",
            "narrative": "Trouvez la balise.",
            "reward": 10,
            "params": {
                "checkpoints": [
                    {"id": "port", "label": "Le port", "clue": "Au bout du quai.",
                     "placement": "Sur le poteau du quai."},
                ]
            },
        }
    )  # fmt: skip
    text = forms.to_yaml(day)
    library = [("phare", "Un phare rouge et blanc au bout de la jetée, sous un ciel d'orage")]
    refs = forms.references({**files, "days/day01.yaml": text}, OFFERS, library)
    form = forms.file_form("days/day01.yaml", text, refs)
    assert form is not None
    by_name = {f.name: f for f in form.walk()}
    image = by_name["missions[0].image"]
    assert image.kind == "select" and image.ref == "media"
    assert image.options == ["", "phare", "disparue"] and "disparue" not in image.labels
    assert image.labels["phare"] == "phare — Un phare rouge et blanc au bout de la jetée, so…"
    photo = by_name["missions[1].params.checkpoints[0].image"]
    assert photo.kind == "select" and photo.options == ["", "phare"]
    posted = {**_posted(form), "missions[0].image": ["phare"]}
    posted["missions[1].params.checkpoints[0].image"] = ["phare"]
    data = forms.submitted("days/day01.yaml", text, _getter(posted), refs)
    assert data is not None
    assert data["missions"][0]["image"] == "phare"
    assert data["missions"][1]["params"]["checkpoints"][0]["image"] == "phare"
    people = forms.file_form("characters.yaml", files["characters.yaml"], refs)
    assert people is not None
    portrait = next(f for f in people.walk() if f.name == "characters[0].image")
    assert portrait.kind == "select" and portrait.options == ["", "phare"]


def test_unknown_current_values_stay_visible_and_are_read_back() -> None:
    """A value no file defines stays an option (unlabelled: the page marks it unknown), so the
    form never drops it; a newly ticked id is added after the file's own, in order."""
    files = drafts.template_files()
    day = yaml.safe_load(files["days/day01.yaml"])
    day["missions"][0]["character"] = "fantome"
    day["missions"][0]["requires"] = ["m-absente"]
    text = forms.to_yaml(day)
    refs = forms.references({**files, "days/day01.yaml": text}, OFFERS)
    form = forms.file_form("days/day01.yaml", text, refs)
    assert form is not None
    by_name = {f.name: f for f in form.walk()}
    who = by_name["missions[0].character"]
    assert "fantome" in who.options and "fantome" not in who.labels
    requires = by_name["missions[0].requires"]
    assert requires.options[-1] == "m-absente" and "m-absente" not in requires.labels
    posted = _posted(form)
    other = next(i for i, _n in refs["mission"] if i != "j01-enigme")
    posted["missions[0].requires"] = [other, "m-absente", "pirate"]
    data = forms.submitted("days/day01.yaml", text, _getter(posted), refs)
    assert data is not None
    assert data["missions"][0]["requires"] == ["m-absente", other]  # « pirate » is no option
    assert data["missions"][0]["character"] == "fantome"
    # Validated as before: the validator names the unknown ids on these very fields.
    names = {f.name for f in form.walk()}
    assert forms.field_for("missions[0].requires[0]", names) == "missions[0].requires"


NOW = datetime(2026, 1, 5, tzinfo=UTC)


def test_day_preview_is_the_day_card_and_its_mission_cards() -> None:
    files = _tempo_2050_files()
    seen = preview.day_intro(files, "days/day02.yaml")
    assert seen["count"] == 10
    assert seen["day"]["number"] == 2 and seen["day"]["title"] == "La période d'essai"
    assert seen["day"]["intro_html"].startswith("<p>") and seen["day"]["teaser"]
    cards = {c["id"]: c for c in seen["missions"]}
    assert cards["d02-essai-quiz"]["status"] == "available"
    # Waiting for a mission of the same day: locked, and says which; earlier days count as done.
    samir = cards["d02-point-samir"]
    assert samir["status"] == "locked" and samir["requires"] == ["d02-essai-quiz"]
    assert seen["titles"]["d02-essai-quiz"] == "L'essai, mode d'emploi"
    broken = {**files, "days/day02.yaml": "day: 2\n"}
    with pytest.raises(drafts.StudioError, match="Ce jour a des erreurs"):
        preview.day_intro(broken, "days/day02.yaml")


def _samir() -> tuple[dict[str, str], int]:
    files = _tempo_2050_files()
    day = yaml.safe_load(files["days/day02.yaml"])
    return files, next(i for i, m in enumerate(day["missions"]) if m["id"] == "d02-point-samir")


def test_a_dialogue_preview_holds_every_step_played_by_the_types_rules() -> None:
    """Walking the moves from the start reaches « end: success »; replies hidden by flags are
    not offered until the flags are given; every step's Markdown is rendered."""
    files, index = _samir()
    walk = preview.mission(files, "days/day02.yaml", index, NOW)["walk"]
    first = walk["views"][walk["start"]]
    assert first["node"] == "bilan" and first["text_html"].startswith("<p>")
    assert first["choices"] == ["Aucune idée. C'est pas le genre de truc qu'on retient."]
    assert walk["read"] == ["contrat-lu", "contrat-signe-vite"] and walk["flags"] == []
    after = walk["views"][walk["moves"][walk["start"]][0]]
    assert after["node"] == "relire"
    ended = [k for k, v in walk["views"].items() if v["ended"]]
    assert ended  # success is reachable by clicking
    todo, seen = [walk["start"]], set()
    while todo:
        here = todo.pop()
        if here in seen:
            continue
        seen.add(here)
        todo += [t for t in walk["moves"][here] if t]
    assert set(ended) <= seen
    lu = preview.mission(files, "days/day02.yaml", index, NOW, ["contrat-lu", "inconnu"])["walk"]
    assert lu["flags"] == ["contrat-lu"]
    assert len(lu["views"][lu["start"]]["choices"]) == 2


def test_celebration_preview_names_reward_opponent_and_offers() -> None:
    files, index = _samir()
    seen = preview.celebration(files, "days/day02.yaml", index, OFFERS)
    assert seen["title"] == "Le point avec Samir" and seen["reward"] > 0
    assert seen["weakens"].endswith("faiblit\u00a0!")
    assert [o["id"] for o in seen["offers"]] == ["cv-entretien"]
    assert seen["offers"][0]["title"] and seen["offers"][0]["summary"]
    assert preview.celebration(files, "days/day02.yaml", index, "")["offers"] == []


def test_outline_lists_each_day_and_its_missions() -> None:
    files = drafts.template_files()
    outline = preview.outline({**files, "days/day03.yaml": "day: [\n"})
    assert [d["path"] for d in outline] == ["days/day01.yaml", "days/day02.yaml"]
    assert outline[0]["day"] == 1 and outline[0]["missions"][0]["index"] == 0


def test_the_scenarios_offers_are_all_or_a_ticked_list() -> None:
    """`offers: all | [ids]`: one checkbox stands for « all », the others are the catalogue's."""
    files = drafts.template_files()
    refs = forms.references(files, OFFERS)
    form = forms.file_form("scenario.yaml", files["scenario.yaml"], refs)
    assert form is not None
    offers = next(f for f in form.walk() if f.name == "offers")
    assert offers.kind == "multi" and offers.whole == "all" and offers.options[0] == "all"
    assert offers.value == ["all"] and "cej" in offers.options
    posted = _posted(form)
    posted["offers"] = ["cej", "permis"]
    data = forms.submitted("scenario.yaml", files["scenario.yaml"], _getter(posted), refs)
    assert data is not None and data["offers"] == ["cej", "permis"]
    text = forms.to_yaml(data)
    again = forms.file_form("scenario.yaml", text, refs)
    assert again is not None
    assert next(f for f in again.walk() if f.name == "offers").value == ["cej", "permis"]
    posted["offers"] = ["all", "cej"]
    data = forms.submitted("scenario.yaml", text, _getter(posted), refs)
    assert data is not None and data["offers"] == "all"
