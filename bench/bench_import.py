"""Throughput of the CSV data import on SQLite and PostgreSQL (see bench/README.md).

Generates a data file (100,000 rows by default, plane or process_emissions), then on each
database: a fresh migrated database, units and factors, a baseline (the same rows inserted
raw, with one INSERT ... RETURNING executemany, no parsing, validation nor emissions), then the
real import job run in-process by the inline runner. While the job runs, its row is polled on
another connection to time the write phase, from "Writing N entries..." to FINISHED: the
final transaction, which on SQLite holds the write lock (other writers wait for it).

    uv run python bench/bench_import.py [--rows 100000] [--type plane] [--db sqlite --db postgresql]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from dataclasses import dataclass

from rich.console import Console
from rich.table import Table
from scratch_db import scratch_database
from sqlalchemy.ext.asyncio import AsyncEngine

from app.db import create_engine, create_session_factory
from app.db_migrations import upgrade_async
from app.domain.ingestion import DataEntrySource, IngestionState, TargetType
from app.domain.modules import DataEntryTypeEnum, module_of
from app.emissions import validate_entry
from app.models import DataIngestionJob, Unit
from app.models.base import utcnow
from app.paths import factors_dir
from app.repositories.carbon_report_repo import CarbonReportRepository
from app.repositories.data_entry_import_repo import DataEntryImportRepository
from app.repositories.data_ingestion import DataIngestionRepository
from app.repositories.unit_repo import UnitRepository
from app.services.ingestion.data_import import ImportMode
from app.services.ingestion.jobs import create_import_job
from app.tasks.context import worker_id
from app.tasks.runner import InlineRunner

YEAR = 2025
UNITS = 300
AIRPORTS = ["GVA", "ZRH", "CDG", "LHR", "FRA", "JFK", "NRT", "SIN", "MAD", "BCN", "AMS", "YUL"]
CABINS = ["eco", "business", "first"]
PROCESS_CATEGORIES = ["ch4", "co2", "n2o", "refrigerants"]


def unit_code(index: int) -> str:
    return f"B{index:05d}"


def generate(type_name: str, rows: int, seed: int = 7) -> bytes:
    rng = random.Random(seed)
    if type_name == "plane":
        lines = ["unit_institutional_code,origin_iata,destination_iata,cabin_class,number_of_trips"]
        for _ in range(rows):
            origin, destination = rng.sample(AIRPORTS, 2)
            lines.append(
                f"{unit_code(rng.randrange(UNITS))},{origin},{destination},"
                f"{rng.choice(CABINS)},{rng.randint(1, 4)}"
            )
    else:
        lines = ["unit_institutional_code,category,subcategory,quantity_kg"]
        for _ in range(rows):
            lines.append(
                f"{unit_code(rng.randrange(UNITS))},{rng.choice(PROCESS_CATEGORIES)},,"
                f"{rng.uniform(0.1, 500):.3f}"
            )
    return ("\n".join(lines) + "\n").encode()


@dataclass
class Measure:
    database: str
    rows: int
    baseline_s: float
    import_s: float
    write_phase_s: float
    result: str
    message: str


async def _prepare(
    engine: AsyncEngine, entry_type: DataEntryTypeEnum, runner: InlineRunner
) -> None:
    factory = create_session_factory(engine)
    async with factory() as session:
        session.add_all(
            Unit(institutional_code=unit_code(i), name=f"Bench unit {i}", is_active=True)
            for i in range(UNITS)
        )
        await session.commit()
    content = (factors_dir(YEAR) / f"{entry_type.name}.csv").read_bytes()
    job_id = await _create_job(engine, TargetType.FACTORS, entry_type, content)
    await runner.dispatch(job_id)
    await runner.wait_idle()


async def _create_job(
    engine: AsyncEngine,
    target: TargetType,
    entry_type: DataEntryTypeEnum,
    content: bytes,
    mode: ImportMode | None = None,
) -> int:
    """The job with its file, committed; the caller dispatches it (and times the run)."""
    async with create_session_factory(engine)() as session:
        job = await create_import_job(
            session,
            target=target,
            module_type=module_of(entry_type),
            data_entry_type=entry_type,
            year=YEAR,
            file_name="bench.csv",
            content=content,
            requested_by="bench",
            worker_id=worker_id(),
            mode=mode,
        )
        await session.commit()
        return job.id


async def _baseline(engine: AsyncEngine, content: bytes, entry_type: DataEntryTypeEnum) -> float:
    """The same rows inserted raw (already-typed dicts built outside the timing), committed,
    then removed again."""
    lines = content.decode().splitlines()
    header = lines[0].split(",")
    factory = create_session_factory(engine)
    async with factory() as session:
        units = await UnitRepository(session).map_by_institutional_codes(
            [unit_code(i) for i in range(UNITS)]
        )
        report_ids = await CarbonReportRepository(session).ensure_reports(
            [unit.id for unit in units.values()], YEAR
        )
        modules = await CarbonReportRepository(session).map_module_ids(
            list(report_ids), YEAR, int(module_of(entry_type))
        )
        await session.commit()
    module_list = list(modules.values())
    now = utcnow()
    rows = [
        {
            "id": 0,
            "carbon_report_module_id": module_list[i % len(module_list)],
            "data_entry_type_id": int(entry_type),
            "data": validate_entry(entry_type, dict(zip(header, line.split(","), strict=True))),
            "source": int(DataEntrySource.api),
            "ingestion_job_id": None,
            "revision": 1,
            "created_at": now,
            "updated_at": now,
        }
        for i, line in enumerate(lines[1:])
    ]
    started = time.perf_counter()
    async with factory() as session:
        repo = DataEntryImportRepository(session)
        ids = await repo.allocate_ids(len(rows))
        for row, entry_id in zip(rows, ids, strict=True):
            row["id"] = entry_id
        await repo.insert_many(rows)
        await session.commit()
    elapsed = time.perf_counter() - started
    async with factory() as session:
        await DataEntryImportRepository(session).delete_by_source(
            DataEntrySource.api, [int(entry_type)], YEAR
        )
        await session.commit()
    return elapsed


async def _watch(engine: AsyncEngine, job_id: int, marks: dict[str, float]) -> None:
    """Poll the job row; note when the write phase starts and when the job is seen FINISHED."""
    factory = create_session_factory(engine)
    while True:
        async with factory() as session:
            job: DataIngestionJob | None = await DataIngestionRepository(session).get(job_id)
        assert job is not None
        now = time.perf_counter()
        if (job.status_message or "").startswith("Writing") and "writing" not in marks:
            marks["writing"] = now
        if job.state == IngestionState.FINISHED:
            marks["finished"] = now
            return
        await asyncio.sleep(0.05)


async def bench_database(
    name: str, url: str, content: bytes, entry_type: DataEntryTypeEnum, rows: int
) -> Measure:
    await upgrade_async(url)
    engine = create_engine(url)
    runner = InlineRunner(engine)
    try:
        await _prepare(engine, entry_type, runner)
        baseline = await _baseline(engine, content, entry_type)
        job_id = await _create_job(
            engine, TargetType.DATA_ENTRIES, entry_type, content, ImportMode.append
        )
        marks: dict[str, float] = {}
        watcher = asyncio.create_task(_watch(engine, job_id, marks))
        started = time.perf_counter()
        await runner.dispatch(job_id)
        await runner.wait_idle()
        elapsed = time.perf_counter() - started
        await watcher
        async with create_session_factory(engine)() as session:
            job = await DataIngestionRepository(session).get(job_id)
        assert job is not None
        write_phase = marks.get("finished", 0.0) - marks.get("writing", marks.get("finished", 0.0))
        return Measure(
            name,
            rows,
            baseline,
            elapsed,
            write_phase,
            ["SUCCESS", "WARNING", "ERROR"][job.result or 0],
            job.status_message or "",
        )
    finally:
        await runner.shutdown()
        await engine.dispose()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--type", default="plane", choices=["plane", "process_emissions"])
    parser.add_argument("--db", action="append", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    entry_type = DataEntryTypeEnum[args.type]
    content = generate(args.type, args.rows)
    console = Console()
    console.print(f"{args.rows:,} {args.type} rows, {len(content) / 1e6:.1f} MB, {UNITS} units")
    results: list[Measure] = []
    for database in args.db or ["sqlite", "postgresql"]:
        label = "SQLite" if database == "sqlite" else "PostgreSQL"
        with scratch_database(database) as url:
            results.append(await bench_database(label, url, content, entry_type, args.rows))
    table = Table(title=f"CSV data import, {args.rows:,} {args.type} rows")
    for column in (
        "database",
        "baseline: raw insert (s)",
        "import job (s)",
        "rows/s",
        "x baseline",
        "write phase, lock held (s)",
        "result",
    ):
        table.add_column(column, justify="left" if column in ("database", "result") else "right")
    for m in results:
        table.add_row(
            m.database,
            f"{m.baseline_s:.2f}",
            f"{m.import_s:.2f}",
            f"{m.rows / m.import_s:,.0f}",
            f"{m.import_s / m.baseline_s:.1f}",
            f"{m.write_phase_s:.2f}",
            m.result,
        )
    console.print(table)
    for m in results:
        console.print(f"{m.database}: {m.message}")


if __name__ == "__main__":
    asyncio.run(main())
