"""The studio's dialogue map: each dialogue mission of a draft or a version, as a graph.

Built from the scenario's parsed content (a draft's files are read leniently: a broken day
file only hides its own missions). Reachability and stranded nodes come from the validator's
own pure analysis (`tempo.missions.dialogue.analyse`); flags are compared with every mission
of the scenario (a flag read here may be set by another dialogue).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

import yaml
from pydantic import ValidationError

from tempo.missions import registry
from tempo.missions.dialogue import DialogueParams, analyse, dialogue, flag_words
from tempo.scenarios.schema import CharactersFile, Day, Mission, Scenario

M = TypeVar("M", CharactersFile, Day)

#: A node's line is cut to this many characters on the drawing (the list gives it whole).
MAX_LINE = 70


@dataclass(frozen=True)
class Story:
    """What the map reads of a scenario: its characters' names and its missions by day."""

    names: dict[str, str]
    missions: list[tuple[int, Mission]]

    def dialogues(self) -> list[tuple[int, Mission]]:
        """The dialogue missions whose parameters are readable, in day order."""
        return [(day, m) for day, m in self.missions if _params(m) is not None]

    def dialogue(self, mission_id: str) -> tuple[int, Mission, DialogueParams] | None:
        """The dialogue mission `mission_id` and its parameters, if there is one."""
        for day, mission in self.missions:
            params = _params(mission)
            if mission.id == mission_id and params is not None:
                return day, mission, params
        return None


def _params(mission: Mission) -> DialogueParams | None:
    if mission.type != dialogue.key:
        return None
    try:
        return dialogue.parse(mission.params)
    except ValidationError:
        return None


def story_of_files(files: dict[str, str]) -> Story:
    """A draft's story, each file read on its own (unreadable files are skipped)."""
    names: dict[str, str] = {}
    chars = _model(files.get("characters.yaml", ""), CharactersFile)
    if chars is not None:
        names = {c.id: c.name for c in chars.characters}
    missions: list[tuple[int, Mission]] = []
    for path in sorted(p for p in files if p.startswith("days/") and p.endswith(".yaml")):
        day = _model(files[path], Day)
        if day is not None:
            missions += [(day.day, m) for m in day.missions]
    missions.sort(key=lambda dm: dm[0])
    return Story(names, missions)


def story_of_version(content: dict[str, Any]) -> Story:
    """A published version's story, from the scenario it froze."""
    scenario = Scenario.model_validate(content["scenario"])
    return Story(
        {c.id: c.name for c in scenario.characters},
        [(d.day, m) for d in scenario.days for m in d.missions],
    )


def _model(text: str, model: type[M]) -> M | None:
    try:
        return model.model_validate(yaml.safe_load(text))
    except (yaml.YAMLError, ValidationError):
        return None


def _scenario_flags(story: Story) -> tuple[set[str], set[str]]:
    """The flags set and the flags read by every mission of the scenario."""
    set_: set[str] = set()
    read: set[str] = set()
    for _day, mission in story.missions:
        mission_type = registry.get(mission.type)
        if mission_type is None:
            continue
        try:
            refs = mission_type.references(mission_type.parse(mission.params))
        except ValidationError:
            continue
        set_ |= {f for _, f in refs.flags_set}
        read |= {f for _, f in refs.flags_read}
    return set_, read


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_LINE else text[: MAX_LINE - 1].rstrip() + "…"


def map_data(story: Story, mission_id: str) -> dict[str, Any] | None:
    """The graph of dialogue `mission_id` (nodes, edges, analysis), or None if there is none."""
    found = story.dialogue(mission_id)
    if found is None:
        return None
    day, mission, params = found
    analysis = analyse(params)
    set_anywhere, read_anywhere = _scenario_flags(story)
    nodes = []
    for node in params.nodes:
        stranded = analysis.stranded.get(node.id)
        state = (
            "unreachable"
            if node.id in analysis.unreachable
            else "stranded"
            if stranded is not None
            else "reachable"
        )
        nodes.append(
            {
                "id": node.id,
                "speaker": node.speaker,
                "speaker_name": story.names.get(node.speaker, node.speaker),
                "text": node.text,
                "short": _short(node.text),
                "start": node.id == params.start,
                "state": state,
                "stranded_when": flag_words(stranded) if stranded is not None else None,
            }
        )
    edges = [
        {
            "from": node.id,
            "to": choice.next,
            "end": choice.end,
            "text": choice.text,
            "short": _short(choice.text),
            "if_flags": choice.if_flags,
            "unless_flags": choice.unless_flags,
            "set_flags": choice.set_flags,
        }
        for node in params.nodes
        for choice in node.choices
    ]
    return {
        "mission": {"id": mission.id, "title": mission.title, "day": day},
        "start": params.start,
        "nodes": nodes,
        "edges": edges,
        "analysis": {
            "reachable": list(analysis.reachable),
            "unreachable": list(analysis.unreachable),
            "stranded": [
                {"node": node_id, "when": flag_words(flags)}
                for node_id, flags in analysis.stranded.items()
            ],
            "flags_set": list(analysis.flags_set),
            "flags_read": list(analysis.flags_read),
            "never_set": [f for f in analysis.flags_read if f not in set_anywhere],
            "never_read": [f for f in analysis.flags_set if f not in read_anywhere],
        },
    }
