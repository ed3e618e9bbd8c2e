"""Entry validation for imports: CSV cells (or JSON values) to typed entry data."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from app.domain.modules import DataEntryTypeEnum
from app.emissions.errors import EntryValidationError
from app.emissions.fields import CellValue, Field
from app.emissions.specs import ENTRY_FIELDS, EntrySpec


def validate_entry(data_entry_type_id: int, raw: Mapping[str, object]) -> dict[str, Any]:
    """Typed entry data with defaults applied; unset optional fields are left out.

    Columns that are not entry fields (e.g. `unit_institutional_code`) are ignored here; the
    importer reports them from the header. Raises EntryValidationError (a ValueError) whose
    message names the field and what is allowed.
    """
    spec = ENTRY_FIELDS[DataEntryTypeEnum(data_entry_type_id)]
    return _typed(spec, ((field, _resolved(field, raw.get(field.name))) for field in spec.fields))


# Distinct valid cells remembered per column of a file: a file's airports, cabins or categories
# repeat on most rows, and a cell resolved once is then a dict lookup (a plane row's checks took
# half the time); a column of distinct numbers stops filling its memo at this size.
MEMO_CELLS = 4_096
_UNSEEN = object()


class RowValidator:
    """`validate_entry` for the rows of one file: each field's cell position in the header
    is found once, so a row is validated from its cells without building a dict; each
    distinct valid cell of a column is resolved once (fields resolve pure: a text to its
    canonical form, a number to its value, an empty cell to the default)."""

    def __init__(self, data_entry_type_id: int, header: Sequence[str]) -> None:
        self._spec = ENTRY_FIELDS[DataEntryTypeEnum(data_entry_type_id)]
        position = {name: index for index, name in enumerate(header)}
        self._cells: list[tuple[Field, int | None, dict[str | None, CellValue | None]]] = [
            (field, position.get(field.name), {}) for field in self._spec.fields
        ]

    def validate(self, cells: Sequence[str]) -> dict[str, Any]:
        """The typed data of a row with the header's length (as `validate_entry`)."""
        values = []
        for field, index, known in self._cells:
            raw = None if index is None else cells[index]
            value = known.get(raw, _UNSEEN)
            if value is _UNSEEN:
                value = _resolved(field, raw)
                if len(known) < MEMO_CELLS:
                    known[raw] = value
            values.append((field, value))
        return _typed(self._spec, values)


def _resolved(field: Field, raw: object) -> CellValue | None:
    try:
        return field.resolve(raw)
    except ValueError as error:
        raise EntryValidationError(field.name, str(error)) from None


def _typed(spec: EntrySpec, values: Iterable[tuple[Field, object]]) -> dict[str, Any]:
    """The entry of these typed values (unset ones left out), checked by the spec's rule."""
    entry = {field.name: value for field, value in values if value is not None}
    if spec.rule is not None:
        spec.rule(entry)
    return entry
