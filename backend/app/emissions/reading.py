"""Reading entry data inside calculators: defaults applied, problems turned into EntryErrors.

Stored entries were validated on the way in, but manual or older data may lack a field, so a
calculator never indexes `data` directly.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.emissions.errors import InvalidFieldError, MissingFieldError
from app.emissions.fields import CellValue, Field


def read(data: Mapping[str, Any], field: Field) -> CellValue | None:
    """The field's typed value, its default when absent, None when optional and unset."""
    try:
        value = field.parse(data.get(field.name))
    except ValueError as error:
        raise InvalidFieldError(f"field {field.name!r}: {error}") from None
    if value is None:
        if field.required:
            raise MissingFieldError(f"missing required field {field.name!r}")
        return field.default
    return value


def read_number(data: Mapping[str, Any], field: Field) -> float:
    value = read(data, field)
    if value is None or isinstance(value, str):
        raise MissingFieldError(f"missing required field {field.name!r}")
    return float(value)


def read_text(data: Mapping[str, Any], field: Field) -> str:
    value = read(data, field)
    if value is None:
        raise MissingFieldError(f"missing required field {field.name!r}")
    return str(value)


def read_optional_number(data: Mapping[str, Any], field: Field) -> float | None:
    value = read(data, field)
    return None if value is None else float(value)


def read_optional_text(data: Mapping[str, Any], field: Field) -> str | None:
    value = read(data, field)
    return None if value is None else str(value)
