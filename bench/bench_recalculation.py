"""One emission recalculation of the demo's largest type (plane) on SQLite and PostgreSQL.

On each database: a fresh migrated database, the shipped 2025 factors (imported by the demo's
factor import jobs), demo units and N plane entries drawn by the demo generator (computed once
by the demo's recalculation jobs, untimed, so the run replaces existing rows). Then, timed in
the same run:
- `compute only`: the pure compute loop over the same entries, in memory, no database;
- `naive loop`: the plan's first design, one `upsert_by_data_entry` per entry (a DELETE and an
  INSERT each, factor index given), stats once, one commit (on the first --naive entries);
- `recalculation`: the real job (`run_recalculation_task` through execute_job: scope lock,
  keyset batches, TEMP staging, progress commits, revision-checked swap, stats, one commit).
  `swap s` is how long the final write transaction held the write lock (from the "Writing"
  progress message to FINISHED, polled on another connection every 20 ms).

    uv run python bench/bench_recalculation.py [--entries 50000] [--naive 5000] [--short]
        [--db sqlite --db postgresql]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import time
from dataclasses import dataclass

from rich.console import Console
from rich.table import Table
from scratch_db import scratch_database
from sqlalchemy.ext.asyncio import AsyncEngine

from app.db import create_engine, create_session_factory
from app.db_migrations import upgrade_async
from app.demo.generator import DemoChoices, generate_entries, generate_units
from app.demo.jobs import DemoJobs
from app.domain.ingestion import DataEntrySource, IngestionMethod, IngestionState, TargetType
from app.domain.modules import DataEntryTypeEnum, ModuleTypeEnum
from app.emissions import EntryError, compute_entry
from app.models.base import utcnow
from app.repositories.carbon_report_repo import CarbonReportRepository
from app.repositories.data_entry_import_repo import DataEntryImportRepository
from app.repositories.data_entry_repo import DataEntryRepository, EntryRow
from app.repositories.data_ingestion import DataIngestionRepository
from app.repositories.unit_repo import UnitRepository
from app.services.carbon_report_module_service import CarbonReportModuleService
from app.services.data_entry_emission_service import DataEntryEmissionService
from app.services.factor_service import FactorService
from app.tasks.context import use_engine, worker_id
from app.tasks.emission_recalculation_tasks import run_recalculation_task

YEAR = 2025
PLANE = DataEntryTypeEnum.plane
TRAVEL = ModuleTypeEnum.professional_travel


@dataclass
class Row:
    database: str
    method: str
    entries: int
    seconds: float
    rows_written: int
    note: str = ""

    @property
    def rate(self) -> float:
        return self.entries / self.seconds if self.seconds else 0.0


async def _seed(engine: AsyncEngine, entries: int) -> None:
    """Factors, units, reports and `entries` plane entries, with their emissions computed."""
    async with DemoJobs(engine, lambda _: None) as jobs:
        await jobs.import_factor_files(YEAR)
        choices = DemoChoices.from_factors(await jobs.stored_factors(YEAR))
        await _seed_entries(engine, choices, entries)
        await jobs.recalculate(YEAR)


async def _seed_entries(engine: AsyncEngine, choices: DemoChoices, entries: int) -> None:
    factory = create_session_factory(engine)
    planes: list[tuple[str, dict[str, object]]] = []
    units = generate_units(5_000)
    for unit in itertools.cycle(units):
        for entry in generate_entries(unit, YEAR, choices):
            if entry.data_entry_type_id == PLANE and len(planes) < entries:
                planes.append((unit.institutional_code, entry.data))
        if len(planes) >= entries:
            break
    used = {code for code, _ in planes}
    async with factory() as session:
        unit_repo = UnitRepository(session)
        await unit_repo.insert_many([u.unit_row() for u in units if u.institutional_code in used])
        unit_ids = await unit_repo.map_ids_by_institutional_codes(used)
        reports = CarbonReportRepository(session)
        await reports.ensure_reports(unit_ids.values(), YEAR)
        modules = await reports.map_module_ids(unit_ids.values(), YEAR, TRAVEL)
        now = utcnow()
        rows = [
            {
                "carbon_report_module_id": modules[unit_ids[code]],
                "data_entry_type_id": int(PLANE),
                "data": data,
                "source": int(DataEntrySource.csv),
                "created_at": now,
                "updated_at": now,
            }
            for code, data in planes
        ]
        for start in range(0, len(rows), 5_000):
            await DataEntryImportRepository(session).insert_many(rows[start : start + 5_000])
        await session.commit()


async def _compute_only(engine: AsyncEngine) -> Row:
    factory = create_session_factory(engine)
    async with factory() as session:
        index = await FactorService(session).get_index(PLANE, YEAR)
        entries: list[EntryRow] = [
            row
            async for batch in DataEntryRepository(
                session
            ).iter_batches_by_data_entry_type_and_year(PLANE, YEAR, 5_000)
            for row in batch
        ]
    started = time.perf_counter()
    rows = 0
    for entry in entries:
        computed = compute_entry(entry.data_entry_type_id, entry.data, YEAR, index)
        if not isinstance(computed, EntryError):
            rows += len(computed)
    elapsed = time.perf_counter() - started
    return Row("", "compute only (no database)", len(entries), elapsed, rows)


async def _naive(engine: AsyncEngine, limit: int) -> Row:
    factory = create_session_factory(engine)
    async with factory() as session:
        index = await FactorService(session).get_index(PLANE, YEAR)
        entries = (
            await DataEntryRepository(session).list_by_data_entry_type_and_year(PLANE, YEAR)
        )[:limit]
        started = time.perf_counter()
        service = DataEntryEmissionService(session)
        written = 0
        for entry in entries:
            result = await service.upsert_by_data_entry(entry, year=YEAR, index=index)
            written += len(result.rows)
        await CarbonReportModuleService(session).recompute_stats(
            {entry.carbon_report_module_id for entry in entries}
        )
        await session.commit()
        elapsed = time.perf_counter() - started
    return Row("", "naive loop (upsert_by_data_entry)", len(entries), elapsed, written)


async def _recalculation(engine: AsyncEngine) -> Row:
    factory = create_session_factory(engine)
    async with factory() as session:
        job = await DataIngestionRepository(session).create_ingestion_job(
            module_type_id=int(TRAVEL),
            data_entry_type_id=int(PLANE),
            year=YEAR,
            ingestion_method=IngestionMethod.computed,
            target_type=TargetType.DATA_ENTRIES,
            requested_by="bench",
            worker_id=worker_id(),
        )
        await session.commit()
    marks: dict[str, float] = {}

    async def watch() -> None:
        while "finished" not in marks:
            async with factory() as session:
                seen = await DataIngestionRepository(session).get(job.id)
            assert seen is not None
            now = time.perf_counter()
            if (seen.status_message or "").startswith("Writing"):
                marks.setdefault("writing", now)
            if seen.state == IngestionState.FINISHED:
                marks["finished"] = now
            await asyncio.sleep(0.02)

    started = time.perf_counter()
    watcher = asyncio.create_task(watch())
    with use_engine(engine):
        await run_recalculation_task(int(TRAVEL), int(PLANE), YEAR, job.id)
    elapsed = time.perf_counter() - started
    await asyncio.wait_for(watcher, 30)
    async with factory() as session:
        done = await DataIngestionRepository(session).get(job.id)
    assert done is not None
    stats = done.meta.get("recalculation", {})
    if done.state != IngestionState.FINISHED or done.result is None or done.result == 2:
        raise SystemExit(f"recalculation failed: {done.status_message}")
    swap = marks["finished"] - marks.get("writing", marks["finished"])
    return Row(
        "",
        "recalculation job",
        stats.get("recalculated", 0) + stats.get("errors", 0),
        elapsed,
        stats.get("rows_written", 0),
        f"swap ~{swap:.2f} s, {stats.get('errors', 0)} entry errors",
    )


async def _run(database: str, url: str, entries: int, naive: int) -> list[Row]:
    await upgrade_async(url)
    engine = create_engine(url)
    try:
        await _seed(engine, entries)
        rows = [
            await _compute_only(engine),
            await _naive(engine, naive),
            await _recalculation(engine),
        ]
    finally:
        await engine.dispose()
    for row in rows:
        row.database = database
    return rows


async def bench(databases: list[str], entries: int, naive: int) -> list[Row]:
    rows: list[Row] = []
    for database in databases:
        with scratch_database(database) as url:
            rows += await _run(database, url, entries, naive)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=50_000)
    parser.add_argument("--naive", type=int, default=5_000, help="entries for the naive loop")
    parser.add_argument("--short", action="store_true", help="CI: 2,000 entries")
    parser.add_argument("--db", action="append", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    entries = 2_000 if args.short else args.entries
    naive = min(args.naive, entries)
    rows = asyncio.run(bench(args.db or ["sqlite", "postgresql"], entries, naive))
    table = Table(title=f"Recalculation of plane {YEAR} ({entries} entries)")
    for column in ("database", "method", "entries", "seconds", "rows written", "entries/s", "note"):
        table.add_column(
            column, justify="left" if column in {"database", "method", "note"} else "right"
        )
    for row in rows:
        table.add_row(
            row.database,
            row.method,
            f"{row.entries:,}",
            f"{row.seconds:.2f}",
            f"{row.rows_written:,}",
            f"{row.rate:,.0f}",
            row.note,
        )
    Console(width=150).print(table)


if __name__ == "__main__":
    main()
