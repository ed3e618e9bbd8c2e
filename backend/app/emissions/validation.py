"""Entry validation for imports: CSV cells (or JSON values) to typed entry data."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.domain.modules import DataEntryTypeEnum
from app.emissions.errors import EntryValidationError
from app.emissions.specs import ENTRY_FIELDS


def validate_entry(data_entry_type_id: int, raw: Mapping[str, object]) -> dict[str, Any]:
    """Typed entry data with defaults applied; unset optional fields are left out.

    Columns that are not entry fields (e.g. `unit_institutional_code`) are ignored here; the
    importer reports them from the header. Raises EntryValidationError (a ValueError) whose
    message names the field and what is allowed.
    """
    spec = ENTRY_FIELDS[DataEntryTypeEnum(data_entry_type_id)]
    entry: dict[str, Any] = {}
    for field in spec.fields:
        try:
            value = field.resolve(raw.get(field.name))
        except ValueError as error:
            raise EntryValidationError(field.name, str(error)) from None
        if value is not None:
            entry[field.name] = value
    if spec.rule is not None:
        spec.rule(entry)
    return entry
