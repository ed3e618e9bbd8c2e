"""Reading an uploaded CSV file (UTF-8, a header row, comma-separated): decoding, header
checks, rows with line numbers.

A header column that is not one of the format's is ignored (and named in the job's message),
unless it is close to a column the header lacks: then it is a misspelling, and importing the
file without it would silently default that column (a key column defaulted makes every row
the same wildcard factor), so the whole file is refused with the name to use.

The same checks run twice: in the API before a job is created (so a file that cannot be
imported at all is refused at once, with a 422) and in the job itself (the CLI has no API in
front of it). A whole-file problem is a CsvFileError whose message says what to fix.

A file is read as a stream of byte chunks (decoded_lines): one chunk and one line are held at
a time, so memory does not grow with the file's length.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import io
from collections.abc import Iterable, Iterator, Sequence
from enum import StrEnum
from typing import BinaryIO

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


_BOM = codecs.BOM_UTF8
# What bytes.strip() drops: a file of these only is empty.
_BLANK_BYTES = b" \t\n\r\x0b\x0c"


def _empty() -> CsvFileError:
    return CsvFileError("the file is empty: a header row and at least one data row are needed")


class _Decoder:
    """UTF-8 text of a file given as byte chunks, decoded chunk by chunk (a character split
    between two chunks is joined), with the byte position a bad byte is reported at."""

    def __init__(self) -> None:
        self._utf8 = codecs.getincrementaldecoder("utf-8")()
        self._head: bytes | None = b""  # the first bytes, until it is known whether they are a BOM
        self._newlines = 0  # of the chunks decoded before the current one
        self._blank = True

    def decode(self, chunk: bytes, *, final: bool = False) -> str:
        if b"\x00" in chunk:
            raise CsvFileError("the file is binary, not CSV text: save it as CSV (UTF-8)")
        if self._blank and chunk.strip(_BLANK_BYTES):
            self._blank = False
        if final and self._blank:
            raise _empty()
        if self._head is not None:
            self._head += chunk
            if len(self._head) < len(_BOM) and not final:
                return ""
            chunk, self._head = self._head.removeprefix(_BOM), None
        try:
            text = self._utf8.decode(chunk, final)
        except UnicodeDecodeError as error:
            # error.object is the decoder's held-back bytes (never a newline) then this chunk.
            line = self._newlines + error.object.count(b"\n", 0, error.start) + 1
            raise CsvFileError(
                f"the file is not UTF-8 text (byte 0x{error.object[error.start]:02x} on line "
                f"{line}): save it as CSV UTF-8"
            ) from None
        self._newlines += chunk.count(b"\n")
        return text


def decoded_lines(chunks: Iterable[bytes]) -> Iterator[str]:
    """The file's lines (ends kept, split at \\n, \\r\\n or \\r as a file opened with
    newline="" splits them), decoded from its byte chunks as they come; a byte-order mark is
    dropped. CsvFileError when the file is binary or not UTF-8 (as soon as it shows) or
    empty (at its end): only one chunk and one line are held at a time."""
    decoder = _Decoder()
    rest = ""
    for chunk in chunks:
        text = rest + decoder.decode(chunk)
        lines = io.StringIO(text, newline="").readlines()
        # The last line may go on in the next chunk (a "\\r" too: its "\\n" may follow).
        rest = lines.pop() if lines and not lines[-1].endswith("\n") else ""
        yield from lines
    rest += decoder.decode(b"", final=True)
    yield from io.StringIO(rest, newline="").readlines()


def decode(content: bytes) -> str:
    """UTF-8 text of a whole file (a byte-order mark is dropped); CsvFileError otherwise."""
    return "".join(decoded_lines((content,)))


def _rows(lines: Iterable[str]) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(lines, strict=True)
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


def _first_row(lines: Iterator[str]) -> tuple[Iterator[tuple[int, list[str]]], list[str]]:
    """The rows, and the header (the first row) checked. A blank first row makes the file
    empty; whether it is all blank shows only at its end, so the rest is read (not held) to
    say which."""
    rows = _rows(lines)
    first = next(rows, None)
    if first is None or not any(cell.strip() for cell in first[1]):
        for _ in lines:  # a blank file, or one that is binary or not UTF-8, says so here
            pass
    return rows, _header(None if first is None else first[1])


def open_table(lines: Iterable[str]) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header, and the non-blank rows read one by one (a CsvFileError may come from
    either)."""
    rows, header = _first_row(iter(lines))
    return header, ((line, cells) for line, cells in rows if any(cell.strip() for cell in cells))


def read_header(text: str) -> list[str]:
    """The header row only."""
    return _first_row(iter(io.StringIO(text, newline="")))[1]


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


def file_chunks(file: BinaryIO, size: int) -> Iterator[bytes]:
    """The file's bytes from its start, `size` bytes at a time."""
    file.seek(0)
    while chunk := file.read(size):
        yield chunk


CHECK_CHUNK_BYTES = 1024 * 1024


def check_upload(
    file: BinaryIO,
    kind: FileKind,
    module_type: ModuleTypeEnum,
    data_entry_type: DataEntryTypeEnum | None,
) -> None:
    """Everything that can be known about a file before importing it (the API and the
    command line run this), reading it as a stream: first decoded whole (binary, not UTF-8,
    empty), then its header and up to its first data row."""
    for _ in decoded_lines(file_chunks(file, CHECK_CHUNK_BYTES)):
        pass
    rows, header = _first_row(decoded_lines(file_chunks(file, CHECK_CHUNK_BYTES)))
    check_header(header, kind, module_type, data_entry_type)
    if not any(any(cell.strip() for cell in cells) for _, cells in rows):
        raise CsvFileError("the file has a header but no data rows: nothing to import")
