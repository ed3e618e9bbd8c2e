"""Factor CSV files (classification keys, then value columns) parsed into FactorRecords:
pure parsing, no database.

Rows stream through `csv.reader`, so a large upload is never held as text; good rows become
records, bad rows are reported with their line number and reason, and only a file that cannot
be read at all (no header, a missing required column) raises FactorFileError.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO, Any, cast

from app.core.wording import agree, count
from app.domain.modules import DataEntryTypeEnum, parse_data_entry_type
from app.emissions.base import ClassificationValue, FactorRecord, FactorValue
from app.emissions.errors import FactorFileError
from app.emissions.fields import Field, match_key
from app.emissions.specs import FACTOR_FIELDS, FactorSpec

TYPE_COLUMN = "data_entry_type"

FactorSource = str | bytes | os.PathLike[str] | IO[str] | IO[bytes]


@dataclass(frozen=True, slots=True)
class RejectedRow:
    line: int
    reason: str


@dataclass(slots=True)
class FactorFileResult:
    """Parsed records, rejected rows (line 1 is the header) and header columns not used."""

    records: list[FactorRecord] = field(default_factory=list)
    rejected: list[RejectedRow] = field(default_factory=list)
    ignored_columns: tuple[str, ...] = ()


class _RowError(ValueError):
    """One row's problem; becomes a RejectedRow."""


@dataclass(frozen=True, slots=True)
class _Layout:
    """Where each column of one type sits in the file's header (None: column absent)."""

    type_id: DataEntryTypeEnum
    keys: tuple[tuple[Field, int | None], ...]
    values: tuple[tuple[Field, int | None], ...]
    missing: tuple[str, ...]

    @classmethod
    def of(cls, type_id: DataEntryTypeEnum, spec: FactorSpec, header: Sequence[str]) -> _Layout:
        position = {name: i for i, name in enumerate(header)}
        return cls(
            type_id,
            tuple((f, position.get(f.name)) for f in spec.keys),
            tuple((f, position.get(f.name)) for f in spec.values),
            tuple(name for name in spec.columns.required if name not in position),
        )

    def parse(self, cells: Sequence[str], year: int) -> FactorRecord:
        if self.missing:
            raise _RowError(_missing_message(self.type_id, self.missing))
        classification: dict[str, ClassificationValue] = {
            f.name: None if v is None else str(v) for f, v in _cells(self.keys, cells)
        }
        values: dict[str, FactorValue] = {f.name: v for f, v in _cells(self.values, cells)}
        return FactorRecord(int(self.type_id), year, classification, values)


def _cells(
    columns: Iterable[tuple[Field, int | None]], cells: Sequence[str]
) -> Iterator[tuple[Field, Any]]:
    """Each column's typed value, default applied; raises _RowError naming the column."""
    for column, index in columns:
        try:
            yield column, column.resolve(None if index is None else cells[index])
        except ValueError as error:
            raise _RowError(f"{column.name}: {error}") from None


@contextmanager
def _text(source: FactorSource) -> Iterator[IO[str]]:
    """A text stream over any accepted source, decoding UTF-8 (BOM or not) as it goes.

    The caller's binary stream is detached, not closed, when parsing is over.
    """
    if isinstance(source, str):
        yield io.StringIO(source, newline="")
    elif isinstance(source, bytes):
        with _text(io.BytesIO(source)) as text:
            yield text
    elif isinstance(source, os.PathLike):
        with open(source, "rb") as stream, _text(stream) as text:
            yield text
    elif isinstance(source.read(0), str):
        yield cast(IO[str], source)
    else:
        wrapper = io.TextIOWrapper(cast(IO[bytes], source), encoding="utf-8-sig", newline="")
        try:
            yield wrapper
        finally:
            wrapper.detach()


