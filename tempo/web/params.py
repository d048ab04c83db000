"""Numbers in URLs and forms, bounded: a huge integer is refused with a 400 before it reaches the
database (SQLite cannot hold more than 64 bits, PostgreSQL's integer columns 32)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

# The largest id or number a route accepts: PostgreSQL's `integer`.
MAX_INT = 2**31 - 1


def bounded_int(raw: str | None) -> int | None:
    """`raw` as a non-negative integer if it is one within bounds, else None."""
    text = (raw or "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > len(str(MAX_INT)):
        return None
    value = int(text)
    return value if value <= MAX_INT else None


class OutOfRange(BadRequest):
    """A number or a date no page could ever hold (its French message is shown as is)."""


def out_of_range() -> OutOfRange:
    """The refusal of a number or a date beyond any possible value."""
    return OutOfRange(_("Ce nombre ou cette date est hors des limites possibles."))


class BoundedIntConverter(IntegerConverter):
    """`<int:…>` in routes, refusing numbers beyond `MAX_INT` with a 400."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(map, *args, **kwargs)
        self.max = None  # checked in to_python, to answer 400 rather than 404

    def to_python(self, value: str) -> Any:
        """The number, or a 400 when it is out of range."""
        number = super().to_python(value)
        if isinstance(number, int) and number > MAX_INT:
            raise out_of_range()
        return number
