"""Short codes people type or scan: unambiguous letters and digits, unique in their column."""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute, Session

from tempo.missions.base import compact_code

# No 0/O, 1/I/L: codes are read aloud and typed on phones.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_code(session: Session, column: InstrumentedAttribute[Any], length: int) -> str:
    """A random code not yet used in `column`."""
    while True:
        code = "".join(secrets.choice(ALPHABET) for _ in range(length))
        if session.scalar(select(column).where(column == code)) is None:
            return code


def normalise_code(raw: str) -> str:
    """A code as people type it (« azm ndg », « AZM-NDG ») as it is printed: « AZMNDG »."""
    return compact_code(raw)
