"""What one value of a row becomes in a downloaded table (core/web/exports.py): a typed cell
that the CSV writer shows as French text and the Excel writer stores with its own type.

Both formats go through ``cell()``, so that a value reads the same in either file, and both
neutralise formula injection the same way: a text beginning with ``=``, ``+``, ``-``, ``@``, a
tab or a carriage return is what Excel and LibreOffice would run as a formula (``=cmd|' /C
calc'!A0`` starts a program), so it is prefixed with ``'``. Numbers are never text here: a
negative number stays a number.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from enum import Enum
from typing import Any, Literal

from core.agenda.clock import in_paris

Kind = Literal["text", "date"]
KINDS: frozenset[str] = frozenset({"text", "date"})

# What a spreadsheet would read as the start of a formula (OWASP, « CSV injection »).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PREFIX = "'"
# Control characters no spreadsheet cell holds and XML 1.0 cannot carry (openpyxl refuses
# them), with the two non-characters and lone surrogates that cannot be encoded either.
# Tab, line feed and carriage return stay.
UNSAFE_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")

# A cell is one of these: None (empty), bool, int, float, Decimal, date, datetime (naive, in
# Paris time: spreadsheets have no time zones), time, or str (text, already neutralised).
Cell = None | bool | int | float | Decimal | date | datetime | time | str


def read(row: Any, key: str) -> Any:
    """The field ``key`` of a row: a key of a dict or mapping, else an attribute (ORM
    objects, SQLAlchemy rows, dataclasses)."""
    if isinstance(row, Mapping):
        return row[key]
    return getattr(row, key)


def cell(value: Any, kind: Kind | None = None, decimals: int | None = None) -> Cell:
    """``value`` as a cell. ``kind="text"`` keeps anything as its French text (a number that
    is a code, say); ``kind="date"`` shows a datetime as its Paris day; ``decimals`` rounds a
    number to that many places (half up)."""
    typed = _typed(value, decimals)
    if kind == "text" and typed is not None and not isinstance(typed, str):
        typed = french_text(typed)
    elif kind == "date" and isinstance(typed, datetime):
        typed = typed.date()
    return neutralised(typed) if isinstance(typed, str) else typed


def _typed(value: Any, decimals: int | None) -> Cell:
    """The value with its type for a spreadsheet, text not yet neutralised."""
    if value is None or (isinstance(value, bool | int | str) and not isinstance(value, Enum)):
        return value
    if isinstance(value, Enum):
        label = getattr(value, "label", None)
        return label if isinstance(label, str) else _typed(value.value, decimals)
    if isinstance(value, float | Decimal):
        if not (math.isfinite(value) if isinstance(value, float) else value.is_finite()):
            return None  # no spreadsheet holds NaN or infinity
        if decimals is not None:
            exact = Decimal(repr(value)) if isinstance(value, float) else value
            return exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
        return value
    if isinstance(value, datetime):
        # Stored aware in UTC; a naive one is taken as already in Paris time.
        return in_paris(value).replace(tzinfo=None) if value.tzinfo is not None else value
    if isinstance(value, date | time):
        return value.replace(tzinfo=None) if isinstance(value, time) else value
    if isinstance(value, list | tuple):
        return ", ".join(french_text(_typed(item, decimals)) for item in value)
    return str(value)


def french_text(value: Cell) -> str:
    """A typed cell as French Excel and LibreOffice read it in a CSV file."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float | Decimal):
        # Shortest exact digits, never an exponent, a decimal comma and no thousands separator.
        exact = Decimal(repr(value)) if isinstance(value, float) else value
        return format(exact, "f").replace(".", ",")
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, time):
        return value.strftime("%H:%M")
    return value


def neutralised(text: str) -> str:
    """The text without the characters no cell holds, prefixed with ``'`` when a
    spreadsheet would take it for a formula."""
    text = UNSAFE_CHARACTERS.sub("", text)
    return PREFIX + text if text.startswith(FORMULA_STARTS) else text
