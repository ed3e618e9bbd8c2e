"""A CSV file of units (labs, services), read whole before anything is written: a data file
names its units by code, so an operator can create many at once, and a bad row refuses the
file with its line and reason rather than importing part of it."""

from __future__ import annotations

import csv
import io

from pydantic import ValidationError

from app.core.errors import BadRequest
from app.core.wording import count
from app.schemas.units import UnitCreate

COLUMNS = tuple(UnitCreate.model_fields)
REQUIRED = tuple(name for name, field in UnitCreate.model_fields.items() if field.is_required())
_LISTED = 10


def field_problems(error: ValidationError) -> list[str]:
    """`field: reason` for each refused value, in the words a person can act on."""
    return [
        f"{'.'.join(str(part) for part in item['loc']) or 'value'}: {item['msg']}"
        for item in error.errors(include_url=False)
    ]


def read_units_csv(content: bytes) -> list[UnitCreate]:
    """Every unit of the file; BadRequest naming what to fix (a column, lines) otherwise."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadRequest("the file is not UTF-8 text: save it as CSV UTF-8") from None
    reader = csv.DictReader(io.StringIO(text))
    header = [name.strip() for name in reader.fieldnames or []]
    columns = f"the columns are {', '.join(COLUMNS)} ({', '.join(REQUIRED)} required)"
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise BadRequest(f"missing required column {', '.join(missing)}: {columns}")
    unknown = [name for name in header if name not in COLUMNS]
    if unknown:
        raise BadRequest(f"unknown column {', '.join(map(repr, unknown))}: {columns}")
    reader.fieldnames = header
    units: list[UnitCreate] = []
    problems: list[str] = []
    for row in reader:
        values = {name: value for name, value in row.items() if value not in (None, "")}
        try:
            units.append(UnitCreate.model_validate(values))
        except ValidationError as error:
            problems += [f"line {reader.line_num}: {problem}" for problem in field_problems(error)]
    if problems:
        shown = "; ".join(problems[:_LISTED]) + ("; ..." if len(problems) > _LISTED else "")
        raise BadRequest(f"{count(len(problems), 'value')} refused, nothing imported: {shown}")
    if not units:
        raise BadRequest(f"the file has no units: one per line under the header ({columns})")
    return units
