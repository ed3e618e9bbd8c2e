"""The column rows docs/csv-formats.md must show for each type, rendered from the specs the
importers check files against (the unit cell is prose and not compared)."""

from __future__ import annotations

from app.domain.modules import DataEntryTypeEnum
from app.emissions.fields import Field
from app.emissions.specs import ENTRY_FIELDS, FACTOR_FIELDS
from app.services.ingestion.csv_reading import UNIT_COLUMN

Row = tuple[str, str, str, str, str]

_CHECKS = {
    "iata_code": "IATA airport code (3 letters)",
    "country_code_or_rest_of_world": "ISO 3166-1 alpha-2 country code, or `RoW`",
    "currency_code": "currency code with ECB rates (`CHF`, `EUR`, `USD`...)",
}


def _allowed(field: Field) -> str:
    if field.choices:
        return ", ".join(f"`{choice}`" for choice in field.choices)
    if field.check is not None:
        return _CHECKS[field.check.__name__]
    if field.kind == "text":
        return "any text"
    if field.maximum is not None:
        return f"{field.minimum:g} to {field.maximum:g}"
    return f">= {field.minimum:g}"


def _default(field: Field) -> str:
    if field.required:
        return ""
    return "none" if field.default is None else f"`{field.default}`"


def row_of(field: Field) -> Row:
    required = "yes" if field.required else "no"
    return (f"`{field.name}`", field.kind, required, _default(field), _allowed(field))


UNIT_ROW: Row = (f"`{UNIT_COLUMN}`", "text", "yes", "", "a unit's institutional code")


def factor_rows(entry_type: DataEntryTypeEnum) -> list[Row]:
    spec = FACTOR_FIELDS[entry_type]
    return [row_of(field) for field in (*spec.keys, *spec.values)]


def data_rows(entry_type: DataEntryTypeEnum) -> list[Row]:
    return [UNIT_ROW, *(row_of(field) for field in ENTRY_FIELDS[entry_type].fields)]
