"""`Game.mission_view`: what a player may see, and never an accepted answer."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from tempo.engine.team import DONE, IN_PROGRESS, LOCKED, Game, MissionRecord, TeamState
from tempo.missions import registry
from tempo.scenarios.schema import Scenario
from tests.engine.kit import (
    FRAGMENTS,
    PLAYERS,
    act,
    ctx,
    play_all,
    real_content,
    real_game,
    small_game,
    team,
)

ALL_DAYS = tuple(range(1, 11))
SECRET_KEYS = {"answers", "code", "correct", "placement", "explanation"}
# Sent only once the team has answered the mission (a quiz's explanations and verdicts).
AFTER_ANSWER_KEYS = {"explanation", "answered_right"}


def dumps(value: Any) -> str:
    """Strict JSON keeping accents, as sent to clients."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


def keys_of(value: Any) -> Iterator[str]:
    """Every dict key at any depth of a JSON value."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from keys_of(item)
    elif isinstance(value, list):
        for item in value:
            yield from keys_of(item)


def all_in_progress(game: Game, state: TeamState) -> TeamState:
    """`state` with every mission in progress from its initial state: every view shows `play`."""
    records = {}
    for mission_id, m in game.missions.items():
        mission_type = registry.get(m.type)
        assert mission_type is not None
        records[mission_id] = MissionRecord(
            status=IN_PROGRESS, state=mission_type.initial_state(game.params[mission_id])
        )
    return replace(state, missions=records)


def team_states(game: Game) -> dict[str, TeamState]:
    """All days open: a new team, a team in the middle of every mission, a team that won."""
    fresh = team(game, *ALL_DAYS)
    return {
        "fresh": fresh,
        "in-progress": all_in_progress(game, fresh),
        "done": play_all(game, fresh),
    }


def all_views(game: Game, state: TeamState) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(mission id, player, view) for every mission and every present player."""
    for mission_id in game.missions:
        for player in PLAYERS:
            yield mission_id, player, game.mission_view(state, mission_id, player, ctx())


# --- shape -------------------------------------------------------------------------------


def test_locked_view_has_no_narrative_nor_play() -> None:
    """A locked mission shows its card (title, reward, hint prices) but no story or play."""
    game = small_game()
    view = game.mission_view(team(game, 1), "d1-quiz", "ana", ctx())
    assert view["status"] == LOCKED
    assert "narrative" not in view
    assert "play" not in view
    assert "unlocks" not in view
    assert view["title"] == "Mission d1-quiz"
    assert view["requires"] == ["d1-enigme"]


def test_every_locked_mission_of_the_real_content_hides_narrative_and_play() -> None:
    """For a new team, every locked mission of Tempo 2050 has neither narrative nor play."""
    game = real_game()
    state = team(game, *ALL_DAYS)
    locked = [m for m, s in game.statuses(state).items() if s == LOCKED]
    assert locked
    for mission_id in locked:
        view = game.mission_view(state, mission_id, "ana", ctx())
        assert "narrative" not in view and "play" not in view, mission_id


def test_available_view_has_narrative_and_play() -> None:
    """An available mission shows its narrative and its type's view."""
    game = small_game()
    view = game.mission_view(team(game, 1), "d1-enigme", "ana", ctx())
    assert view["status"] == "available"
    assert view["narrative"] == "Le récit de d1-enigme."
    assert view["play"] == {
        "question": "Qu'est-ce qui vous attend ?",
        "placeholder": None,
        "attempts": 0,
    }


def test_view_card_fields() -> None:
    """The card gives id, day, type, title, character, reward, requirements and offer count."""
    game = small_game()
    view = game.mission_view(team(game, 1), "d1-dialogue", "ana", ctx())
    assert {k: view[k] for k in view if k not in ("hints",)} == {
        "id": "d1-dialogue",
        "day": 1,
        "type": "dialogue",
        "title": "Mission d1-dialogue",
        "character": "maya",
        "reward": 6,
        "status": LOCKED,
        "requires": ["d1-enigme"],
        "offer_count": 2,
        "skills": [],
    }


def test_done_view_lists_the_unlocked_offers() -> None:
    """Only a done mission's view names the offers it unlocks."""
    game = small_game()
    state = team(game, 1)
    assert "unlocks" not in game.mission_view(state, "d1-enigme", "ana", ctx())
    state = game.play(state, "d1-enigme", act("answer", answer="avenir"), ctx()).state
    view = game.mission_view(state, "d1-enigme", "ana", ctx())
    assert view["status"] == DONE
    assert view["unlocks"] == ["cej"]
    assert "play" in view


