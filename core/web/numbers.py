"""Numbers as the pages show them: French, « 1 234,5 ».

CLDR's French format: a decimal comma, and a narrow no-break space (U+202F) between groups of
three digits, so that « 12 350 » never breaks across two lines. The output is Babel's
``format_decimal(value, format=..., locale="fr")``, character for character
(tests/test_charts.py compares them), without loading Babel's locale data for it.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

GROUP = "\u202f"  # narrow no-break space, CLDR's French grouping separator
DECIMAL = ","
UNIT_SPACE = "\u00a0"  # between a number and its unit: « 12,5 h » stays on one line
_QUANTA = tuple(Decimal(1).scaleb(-places) for places in range(7))


def format_number(value: float, decimals: int = 0) -> str:
    """``value`` rounded to ``decimals`` places, in French: ``format_number(1234.5, 2)`` is
    « 1 234,50 », ``format_number(12)`` « 12 ».

    Rounded as written, half to even, as Babel does: 2.675 gives « 2,68 » (the float's
    binary value, 2.67499…, would give « 2,67 »). Unlike Babel, -0.001 gives « 0 », not « -0 ».
    """
    if decimals < 0:
        raise ValueError("decimals must be 0 or more")
    quantum = _QUANTA[decimals] if decimals < len(_QUANTA) else Decimal(1).scaleb(-decimals)
    rounded = Decimal(str(value)).quantize(quantum, ROUND_HALF_EVEN)
    if rounded.is_zero():
        rounded = abs(rounded)
    return f"{rounded:,f}".replace(",", GROUP).replace(".", DECIMAL)


def with_unit(number: str, unit: str) -> str:
    """« 12,5 h »: the number and its unit, held together."""
    return f"{number}{UNIT_SPACE}{unit}" if unit else number


# --- numbers typed in forms ----------------------------------------------------------------

# Digits 0-9 only: Decimal() would also read Arabic-Indic or full-width digits, and exponents
# (« 1e400 ») that overflow every later computation.
_TYPED = re.compile(r"([+-]?)([0-9]+(?:[.,][0-9]+)?)", re.ASCII)
_SPACES = re.compile(r"[\s\u202f\u00a0]")
LARGEST = Decimal(10) ** 9
_PLACES = {1: "Une décimale", 2: "Deux décimales", 3: "Trois décimales", 4: "Quatre décimales"}


def parse_decimal(text: str | None, *, places: int = 2, example: str = "12,5",
                  largest: Decimal = LARGEST, signed: bool = False) -> Decimal | None:
    """A number as French people type it: « 24 », « 17,5 » or « 17.5 », « 1 250,75 », with its
    unit if typed (« 95 % », « 11,88 € »); None when left empty. At most ``places`` decimals,
    below ``largest`` in size, negative only if ``signed``. Raises ValueError with the French
    message."""
    if not text or not text.strip():
        return None
    cleaned = _SPACES.sub("", text).removesuffix("%").removesuffix("€")
    match = _TYPED.fullmatch(cleaned)
    if match is None or (match.group(1) == "-" and not signed):
        raise ValueError(f"Un nombre{'' if signed else ' positif'}, par exemple {example}.")
    number = Decimal(cleaned.replace(",", "."))
    if abs(number) >= largest:
        raise ValueError(f"Un nombre plus petit que {format_number(float(largest))}, par exemple {example}.")
    if number != number.quantize(Decimal(1).scaleb(-places)):
        raise ValueError(f"{_PLACES.get(places, f'{places} décimales')} au plus, par exemple {example}."
                         if places else f"Un nombre entier, par exemple {example}.")
    return number


def french_decimal(*, places: int = 2, example: str = "12,5", largest: Decimal = LARGEST,
                   signed: bool = False, positive: bool = False) -> Any:
    """A WTForms validator reading a text field as ``parse_decimal`` does (the message next to
    the field); ``positive`` also refuses 0. Read the value in the view with ``parse_decimal``
    and the same arguments."""
    from wtforms.validators import ValidationError

    def check(_form: Any, field: Any) -> None:
        try:
            number = parse_decimal(field.data, places=places, example=example, largest=largest,
                                   signed=signed)
        except ValueError as error:
            raise ValidationError(str(error)) from None
        if positive and number is not None and number == 0:
            raise ValidationError(f"Un nombre plus grand que 0, par exemple {example}.")
    return check
