"""Helpers for recap tests: a cohort on the real Tempo 2050 content, missions solved for real."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import Session

from tempo.infra.transactions import write_transaction
from tempo.models import Cohort, Player, StaffAccount, Team
from tempo.services.cohorts.admin import create_cohort
from tempo.services.content import games
from tempo.services.content.publishing import load_valid_content, publish
from tempo.services.play import actions as play
from tests.conftest import CONTENT_DIR
from tests.engine.kit import dialogue_path

# create_cohort on Monday 2026-03-23: days open at 09:30 and close at 17:00 in Paris (UTC+1).
START = date(2026, 3, 23)
DAY1_UNLOCK = datetime(2026, 3, 23, 8, 30, tzinfo=UTC)
DAY1_CLOSE = datetime(2026, 3, 23, 16, 0, tzinfo=UTC)
DAY2_UNLOCK = datetime(2026, 3, 24, 8, 30, tzinfo=UTC)
DAY2_CLOSE = datetime(2026, 3, 24, 16, 0, tzinfo=UTC)

_seq = itertools.count(1)
_content: Any = None


def content() -> Any:
    """The real content, loaded once."""
    global _content
    if _content is None:
        _content = load_valid_content(CONTENT_DIR)
    return _content


def real_cohort(
    session: Session,
    teams: tuple[str, ...] = ("Alpha", "Bravo"),
    counsellors: tuple[StaffAccount, ...] = (),
    slug: str | None = None,
    start: date = START,
) -> Cohort:
    """A scheduled cohort on Tempo 2050 (from START unless told), committed."""
    with write_transaction(session):
        version = publish(session, content(), "tempo-2050")
        cohort = create_cohort(
            session,
            version,
            slug=slug or f"recaps-{next(_seq)}",
            name="Promo récaps",
            start=start,
            team_names=teams,
            counsellors=counsellors,
        )
    return cohort


def join(
    session: Session,
    team: Team,
    pseudonym: str,
    first_name: str | None = None,
    email: str | None = None,
    consent: bool = True,
) -> Player:
    """A player in `team`, with a first name and an e-mail (consented unless told) if given."""
    with write_transaction(session):
        player = Player(
            team_id=team.id,
            pseudonym=pseudonym,
            first_name=first_name,
            rejoin_code=f"RC{next(_seq):06d}",
            email=email,
            email_consent=email is not None and consent,
        )
        session.add(player)
    return player


def solve(session: Session, player: Player, mission_id: str, now: datetime) -> None:
    """Play a mission to completion through the live-play service, as `player`."""
    game = games.cohort_game(player.team.cohort)
    mission = game.missions[mission_id]
    p = mission.params
    actions: list[tuple[str, dict[str, Any]]]
    if mission.type in ("enigma", "split-clue"):
        actions = [("answer", {"answer": p["answers"][0]})]
    elif mission.type == "code-lock":
        actions = [("try", {"code": p["code"]})]
    elif mission.type == "quiz":
        answers = [
            [i for i, c in enumerate(q["choices"]) if c.get("correct")] for q in p["questions"]
        ]
        actions = [("submit", {"answers": answers})]
    elif mission.type == "dialogue":
        actions = [("choose", {"choice": i}) for i in dialogue_path(p, p["start"], {})]
    else:  # pragma: no cover - tests only solve these types
        raise AssertionError(mission.type)
    for kind, data in actions:
        reply = play.perform(
            session, player, f"t-{next(_seq)}", mission_id, kind, data, now, [player.id]
        )
        assert reply.ok, (mission_id, reply.error)


def wrong(session: Session, player: Player, mission_id: str, now: datetime) -> None:
    """A wrong answer to an enigma."""
    reply = play.perform(
        session, player, f"t-{next(_seq)}", mission_id, "answer", {"answer": "non"}, now
    )
    assert reply.error and reply.error["code"] == "wrong_answer"


def hint(session: Session, player: Player, mission_id: str, now: datetime) -> None:
    """Buy a mission's first hint."""
    reply = play.buy_hint(session, player, f"t-{next(_seq)}", mission_id, 0, now)
    assert reply.ok, reply.error
