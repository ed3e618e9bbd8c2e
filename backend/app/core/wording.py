"""Counts in messages agree with their nouns: "1 row", "2 rows", "1 data entry type"."""

from __future__ import annotations

_VOWELS = frozenset("aeiou")


def agree(number: int, noun: str, plural: str | None = None) -> str:
    """The form of `noun` that goes with `number`: singular for exactly one.

    The plural adds "s" to the last word ("data entry type" -> "data entry types"), or "ies"
    for a consonant and "y" ("entry" -> "entries"); `plural` gives an irregular one.
    """
    if number == 1:
        return noun
    if plural is not None:
        return plural
    if noun.endswith("y") and noun[-2:-1] not in _VOWELS:
        return noun[:-1] + "ies"
    return noun + "s"


def count(number: int, noun: str, plural: str | None = None) -> str:
    """The number and its noun in agreement: count(1, "factor") -> "1 factor"."""
    return f"{number} {agree(number, noun, plural)}"
