"""Joining a team: pseudonyms (generated or chosen, insults refused), rejoin codes, capacity."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tempo.infra.transactions import lock_row, write_transaction
from tempo.missions.base import normalise
from tempo.models import CohortStatus, Player, Team
from tempo.services.play.actions import PlayError
from tempo.services.play.codes import new_code, normalise_code
from tempo.services.play.teamlog import record_event

_ADJECTIVES = (
    "Agile",
    "Brillant",
    "Cosmique",
    "Curieux",
    "Discret",
    "Électrique",
    "Fidèle",
    "Futé",
    "Galactique",
    "Intrépide",
    "Lumineux",
    "Magnétique",
    "Malin",
    "Patient",
    "Rapide",
    "Rusé",
    "Solaire",
    "Stellaire",
    "Tenace",
    "Vif",
)
_NOUNS = (
    "Comète",
    "Hibou",
    "Panda",
    "Renard",
    "Lynx",
    "Faucon",
    "Nova",
    "Orbite",
    "Pixel",
    "Robot",
    "Satellite",
    "Tigre",
    "Dauphin",
    "Éclair",
    "Volcan",
    "Cyclone",
    "Koala",
    "Loup",
    "Phénix",
    "Quasar",
)
# Words refused in pseudonyms, compared after folding case, accents and punctuation. Kept short
# and obvious on purpose: counsellors can rename or move a player from the console.
_BLOCKED = frozenset(
    normalise(w)
    for w in (
        "connard",
        "connasse",
        "con",
        "conne",
        "salope",
        "salaud",
        "pute",
        "putain",
        "encule",
        "enculé",
        "batard",
        "bâtard",
        "merde",
        "nique",
        "niquer",
        "ntm",
        "fdp",
        "pd",
        "pede",
        "pédé",
        "tapette",
        "gouine",
        "negre",
        "nègre",
        "bougnoule",
        "youpin",
        "bite",
        "couille",
        "chatte",
        "abruti",
        "debile",
        "débile",
        "cretin",
        "crétin",
        "mongol",
        "tg",
        "ta gueule",
        "fuck",
        "shit",
        "bitch",
        "nazi",
        "hitler",
        "pétasse",
        "petasse",
        "grognasse",
        "trisomique",
        "attardé",
        "clochard",
        "chienne",
        "porn",
        "porno",
        "sexe",
        "suicide",
    )
)
_ALLOWED = re.compile(r"^[\w' .-]{2,24}$", re.UNICODE)
REJOIN_CODE_LENGTH = 8


@dataclass
class Joined:
    """A player who joined, and the versioned event telling the team."""

    player: Player
    event: dict[str, Any]


def suggest_pseudonym() -> str:
    """A friendly generated pseudonym, e.g. « Comète Agile »."""
    return f"{secrets.choice(_NOUNS)} {secrets.choice(_ADJECTIVES)}"


def pseudonym_problem(raw: str) -> str | None:
    """Why a pseudonym is refused (French), or None when it is fine."""
    name = " ".join(raw.split())
    if not 2 <= len(name) <= 24:
        return "Ton pseudo doit faire entre 2 et 24 caractères."
    if not _ALLOWED.match(name) or name.isdigit():
        return "Ton pseudo peut contenir des lettres, des chiffres, des espaces, - et '."
    folded = normalise(name)
    words = folded.split()
    squashed = folded.replace(" ", "")
    for blocked in _BLOCKED:
        if (
            blocked in words
            or (len(blocked) >= 5 and blocked.replace(" ", "") in squashed)
            or (" " in blocked and blocked in folded)
        ):
            return (
                "Ce pseudo n'est pas accepté. Choisis-en un autre, respectueux pour tout le monde."
            )
    return None


def join_closed(team: Team) -> str | None:
    """Why a team's join code admits nobody now (French), or None when it does.

    A join code lives as long as its cohort: it stops admitting players once the cohort has
    finished, or earlier when the counsellor closes the team to new arrivals (`Team.locked`).
    """
    if team.locked:
        return (
            f"L'équipe {team.name} est fermée aux nouvelles arrivées. "
            "Demande à ton conseiller de l'ouvrir ou de t'indiquer une autre équipe."
        )
    if team.cohort.status is CohortStatus.FINISHED:
        return "Cette aventure est terminée : on ne peut plus rejoindre ses équipes."
    return None


def places_left(session: Session, team: Team) -> int:
    """How many players the team can still take (never negative)."""
    count = session.scalar(
        select(func.count()).select_from(Player).where(Player.team_id == team.id)
    )
    return max(0, team.capacity - (count or 0))


def join_team(
    session: Session, team_id: int, pseudonym: str, now: datetime, first_name: str | None = None
) -> Joined:
    """Add a player to a team, refusing a full team, a taken or an offensive pseudonym."""
    name = " ".join(pseudonym.split())
    problem = pseudonym_problem(name)
    if problem:
        raise PlayError("invalid_pseudonym", problem)
    with write_transaction(session):
        team = lock_row(session, Team, Team.id == team_id)
        if team is None:
            raise PlayError("unknown_team", "Cette équipe n'existe plus.")
        closed = join_closed(team)
        if closed:
            raise PlayError("team_closed", closed)
        count = session.scalar(
            select(func.count()).select_from(Player).where(Player.team_id == team.id)
        )
        if (count or 0) >= team.capacity:
            raise PlayError(
                "team_full",
                f"L'équipe {team.name} est complète ({team.capacity} joueurs). "
                "Demande à ton conseiller de t'indiquer une autre équipe.",
            )
        taken = session.scalar(
            select(Player.id).where(
                Player.team_id == team.id, func.lower(Player.pseudonym) == name.lower()
            )
        )
        if taken is not None:
            raise PlayError(
                "pseudonym_taken", f"« {name} » est déjà pris dans ton équipe. Choisis-en un autre."
            )
        player = Player(
            team_id=team.id,
            pseudonym=name,
            first_name=(first_name or "").strip()[:60] or None,
            rejoin_code=new_code(session, Player.rejoin_code, REJOIN_CODE_LENGTH),
            joined_at=now,
            last_seen_at=now,
        )
        session.add(player)
        session.flush()
        event = record_event(
            session,
            team,
            "player.joined",
            {"player": {"id": player.id, "pseudonym": player.pseudonym}},
            now,
            player_id=player.id,
        )
    return Joined(player, event)


def player_by_rejoin_code(session: Session, raw: str) -> Player | None:
    """The player whose personal code this is (typed with spaces or lower case, or scanned)."""
    code = normalise_code(raw)
    if len(code) != REJOIN_CODE_LENGTH:
        return None
    return session.scalar(select(Player).where(Player.rejoin_code == code))
