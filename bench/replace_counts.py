"""What keeping the entry factor counts costs a `replace` data import (see bench/README.md).

A replace takes the entries it removes off their type's counts before deleting them, inside its
write transaction (the time SQLite's write lock is held). It computes them only when the counts
do not already tell. On each database: N process entries imported from a CSV file plus one
entry written through the API (so the replace never removes all of them), then the same file
imported again with `replace`, twice:

- `counts tell`: right after the import, no entry is affected or unresolvable: nothing is
  computed (the baseline);
- `computed`: after a factor import that updated the co2 factor, the co2 entries (about a
  quarter) are affected: the smaller side is computed against the factors, in keyset batches
  (here the one entry that stays, `--kept K` for more: with K >= N the N removed entries).

Both columns are the write phase of the replace job (from "Writing N entries..." to FINISHED);
the counts are checked against a full recount after the second replace. `--quick` (CI) runs
2,000 rows; `--json PATH` writes the table as JSON.

    uv run python bench/replace_counts.py [--rows 100000] [--kept 1] [--db sqlite --db postgresql]
        [--quick] [--json results.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from imports import UNITS, YEAR, _create_job, _watch, prepare, unit_code, write_file
from rich.console import Console
from rich.table import Table
from scratch_db import scratch_database
from sqlalchemy.ext.asyncio import AsyncEngine

from app.db import create_engine, create_session_factory
from app.db_migrations import upgrade_async
from app.domain.ingestion import TargetType
from app.domain.modules import DataEntryTypeEnum
from app.paths import factors_dir
from app.repositories.entry_factor_count_repo import EntryFactorCountRepository
from app.services.data_entry_service import DataEntryService
from app.services.entry_factor_counting import EntryFactorCountingService
from app.services.ingestion.data_import import ImportMode
from app.tasks.runner import InlineRunner

TYPE = DataEntryTypeEnum.process_emissions
QUICK_ROWS = 2_000


async def _run_job(engine: AsyncEngine, runner: InlineRunner, job_id: int) -> float:
    """Run the job; its write phase in seconds."""
    marks: dict[str, float] = {}
    watcher = asyncio.create_task(_watch(engine, job_id, marks))
    await runner.dispatch(job_id)
    await runner.wait_idle()
    await watcher
    return marks["finished"] - marks.get("writing", marks["finished"])


async def _import(
    engine: AsyncEngine, runner: InlineRunner, target: TargetType, content: bytes, mode: Any
) -> float:
    return await _run_job(engine, runner, await _create_job(engine, target, TYPE, content, mode))


async def _counts(engine: AsyncEngine) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """(stored counts, a full recount rolled back) of the type."""
    async with create_session_factory(engine)() as session:
        stored = (await EntryFactorCountRepository(session).read_year(YEAR))[int(TYPE)]
        recounted = (await EntryFactorCountingService(session).recount([int(TYPE)], YEAR))[
            int(TYPE)
        ]
        await session.rollback()
    return (
        (stored.entries, stored.affected, stored.unresolvable),
        (recounted.entries, recounted.affected, recounted.unresolvable),
    )


async def _measure(url: str, path: Path, rows: int, kept: int) -> dict[str, Any]:
    await upgrade_async(url)
    engine = create_engine(url)
    runner = InlineRunner(engine)
    try:
        await prepare(engine, TYPE)
        content = await asyncio.to_thread(path.read_bytes)
        await _import(engine, runner, TargetType.DATA_ENTRIES, content, ImportMode.append)
        async with create_session_factory(engine)() as session:
            for index in range(kept):
                await DataEntryService(session).create(
                    unit_institutional_code=unit_code(index % UNITS),
                    year=YEAR,
                    data_entry_type=TYPE,
                    data={"category": "co2", "quantity_kg": 1},
                )
            await session.commit()
        told = await _import(engine, runner, TargetType.DATA_ENTRIES, content, ImportMode.replace)
        shipped = (factors_dir(YEAR) / f"{TYPE.name}.csv").read_text()
        updated = shipped.replace("\nco2,,1\n", "\nco2,,2\n")  # the co2 entries' factor
        assert updated != shipped
        await _import(engine, runner, TargetType.FACTORS, updated.encode(), None)
        before_replace, _ = await _counts(engine)
        started = time.perf_counter()
        computed = await _import(
            engine, runner, TargetType.DATA_ENTRIES, content, ImportMode.replace
        )
        replace_s = time.perf_counter() - started
        stored, recounted = await _counts(engine)
        if stored != recounted:
            raise AssertionError(f"counts {stored} differ from a recount {recounted}")
        return {
            "rows": rows,
            "kept": kept,
            "affected before": before_replace[1],
            "counts tell s": told,
            "computed s": computed,
            "replace job s": replace_s,
            "counts after": list(stored),
        }
    finally:
        await runner.shutdown()
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--kept", type=int, default=1, help="entries written through the API")
    parser.add_argument("--db", action="append", choices=["sqlite", "postgresql"])
    parser.add_argument("--quick", action="store_true", help=f"CI: {QUICK_ROWS:,} rows")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    rows = QUICK_ROWS if args.quick else args.rows
    table = Table(
        title=f"replace import of {rows:,} {TYPE.name} rows, {args.kept:,} kept: write phase"
    )
    columns = ("database", "affected before", "counts tell s", "computed s", "x counts tell")
    for column in columns:
        table.add_column(column, justify="left" if column == "database" else "right")
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "entries.csv"
        write_file(path, TYPE.name, rows)
        for database in args.db or ["sqlite", "postgresql"]:
            with scratch_database(database) as url:
                figures = results[database] = asyncio.run(_measure(url, path, rows, args.kept))
            table.add_row(
                database,
                f"{figures['affected before']:,}",
                f"{figures['counts tell s']:.2f}",
                f"{figures['computed s']:.2f}",
                f"{figures['computed s'] / max(figures['counts tell s'], 1e-9):.2f}",
            )
    Console(width=120).print(table)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
