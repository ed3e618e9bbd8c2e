"""Entry validation for imports: CSV cells (or JSON values) to typed entry data."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from app.domain.modules import DataEntryTypeEnum
from app.emissions.errors import EntryValidationError
from app.emissions.fields import Field
from app.emissions.specs import ENTRY_FIELDS, EntrySpec


def validate_entry(data_entry_type_id: int, raw: Mapping[str, object]) -> dict[str, Any]:
    """Typed entry data with defaults applied; unset optional fields are left out.

    Columns that are not entry fields (e.g. `unit_institutional_code`) are ignored here; the
    importer reports them from the header. Raises EntryValidationError (a ValueError) whose
    message names the field and what is allowed.
    """
    spec = ENTRY_FIELDS[DataEntryTypeEnum(data_entry_type_id)]
    return _typed(spec, ((field, raw.get(field.name)) for field in spec.fields))


class RowValidator:
    """`validate_entry` for the rows of one file: each field's cell position in the header
    is found once, so a row is validated from its cells without building a dict."""

    def __init__(self, data_entry_type_id: int, header: Sequence[str]) -> None:
        self._spec = ENTRY_FIELDS[DataEntryTypeEnum(data_entry_type_id)]
        position = {name: index for index, name in enumerate(header)}
        self._cells = [(field, position.get(field.name)) for field in self._spec.fields]

    def validate(self, cells: Sequence[str]) -> dict[str, Any]:
        """The typed data of a row with the header's length (as `validate_entry`)."""
        return _typed(
            self._spec,
            ((field, None if index is None else cells[index]) for field, index in self._cells),
        )


def _typed(spec: EntrySpec, raw_values: Iterable[tuple[Field, object]]) -> dict[str, Any]:
    entry: dict[str, Any] = {}
    for field, raw in raw_values:
        try:
            value = field.resolve(raw)
        except ValueError as error:
            raise EntryValidationError(field.name, str(error)) from None
        if value is not None:
            entry[field.name] = value
    if spec.rule is not None:
        spec.rule(entry)
    return entry
