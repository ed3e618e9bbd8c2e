"""The recalculation status of a year, read with many job rows: queries and milliseconds.

On each database: a fresh migrated database holding --jobs job rows over --years years (per
year and type, rounds of a factor import and a recalculation, every type of every module; some
recalculations ended ERROR; module recalculations with their per-type rows), then
`get_recalculation_status_by_year` of one year is timed --repeat times (after one warm-up),
with the number of statements it ran.

    uv run python bench/status.py [--jobs 20000] [--years 10] [--repeat 50] [--quick]
        [--db sqlite --db postgresql]
"""

from __future__ import annotations

import argparse
import asyncio
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
from app.models import DataIngestionJob
from app.models.base import utcnow
from app.repositories.base import table_of
from app.repositories.data_ingestion import DataIngestionRepository

FIRST_YEAR = 2020
TYPES = sorted((int(m), int(t)) for t, m in DATA_ENTRY_TYPE_TO_MODULE_TYPE.items())


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
    } | fields


def _history(jobs: int, years: int) -> Iterator[dict[str, Any]]:
    """About `jobs` rows: per year, rounds over every type of a factor import (sequence
    `round`) and a recalculation that read it (every 5th ended ERROR)."""
    per_round = 2 * len(TYPES)
    rounds = max(1, jobs // (years * per_round))
    for year in range(FIRST_YEAR, FIRST_YEAR + years):
        for sequence in range(1, rounds + 1):
            for module, type_id in TYPES:
                yield _job(
                    module,
                    type_id,
                    year,
                    ingestion_method=IngestionMethod.csv,
                    target_type=TargetType.FACTORS,
                    factor_sequence=sequence,
                )
                failed = (sequence + type_id) % 5 == 0
                yield _job(
                    module,
                    type_id,
                    year,
                    factor_sequence=sequence,
                    result=IngestionResult.ERROR if failed else IngestionResult.SUCCESS,
                )


async def _seed(engine: AsyncEngine, jobs: int, years: int) -> int:
    rows = list(_history(jobs, years))
    async with create_session_factory(engine)() as session:
        for start in range(0, len(rows), 5_000):
            await session.execute(insert(table_of(DataIngestionJob)), rows[start : start + 5_000])
        await session.commit()
    return len(rows)


async def _measure(url: str, jobs: int, years: int, repeat: int) -> dict[str, Any]:
    await upgrade_async(url)
    engine = create_engine(url)
    statements: list[str] = []
    try:
        rows = await _seed(engine, jobs, years)
        year = FIRST_YEAR + years // 2
        times: list[float] = []
        async with create_session_factory(engine)() as session:
            repo = DataIngestionRepository(session)
            found = await repo.get_recalculation_status_by_year(year)  # warm-up
            event.listen(engine.sync_engine, "before_cursor_execute", _recorder(statements))
            for _ in range(repeat):
                started = time.perf_counter()
                await repo.get_recalculation_status_by_year(year)
                times.append((time.perf_counter() - started) * 1000)
                await session.rollback()
    finally:
        await engine.dispose()
    return {
        "job rows": rows,
        "status rows": len(found),
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
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--quick", action="store_true", help="CI: 2,000 job rows, 5 repeats")
    parser.add_argument("--db", action="append", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    jobs, repeat = (2_000, 5) if args.quick else (args.jobs, args.repeat)
    table = Table(title=f"get_recalculation_status_by_year, {args.years} years of jobs")
    columns = ("database", "job rows", "status rows", "queries", "median ms", "p95 ms")
    for column in columns:
        table.add_column(column, justify="left" if column == "database" else "right")
    for database in args.db or ["sqlite", "postgresql"]:
        with scratch_database(database) as url:
            figures = asyncio.run(_measure(url, jobs, args.years, repeat))
        table.add_row(
            database,
            f"{figures['job rows']:,}",
            str(figures["status rows"]),
            f"{figures['queries']:g}",
            f"{figures['median ms']:.1f}",
            f"{figures['p95 ms']:.1f}",
        )
    Console(width=120).print(table)


if __name__ == "__main__":
    main()
