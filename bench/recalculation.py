"""Recalculation throughput: co2calc's job against the per-entry baseline and the floor.

For each database and type: a fresh migrated database, the shipped factors, 300 units and N
entries of the type (their emission rows written once by the floor, untimed, so every run
replaces rows). Then, each in a fresh process (so its peak RSS is its own):
- `per-entry baseline`: the plan's first design, `upsert_by_data_entry` per entry (a DELETE
  and an INSERT each, factor index given), stats once, one commit, on the first --baseline
  entries (extrapolated to N when fewer, and labelled so);
- `recalculation job`: the real task (`run_recalculation_task` through execute_job: scope
  lock, claim, keyset batches, staging, progress, revision-checked swap, stats, commit),
  timed from the job's started_at to its finished_at;
- `floor`: `recalc_floor.floor` (bare driver, one transaction, no job).

    uv run python bench/recalculation.py [--entries 100000] [--baseline 5000]
        [--type process_emissions --type plane] [--db sqlite --db postgresql] [--quick]
        [--json bench/results/recalculation.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from recalc_dataset import YEAR, import_factors, seed_entries
from recalc_floor import floor
from rich.console import Console
from rich.table import Table
from scratch_db import scratch_database
from sqlalchemy import func, select

from app.db import create_engine, create_session_factory
from app.db_migrations import upgrade_async
from app.domain.ingestion import IngestionMethod, IngestionState, TargetType
from app.domain.modules import DataEntryTypeEnum, module_of
from app.models import DataEntry, DataEntryEmission, DataIngestionJob
from app.repositories.data_entry_repo import DataEntryRepository
from app.repositories.data_ingestion import DataIngestionRepository
from app.services.carbon_report_module_service import CarbonReportModuleService
from app.services.data_entry_emission_service import DataEntryEmissionService
from app.services.factor_service import FactorService
from app.tasks.context import use_engine, worker_id
from app.tasks.emission_recalculation_tasks import run_recalculation_task

TYPES = {t.name: t for t in (DataEntryTypeEnum.process_emissions, DataEntryTypeEnum.plane)}
RESULTS = Path(__file__).parent / "results" / "recalculation.json"


@dataclass
class Row:
    database: str
    type: str
    method: str
    entries: int
    seconds: float
    emission_rows: int
    peak_rss_mb: float
    note: str = ""
    vs_baseline: float | None = None  # times faster than the per-entry baseline
    vs_floor: float | None = None  # times slower than the floor

    @property
    def rate(self) -> float:
        return self.entries / self.seconds if self.seconds else 0.0

    @property
    def rows_rate(self) -> float:
        return self.emission_rows / self.seconds if self.seconds else 0.0


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


async def _index(url: str, type_id: int) -> Any:
    engine = create_engine(url)
    try:
        async with create_session_factory(engine)() as session:
            return await FactorService(session).get_index(type_id, YEAR)
    finally:
        await engine.dispose()


def measure_floor(url: str, type_id: int) -> dict[str, Any]:
    seconds, entries, rows = floor(url, type_id, YEAR, asyncio.run(_index(url, type_id)))
    return {"seconds": seconds, "entries": entries, "rows": rows, "rss": _peak_rss_mb()}


async def _baseline(url: str, type_id: int, limit: int) -> dict[str, Any]:
    engine = create_engine(url)
    try:
        async with create_session_factory(engine)() as session:
            index = await FactorService(session).get_index(type_id, YEAR)
            batches = DataEntryRepository(session).iter_batches_by_data_entry_type_and_year(
                type_id, YEAR, limit
            )
            entries = await anext(batches)
            await batches.aclose()
            started = time.perf_counter()
            service = DataEntryEmissionService(session)
            written = 0
            for entry in entries:
                written += len(
                    (await service.upsert_by_data_entry(entry, year=YEAR, index=index)).rows
                )
            await CarbonReportModuleService(session).recompute_stats(
                {entry.carbon_report_module_id for entry in entries}
            )
            await session.commit()
            seconds = time.perf_counter() - started
    finally:
        await engine.dispose()
    return {"seconds": seconds, "entries": len(entries), "rows": written, "rss": _peak_rss_mb()}


def measure_baseline(url: str, type_id: int, limit: int) -> dict[str, Any]:
    return asyncio.run(_baseline(url, type_id, limit))


async def _job(url: str, type_id: int) -> dict[str, Any]:
    engine = create_engine(url)
    factory = create_session_factory(engine)
    try:
        async with factory() as session:
            job = await DataIngestionRepository(session).create_ingestion_job(
                module_type_id=int(module_of(type_id)),
                data_entry_type_id=type_id,
                year=YEAR,
                ingestion_method=IngestionMethod.computed,
                target_type=TargetType.DATA_ENTRIES,
                requested_by="bench",
                worker_id=worker_id(),
            )
            await session.commit()
        with use_engine(engine):
            await run_recalculation_task(int(module_of(type_id)), type_id, YEAR, job.id)
        async with factory() as session:
            done = await DataIngestionRepository(session).get(job.id)
    finally:
        await engine.dispose()
    seconds = job_seconds(done, "recalculation")
    stats = done.meta.get("recalculation", {})
    return {
        "seconds": seconds,
        "entries": stats.get("recalculated", 0) + stats.get("errors", 0),
        "rows": stats.get("rows_written", 0),
        "errors": stats.get("errors", 0),
        "rss": _peak_rss_mb(),
    }


async def total_kg(engine: Any, type_id: int) -> float:
    """The sum of the type's stored emissions (kg CO2e), as the last writer left them."""
    async with create_session_factory(engine)() as session:
        total = await session.scalar(
            select(func.sum(DataEntryEmission.kg_co2eq))
            .join(DataEntry, DataEntry.id == DataEntryEmission.data_entry_id)
            .where(DataEntry.data_entry_type_id == type_id)
        )
    return float(total or 0.0)


