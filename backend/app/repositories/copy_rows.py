"""Bulk writes of rows given as mappings, without SQLAlchemy's per-row parameter handling:
PostgreSQL's COPY FROM STDIN (several times faster than an executemany INSERT), for TEMP
staging tables and real tables alike; on SQLite the driver's own executemany of tuples."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import orjson
from sqlalchemy import JSON, Dialect, Float, Integer, Table
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import TypeEngine

_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_NULL = "\\N"
Cell = Callable[[Any], str]


def _json_text(value: Any) -> str:
    """A JSON value serialized by orjson (several times the standard encoder)."""
    try:
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()
    except TypeError:  # what orjson refuses (an integer past 64 bits): the standard encoder
        return json.dumps(value)


def _json_cell(value: Any) -> str:
    text = _json_text(value)
    # JSON escapes every control character, so a backslash is the only one COPY reads.
    return text.replace("\\", "\\\\") if "\\" in text else text


def _text_cell(value: Any) -> str:
    return str(value).translate(_COPY_ESCAPES)


def _cell_of(column_type: TypeEngine[Any]) -> Cell:
    """How one column's non-NULL values are written: JSON serialized, numbers as they print
    (digits, sign, point, exponent: nothing to escape), anything else escaped."""
    if isinstance(column_type, JSON):
        return _json_cell
    if isinstance(column_type, Integer | Float):
        return str
    return _text_cell


def copy_lines(
    table: Table, columns: Sequence[str], rows: Sequence[Mapping[str, Any]]
) -> list[str]:
    """Each row's line in PostgreSQL's COPY text format, without its newline (tab-separated,
    \\N for NULL, JSON columns serialized). Pure: run it in a thread, a batch of rows takes a
    while. A column's repeated text value (the time stamp of every row) is escaped once."""
    cells = [_cell_of(table.c[name].type) for name in columns]
    seen: list[dict[Any, str]] = [{} for _ in columns]
    plan = list(zip(columns, cells, seen, strict=True))
    lines = []
    for row in rows:
        line = []
        for name, cell, known in plan:
            value = row[name]
            if value is None:
                line.append(_NULL)
            elif cell is _text_cell:
                text = known.get(value)
                if text is None:
                    text = known[value] = cell(value)
                line.append(text)
            else:
                line.append(cell(value))
        lines.append("\t".join(line))
    return lines


def copy_text(table: Table, columns: Sequence[str], rows: Sequence[Mapping[str, Any]]) -> bytes:
    """The rows as COPY text (`copy_lines`, each ended by a newline)."""
    lines = copy_lines(table, columns, rows)
    lines.append("")
    return "\n".join(lines).encode()


async def copy_formatted(
    session: AsyncSession, table: Table, columns: Sequence[str], data: bytes
) -> None:
    """Write rows given as COPY text of these columns into `table` with one COPY, on the
    session's connection, in its transaction."""
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    driver: Any = raw.driver_connection
    statement = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
    async with driver.cursor() as cursor, cursor.copy(statement) as copy:
        await copy.write(data)


async def copy_rows(session: AsyncSession, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Write rows (all with the same keys) into `table` with one COPY (`copy_formatted`); the
    text is formatted in a thread."""
    if not rows:
        return
    columns = list(rows[0])
    data = await asyncio.to_thread(copy_text, table, columns, rows)
    await copy_formatted(session, table, columns, data)


def _processed(column: list[Any], process: Callable[[Any], Any]) -> list[Any]:
    """A column's values through `process`, each distinct value once (the run's one time
    stamp: its bind processing was a third of a staged batch's formatting)."""
    known: dict[Any, Any] = {}
    out = []
    for value in column:
        done = known.get(value, _MISSING)
        if done is _MISSING:
            done = known[value] = process(value)
        out.append(done)
    return out


_MISSING = object()


def _tuples(
    table: Table, columns: Sequence[str], rows: Sequence[Mapping[str, Any]], dialect: Dialect
) -> list[tuple[Any, ...]]:
    """The rows as parameter tuples, each value through its column type's bind processing
    (time stamps as the type stores them), as SQLAlchemy would, but JSON serialized by
    orjson: the standard encoder SQLAlchemy calls was 90 % of the staging's formatting.
    Column by column (no per-cell SQLAlchemy frame); in a thread."""
    values = []
    for name in columns:
        column = [row[name] for row in rows]
        column_type = table.c[name].type
        if isinstance(column_type, JSON):
            column = list(map(_json_text, column))
        elif (process := column_type.dialect_impl(dialect).bind_processor(dialect)) is not None:
            column = _processed(column, process)
        values.append(column)
    return list(zip(*values, strict=True))


async def insert_rows_sqlite(
    session: AsyncSession, table: Table, rows: Sequence[Mapping[str, Any]]
) -> None:
    """SQLite: insert rows (all with the same keys) with the driver's executemany of tuples,
    in the session's transaction: about three times faster than `insert(table)` with a list
    of dicts, whose cost is SQLAlchemy's per-row parameter handling."""
    if not rows:
        return
    columns = list(rows[0])
    dialect = session.get_bind().dialect
    values = await asyncio.to_thread(_tuples, table, columns, rows, dialect)
    placeholders = ", ".join("?" * len(columns))
    statement = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({placeholders})"
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    driver: Any = raw.driver_connection
    await driver.executemany(statement, values)
