"""Counts agree with their nouns in every message."""

from __future__ import annotations

import pytest

from app.core.wording import agree, count, progress_phase


@pytest.mark.parametrize(
    ("number", "noun", "expected"),
    [
        (1, "row", "1 row"),
        (2, "row", "2 rows"),
        (0, "row", "0 rows"),
        (1, "entry", "1 entry"),
        (3, "entry", "3 entries"),
        (1, "data entry type", "1 data entry type"),
        (2, "data entry type", "2 data entry types"),
        (2, "day", "2 days"),
        (1, "factor", "1 factor"),
    ],
)
def test_count_agrees_with_its_noun(number: int, noun: str, expected: str) -> None:
    assert count(number, noun) == expected


def test_an_irregular_plural_is_given() -> None:
    assert count(2, "child", "children") == "2 children"
    assert agree(1, "child", "children") == "child"
    assert agree(2, "column") == "columns"


@pytest.mark.parametrize(
    ("message", "phase"),
    [
        ("Recalculating plane (1/2)... 3/12", "Recalculating plane (1/2)..."),
        ("Importing rows... 20000/100000", "Importing rows..."),
        ("Writing emissions", "Writing emissions"),
        ("Waiting for job #3 (1/2)", "Waiting for job #3 (1/2)"),
    ],
)
def test_a_progress_phase_loses_only_its_trailing_counts(message: str, phase: str) -> None:
    assert progress_phase(message) == phase