def relative_difference(a: float, b: float) -> float:
    return abs(a - b) / max(abs(a), abs(b)) if a or b else 0.0


def job_seconds(done: DataIngestionJob | None, what: str) -> float:
    """From the claim to the finish of a job that succeeded (else the bench stops, saying so)."""
    assert done is not None
    assert done.started_at is not None
    assert done.finished_at is not None
    if done.state != IngestionState.FINISHED or done.result is None or done.result == 2:
        raise SystemExit(f"{what} failed: {done.status_message}")
    return (done.finished_at - done.started_at).total_seconds()


def measure_job(url: str, type_id: int) -> dict[str, Any]:
    return asyncio.run(_job(url, type_id))


def _in_fresh_process(function: Any, *args: Any) -> dict[str, Any]:
    """Run one measurement in its own process: its peak RSS is the measurement's alone."""
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        result: dict[str, Any] = pool.submit(function, *args).result()
    return result


def _bench_database(
    database: str, entry_types: list[DataEntryTypeEnum], entries: int, baseline: int
) -> list[Row]:
    """One fresh database with the factors imported once, then each type in turn."""
    rows: list[Row] = []
    with scratch_database(database) as url:
        asyncio.run(upgrade_async(url))
        choices = asyncio.run(_disposing(url, import_factors))
        for entry_type in entry_types:
            asyncio.run(_disposing(url, seed_entries, entry_type, entries, choices))
            rows += _bench_type(database, url, entry_type, baseline)
    return rows


def _bench_type(database: str, url: str, entry_type: DataEntryTypeEnum, baseline: int) -> list[Row]:
    type_id = int(entry_type)
    _in_fresh_process(measure_floor, url, type_id)  # the first emission rows, untimed
    base = _in_fresh_process(measure_baseline, url, type_id, baseline)
    job = _in_fresh_process(measure_job, url, type_id)
    job_total = asyncio.run(_disposing(url, total_kg, type_id))
    low = _in_fresh_process(measure_floor, url, type_id)
    difference = relative_difference(job_total, asyncio.run(_disposing(url, total_kg, type_id)))
    if difference > 1e-9:
        raise SystemExit(f"the job's total differs from the floor's by {difference:.2e} (relative)")
    name = entry_type.name
    scale = job["entries"] / base["entries"] if base["entries"] else 1.0
    rows = [
        Row(
            database,
            name,
            "per-entry baseline",
            job["entries"],
            base["seconds"] * scale,
            round(base["rows"] * scale),
            base["rss"],
            f"extrapolated from {base['entries']:,} entries" if scale > 1 else "",
        ),
        Row(
            database,
            name,
            "recalculation job",
            job["entries"],
            job["seconds"],
            job["rows"],
            job["rss"],
            f"{job['errors']:,} entry errors; total = floor's to {difference:.0e}",
        ),
        Row(
            database,
            name,
            "floor (bare driver)",
            low["entries"],
            low["seconds"],
            low["rows"],
            low["rss"],
        ),
    ]
    for row in rows:
        row.vs_baseline = row.rate / rows[0].rate if rows[0].rate else None
        row.vs_floor = row.seconds / rows[2].seconds if rows[2].seconds else None
    return rows


async def _disposing(url: str, function: Any, *args: Any) -> Any:
    """`function(engine, *args)` on an engine of its own, disposed afterwards."""
    engine = create_engine(url)
    try:
        return await function(engine, *args)
    finally:
        await engine.dispose()


def _print(rows: list[Row], title: str) -> None:
    table = Table(title=title)
    headers = (
        "database",
        "type",
        "method",
        "entries",
        "seconds",
        "entries/s",
        "emission rows/s",
        "peak RSS MB",
        "x baseline",
        "x floor",
        "note",
    )
    for header in headers:
        table.add_column(
            header, justify="left" if header in {"database", "type", "method", "note"} else "right"
        )
    for row in rows:
        table.add_row(
            row.database,
            row.type,
            row.method,
            f"{row.entries:,}",
            f"{row.seconds:.2f}",
            f"{row.rate:,.0f}",
            f"{row.rows_rate:,.0f}",
            f"{row.peak_rss_mb:.0f}",
            f"{row.vs_baseline:.1f}" if row.vs_baseline else "",
            f"{row.vs_floor:.2f}" if row.vs_floor else "",
            row.note,
        )
    Console(width=200).print(table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument(
        "--baseline", type=int, default=5_000, help="entries of the per-entry baseline"
    )
    parser.add_argument("--type", action="append", choices=sorted(TYPES))
    parser.add_argument("--db", action="append", choices=["sqlite", "postgresql"])
    parser.add_argument("--quick", action="store_true", help="CI: 1,000 entries, baseline 100")
    parser.add_argument("--json", type=Path, default=RESULTS, help="where the rows are written")
    args = parser.parse_args()
    entries = 1_000 if args.quick else args.entries
    baseline = min(100 if args.quick else args.baseline, entries)
    rows: list[Row] = []
    types = [TYPES[name] for name in args.type or sorted(TYPES)]
    for database in args.db or ["sqlite", "postgresql"]:
        rows += _bench_database(database, types, entries, baseline)
    _print(rows, f"Recalculation of one type, {YEAR}, {entries:,} entries")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(
        json.dumps(
            [
                asdict(row) | {"entries_per_s": row.rate, "emission_rows_per_s": row.rows_rate}
                for row in rows
            ],
            indent=2,
        )
    )
    print(f"written: {args.json}")


if __name__ == "__main__":
    main()
