"""Reading an uploaded CSV file (UTF-8, a header row, comma-separated): decoding, header
checks, rows with line numbers.

A header column that is not one of the format's is ignored (and named in the job's message),
unless it is close to a column the header lacks: then it is a misspelling, and importing the
file without it would silently default that column (a key column defaulted makes every row
the same wildcard factor), so the whole file is refused with the name to use.

The same checks run twice: in the API before a job is created (so a file that cannot be
imported at all is refused at once, with a 422) and in the job itself (the CLI has no API in
front of it). A whole-file problem is a CsvFileError whose message says what to fix.
"""

from __future__ import annotations

import csv
import difflib
import io
from collections.abc import Iterator, Sequence
from enum import StrEnum

from app.core.wording import agree, count
from app.domain.modules import MODULE_TYPE_TO_DATA_ENTRY_TYPES, DataEntryTypeEnum, ModuleTypeEnum
from app.emissions import ENTRY_FIELDS, FACTOR_FIELDS
from app.emissions.factor_files import TYPE_COLUMN
from app.emissions.fields import Columns

UNIT_COLUMN = "unit_institutional_code"
_SHOWN_HEADER = 120
# How close (difflib's ratio, case-folded) an unknown column must be to an absent known one to
# be taken for its misspelling: 'country' is 0.74 from 'country_code', 'rfi_adjustmnet' 0.93
# from 'rfi_adjustment'; names that only share a word ('comment', 'notes') score far lower.
_MISSPELLING_CUTOFF = 0.7


class FileKind(StrEnum):
    factors = "factors"
    data_entries = "data entries"


class CsvFileError(ValueError):
    """A file that cannot be imported at all; nothing is written."""


def decode(content: bytes) -> str:
    """UTF-8 text of the file (a byte-order mark is dropped); CsvFileError otherwise."""
    if not content.strip():
        raise CsvFileError("the file is empty: a header row and at least one data row are needed")
    if b"\x00" in content:
        raise CsvFileError("the file is binary, not CSV text: save it as CSV (UTF-8)")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = content.count(b"\n", 0, error.start) + 1
        raise CsvFileError(
            f"the file is not UTF-8 text (byte 0x{content[error.start]:02x} on line {line}): "
            "save it as CSV UTF-8"
        ) from None


def _rows(text: str) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        for cells in reader:
            yield reader.line_num, cells
    except csv.Error as error:
        raise CsvFileError(
            f"the file is not valid CSV near line {reader.line_num}: {error}"
        ) from None


def _check_separator(cells: list[str]) -> None:
    """A header read with ',' that splits into more columns with ';' is a ';'-separated file
    (a spreadsheet's export in a locale with decimal commas): refused, as its numbers would be
    misread."""
    if sum(cell.count(";") for cell in cells) >= len(cells):
        raise CsvFileError(
            "this file uses ';' as separator; save it with ',' (or export it from the "
            "spreadsheet as \"CSV UTF-8 (comma delimited)\"), with '.' as decimal mark"
        )


def _header(cells: list[str] | None) -> list[str]:
    if not cells or not any(cell.strip() for cell in cells):
        raise CsvFileError("the file is empty: a header row is required")
    _check_separator(cells)
    header = [cell.strip() for cell in cells]
    duplicated = sorted({name for name in header if name and header.count(name) > 1})
    if duplicated:
        raise CsvFileError(
            f"the header repeats {agree(len(duplicated), 'column')} {', '.join(duplicated)}"
        )
    return header


