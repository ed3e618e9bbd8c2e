"""Messages: counts agree with their nouns ("1 row", "2 rows"); values are quoted bounded."""

from __future__ import annotations

import re

# The "done/total" a job's progress message ends with ("Importing rows... 300/1000").
_PROGRESS_COUNT = re.compile(r"\s+\d+/\d+$")

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


SHOWN_LENGTH = 40
# Past this many bits an integer is not shown: turning it into text costs time, and past 4300
# digits Python refuses to.
_SHOWN_INTEGER_BITS = 128


def shown(value: object, limit: int = SHOWN_LENGTH) -> str:
    """`value` as a message quotes it: its repr, cut to `limit` characters, so a message never
    echoes unbounded input (a 5 MB name, a 400-digit number); repr escapes lone surrogates and
    control characters, so the message is always valid UTF-8 JSON."""
    if isinstance(value, int) and value.bit_length() > _SHOWN_INTEGER_BITS:
        return "(a very large integer)"
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def progress_phase(message: str) -> str:
    """A progress message without its trailing "done/total", for a display that draws the
    counts itself (a progress bar): "Recalculating plane (1/2)... 3/12" -> "Recalculating
    plane (1/2)..."."""
    return _PROGRESS_COUNT.sub("", message)
