"""The studio's forms, generated from the validator's own pydantic models.

A form is a tree of `FormField`s walked out of a model's JSON Schema
(`Model.model_json_schema()`): the scenario's `ScenarioMeta`, `CharactersFile` and `Day`, and
for each mission its type's `params_model`. Every field is named by the validator's own path
(`missions[0].params.answers[1]`), so a validation message lands on the field it concerns.
Submitted form data is read back with the same tree and merged into the file's parsed YAML:
keys the form does not know are kept, comments are not.

A field the models mark `json_schema_extra={"x-ref": kind}` holds ids of another file: it becomes
a select (or, for a list, a group of checkboxes) of the known ids with their names
(« m3 — La porte du labo »), from `references()`; a current value no file defines stays
selectable without a label (the page marks it unknown), and the validator names it.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml
from pydantic import BaseModel

from tempo.missions import registry
from tempo.scenarios.schema import CharactersFile, Day, ScenarioMeta

JSONSchema = dict[str, Any]
#: Known ids per reference kind (character, mission, offer, node, media): (id, human name) in
#: order.
Refs = Mapping[str, Sequence[tuple[str, str]]]

#: Scenario fields holding Markdown (mission types declare their own in `markdown`).
MARKDOWN = frozenset(
    {"story", "intro", "teaser", "narrative", "hints[].text", "on_wrong.text", "wrong_answer[]"}
)
#: Long plain texts shown as a textarea rather than a one-line input.
LONG = frozenset({"tagline", "voice", "description", "collective_goal"})

#: The minimal valid params of each mission type: what « Ajouter une mission » inserts.
SKELETONS: dict[str, dict[str, Any]] = {
    "enigma": {"question": "La question posée à l'équipe ?", "answers": ["réponse"]},
    "quiz": {
        "questions": [
            {
                "prompt": "La question ?",
                "choices": [{"text": "La bonne réponse", "correct": True}, {"text": "Une autre"}],
            }
        ]
    },
    "code-lock": {"prompt": "Trouvez le code du cadenas.", "code": "1234"},
    "split-clue": {
        "question": "Que disent les indices réunis ?",
        "fragments": ["Premier indice", "Second indice"],
        "answers": ["réponse"],
    },
    "dialogue": {
        "start": "debut",
        "nodes": [
            {
                "id": "debut",
                "speaker": "guide",
                "text": "Ce que dit le personnage.",
                "choices": [{"text": "Une réponse de l'équipe", "end": "success"}],
            }
        ],
    },
    "qr-checkpoint": {
        "checkpoints": [
            {
                "id": "balise-1",
                "label": "Balise 1",
                "clue": "Où trouver la balise.",
                "placement": "Où l'animateur colle le code.",
            }
        ]
    },
    "proof": {"instructions": "Ce que l'équipe doit montrer en photo."},
    "appointment": {"instructions": "Le rendez-vous à prendre."},
    "diagnostic": {"instructions": "Répondez au questionnaire."},
}


@dataclass
class FormField:
    """One field of a generated form; `name` is the validator's path of the value."""

    name: str
    key: str
    kind: str  # text, textarea, markdown, number, select, checkbox, multi, list, object, yaml
    required: bool = False
    value: Any = None
    options: list[str] = field(default_factory=list)
    minimum: int | None = None
    maximum: int | None = None
    children: list[FormField] = field(default_factory=list)  # an object's fields, a list's items
    new_item: Any = None  # what « Ajouter » appends to a list
    readonly: bool = False
    schema: JSONSchema = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)  # what a select shows for an option
    ref: str | None = None  # the kind of ids a reference field holds (`x-ref`)
    whole: str | None = None  # the value meaning « every id » (`offers: all`)

    @property
    def dom_id(self) -> str:
        """The HTML id of the field's control (names keep their dots and brackets)."""
        return "f-" + self.name

    def walk(self) -> list[FormField]:
        """This field and every field under it."""
        return [self, *(f for child in self.children for f in child.walk())]


# --- schema walking -----------------------------------------------------------------------


