"""The contract every registered mission type honours, checked on one valid sample per type."""

from __future__ import annotations

import copy
import dataclasses
import json
from typing import Any

import pytest

from tempo.missions import registry
from tempo.missions.base import Action, ConsoleSummary, MissionType
from tests.missions.mission_samples import SAMPLES, TEAM, Sample, act, ctx, dumps, mission

KEYS = registry.keys()

# Every field name a mission type reads from action data.
FIELDS = ("answer", "answers", "choice", "node", "code", "checkpoint", "text", "photo")
FIELDS += ("accepted", "comment")
BAD_VALUES: tuple[Any, ...] = (
    None,
    -1,
    -(10**18),
    10**18,
    True,
    False,
    1.5,
    float("inf"),
    "",
    "   ",
    "0",
    "x" * 100_000,
    "\x00",
    [],
    [-1],
    [True],
    [None],
    [[-1]],
    [[True]],
    [[0], [-1]],
    [[0], [True]],
    [[0], [1, 2], [0]],
    {},
    {"a": 1},
)


def malformed_data() -> list[dict[str, Any]]:
    """Empty data, each field alone with each bad value, and every field at once."""
    out: list[dict[str, Any]] = [{}]
    for value in BAD_VALUES:
        for name in FIELDS:
            if name == "accepted" and value is True:
                continue  # a real approval, not malformed
            out.append({name: value})
        out.append({name: value for name in FIELDS if not (name == "accepted" and value is True)})
    return out


def sample_for(key: str) -> Sample:
    """The sample of a registered type; a type without one fails the contract."""
    if key not in SAMPLES:
        pytest.fail(f"mission type {key!r} has no sample in tests/missions/mission_samples.py")
    return SAMPLES[key]


def path_states(mt: MissionType[Any], params: Any, sample: Sample) -> list[dict[str, Any]]:
    """The states met while completing the sample: initial, then after each action."""
    states = [mt.initial_state(params)]
    for action in sample.complete:
        states.append(mt.handle(params, states[-1], action, ctx()).state)
    return states


def test_samples_only_name_registered_types() -> None:
    """No stale sample for a type that is no longer registered."""
    assert set(SAMPLES) <= set(KEYS)


@pytest.mark.parametrize("key", KEYS)
def test_parse_and_check_accept_the_sample(key: str) -> None:
    """The sample parses into the type's model and passes its semantic checks."""
    mt = mission(key)
    params = mt.parse(sample_for(key).params)
    assert isinstance(params, mt.params_model)
    assert mt.check(params) == []
    assert mt.key == key
    assert mt.label
    assert mt.actions


@pytest.mark.parametrize("key", KEYS)
def test_initial_state_is_json(key: str) -> None:
    """The initial state survives a JSON round trip unchanged."""
    mt = mission(key)
    state = mt.initial_state(mt.parse(sample_for(key).params))
    assert isinstance(state, dict)
    assert copy.deepcopy(state) == json.loads(dumps(state))


@pytest.mark.parametrize("key", KEYS)
def test_sample_actions_complete_the_mission(key: str) -> None:
    """The sample's actions complete the mission, on the last one only, with no error."""
    mt = mission(key)
    sample = sample_for(key)
    params = mt.parse(sample.params)
    state = mt.initial_state(params)
    for i, action in enumerate(sample.complete):
        outcome = mt.handle(params, state, action, ctx())
        assert outcome.error is None, outcome.error
        assert outcome.completed is (i == len(sample.complete) - 1)
        assert not outcome.wrong
        dumps(outcome.state)
        dumps(outcome.events)
        state = outcome.state


@pytest.mark.parametrize("key", KEYS)
def test_view_is_json_and_keeps_secrets(key: str) -> None:
    """Every view along the way is JSON and never shows an accepted answer, code or flag.

    A secret listed in `after_answer` (an explanation, a reaction) stays hidden until the team
    has acted, and is then shown by the view of the completed mission.
    """
    mt = mission(key)
    sample = sample_for(key)
    params = mt.parse(sample.params)
    states = path_states(mt, params, sample)
    for i, state in enumerate(states):
        hidden = sample.secrets if i == 0 else set(sample.secrets) - set(sample.after_answer)
        for player in (*TEAM, "absent", "conseiller"):
            text = dumps(mt.view(params, state, player, ctx()))
            for secret in hidden:
                assert secret not in text, f"{secret!r} leaked in view: {text}"
    for revealed in sample.after_answer:
        assert revealed in dumps(mt.view(params, states[-1], TEAM[0], ctx())), revealed


@pytest.mark.parametrize("key", KEYS)
def test_unknown_action_kind_is_refused(key: str) -> None:
    """An unknown kind gives `unknown_action` and leaves the state as it was."""
    mt = mission(key)
    sample = sample_for(key)
    params = mt.parse(sample.params)
    for state in path_states(mt, params, sample):
        before = copy.deepcopy(state)
        outcome = mt.handle(params, state, act("dance", answer="x"), ctx())
        assert outcome.error is not None
        assert outcome.error.code == "unknown_action"
        assert outcome.error.message
        assert not outcome.completed
        assert outcome.state == before
        assert state == before


@pytest.mark.parametrize("key", KEYS)
def test_malformed_data_never_raises_nor_completes(key: str) -> None:
    """Bad data (None, wrong types, huge strings, negative indexes, bools) is refused calmly."""
    mt = mission(key)
    sample = sample_for(key)
    params = mt.parse(sample.params)
    for state in path_states(mt, params, sample)[:-1]:
        for kind in sorted(mt.actions):
            for data in malformed_data():
                before = copy.deepcopy(state)
                outcome = mt.handle(params, state, Action(kind, "ana", data), ctx())
                assert state == before
                dumps(outcome.state)
                if kind not in sample.signals:
                    assert not outcome.completed, (kind, data)


