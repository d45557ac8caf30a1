"""The plugin API's months and its reading of numbers typed in forms, shared by every plugin."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.plugin_api import add_months, month_bounds, month_label, months_between, parse_decimal


@pytest.mark.parametrize(("typed", "read"), [
    ("24", Decimal(24)), ("17,5", Decimal("17.5")), ("17.5", Decimal("17.5")),
    ("1 250,75", Decimal("1250.75")), ("1\u202f250", Decimal(1250)), ("95 %", Decimal(95)),
    ("11,88 €", Decimal("11.88")), ("", None), ("  ", None)])
def test_a_number_is_read_as_french_people_type_it(typed, read):
    assert parse_decimal(typed) == read


@pytest.mark.parametrize(("typed", "words"), [
    ("-1", "positif"), ("1e400", "positif"), ("٣٥", "positif"), ("１２", "positif"),
    ("12,345", "Deux décimales"),
    ("1 000 000 000", "plus petit que"), ("12,5,5", "positif"), ("NaN", "positif"), ("Infinity", "positif")])
def test_anything_else_is_refused_in_french(typed, words):
    with pytest.raises(ValueError, match=words):
        parse_decimal(typed)


def test_signed_places_and_largest_are_the_callers():
    assert parse_decimal("-2,5", signed=True) == Decimal("-2.5")
    assert parse_decimal("11,8812", places=4) == Decimal("11.8812")
    with pytest.raises(ValueError, match="plus petit que 100"):
        parse_decimal("100", largest=Decimal(100))


@given(st.text(max_size=20))
def test_no_text_raises_anything_but_a_french_value_error(text):
    try:
        number = parse_decimal(text)
    except ValueError as error:
        assert str(error).endswith(".") and "par exemple" in str(error)
    else:
        assert number is None or (number.is_finite() and 0 <= number < 10 ** 9)


def test_months():
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months(date(2024, 3, 31), -1) == date(2024, 2, 29)
    assert month_bounds(date(2024, 2, 10)) == (date(2024, 2, 1), date(2024, 2, 29))
    assert list(months_between(date(2025, 11, 15), date(2026, 1, 1))) == [
        date(2025, 11, 1), date(2025, 12, 1), date(2026, 1, 1)]
    assert (month_label(date(2026, 2, 1)), month_label(date(2026, 2, 1), short=True)) == ("février 2026",
                                                                                          "févr. 2026")