def _resolve(node: JSONSchema, defs: Mapping[str, JSONSchema]) -> JSONSchema:
    ref = node.get("$ref")
    if isinstance(ref, str):
        return _resolve(defs[ref.rsplit("/", 1)[-1]], defs)
    return node


def _join(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


def _pattern(name: str) -> str:
    """`missions[2].hints[0].text` -> `hints[].text` relative shape, used for Markdown lookups."""
    return re.sub(r"\[\d+\]", "[]", name)


@dataclass(frozen=True)
class _Ctx:
    defs: Mapping[str, JSONSchema]
    markdown: frozenset[str]
    base: str  # the name prefix the markdown patterns are relative to
    refs: Refs


def _choices(kind: str, current: list[str], refs: Refs) -> tuple[list[str], dict[str, str]]:
    """A reference field's options (known ids, then unknown current values) and their labels."""
    known = list(refs.get(kind, ()))
    options = [i for i, _name in known]
    labels = {i: f"{i} — {name}" if name and name != i else i for i, name in known}
    for value in current:
        if value and value not in labels:
            options.append(value)  # no label: the page says it is unknown
    return options, labels


def _kind_of(node: JSONSchema, name: str, ctx: _Ctx) -> tuple[str, list[str]]:
    """The control for a scalar schema node (and its options for a select)."""
    if "enum" in node:
        return "select", [str(v) for v in node["enum"]]
    if "const" in node:
        return "select", [str(node["const"])]
    kind = node.get("type")
    if kind == "boolean":
        return "checkbox", []
    if kind == "integer":
        return "number", []
    if kind == "string":
        relative = _pattern(name[len(ctx.base) :].lstrip("."))
        if any(relative == m or relative.endswith("." + m) for m in ctx.markdown):
            return "markdown", []
        return ("textarea" if relative.split(".")[-1] in LONG else "text"), []
    return "yaml", []


def _whole(node: JSONSchema, variants: list[JSONSchema]) -> str | None:
    """For a reference field that is a constant or a list of ids (`offers: all | [ids]`), the
    constant standing for every id."""
    if not isinstance(node.get("x-ref"), str) or len(variants) != 2:
        return None
    consts = [v.get("const") for v in variants if isinstance(v.get("const"), str)]
    lists = [v for v in variants if v.get("type") == "array"]
    return consts[0] if len(consts) == 1 and len(lists) == 1 else None


def _build(
    node: JSONSchema, name: str, key: str, value: Any, required: bool, ctx: _Ctx
) -> FormField:
    node = _resolve(node, ctx.defs)
    variants = [
        _resolve(v, ctx.defs)
        for v in node.get("anyOf", [])
        if _resolve(v, ctx.defs) != {"type": "null"}
    ]
    if "anyOf" in node:
        whole = _whole(node, variants)
        if whole is not None:  # « all » or a list of ids: one checkbox stands for every id
            current = node.get("default") if value is None else value
            chosen = [whole] if current == whole else [str(v) for v in current or []]
            options, labels = _choices(node["x-ref"], chosen, ctx.refs)
            return FormField(
                name, key, "multi", False, chosen, [whole, *options], schema=node,
                labels=labels, ref=node["x-ref"], whole=whole,
            )  # fmt: skip
        if len(variants) != 1:
            return FormField(name, key, "yaml", required, value, schema=node)
        merged = {**{k: v for k, v in node.items() if k != "anyOf"}, **variants[0]}
        return _build(merged, name, key, value, False, ctx)
    kind = node.get("type")
    ref = node.get("x-ref")
    if isinstance(ref, str) and kind == "array":
        chosen = [str(v) for v in value] if isinstance(value, list) else []
        options, labels = _choices(ref, chosen, ctx.refs)
        return FormField(
            name, key, "multi", required, chosen, options, schema=node, labels=labels, ref=ref
        )
    if isinstance(ref, str) and kind == "string":
        current = "" if value is None else str(value)
        options, labels = _choices(ref, [current], ctx.refs)
        if not required or not current:
            options = ["", *options]
        return FormField(
            name, key, "select", required, value, options, schema=node, labels=labels, ref=ref
        )
    if kind == "object" and "properties" in node:
        data = value if isinstance(value, dict) else {}
        needed = set(node.get("required", []))
        children = [
            _build(sub, _join(name, k), k, data.get(k), k in needed, ctx)
            for k, sub in node["properties"].items()
        ]
        return FormField(name, key, "object", required, value, children=children, schema=node)
    if kind == "array":
        item = _resolve(node.get("items", {}), ctx.defs)
        if "enum" in item:
            chosen = [str(v) for v in value] if isinstance(value, list) else []
            return FormField(name, key, "multi", required, chosen, [str(v) for v in item["enum"]])
        items = value if isinstance(value, list) else []
        children = [_build(item, f"{name}[{i}]", str(i), v, True, ctx) for i, v in enumerate(items)]
        return FormField(
            name, key, "list", required, value, children=children, new_item=empty(item, ctx.defs)
        )
    control, options = _kind_of(node, name, ctx)
    if control == "select" and not required and "" not in options:
        options = ["", *options]
    return FormField(
        name,
        key,
        control,
        required,
        value,
        options,
        minimum=node.get("minimum"),
        maximum=node.get("maximum"),
        schema=node,
    )


def model_form(
    model: type[BaseModel],
    value: Any,
    name: str = "",
    markdown: frozenset[str] = MARKDOWN,
    refs: Refs | None = None,
) -> FormField:
    """The form of `model` filled with `value` (a parsed YAML document or part of one)."""
    schema = model.model_json_schema()
    ctx = _Ctx(schema.get("$defs", {}), markdown, name, refs or {})
    return _build(schema, name, name.rsplit(".", 1)[-1], value, True, ctx)


def _short(text: Any, size: int = 48) -> str:
    line = " ".join(str(text or "").split())
    return line if len(line) <= size else line[: size - 1].rstrip() + "…"


def _node_refs(params: Any) -> list[tuple[str, str]]:
    """A dialogue's node ids, each named by the start of its line."""
    nodes = params.get("nodes") if isinstance(params, dict) else None
    return [
        (str(n["id"]), _short(n.get("text")))
        for n in nodes or []
        if isinstance(n, dict) and isinstance(n.get("id"), str) and n["id"]
    ]


def params_form(mission_type: str, value: Any, name: str, refs: Refs | None = None) -> FormField:
    """The fieldset of one mission's `params`, from its type's model (raw YAML if unknown)."""
    kind = registry.get(mission_type)
    if kind is None:
        return FormField(name, "params", "yaml", True, value)
    local = {**(refs or {}), "node": _node_refs(value)}
    return model_form(kind.params_model, value, name, frozenset(kind.markdown), local)


def references(
    files: Mapping[str, str],
    offers_text: str = "",
    images: Sequence[tuple[str, str]] = (),
) -> dict[str, list[tuple[str, str]]]:
    """The ids a draft's files define, with their names: its characters (characters.yaml), its
    missions (days/*.yaml, in day order), the catalogue's offers (`offers_text`, offers.yaml)
    and the studio's images (`images`: name and alternative text). Files that do not parse
    define nothing."""

    def parsed(text: str) -> Any:
        try:
            return yaml.safe_load(text)
        except yaml.YAMLError:
            return None

    def named(items: Any, name_key: str) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        for item in items if isinstance(items, list) else []:
            ident = item.get("id") if isinstance(item, dict) else None
            if isinstance(ident, str) and ident and ident not in {i for i, _n in out}:
                out.append((ident, _short(item.get(name_key))))
        return out

    def get(data: Any, key: str) -> Any:
        return data.get(key) if isinstance(data, dict) else None

    missions: list[tuple[str, str]] = []
    for path in sorted(p for p in files if re.fullmatch(r"days/[^/]+\.yaml", p)):
        missions += [
            m for m in named(get(parsed(files[path]), "missions"), "title") if m not in missions
        ]
    return {
        "character": named(get(parsed(files.get("characters.yaml", "")), "characters"), "name"),
        "mission": missions,
        "offer": named(get(parsed(offers_text), "offers"), "title"),
        "media": [(name, _short(alt)) for name, alt in images],
    }


def _with_params(form: FormField, refs: Refs | None = None) -> FormField:
    """A day's form where each mission's `params` is its type's fieldset, its type read-only,
    and its `requires` offers the other missions."""
    for missions in form.children:
        if missions.key != "missions":
            continue
        for mission in missions.children:
            data = mission.value if isinstance(mission.value, dict) else {}
            for i, child in enumerate(mission.children):
                if child.key == "params":
                    mission.children[i] = params_form(
                        str(data.get("type", "")), data.get("params"), child.name, refs
                    )
                elif child.key == "type":
                    child.readonly = True
                    child.kind = "select"
                    child.options = [str(child.value or "")]
                elif child.key == "requires" and child.kind == "multi":
                    # A mission cannot require itself: not offered (kept if already written).
                    own = data.get("id")
                    child.options = [o for o in child.options if o != own or o in child.value]
    return form


#: Which model each form-able file uses.
def file_model(path: str) -> type[BaseModel] | None:
    """The model of a draft file, or None when it has no form."""
    if path == "scenario.yaml":
        return ScenarioMeta
    if path == "characters.yaml":
        return CharactersFile
    if re.fullmatch(r"days/day\d+\.yaml", path):
        return Day
    return None


def file_form(path: str, text: str, refs: Refs | None = None) -> FormField | None:
    """The form of one draft file, or None (no form for this file, or its YAML does not parse).

    `refs` (from `references`) fills the reference fields' selects."""
    model = file_model(path)
    if model is None:
        return None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return None
    if data is not None and not isinstance(data, dict):
        return None
    if model is ScenarioMeta and isinstance(data, dict) and "opponent" in data and "ai" not in data:
        data = {("ai" if k == "opponent" else k): v for k, v in data.items()}
    form = model_form(model, data or {}, refs=refs)
    return _with_params(form, refs) if model is Day else form


# --- reading a submitted form -------------------------------------------------------------


Getter = Callable[[str], list[str]]


def _scalar(f: FormField, get: Getter) -> Any:
    raw = get(f.name)
    if f.kind == "checkbox":
        return bool(raw) and raw[-1] in ("on", "true", "1")
    text = raw[-1] if raw else ""
    if f.kind == "number":
        text = text.strip()
        if not text:
            return None
        try:
            return int(text)
        except ValueError:
            return text  # the validator says « doit être un nombre entier » on this field
    if f.kind == "yaml":
        try:
            return yaml.safe_load(text) if text.strip() else None
        except yaml.YAMLError:
            return text
    if f.kind in ("markdown", "textarea"):
        text = text.replace("\r\n", "\n")
    return text if text.strip() or f.required else None


def _read(f: FormField, get: Getter) -> Any:
    if f.kind == "object":
        base = f.value if isinstance(f.value, dict) else {}
        out = dict(base)  # keys the form does not know are kept, in their order
        for child in f.children:
            value = _read(child, get)
            default = child.schema.get("default", None)
            unset = value in (default, [], "") and child.key not in base
            if value is None or (not child.required and unset):
                out.pop(child.key, None)
            else:
                out[child.key] = value
        if (
            not f.required
            and not base
            and not any(v not in ("", None, [], False) for v in out.values())
        ):
            return None  # an optional group left empty is not written
        return out
    if f.kind == "list":
        return [_read(child, get) for child in f.children]
    if f.kind == "multi":  # in the file's order, newly ticked ones after
        chosen = [v for v in get(f.name) if v in f.options]
        if f.whole is not None and f.whole in chosen:
            return f.whole
        before = [v for v in f.value if v in chosen] if isinstance(f.value, list) else []
        return before + [v for v in chosen if v not in before]
    return _scalar(f, get)


def empty(node: JSONSchema, defs: Mapping[str, JSONSchema]) -> Any:
    """A new list item of schema `node`: required fields only, empty or at their minimum."""
    node = _resolve(node, defs)
    kind = node.get("type")
    if kind == "object":
        needed = node.get("required", [])
        return {k: empty(node["properties"][k], defs) for k in needed}
    if kind == "array":
        return []
    if kind == "integer":
        return node.get("minimum", 0)
    if kind == "boolean":
        return False
    if "enum" in node:
        return node["enum"][0]
    return ""


def _find(form: FormField, name: str) -> FormField | None:
    return next((f for f in form.walk() if f.name == name), None)


def _parent_and_index(name: str) -> tuple[str, int] | None:
    match = re.fullmatch(r"(.*)\[(\d+)\]", name)
    return (match.group(1), int(match.group(2))) if match else None


def _set(data: Any, name: str, value: Any) -> None:
    """Set the value at validator path `name` inside `data`."""
    parts = re.findall(r"[^.\[\]]+|\[\d+\]", name)
    target = data
    for part in parts[:-1]:
        target = target[int(part[1:-1])] if part.startswith("[") else target.setdefault(part, {})
    last = parts[-1]
    if last.startswith("["):
        target[int(last[1:-1])] = value
    else:
        target[last] = value


def value_at(data: Any, name: str) -> Any:
    """The value at validator path `name` inside `data` (None when absent)."""
    parts = re.findall(r"[^.\[\]]+|\[\d+\]", name)
    for part in parts:
        if part.startswith("["):
            data = data[int(part[1:-1])] if isinstance(data, list) else None
        else:
            data = data.get(part) if isinstance(data, dict) else None
    return data


def submitted(path: str, text: str, get: Getter, refs: Refs | None = None) -> dict[str, Any] | None:
    """The file's document rebuilt from a submitted form (`get(name)` -> the posted values).

    `_add` (a list's name; for missions with `_type`) appends an item, `_remove` (an item's
    name) removes one. None when the file has no form.
    """
    form = file_form(path, text, refs)
    if form is None:
        return None
    data: dict[str, Any] = _read(form, get) or {}
    add = (get("_add") or [""])[-1]
    remove = (get("_remove") or [""])[-1]
    if add:
        target = _find(form, add)
        if target is not None and target.kind == "list" and value_at(data, add) is None:
            _set(data, add, [])
        items = value_at(data, add)
        if target is not None and target.kind == "list" and isinstance(items, list):
            items.append(_new_item(target, add, get, data))
    elif remove and (where := _parent_and_index(remove)):
        items = value_at(data, where[0])
        if isinstance(items, list) and 0 <= where[1] < len(items):
            del items[where[1]]
    return data


def _new_item(target: FormField, name: str, get: Getter, data: dict[str, Any]) -> Any:
    if name == "missions":
        kind = (get("_type") or ["enigma"])[-1]
        kind = kind if kind in SKELETONS else "enigma"
        day = data.get("day", 1)
        n = len(data.get("missions") or []) + 1
        return {
            "id": f"j{day:02d}-mission-{n}" if isinstance(day, int) else f"mission-{n}",
            "type": kind,
            "title": "Nouvelle mission",
            "narrative": "Ce qui se passe dans cette mission.\n",
            "reward": 10,
            "params": SKELETONS[kind],
        }
    return copy.deepcopy(target.new_item)


# --- YAML -----------------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    """Block style; multi-line texts as `|` blocks; French kept as is."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def to_yaml(data: Any) -> str:
    """The document as YAML: keys in the form's (schema's) order, Markdown as `|` blocks."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


# --- messages on fields ---------------------------------------------------------------------


def field_for(path: str, names: set[str]) -> str | None:
    """The form field a validator path belongs to: itself, else its nearest ancestor field.

    `missions[0].params.answers[1]` -> that input; `missions[0].params.questions[0].choices`
    -> the choices fieldset; a path the form does not show -> its closest parent.
    """
    current = path
    while current:
        if current in names:
            return current
        cut = max(current.rfind("."), current.rfind("["))
        current = current[:cut] if cut > 0 else ""
    return None