def load_factor_file(
    source: FactorSource,
    data_entry_type_id: int | None,
    year: int,
    *,
    allowed_types: Collection[int] | None = None,
) -> FactorFileResult:
    """Parse a factor file of one type, or (type None) a file with a `data_entry_type` column.

    `allowed_types` restricts a module-wide file to its module's types (other rows are
    rejected). Raises FactorFileError for an unreadable file: no header, not UTF-8, a missing
    required column (named), or no `data_entry_type` column when no type is given.
    """
    with _text(source) as text:
        try:
            return _parse(csv.reader(text), data_entry_type_id, year, allowed_types)
        except UnicodeDecodeError as error:
            raise FactorFileError(f"the file is not UTF-8 text ({error.reason})") from None
        except csv.Error as error:
            raise FactorFileError(f"the file is not valid CSV: {error}") from None


def _parse(
    reader: Any,
    data_entry_type_id: int | None,
    year: int,
    allowed_types: Collection[int] | None,
) -> FactorFileResult:
    header = _header(next(reader, None))
    types = _types(data_entry_type_id, allowed_types)
    layouts = {t: _Layout.of(t, FACTOR_FIELDS[t], header) for t in types}
    type_column: int | None = None
    if data_entry_type_id is not None:
        (layout,) = layouts.values()
        if layout.missing:
            raise FactorFileError(_missing_message(layout.type_id, layout.missing))
    elif TYPE_COLUMN in header:
        type_column = header.index(TYPE_COLUMN)
    else:
        raise FactorFileError(
            f"the file has no column {TYPE_COLUMN}: without a data entry type, every row must "
            "name its type (name or id)"
        )
    known = {TYPE_COLUMN} | {name for t in types for name in FACTOR_FIELDS[t].columns.names}
    result = FactorFileResult(ignored_columns=tuple(h for h in header if h not in known))
    first_line: dict[tuple[Any, ...], int] = {}
    for cells in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        try:
            if len(cells) != len(header):
                raise _RowError(
                    f"expected {count(len(header), 'cell')} as in the header, found {len(cells)}"
                )
            layout = layouts[_row_type(cells, type_column, layouts)]
            record = layout.parse(cells, year)
            identity = (record.data_entry_type_id, *map(match_key, record.classification.values()))
            if identity in first_line:
                raise _RowError(f"same classification as line {first_line[identity]}")
        except _RowError as error:
            result.rejected.append(RejectedRow(line, str(error)))
            continue
        first_line[identity] = line
        result.records.append(record)
    return result


def _header(row: list[str] | None) -> list[str]:
    if not row or not any(cell.strip() for cell in row):
        raise FactorFileError("the file is empty: a header row is required")
    header = [cell.strip() for cell in row]
    header[0] = header[0].removeprefix("\ufeff")
    duplicated = sorted({name for name in header if header.count(name) > 1})
    if duplicated:
        raise FactorFileError(
            f"the header repeats {agree(len(duplicated), 'column')} {', '.join(duplicated)}"
        )
    return header


def _types(
    data_entry_type_id: int | None, allowed_types: Collection[int] | None
) -> tuple[DataEntryTypeEnum, ...]:
    if data_entry_type_id is not None:
        return (DataEntryTypeEnum(data_entry_type_id),)
    if allowed_types is not None:
        return tuple(DataEntryTypeEnum(t) for t in allowed_types)
    return tuple(DataEntryTypeEnum)


def _row_type(
    cells: Sequence[str],
    type_column: int | None,
    layouts: dict[DataEntryTypeEnum, _Layout],
) -> DataEntryTypeEnum:
    if type_column is None:
        return next(iter(layouts))
    try:
        type_id = parse_data_entry_type(cells[type_column])
    except ValueError:
        type_id = None
    if type_id not in layouts:
        allowed = ", ".join(t.name for t in layouts)
        raise _RowError(f"{TYPE_COLUMN} {cells[type_column]!r} is not one of: {allowed}")
    return type_id


def _missing_message(type_id: DataEntryTypeEnum, missing: Sequence[str]) -> str:
    columns = FACTOR_FIELDS[type_id].columns
    return (
        f"missing required {agree(len(missing), 'column')} {', '.join(missing)} for "
        f"{type_id.name} factors; "
        f"required: {', '.join(columns.required)}; optional: {', '.join(columns.optional)}"
    )
