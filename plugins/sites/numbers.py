"""Areas and amounts as the pages and forms show them back (« 1 234,50 », « 12,5 »). Reading
what people type is the plugin API's ``parse_decimal`` and ``french_decimal``."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def format_decimal(value: Decimal | float | int, places: int = 2) -> str:
    """« 1 234,50 » with a narrow no-break space between thousands; whole numbers without
    decimals (« 120 »)."""
    number = Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if number == number.to_integral_value():
        number = number.quantize(Decimal(1))
    return f"{number:,}".replace(",", "\u202f").replace(".", ",")


def typed(value: Decimal | None) -> str:
    """A stored number as a form shows it back (« 12,5 », « 1250 »)."""
    if value is None:
        return ""
    text = f"{value.normalize():f}"
    return text.replace(".", ",")