def open_table(text: str) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header, and the non-blank rows read one by one (a CsvFileError may come from
    either)."""
    rows = _rows(text)
    first = next(rows, None)
    header = _header(None if first is None else first[1])
    return header, ((line, cells) for line, cells in rows if any(cell.strip() for cell in cells))


def read_header(text: str) -> list[str]:
    """The header row only."""
    first = next(_rows(text), None)
    return _header(None if first is None else first[1])


def types_of(
    module_type: ModuleTypeEnum, data_entry_type: DataEntryTypeEnum | None
) -> tuple[DataEntryTypeEnum, ...]:
    """The types a file may hold: the one given, or every type of the module."""
    if data_entry_type is not None:
        return (data_entry_type,)
    return MODULE_TYPE_TO_DATA_ENTRY_TYPES[module_type]


def columns_of(kind: FileKind, data_entry_type: DataEntryTypeEnum) -> Columns:
    """Columns of one type's rows, without the file's fixed columns."""
    if kind is FileKind.factors:
        return FACTOR_FIELDS[data_entry_type].columns
    return ENTRY_FIELDS[data_entry_type].columns


def fixed_columns(kind: FileKind, data_entry_type: DataEntryTypeEnum | None) -> tuple[str, ...]:
    """Columns every row of the file needs whatever its type."""
    fixed = (UNIT_COLUMN,) if kind is FileKind.data_entries else ()
    return fixed if data_entry_type is not None else (*fixed, TYPE_COLUMN)


def missing_columns(
    header: Sequence[str], kind: FileKind, data_entry_type: DataEntryTypeEnum
) -> tuple[str, ...]:
    present = set(header)
    return tuple(name for name in columns_of(kind, data_entry_type).required if name not in present)


def describe_columns(kind: FileKind, data_entry_type: DataEntryTypeEnum) -> str:
    columns = columns_of(kind, data_entry_type)
    optional = ", ".join(columns.optional) or "none"
    return f"required: {', '.join(columns.required)}; optional: {optional}"


def describe_ignored(ignored: Sequence[str]) -> str:
    """The ignored columns, as the job's message names them ("" when there are none)."""
    if not ignored:
        return ""
    names = ", ".join(name or "(unnamed)" for name in ignored)
    return f"{count(len(ignored), 'unknown column')} ignored: {names}"


def _misspellings(header: Sequence[str], known: set[str]) -> list[str]:
    absent = {name.casefold(): name for name in sorted(known) if name not in header}
    found = []
    for column in header:
        if not column or column in known:
            continue
        close = difflib.get_close_matches(
            column.casefold(), absent, n=1, cutoff=_MISSPELLING_CUTOFF
        )
        if close:
            found.append(f"unknown column {column!r}: did you mean {absent[close[0]]!r}?")
    return found


def check_header(
    header: Sequence[str],
    kind: FileKind,
    module_type: ModuleTypeEnum,
    data_entry_type: DataEntryTypeEnum | None,
) -> tuple[str, ...]:
    """Check the columns a file needs; returns the header columns that will be ignored.

    Raises CsvFileError when the header names none of the expected columns (not a CSV file of
    this kind), has a misspelled column (an unknown one close to a known column it lacks), or
    lacks a required column (named, with what is required and optional). A
    module-wide file is checked for its fixed columns here; each row's type is checked
    against the header when the rows are read.
    """
    types = types_of(module_type, data_entry_type)
    fixed = fixed_columns(kind, data_entry_type)
    known = set(fixed) | {name for t in types for name in columns_of(kind, t).names}
    if not known.intersection(header):
        shown = ",".join(header)
        if len(shown) > _SHOWN_HEADER:
            shown = shown[: _SHOWN_HEADER - 3] + "..."
        scope = data_entry_type.name if data_entry_type is not None else module_type.name
        raise CsvFileError(
            f"this does not look like a {scope} {kind} CSV file: its first line ({shown!r}) "
            f"names none of the expected columns ({', '.join(sorted(known))})"
        )
    misspelled = _misspellings(header, known)
    if misspelled:
        raise CsvFileError("; ".join(misspelled))
    missing = [name for name in fixed if name not in header]
    if data_entry_type is not None:
        missing += missing_columns(header, kind, data_entry_type)
    if missing:
        what = (
            describe_columns(kind, data_entry_type)
            if data_entry_type is not None
            else f"a module-wide file names each row's type in {TYPE_COLUMN}"
        )
        fixed_note = (
            f"; every row also needs {', '.join(fixed)}"
            if fixed and data_entry_type is not None
            else ""
        )
        raise CsvFileError(
            f"missing required {agree(len(missing), 'column')} {', '.join(missing)}; "
            f"{what}{fixed_note}"
        )
    return tuple(name for name in header if name not in known)


def check_upload(
    content: bytes,
    kind: FileKind,
    module_type: ModuleTypeEnum,
    data_entry_type: DataEntryTypeEnum | None,
) -> None:
    """Everything that can be known about a file before importing it (the API runs this)."""
    rows = _rows(decode(content))
    first = next(rows, None)
    header = _header(None if first is None else first[1])
    check_header(header, kind, module_type, data_entry_type)
    if not any(any(cell.strip() for cell in cells) for _, cells in rows):
        raise CsvFileError("the file has a header but no data rows: nothing to import")
