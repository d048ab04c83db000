"""Content errors located by file, line and path, with French messages for authors."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

Loc = tuple[str | int, ...]


@dataclass(frozen=True, order=True)
class ContentError:
    """One problem in one content file."""

    file: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where} {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


def format_loc(loc: Loc) -> str:
    """`('missions', 2, 'requires')` -> `missions[2].requires`."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _expected(ctx: Mapping[str, Any] | None) -> str:
    return str((ctx or {}).get("expected", ""))


# Pydantic's English messages, by error type, in the words an author reads.
_MESSAGES: dict[str, str] = {
    "missing": "champ obligatoire manquant",
    "extra_forbidden": "champ inconnu (faute de frappe ?)",
    "string_type": "doit être un texte",
    "int_type": "doit être un nombre entier",
    "int_parsing": "doit être un nombre entier",
    "int_from_float": "doit être un nombre entier",
    "bool_type": "doit être true ou false",
    "bool_parsing": "doit être true ou false",
    "list_type": "doit être une liste (lignes commençant par « - »)",
    "dict_type": "doit être un ensemble de champs « clé: valeur »",
    "model_type": "doit être un ensemble de champs « clé: valeur »",
    "model_attributes_type": "doit être un ensemble de champs « clé: valeur »",
}


#: The schemas' patterns in words: an author who never read a regular expression is told what
#: to type.
PATTERNS: dict[str, str] = {
    r"^[a-z0-9][a-z0-9-]*$": (
        "minuscules sans accent, chiffres et tirets, sans espace (exemple : ma-mission-2)"
    ),
    r"^[0-9A-Z]{3,8}$": "de 3 à 8 chiffres ou lettres majuscules sans accent (exemple : 4821)",
    r"^([01][0-9]|2[0-3]):[0-5][0-9]$": "une heure HH:MM, de 00:00 à 23:59 (exemple : 09:30)",
    r"^#[0-9a-fA-F]{6}$": "une couleur #RRVVBB (exemple : #2563eb)",
}

#: How many known ids an « unknown reference » message lists before « … ».
KNOWN_SHOWN = 12


def unknown(what: str, ident: str, known: Iterable[str], *, feminine: bool = False) -> str:
    """« personnage inconnu : 'zoe' (connus : kronos, maya) »: the ids the author could mean."""
    names = sorted(set(known))
    shown = ", ".join(names[:KNOWN_SHOWN]) + (", …" if len(names) > KNOWN_SHOWN else "")
    e = "e" if feminine else ""
    listed = f" (connu{e}s : {shown})" if names else f" (aucun{e} n'est défini{e})"
    return f"{what} inconnu{e} : {ident!r}{listed}"


def translate(err: Mapping[str, Any], typed: str | None = None) -> str:
    """A French message for one pydantic error; `typed` is the source text of a YAML number.

    YAML reads a bare `10:00` as the number 600 and `0042` as 42: where a text was expected,
    the author is told to quote what they typed.
    """
    kind = str(err.get("type", ""))
    if kind == "string_type" and typed is not None:
        return f'doit être un texte : mettez la valeur entre guillemets ("{typed}")'
    ctx = err.get("ctx") or {}
    if kind in _MESSAGES:
        return _MESSAGES[kind]
    if kind == "string_too_short":
        return "ne doit pas être vide"
    if kind == "too_short":
        return f"au moins {ctx.get('min_length')} élément(s) attendu(s)"
    if kind == "too_long":
        return f"au plus {ctx.get('max_length')} élément(s) autorisé(s)"
    if kind == "string_too_long":
        return f"texte trop long ({ctx.get('max_length')} caractères au plus)"
    if kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern"))
        if pattern in PATTERNS:
            return f"format invalide : {PATTERNS[pattern]}"
        return f"format invalide (attendu : motif {pattern})"
    if kind == "literal_error":
        return f"valeur non autorisée (valeurs possibles : {_expected(ctx)})"
    if kind in ("greater_than_equal", "greater_than"):
        return f"doit être supérieur ou égal à {ctx.get('ge', ctx.get('gt'))}"
    if kind in ("less_than_equal", "less_than"):
        return f"doit être inférieur ou égal à {ctx.get('le', ctx.get('lt'))}"
    if kind == "value_error":
        return str(ctx.get("error", err.get("msg", "")))
    return str(err.get("msg", kind))
