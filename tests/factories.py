"""Factories for model tests: small valid objects with sensible defaults."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from tempo.models import Player, Role, ScenarioVersion, StaffAccount, Team
from tempo.services.cohorts.admin import create_cohort
from tempo.services.staff.accounts import create_staff

_seq = itertools.count(1)


def frozen_content(strength: int = 100) -> dict[str, Any]:
    """A minimal valid frozen scenario: ten days with their hours and one enigma each."""
    days = [
        {
            "day": n,
            "title": f"Jour {n}",
            "intro": "Intro",
            "unlock_at": "09:30",
            "recap_at": "17:00",
            "missions": [
                {
                    "id": f"m{n}",
                    "type": "enigma",
                    "title": f"Mission {n}",
                    "narrative": "Une mission.",
                    "requires": [],
                    "reward": 5,
                    "params": {"question": "Le mot ?", "answers": ["tempo"]},
                }
            ],
        }
        for n in range(1, 11)
    ]
    return {
        "scenario": {
            "meta": {
                "slug": "mini",
                "title": "Mini",
                "tagline": "Un scénario minuscule pour les tests.",
                "version": "1.0",
                "company": "Horizon 2050",
                "story": "Une histoire très courte.",
                "ai": {"name": "KRONOS", "strength": strength},
            },
            "characters": [],
            "days": days,
        },
        "offers": [],
        "diagnostic": {},
    }


def scenario_version(session: Session, **kw: Any) -> ScenarioVersion:
    """A published scenario version."""
    n = next(_seq)
    version = ScenarioVersion(
        slug=kw.get("slug", "mini"),
        label="1.0",
        title="Mini",
        content_hash=kw.get("content_hash", f"hash-{n}"),
        content=kw.get("content", frozen_content()),
    )
    session.add(version)
    session.flush()
    return version


def staff(session: Session, role: Role = Role.COUNSELLOR) -> StaffAccount:
    """A staff account with a known password ('mot-de-passe-test')."""
    n = next(_seq)
    return create_staff(session, f"staff{n}@example.org", f"Staff {n}", role, "mot-de-passe-test")


def cohort(session: Session, teams: tuple[str, ...] = ("Alpha", "Bravo"), **kw: Any):  # type: ignore[no-untyped-def]
    """A cohort on a fresh scenario version, starting on a Monday."""
    n = next(_seq)
    return create_cohort(
        session,
        kw.pop("version", None) or scenario_version(session),
        slug=kw.pop("slug", f"cohorte-{n}"),
        name=kw.pop("name", f"Cohorte {n}"),
        start=kw.pop("start", date(2026, 3, 23)),
        team_names=teams,
        **kw,
    )


def player(session: Session, team: Team, pseudonym: str | None = None) -> Player:
    """A player in `team`."""
    n = next(_seq)
    p = Player(team=team, pseudonym=pseudonym or f"Joueur{n}", rejoin_code=f"RJ{n:06d}")
    session.add(p)
    session.flush()
    return p