@pytest.mark.parametrize("key", KEYS)
def test_handle_never_mutates_its_input_state(key: str) -> None:
    """Each step returns a new state object and leaves the given one untouched."""
    mt = mission(key)
    sample = sample_for(key)
    params = mt.parse(sample.params)
    state = mt.initial_state(params)
    for action in (*sample.complete, sample.complete[-1]):
        before = copy.deepcopy(state)
        outcome = mt.handle(params, state, action, ctx())
        assert state == before
        assert outcome.state is not state
        state = outcome.state


@pytest.mark.parametrize("key", KEYS)
def test_repeating_the_completing_action_is_harmless(key: str) -> None:
    """Once completed, the same action again raises nothing and is not counted as wrong."""
    mt = mission(key)
    sample = sample_for(key)
    params = mt.parse(sample.params)
    state = path_states(mt, params, sample)[-1]
    outcome = mt.handle(params, state, sample.complete[-1], ctx())
    assert not outcome.wrong
    dumps(outcome.state)
    for player in TEAM:
        dumps(mt.view(params, outcome.state, player, ctx()))


# ---------------------------------------------------------------- declarations
HOSTILE = "**gras** <script>alert(1)</script><img src=x onerror=alert(1)>"


def leaves(value: Any, path: str) -> list[tuple[dict[str, Any], str]]:
    """(object, key) of every field found at a dotted Markdown path (`items[].name`)."""
    head, _, rest = path.partition(".")
    name = head.removesuffix("[]")
    if not isinstance(value, dict) or name not in value:
        return []
    if not rest:
        return [(value, name)]
    item = value[name]
    items = item if head.endswith("[]") and isinstance(item, list) else [item]
    return [leaf for x in items for leaf in leaves(x, rest)]


def html_path(path: str) -> str:
    """Where a Markdown field's HTML is sent: the last name gets `_html`."""
    *parents, last = path.split(".")
    name = last.removesuffix("[]")
    return ".".join([*parents, name + "_html" + last[len(name) :]])


def sample_path(key: str) -> tuple[MissionType[Any], Any, list[dict[str, Any]]]:
    """A type, its sample's params and the states met while completing the sample."""
    mt = mission(key)
    params = mt.parse(sample_for(key).params)
    return mt, params, path_states(mt, params, sample_for(key))


def sample_views(key: str) -> list[dict[str, Any]]:
    """Every view met while completing the sample, for each teammate."""
    mt, params, states = sample_path(key)
    return [mt.view(params, state, player, ctx()) for state in states for player in TEAM]


@pytest.mark.parametrize("key", KEYS)
def test_server_actions_are_actions_of_the_type(key: str) -> None:
    """A declared server-only kind is one of the type's actions, refused from phones."""
    mt = mission(key)
    assert mt.server_actions <= mt.actions
    assert mt.server_actions <= registry.server_actions()


@pytest.mark.parametrize("key", KEYS)
def test_declared_markdown_fields_appear_in_the_views(key: str) -> None:
    """Each declared Markdown field holds authored text in some view of the sample."""
    views = sample_views(key)
    for path in mission(key).markdown:
        values = [obj[name] for view in views for obj, name in leaves(view, path)]
        assert any(values), f"{key}: Markdown field {path!r} never shown in the sample's views"
        assert all(v is None or isinstance(v, str | list) for v in values), (path, values)


@pytest.mark.parametrize("key", KEYS)
def test_markdown_fields_reach_phones_as_sanitised_html_only(key: str) -> None:
    """In the snapshot, each declared field becomes `<name>_html`, rendered and sanitised."""
    from tempo.services.play.snapshot import html_view

    fields = mission(key).markdown
    shown: set[str] = set()
    for view in sample_views(key):
        hostile = copy.deepcopy(view)
        for path in fields:
            for obj, name in leaves(hostile, path):
                if isinstance(obj[name], list):
                    obj[name] = [HOSTILE for _ in obj[name]]
                elif obj[name]:
                    obj[name] = HOSTILE
        sent = html_view(hostile, fields)
        for path in fields:
            assert not leaves(sent, path), f"{key}: raw Markdown {path!r} sent to phones"
            for obj, name in leaves(sent, html_path(path)):
                values = obj[name] if isinstance(obj[name], list) else [obj[name]]
                for html in filter(None, values):
                    shown.add(path)
                    assert "<strong>gras</strong>" in html, html
                    assert "<script" not in html and "<img" not in html, html
    assert shown == set(fields)


@pytest.mark.parametrize("key", KEYS)
def test_console_summary_is_plain_data(key: str) -> None:
    """The dashboard's summary of every state met is a ConsoleSummary of JSON values."""
    mt, params, states = sample_path(key)
    for state in states:
        summary = mt.console_summary(params, state)
        assert isinstance(summary, ConsoleSummary)
        dumps(dataclasses.asdict(summary))
        if not summary.pending:
            assert summary.photo is None and summary.text is None


def test_a_submitted_proof_waits_for_the_counsellor_on_the_dashboard() -> None:
    """After `submit` and until `review`, the proof is pending with what the team sent."""
    mt, params, (initial, submitted, reviewed) = sample_path("proof")
    assert mt.console_summary(params, initial) == ConsoleSummary()
    assert mt.console_summary(params, submitted) == ConsoleSummary(
        pending=True, text="Voici notre badge."
    )
    assert mt.console_summary(params, reviewed) == ConsoleSummary()


def test_server_only_kinds_are_those_the_services_send() -> None:
    """Scans, reviews, bookings and diagnostic completions never come from a phone."""
    assert registry.server_actions() == {"scan", "review", "booked", "completed"}
