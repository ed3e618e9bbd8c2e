"""What the stored rows must be, worked out apart from the code paths that wrote them.

Factors, entries and emission rows are read with plain SQL (no repository, no ORM mapping), and
the expected rows are computed with the product's one entry rule (`compute_entry`): the rule is
what the model trusts, everything that stores its results is what the model checks.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from app.emissions import EntryError, FactorIndex, compute_entry
from app.emissions.base import FactorRecord

REL_TOL = 1e-9
# (emission type, factor id, kg) of one stored or expected row.
Row = tuple[int, int | None, float]


def _json(value: Any) -> Any:
    """SQLite hands JSON columns over as text, PostgreSQL as Python objects."""
    return json.loads(value) if isinstance(value, str) else value


@dataclass(frozen=True, slots=True)
class StoredEntry:
    id: int
    data_entry_type_id: int
    module_id: int
    year: int
    source: int
    data: dict[str, Any]


async def read_factors(connection: AsyncConnection) -> list[FactorRecord]:
    result = await connection.execute(
        text('SELECT id, data_entry_type_id, year, classification, "values" FROM factors')
    )
    return [
        FactorRecord(type_id, year, _json(classification), _json(values), id=factor_id)
        for factor_id, type_id, year, classification, values in result
    ]


def factor_set(factors: list[FactorRecord], data_entry_type_id: int) -> set[str]:
    """A type's factors as comparable values (identity and values), to see what changed."""
    return {
        json.dumps([f.year, dict(f.classification), dict(f.values)], sort_keys=True)
        for f in factors
        if f.data_entry_type_id == data_entry_type_id
    }


async def read_entries(connection: AsyncConnection) -> dict[int, StoredEntry]:
    result = await connection.execute(
        text(
            "SELECT e.id, e.data_entry_type_id, e.carbon_report_module_id, r.year, e.source, "
            "e.data FROM data_entries e "
            "JOIN carbon_report_modules m ON m.id = e.carbon_report_module_id "
            "JOIN carbon_reports r ON r.id = m.carbon_report_id"
        )
    )
    return {
        row[0]: StoredEntry(row[0], row[1], row[2], row[3], int(row[4]), _json(row[5]))
        for row in result
    }


async def read_emission_rows(connection: AsyncConnection) -> dict[int, list[Row]]:
    result = await connection.execute(
        text(
            "SELECT data_entry_id, emission_type_id, factor_id, kg_co2eq FROM data_entry_emissions"
        )
    )
    rows: defaultdict[int, list[Row]] = defaultdict(list)
    for entry_id, code, factor_id, kg in result:
        rows[entry_id].append((code, factor_id, float(kg)))
    return rows


def _same_rows(stored: list[Row], expected: list[Row]) -> bool:
    if len(stored) != len(expected):
        return False
    return all(
        (s[0], s[1]) == (e[0], e[1]) and math.isclose(s[2], e[2], rel_tol=REL_TOL, abs_tol=1e-12)
        for s, e in zip(sorted(stored), sorted(expected), strict=True)
    )


def expected_rows(entry: StoredEntry, index: FactorIndex) -> list[Row]:
    computed = compute_entry(entry.data_entry_type_id, entry.data, entry.year, index)
    if isinstance(computed, EntryError):
        return []
    return [(row.emission_type_id, row.factor_id, row.kg_co2eq) for row in computed]


async def emission_mismatches(
    connection: AsyncConnection, data_entry_type_ids: set[int]
) -> list[str]:
    """One line per entry of these types whose stored rows differ from a from-scratch
    computation with the factors stored now; [] when all agree."""
    index = FactorIndex.build(await read_factors(connection))
    stored = await read_emission_rows(connection)
    problems = []
    for entry in (await read_entries(connection)).values():
        if entry.data_entry_type_id not in data_entry_type_ids:
            continue
        expected = expected_rows(entry, index)
        if not _same_rows(stored.get(entry.id, []), expected):
            problems.append(
                f"entry {entry.id} (type {entry.data_entry_type_id}, data {entry.data}): "
                f"stored {sorted(stored.get(entry.id, []))}, from scratch {sorted(expected)}"
            )
    return problems


async def unfinished_jobs(connection: AsyncConnection) -> list[tuple[int, int]]:
    """(id, state) of every job not FINISHED (state 3)."""
    result = await connection.execute(
        text("SELECT id, state FROM data_ingestion_jobs WHERE state <> 3 ORDER BY id")
    )
    return [(job_id, state) for job_id, state in result]
