"""What a field makes of the values stored entries hold: a float in range is itself, a choice
in its own spelling is itself, and everything else is normalised or refused as before (the
common values take a shorter path, which must not change any outcome)."""

from __future__ import annotations

import math

import pytest

from app.emissions.fields import integer, number, text


def test_a_float_in_range_is_itself() -> None:
    assert number("quantity").parse(7.64) == 7.64
    assert number("fte", maximum=1.0).parse(1.0) == 1.0


@pytest.mark.parametrize("raw", [-0.5, 1.5, math.nan, math.inf, -math.inf])
def test_a_float_out_of_range_or_not_finite_is_refused(raw: float) -> None:
    with pytest.raises(ValueError, match=r"out of range|not a finite number"):
        number("fte", maximum=1.0).parse(raw)


def test_a_whole_float_for_an_integer_field_is_an_int() -> None:
    value = integer("count").parse(3.0)
    assert value == 3
    assert type(value) is int
    with pytest.raises(ValueError, match="not a whole number"):
        integer("count").parse(2.5)


def test_a_float_for_a_text_field_is_its_text() -> None:
    assert text("code").parse(1.5) == "1.5"


def test_a_choice_in_any_spelling_is_the_canonical_choice() -> None:
    category = text("category", "ch4", "R410A")
    assert category.parse("ch4") == "ch4"
    assert category.parse("R410A") == "R410A"
    assert category.parse(" r410a ") == "R410A"
    with pytest.raises(ValueError, match="is not one of"):
        category.parse("co2")


def test_of_two_choices_equal_but_for_case_the_last_wins_in_every_spelling() -> None:
    category = text("category", "Co2", "CO2")
    assert category.parse("Co2") == category.parse("co2") == category.parse("CO2") == "CO2"
