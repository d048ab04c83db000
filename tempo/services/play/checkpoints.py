"""QR checkpoints: tokens signed for one cohort and one checkpoint, short codes, scans."""

from __future__ import annotations

import hashlib
import hmac
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from tempo.engine.team import Game
from tempo.missions.qr_checkpoint import QrCheckpointParams
from tempo.models import Cohort, MissionProgress, Player, Team
from tempo.services.content import games
from tempo.services.play import actions as play
from tempo.services.play.codes import ALPHABET, normalise_code

_SALT = "tempo-checkpoint"
SHORT_CODE_LENGTH = 6
# Refusals of a scan that the team already made: the scanner is shown the checkpoint instead.
REPEATED = frozenset({"already_scanned", "already_done"})


@dataclass(frozen=True)
class Repeat:
    """A checkpoint the team had already validated: where it is, and who validated it."""

    mission_id: str
    label: str
    by: str | None  # the validating teammate's pseudonym (None for scans recorded before it was)


def sign(secret: str, cohort_id: int, checkpoint_id: str) -> str:
    """The token printed (inside a URL) on a checkpoint's QR code."""
    return URLSafeSerializer(secret, salt=_SALT).dumps([cohort_id, checkpoint_id])


def read(secret: str, token: str) -> tuple[int, str] | None:
    """(cohort id, checkpoint id) of a genuine token; None for a forged or damaged one."""
    try:
        value = URLSafeSerializer(secret, salt=_SALT).loads(token)
    except BadSignature:
        return None
    if (
        isinstance(value, list)
        and len(value) == 2
        and isinstance(value[0], int)
        and isinstance(value[1], str)
    ):
        return value[0], value[1]
    return None


def short_code(secret: str, cohort_id: int, checkpoint_id: str) -> str:
    """The six-character code printed under a checkpoint's QR code, typed as a fallback."""
    digest = hmac.new(
        secret.encode(), f"{_SALT}:{cohort_id}:{checkpoint_id}".encode(), hashlib.sha256
    ).digest()
    return "".join(ALPHABET[b % len(ALPHABET)] for b in digest[:SHORT_CODE_LENGTH])


def checkpoints(game: Game) -> dict[str, str]:
    """Every checkpoint id of a scenario and the mission it belongs to."""
    found: dict[str, str] = {}
    for mission_id, params in game.params.items():
        if isinstance(params, QrCheckpointParams):
            for cp in params.checkpoints:
                found[cp.id] = mission_id
    return found


def by_short_code(secret: str, cohort_id: int, game: Game, raw: str) -> str | None:
    """The checkpoint whose short code this is, for this cohort."""
    code = normalise_code(raw)
    for checkpoint_id in checkpoints(game):
        if hmac.compare_digest(short_code(secret, cohort_id, checkpoint_id), code):
            return checkpoint_id
    return None


# The scan page's reads, built once (a poster scanned by every phone of a team in turn).
_TEAM_GAME = (
    select(Team.cohort_id, Cohort.scenario_version_id)
    .join(Cohort, Cohort.id == Team.cohort_id)
    .where(Team.id == bindparam("team_id"))
)
_STATE = select(MissionProgress.state).where(
    MissionProgress.team_id == bindparam("team_id"),
    MissionProgress.mission_id == bindparam("mission_id"),
)
_PSEUDONYM = select(Player.pseudonym).where(Player.id == bindparam("player_id"))


@dataclass(frozen=True)
class Scanner:
    """Who scans, read once before the scan's transaction: that transaction expires the ORM
    objects of the session, and reading them again afterwards cost a query each (the
    scan's page answered in about 6 ms, a third of it reloading the player, team and cohort)."""

    player_id: int
    team_id: int
    cohort_id: int
    game: Game

    @classmethod
    def of(cls, session: Session, player: Player) -> Scanner:
        """The scanning player's ids and game, in one statement."""
        cohort_id, version_id = session.execute(_TEAM_GAME, {"team_id": player.team_id}).one()
        game = games.version_game(session, version_id)
        assert game is not None  # a cohort's version is never deleted (foreign key)
        return cls(player.id, player.team_id, cohort_id, game)


def scan(
    session: Session,
    scanner: Scanner,
    cohort_id: int,
    checkpoint_id: str,
    now: datetime,
    present: Sequence[int] = (),
    limits: play.Limits = play.DEFAULT_LIMITS,
) -> play.Reply:
    """Validate a verified checkpoint for the player's team."""
    if cohort_id != scanner.cohort_id:
        raise play.PlayError(
            "foreign_code",
            "Ce code QR appartient à une autre promotion Tempo : il ne compte pas pour ton équipe.",
        )
    mission_id = checkpoints(scanner.game).get(checkpoint_id)
    if mission_id is None:
        raise play.PlayError(
            "wrong_checkpoint", "Ce code QR ne correspond à aucune balise de ton aventure."
        )
    return play.perform_as(
        session,
        scanner.player_id,
        play.server_action_id("scan", uuid.uuid4()),
        mission_id,
        "scan",
        {"checkpoint": checkpoint_id},
        now,
        present,
        limits,
    )


def already_validated(session: Session, scanner: Scanner, checkpoint_id: str) -> Repeat | None:
    """The checkpoint if the player's team has validated it already, with who did."""
    game = scanner.game
    mission_id = checkpoints(game).get(checkpoint_id)
    if mission_id is None:
        return None
    state = session.scalar(_STATE, {"team_id": scanner.team_id, "mission_id": mission_id})
    if not state or checkpoint_id not in state.get("scanned", []):
        return None
    params = game.params[mission_id]
    assert isinstance(params, QrCheckpointParams)
    label = next(cp.label for cp in params.checkpoints if cp.id == checkpoint_id)
    by_id = (state.get("by") or {}).get(checkpoint_id)
    by = None
    if isinstance(by_id, str) and by_id.isdigit():
        by = session.scalar(_PSEUDONYM, {"player_id": int(by_id)})
    return Repeat(mission_id, label, by)
