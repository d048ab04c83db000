"""The minimal content written by `builders` is valid and covers what the validator needs."""

from __future__ import annotations

from tempo.missions import registry
from tempo.scenarios.schema import FAMILIES
from tests.scenarios.builders import OFFER_IDS, ContentDir


def test_minimal_content_loads_without_error(content: ContentDir) -> None:
    """The untouched minimal folder loads with no error and yields content."""
    result = content.load()
    assert [str(e) for e in result.errors] == []
    assert result.ok
    assert result.content is not None


def test_minimal_content_shape(content: ContentDir) -> None:
    """Ten days, every family, every offer unlocked, every registered mission type used."""
    loaded = content.load().content
    assert loaded is not None
    scenario = loaded.scenarios["mini"]
    assert [d.day for d in scenario.days] == list(range(1, 11))
    assert [f.id for f in loaded.diagnostic.families] == list(FAMILIES)
    assert tuple(o.id for o in loaded.offers) == OFFER_IDS
    missions = [m for _, m in scenario.missions()]
    assert {o for m in missions for o in m.unlocks} == set(OFFER_IDS)
    assert {m.type for m in missions} == set(registry.keys())


def test_edit_helpers_keep_other_lines_in_place(content: ContentDir) -> None:
    """`set_line` changes one line and `insert` shifts the following ones."""
    rel = "scenarios/mini/days/day04.yaml"
    before = content.lines(rel)
    content.set_line(rel, 12, "    reward: 12", expect="reward: 10")
    content.insert(rel, 13, "    skills: [teamwork]")
    after = content.lines(rel)
    assert after[:11] == before[:11]
    assert after[11] == "    reward: 12"
    assert after[12] == "    skills: [teamwork]"
    assert after[13:] == before[12:]
    assert content.load().ok
