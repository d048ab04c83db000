"""The real content under content/ loads, validates, and is complete."""

from __future__ import annotations

from collections import Counter

import pytest

from tempo.missions import registry
from tempo.scenarios import Content, load_content
from tempo.scenarios.schema import FAMILIES
from tests.conftest import CONTENT_DIR


@pytest.fixture(scope="module")
def content() -> Content:
    """Every file under content/, validated."""
    result = load_content(CONTENT_DIR)
    assert [str(e) for e in result.errors] == []
    assert result.content is not None
    return result.content


def test_every_content_file_is_loaded(content: Content) -> None:
    """Each YAML file under content/ is part of what the loader read."""
    files = {p.relative_to(CONTENT_DIR).as_posix() for p in CONTENT_DIR.rglob("*.yaml")}
    expected = {"offers.yaml", "diagnostic.yaml"}
    for slug, scenario in content.scenarios.items():
        expected |= {f"scenarios/{slug}/scenario.yaml", f"scenarios/{slug}/characters.yaml"}
        expected |= {f"scenarios/{slug}/days/day{d.day:02d}.yaml" for d in scenario.days}
    assert files == expected


def test_twenty_five_offers(content: Content) -> None:
    """The Mission Locale's 25 service offers, each with how to access it."""
    assert len(content.offers) == 25
    assert all(o.access and o.summary and o.bring for o in content.offers)


def test_diagnostic_has_eleven_families_and_51_questions(content: Content) -> None:
    """The self-diagnostic bank: 11 families, a screening question each, 51 questions in all."""
    families = content.diagnostic.families
    assert [f.id for f in families] == list(FAMILIES)
    assert sum(1 + len(f.questions) for f in families) == 51
    offers = {o.id for o in content.offers}
    assert {o for f in families for o in f.offers} == offers


def test_tempo_2050_is_complete(content: Content) -> None:
    """Ten days, at least 40 missions, every mission type, all 25 offers unlocked."""
    scenario = content.scenarios["tempo-2050"]
    assert [d.day for d in scenario.days] == list(range(1, 11))
    missions = [m for _, m in scenario.missions()]
    assert len(missions) >= 40
    assert set(Counter(m.type for m in missions)) == set(registry.keys())
    assert {o for m in missions for o in m.unlocks} == {o.id for o in content.offers}
    weekend = [d for d in scenario.days if d.weekend]
    assert weekend, "weekend urban days are part of the adventure"
    assert all(any(m.type == "qr-checkpoint" for m in d.missions) for d in weekend)
    assert all(d.intro for d in scenario.days)


def test_tempo_2050_hints_and_rewards(content: Content) -> None:
    """Every mission has a hint to buy and the rewards can bring the AI down."""
    scenario = content.scenarios["tempo-2050"]
    missions = [m for _, m in scenario.missions()]
    assert all(m.hints for m in missions if m.type not in {"appointment", "diagnostic"})
    assert sum(m.reward for m in missions) >= scenario.meta.ai.strength
