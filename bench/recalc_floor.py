"""The floor a recalculation is compared with: what the database itself can do.

Read the entries of the type and year, compute each with the app's pure compute function and
the run's factor index (built before the clock starts), replace every entry's emission rows,
one transaction, bare driver: `sqlite3` executemany on SQLite; on PostgreSQL one set-based
statement (a DELETE and an INSERT ... SELECT FROM unnest of the computed columns).
No job row, progress, revision check, error accounting nor stats.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

import psycopg
from psycopg.types.json import Jsonb
from sqlalchemy.engine import make_url

from app.emissions import EntryError, FactorIndex, compute_entry

_ENTRIES = """
    SELECT e.id, e.data FROM data_entries e
    JOIN carbon_report_modules m ON m.id = e.carbon_report_module_id
    JOIN carbon_reports r ON r.id = m.carbon_report_id
    WHERE e.data_entry_type_id = {p} AND r.year = {p}
"""
_DELETE = "DELETE FROM data_entry_emissions WHERE data_entry_id IN ({entries})"
_COLUMNS = "data_entry_id, emission_type_id, kg_co2eq, factor_id, meta, computed_at"

Emission = tuple[int, int, float, int | None, Any, Any]


def _computed(
    entries: Iterable[tuple[int, Any]], type_id: int, year: int, index: FactorIndex, now: Any
) -> Iterator[Emission]:
    """(entry id, emission type, kg, factor id, meta, computed_at) of every entry's rows."""
    for entry_id, data in entries:
        rows = compute_entry(
            type_id, json.loads(data) if isinstance(data, str) else data, year, index
        )
        if isinstance(rows, EntryError):
            continue
        for row in rows:
            yield (entry_id, row.emission_type_id, row.kg_co2eq, row.factor_id, row.meta, now)


def floor(url: str, type_id: int, year: int, index: FactorIndex) -> tuple[float, int, int]:
    """(seconds, entries read, emission rows written) of one floor run on `url`."""
    if url.startswith("sqlite"):
        return _sqlite(make_url(url).database or "", type_id, year, index)
    return _postgresql(url, type_id, year, index)


def _sqlite(path: str, type_id: int, year: int, index: FactorIndex) -> tuple[float, int, int]:
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        started = time.perf_counter()
        connection.execute("BEGIN IMMEDIATE")
        select = _ENTRIES.format(p="?")
        connection.execute(
            _DELETE.format(entries=select.replace("e.id, e.data", "e.id")), (type_id, year)
        )
        entries = connection.execute(select, (type_id, year)).fetchall()
        now = datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ")
        rows = [
            (*row[:4], json.dumps(row[4]), row[5])
            for row in _computed(entries, type_id, year, index, now)
        ]
        connection.executemany(
            f"INSERT INTO data_entry_emissions ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)", rows
        )
        connection.execute("COMMIT")
        return time.perf_counter() - started, len(entries), len(rows)
    finally:
        connection.close()


def _postgresql(url: str, type_id: int, year: int, index: FactorIndex) -> tuple[float, int, int]:
    parsed = make_url(url)
    with psycopg.connect(
        host=parsed.host,
        port=parsed.port,
        user=parsed.username,
        password=parsed.password,
        dbname=parsed.database,
    ) as connection:
        started = time.perf_counter()
        select = _ENTRIES.format(p="%s")
        entries = connection.execute(select, (type_id, year)).fetchall()
        columns: list[list[Any]] = [[], [], [], [], []]
        for row in _computed(entries, type_id, year, index, None):
            for values, value in zip(columns, row[:5], strict=False):
                values.append(value)
        columns[4] = [Jsonb(meta) for meta in columns[4]]
        ids = sorted({entry_id for entry_id, _ in entries})
        connection.execute(
            f"""
            WITH gone AS (DELETE FROM data_entry_emissions WHERE data_entry_id = ANY(%s))
            INSERT INTO data_entry_emissions ({_COLUMNS})
            SELECT e, t, kg, f, m, now()
            FROM unnest(%s::int[], %s::int[], %s::float8[], %s::int[], %s::jsonb[])
                AS u(e, t, kg, f, m)
            """,
            (ids, *columns),
        )
        connection.commit()
        return time.perf_counter() - started, len(entries), len(columns[0])