def test_view_reflects_the_mission_state() -> None:
    """The play part shows the team's progress (here, attempts so far)."""
    game = small_game()
    state = game.play(team(game, 1), "d1-enigme", act("answer", answer="non"), ctx()).state
    view = game.mission_view(state, "d1-enigme", "ana", ctx())
    assert view["status"] == IN_PROGRESS
    assert view["play"]["attempts"] == 1


# --- split clues -------------------------------------------------------------------------


def test_split_clue_gives_each_present_player_a_different_fragment() -> None:
    """With six fragments and six players present, every player holds a different one."""
    game = small_game()
    state = team(game, 2)
    held = [
        [f["text"] for f in game.mission_view(state, "d2-indices", p, ctx())["play"]["fragments"]]
        for p in PLAYERS
    ]
    assert all(len(h) == 1 for h in held)
    assert sorted(h[0] for h in held) == sorted(FRAGMENTS)


def test_split_clue_gives_nothing_to_an_absent_player() -> None:
    """A player not present receives no fragment."""
    game = small_game()
    view = game.mission_view(team(game, 2), "d2-indices", "zoe", ctx())
    assert view["play"]["fragments"] == []
    assert view["play"]["fragment_count"] == 6


def test_split_clue_fewer_players_hold_every_fragment() -> None:
    """With two players present, the two hold different fragments that cover all six."""
    game = small_game()
    state = team(game, 2)
    present = ("ana", "bilal")
    held = [
        {
            f["index"]
            for f in game.mission_view(state, "d2-indices", p, ctx(present))["play"]["fragments"]
        }
        for p in present
    ]
    assert held[0].isdisjoint(held[1])
    assert held[0] | held[1] == set(range(1, 7))


def real_split_clues() -> list[str]:
    """Ids of the real content's split-clue missions."""
    return [m for m, mission in real_game().missions.items() if mission.type == "split-clue"]


@pytest.mark.parametrize("mission_id", real_split_clues())
def test_real_split_clue_fragments_are_all_held_by_six_players(mission_id: str) -> None:
    """Six present players together hold every fragment of each real split-clue mission."""
    game = real_game()
    state = team(game, *ALL_DAYS)
    state = all_in_progress(game, state)
    count = len(game.missions[mission_id].params["fragments"])
    held = [
        {f["index"] for f in game.mission_view(state, mission_id, p, ctx())["play"]["fragments"]}
        for p in PLAYERS
    ]
    assert set().union(*held) == set(range(1, count + 1))
    assert all(held), "every present player holds at least one fragment"
    if count == len(PLAYERS):
        assert len({frozenset(h) for h in held}) == len(PLAYERS)


# --- secrets -----------------------------------------------------------------------------


def own_secrets(params: dict[str, Any], mission_type: str) -> list[str]:
    """A mission's accepted answers or code."""
    if mission_type in ("enigma", "split-clue"):
        return list(params["answers"])
    if mission_type == "code-lock":
        return [params["code"]]
    return []


def public_text(game: Game, mission_id: str) -> str:
    """What a mission shows by design: id, title, narrative, offers, params minus secrets."""
    m = game.missions[mission_id]

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k not in SECRET_KEYS}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    return dumps([m.id, m.title, m.narrative, m.unlocks, strip(m.params)]).casefold()


@pytest.mark.parametrize("which", ["fresh", "in-progress", "done"])
def test_real_views_never_show_a_mission_own_answer_or_code(which: str) -> None:
    """No view of Tempo 2050 reveals its mission's answers or code beyond the authored text.

    Some puzzles show their answer on purpose (the casier's code is one of the listed
    passwords, split-clue fragments spell the answer): such a secret is not checked.
    """
    game = real_game()
    state = team_states(game)[which]
    checked = 0
    for mission_id, _, view in all_views(game, state):
        m = game.missions[mission_id]
        text = dumps(view).casefold()
        public = public_text(game, mission_id)
        for secret in own_secrets(m.params, m.type):
            if secret.casefold() not in public:
                checked += 1
                assert secret.casefold() not in text, (mission_id, secret)
    assert checked > 0


