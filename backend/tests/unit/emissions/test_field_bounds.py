"""A field refuses what no entry can hold (a number past the float range, a text over 255
characters) with a ValueError whose message quotes the value bounded, never in full."""

from __future__ import annotations

import pytest

from app.emissions.fields import MAX_TEXT_LENGTH, Field, integer, number, text


@pytest.mark.parametrize("column", [number("quantity"), integer("count")], ids=["number", "int"])
def test_an_integer_past_the_float_range_is_not_a_finite_number(column: Field) -> None:
    with pytest.raises(ValueError, match=r"^\(a very large integer\) is not a finite number$"):
        column.parse(10**400)


def test_a_long_number_text_is_quoted_bounded() -> None:
    with pytest.raises(ValueError, match="is not a finite number") as refused:
        number("quantity").parse("9" * 400)

    assert len(str(refused.value)) < 80


def test_a_text_over_the_limit_is_refused_with_its_length() -> None:
    assert text("name").parse("x" * MAX_TEXT_LENGTH) == "x" * MAX_TEXT_LENGTH
    with pytest.raises(ValueError, match=r"^is 5000000 characters long; at most 255 allowed$"):
        text("name").parse("x" * 5_000_000)


def test_an_unknown_choice_is_quoted_bounded() -> None:
    with pytest.raises(ValueError, match="is not one of: a, b") as refused:
        text("kind", "a", "b").parse("z" * 200)

    assert len(str(refused.value)) < 80
