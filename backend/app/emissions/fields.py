"""Column specifications: how one CSV cell (or JSON value) becomes a typed value.

One `Field` per entry field, classification key or factor value. The same objects drive header
checks, row validation, factor parsing and the calculators' defaults, so those never disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from math import isfinite
from typing import Any, Literal

from app.core.wording import shown

Kind = Literal["number", "integer", "text"]
# The longest text value of an entry, a file row or a factor: names and codes, never prose.
MAX_TEXT_LENGTH = 255
CellValue = float | int | str


@dataclass(frozen=True, slots=True)
class Field:
    """One column. `default` is used for an empty cell; None with `required=False` means
    "no value" (for a classification key: the wildcard that more specific factors beat)."""

    name: str
    kind: Kind = "number"
    required: bool = True
    default: CellValue | None = None
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    check: Callable[[str], str] | None = None  # normalises a text or raises ValueError
    _canonical: dict[str, str] = field(init=False, repr=False, compare=False)
    _is_number: bool = field(init=False, repr=False, compare=False)
    # The choices that parse to themselves as given (a set lookup, no normalising).
    _exact: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        canonical = {choice.casefold(): choice for choice in self.choices}
        object.__setattr__(self, "_canonical", canonical)
        exact = {
            c
            for c in self.choices
            if len(c) <= MAX_TEXT_LENGTH and canonical.get(c.strip().casefold()) == c
        }
        object.__setattr__(self, "_exact", frozenset(exact))
        object.__setattr__(self, "_is_number", self.kind == "number")

    def parse(self, raw: object) -> CellValue | None:
        """The typed value of `raw`, or None when it is empty; never applies the default.

        Raises ValueError with a message that says what is allowed (without the field name).
        """
        if raw is None:
            return None
        # Fast paths for what stored entries hold (they were checked on the way in): a float
        # in range, a choice in its own spelling. A recalculation reads a few fields of every
        # entry, so these skip the general checks of the many good values; anything else
        # takes the general path below, which gives the same value or names the problem.
        if type(raw) is float and self._is_number and isfinite(raw) and self._in_range(raw):
            return raw
        if type(raw) is str and raw in self._exact:
            return raw
        if isinstance(raw, str):
            raw = raw.strip()
            if not raw:
                return None
        if self.kind == "text":
            return self._parse_text(str(raw))
        return self._parse_number(raw)

    def resolve(self, raw: object) -> CellValue | None:
        """`parse`, then the default for an empty value; a missing required value raises
        ValueError naming what is allowed."""
        value = self.parse(raw)
        if value is not None:
            return value
        if self.required:
            allowed = f" (one of: {', '.join(self.choices)})" if self.choices else ""
            raise ValueError(f"a value is required{allowed}")
        return self.default

    def _parse_text(self, text: str) -> str:
        if len(text) > MAX_TEXT_LENGTH:
            raise ValueError(f"is {len(text)} characters long; at most {MAX_TEXT_LENGTH} allowed")
        if self._canonical:
            choice = self._canonical.get(text.casefold())
            if choice is None:
                raise ValueError(f"{shown(text)} is not one of: {', '.join(self.choices)}")
            return choice
        return self.check(text) if self.check is not None else text

    def _parse_number(self, raw: object) -> float | int:
        if isinstance(raw, bool) or not isinstance(raw, str | int | float):
            raise ValueError(f"{shown(raw)} is not a number")
        try:
            number = float(raw)
        except ValueError:
            raise ValueError(f"{shown(raw)} is not a number") from None
        except OverflowError:  # an integer past the float range (10**400)
            raise ValueError(f"{shown(raw)} is not a finite number") from None
        if not isfinite(number):
            raise ValueError(f"{shown(raw)} is not a finite number")
        if self.kind == "integer" and not number.is_integer():
            raise ValueError(f"{shown(raw)} is not a whole number")
        if not self._in_range(number):
            raise ValueError(f"{shown(raw)} is out of range: {self.describe_range()}")
        return int(number) if self.kind == "integer" else number

    def _in_range(self, number: float) -> bool:
        """Within the bounds (of a finite number)."""
        return (self.minimum is None or number >= self.minimum) and (
            self.maximum is None or number <= self.maximum
        )

    def describe_range(self) -> str:
        if self.maximum is None:
            return f"must be >= {self.minimum:g}"
        return f"must be between {self.minimum:g} and {self.maximum:g}"


def match_key(value: object) -> str | None:
    """The form classification values are compared in: trimmed, case-folded; empty is None."""
    if value is None:
        return None
    return str(value).strip().casefold() or None


def number(name: str, *, minimum: float | None = 0.0, **options: Any) -> Field:
    """A number column; non-negative unless said otherwise."""
    return Field(name, "number", minimum=minimum, **options)


def integer(name: str, *, minimum: float | None = 0.0, **options: Any) -> Field:
    return Field(name, "integer", minimum=minimum, **options)


def text(name: str, *choices: str, **options: Any) -> Field:
    """A text column, restricted to `choices` (matched case-insensitively) when given."""
    return Field(name, "text", choices=choices, **options)


def optional(column: Field, default: CellValue | None = None) -> Field:
    """The same column, optional, with a default (None: no value)."""
    return replace(column, required=False, default=default)


@dataclass(frozen=True, slots=True)
class Columns:
    """Required and optional column names of a file, for header checks."""

    required: tuple[str, ...]
    optional: dict[str, CellValue | None]

    @classmethod
    def of(cls, fields: Iterable[Field]) -> Columns:
        fields = tuple(fields)
        return cls(
            required=tuple(f.name for f in fields if f.required),
            optional={f.name: f.default for f in fields if not f.required},
        )

    @property
    def names(self) -> tuple[str, ...]:
        return (*self.required, *self.optional)
