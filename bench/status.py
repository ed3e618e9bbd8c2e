"""The recalculation status of a year, with its stale reasons, read with many job rows and
entries: queries and milliseconds.

On each database: a fresh migrated database holding --jobs job rows over --years years (per
year and type, rounds of a factor import and a recalculation that read it, every 5th
recalculation ERROR; every factor import's meta as an import writes it, 100 rejected rows
listed; in the last round every third type has two factor imports after its last
recalculation, so its reason lists them) and --entries data entries over the same years and
types, with their entry factor counts. Then the status of the middle year as the endpoint
answers it (`RecalculationStatusService.by_module` and its JSON) is timed --repeat times
(after one warm-up), with the number of statements it ran.

    uv run python bench/status.py [--jobs 20000] [--entries 1000000] [--years 10]
        [--repeat 50] [--quick] [--db sqlite --db postgresql]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from collections.abc import Iterator
from typing import Any

from rich.console import Console
from rich.table import Table
from scratch_db import scratch_database
from sqlalchemy import event, insert
from sqlalchemy.ext.asyncio import AsyncEngine

from app.db import create_engine, create_session_factory
from app.db_migrations import upgrade_async
from app.domain.ingestion import (
    EntityType,
    IngestionMethod,
    IngestionResult,
    IngestionState,
    TargetType,
)
from app.domain.modules import DATA_ENTRY_TYPE_TO_MODULE_TYPE
from app.models import (
    CarbonReport,
    CarbonReportModule,
    DataEntry,
    DataIngestionJob,
    EntryFactorCount,
    Unit,
)
from app.models.base import utcnow
from app.repositories.base import table_of
from app.services.recalculation_status_service import RecalculationStatusService

FIRST_YEAR = 2020
TYPES = sorted((int(m), int(t)) for t, m in DATA_ENTRY_TYPE_TO_MODULE_TYPE.items())
UNITS = 100
CHUNK = 10_000
# What a factor import's meta holds (counts and up to 100 rejected rows, never read whole).
REJECTED = [
    {"line": line, "reason": "gwp_kg_co2eq_per_kg: 'x' is not a number"} for line in range(100)
]


def _job(module: int, type_id: int | None, year: int, **fields: Any) -> dict[str, Any]:
    return {
        "module_type_id": module,
        "data_entry_type_id": type_id,
        "year": year,
        "ingestion_method": IngestionMethod.computed,
        "target_type": TargetType.DATA_ENTRIES,
        "entity_type": EntityType.MODULE_PER_YEAR,
        "state": IngestionState.FINISHED,
        "result": IngestionResult.SUCCESS,
        "meta": {},
        "is_current": False,
        "created_at": utcnow(),
        "finished_at": utcnow(),
        "parent_job_id": None,
        "requested_by": None,
    } | fields


def _factor_import(module: int, type_id: int, year: int, sequence: int) -> dict[str, Any]:
    return _job(
        module,
        type_id,
        year,
        ingestion_method=IngestionMethod.csv,
        target_type=TargetType.FACTORS,
        factor_sequence=sequence,
        requested_by="bench",
        meta={
            "file_name": f"type-{type_id}.csv",
            "inserted": 1,
            "updated": 2,
            "removed": 0,
            "rejected_rows": REJECTED,
        },
    )


def _history(jobs: int, years: int) -> Iterator[dict[str, Any]]:
    """About `jobs` rows: per year, rounds over every type of a factor import (sequence
    `round`) and a recalculation that read it (every 5th ended ERROR); in the last round,
    every third type gets a second factor import and no recalculation."""
    per_round = 2 * len(TYPES)
    rounds = max(1, jobs // (years * per_round))
    for year in range(FIRST_YEAR, FIRST_YEAR + years):
        for sequence in range(1, rounds + 1):
            for position, (module, type_id) in enumerate(TYPES):
                yield _factor_import(module, type_id, year, 2 * sequence - 1)
                if sequence == rounds and position % 3 == 0:
                    yield _factor_import(module, type_id, year, 2 * sequence)
                    continue
                failed = (sequence + type_id) % 5 == 0
                yield _job(
                    module,
                    type_id,
                    year,
                    factor_sequence=2 * sequence - 1,
                    result=IngestionResult.ERROR if failed else IngestionResult.SUCCESS,
                )


async def _insert(session: Any, model: type, rows: Iterator[dict[str, Any]]) -> int:
    """Insert rows in chunks of CHUNK; returns how many."""
    count, chunk = 0, []
    for row in rows:
        chunk.append(row)
        if len(chunk) == CHUNK:
            await session.execute(insert(table_of(model)), chunk)
            count, chunk = count + len(chunk), []
    if chunk:
        await session.execute(insert(table_of(model)), chunk)
    return count + len(chunk)


def _entries(entries: int, years: int) -> Iterator[dict[str, Any]]:
    """`entries` entries spread over the years' modules (ids as `_reports` numbers them) and
    their types, round-robin."""
    now = utcnow()
    modules = UNITS * years * 8
    for number in range(entries):
        module_row = number % modules
        module_type = module_row % 8 + 1
        types = [t for m, t in TYPES if m == module_type]
        yield {
            "carbon_report_module_id": module_row + 1,
            "data_entry_type_id": types[(number // modules) % len(types)],
            "data": {"quantity_kg": number % 97},
            "source": 1,
            "revision": 1,
            "created_at": now,
            "updated_at": now,
        }


def _counts(entries: int, years: int) -> Iterator[dict[str, Any]]:
    """Every type and year's counts, as a factor import leaves them (figures made up: the
    read does not look at entries)."""
    per_type = entries // (years * len(TYPES))
    for year in range(FIRST_YEAR, FIRST_YEAR + years):
        for _, type_id in TYPES:
            yield {
                "data_entry_type_id": type_id,
                "year": year,
                "entries": per_type,
                "affected": per_type // 7,
                "unresolvable": type_id % 3,
                "counted_at": utcnow(),
            }


def _reports(years: int) -> tuple[Iterator[dict[str, Any]], ...]:
    """UNITS units, a report per unit and year, its 8 modules (ids from 1, in order)."""
    now = utcnow()
    units = (
        {"id": u, "institutional_code": f"B{u}", "name": f"Unit {u}"} for u in range(1, UNITS + 1)
    )
    reports = [
        {
            "id": r,
            "unit_id": (r - 1) % UNITS + 1,
            "year": FIRST_YEAR + (r - 1) // UNITS,
            "stats": {},
        }
        for r in range(1, UNITS * years + 1)
    ]
    modules = (
        {
            "id": (report["id"] - 1) * 8 + m,
            "carbon_report_id": report["id"],
            "module_type_id": m,
            "status": 0,
            "stats": {},
            "last_updated": now,
        }
        for report in reports
        for m in range(1, 9)
    )
    return units, iter(reports), modules


async def _seed(engine: AsyncEngine, jobs: int, entries: int, years: int) -> tuple[int, int]:
    units, reports, modules = _reports(years)
    async with create_session_factory(engine)() as session:
        job_rows = await _insert(session, DataIngestionJob, _history(jobs, years))
        await _insert(session, Unit, units)
        await _insert(session, CarbonReport, reports)
        await _insert(session, CarbonReportModule, modules)
        entry_rows = await _insert(session, DataEntry, _entries(entries, years))
        await _insert(session, EntryFactorCount, _counts(entries, years))
        await session.commit()
    return job_rows, entry_rows


async def _answer(session: Any, year: int) -> list[Any]:
    """The status as GET /sync/recalculation-status answers it: models, then JSON."""
    modules = await RecalculationStatusService(session).by_module(year)
    return json.loads(json.dumps([module.model_dump(mode="json") for module in modules]))


async def _measure(url: str, jobs: int, entries: int, years: int, repeat: int) -> dict[str, Any]:
    await upgrade_async(url)
    engine = create_engine(url)
    statements: list[str] = []
    try:
        rows, entry_rows = await _seed(engine, jobs, entries, years)
        year = FIRST_YEAR + years // 2
        times: list[float] = []
        async with create_session_factory(engine)() as session:
            found = await _answer(session, year)  # warm-up
            await session.rollback()
            event.listen(engine.sync_engine, "before_cursor_execute", _recorder(statements))
            for _ in range(repeat):
                started = time.perf_counter()
                await _answer(session, year)
                times.append((time.perf_counter() - started) * 1000)
                await session.rollback()
    finally:
        await engine.dispose()
    types = [t for module in found for t in module["data_entry_types"]]
    return {
        "job rows": rows,
        "entries": entry_rows,
        "status rows": len(types),
        "listed imports": sum(len(t["reason"]["factor_imports"]) for t in types),
        "queries": len(statements) / repeat,
        "median ms": statistics.median(times),
        "p95 ms": statistics.quantiles(times, n=20)[-1] if len(times) > 1 else times[0],
    }


def _recorder(statements: list[str]) -> Any:
    def record(*args: Any) -> None:
        statements.append(args[2])

    return record


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=20_000)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument(
        "--quick", action="store_true", help="CI: 2,000 job rows, 2,000 entries, 5 repeats"
    )
    parser.add_argument("--db", action="append", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    jobs, entries, repeat = (
        (2_000, 2_000, 5) if args.quick else (args.jobs, args.entries, args.repeat)
    )
    table = Table(title=f"recalculation status with reasons, {args.years} years of jobs")
    columns = (
        "database",
        "job rows",
        "entries",
        "status rows",
        "listed imports",
        "queries",
        "median ms",
        "p95 ms",
    )
    for column in columns:
        table.add_column(column, justify="left" if column == "database" else "right")
    for database in args.db or ["sqlite", "postgresql"]:
        with scratch_database(database) as url:
            figures = asyncio.run(_measure(url, jobs, entries, args.years, repeat))
        table.add_row(
            database,
            f"{figures['job rows']:,}",
            f"{figures['entries']:,}",
            str(figures["status rows"]),
            str(figures["listed imports"]),
            f"{figures['queries']:g}",
            f"{figures['median ms']:.1f}",
            f"{figures['p95 ms']:.1f}",
        )
    Console(width=120).print(table)


if __name__ == "__main__":
    main()
