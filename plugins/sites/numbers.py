"""Areas and amounts as French people type them (« 12,5 », « 1 250 ») and as pages show them.

The same reading as Territoire zéro chômeur's (``plugins/tzcld/forms_register.py``): a second
plugin needing it is the moment to move it into the plugin API; until then each plugin keeps
its copy, since a plugin imports nothing but ``core.plugin_api``.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from flask_wtf import FlaskForm
from wtforms.validators import ValidationError

# Digits 0-9 only: Decimal() would also read Arabic-Indic or full-width digits, and exponents
# (« 1e400 ») that overflow every later computation.
NUMBER = re.compile(r"[0-9]+(?:[.,][0-9]+)?", re.ASCII)
CENT = Decimal("0.01")


def parse_decimal(text: str | None, *, example: str, largest: Decimal) -> Decimal | None:
    """« 24 », « 17,5 », « 1 250,75 »; None when left empty. Two decimals at most, no sign,
    below ``largest``. Raises ValueError with the French message."""
    if not text:
        return None
    cleaned = re.sub(r"[\s\u202f\u00a0]", "", text)
    if not NUMBER.fullmatch(cleaned):
        raise ValueError(f"Un nombre positif, par exemple {example}.")
    number = Decimal(cleaned.replace(",", "."))
    if number >= largest:
        raise ValueError(f"Un nombre plus petit que {format_decimal(largest)}, par exemple {example}.")
    if number != number.quantize(CENT):
        raise ValueError(f"Deux décimales au plus, par exemple {example}.")
    return number


def french_decimal(*, example: str, largest: Decimal, positive: bool = False) -> Any:
    """A validator reading the field as ``parse_decimal`` does; ``positive`` refuses 0."""
    def check(_form: FlaskForm, field: Any) -> None:
        try:
            number = parse_decimal(field.data, example=example, largest=largest)
        except ValueError as error:
            raise ValidationError(str(error)) from None
        if positive and number is not None and number == 0:
            raise ValidationError(f"Un nombre plus grand que 0, par exemple {example}.")
    return check


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