@pytest.mark.parametrize("which", ["fresh", "in-progress", "done"])
def test_real_views_have_no_secret_keys(which: str) -> None:
    """No view of Tempo 2050 holds a `correct`, `answers`, `code` or `placement` key.

    A quiz's `explanation` (and its verdict) appears only once the team has submitted it.
    """
    game = real_game()
    state = team_states(game)[which]
    for mission_id, _, view in all_views(game, state):
        keys = set(keys_of(view))
        if which == "done" and game.missions[mission_id].type == "quiz":
            assert view["play"]["attempts"] > 0, mission_id
            assert keys >= AFTER_ANSWER_KEYS, mission_id
            keys -= AFTER_ANSWER_KEYS
        assert not keys & SECRET_KEYS, mission_id
        assert not keys & AFTER_ANSWER_KEYS, mission_id


def test_real_quiz_views_have_no_correct_key() -> None:
    """Every quiz of Tempo 2050, in play, shows its choices without `correct` flags."""
    game = real_game()
    state = all_in_progress(game, team(game, *ALL_DAYS))
    quizzes = [m for m, mission in game.missions.items() if mission.type == "quiz"]
    assert quizzes
    for mission_id in quizzes:
        view = game.mission_view(state, mission_id, "ana", ctx())
        assert '"correct"' not in dumps(view), mission_id
        for question in view["play"]["questions"]:
            assert all(isinstance(c, str) for c in question["choices"])


def sealed_scenario() -> tuple[Scenario, list[str]]:
    """Tempo 2050 with every answer, code, quiz explanation and QR placement made unique."""
    raw = real_content().scenarios["tempo-2050"].model_dump(mode="json")
    secrets: list[str] = []

    def secret(n: int, kind: str) -> str:
        value = f"zq{kind}{n:03d}xw"
        secrets.append(value)
        return value

    for n, m in enumerate(m for day in raw["days"] for m in day["missions"]):
        params = m["params"]
        if m["type"] in ("enigma", "split-clue"):
            params["answers"] = [secret(n, "reponse"), secret(n, "autre")]
        elif m["type"] == "code-lock":
            params["code"] = f"ZQ{n:03d}XW"
            secrets.append(params["code"])
        elif m["type"] == "quiz":
            for q in params["questions"]:
                q["explanation"] = secret(n, "explication")
        elif m["type"] == "qr-checkpoint":
            for cp in params["checkpoints"]:
                cp["placement"] = secret(n, "placement")
    return Scenario.model_validate(raw), secrets


@pytest.mark.parametrize("which", ["fresh", "in-progress", "done"])
def test_no_secret_of_any_mission_appears_in_any_view(which: str) -> None:
    """With Tempo 2050's secrets made unique, none appears in any view of any mission.

    Quiz explanations are the exception once the quizzes were submitted: then every one shows.
    """
    sealed, secrets = sealed_scenario()
    game = Game(sealed, real_content().offers)
    state = team_states(game)[which]
    views = dumps([view for _, _, view in all_views(game, state)]).casefold()
    assert len(secrets) > 20
    explanations = [s for s in secrets if "explication" in s]
    if which == "done":
        assert explanations and all(s.casefold() in views for s in explanations)
        secrets = [s for s in secrets if s not in explanations]
    leaked = [s for s in secrets if s.casefold() in views]
    assert leaked == []


def test_on_wrong_is_in_the_view_with_its_character() -> None:
    """A mission's authored wrong-answer reaction is in its view once playable, said by its own
    `character` or, failing that, by the mission's character; declared as Markdown."""
    game = real_game()
    state = team(game, 1, 2)
    badge = game.mission_view(state, "d01-badge-entree", "ana", ctx())
    assert badge["on_wrong"]["character"] == "kronos" and badge["on_wrong"]["text"]
    answer = game.missions["d01-badge-entree"].params["answers"][0]
    state = game.play(state, "d01-badge-entree", act("answer", answer=answer), ctx()).state
    split = game.mission_view(state, "d01-annuaire", "ana", ctx())
    assert split["on_wrong"]["character"] == game.missions["d01-annuaire"].character
    assert "on_wrong.text" in game.view_markdown("d01-badge-entree")
    quiz = game.mission_view(state, "d01-cej-quiz", "ana", ctx())
    assert "on_wrong" not in quiz  # none authored: the phone uses the character's lines
    assert all(c.wrong_answer for c in game.scenario.characters)
