"""Numbers as the pages show them: French, « 1 234,5 ».

CLDR's French format: a decimal comma, and a narrow no-break space (U+202F) between groups of
three digits, so that « 12 350 » never breaks across two lines. The output is Babel's
``format_decimal(value, format=..., locale="fr")``, character for character
(tests/test_charts.py compares them), without loading Babel's locale data for it.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

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
