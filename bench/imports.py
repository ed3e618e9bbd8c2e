"""Throughput and memory of the CSV data import on SQLite and PostgreSQL (see bench/README.md).

Writes a data file (100,000 rows by default, plane or process_emissions), then on each
database: a fresh migrated database, units and factors, a baseline (the same rows inserted
raw, with one executemany, no parsing, validation nor emissions), then the real import job run
in-process by the inline runner. While the job runs, its row is polled on another connection to
time the write phase, from "Writing N entries..." to FINISHED: the final transaction, the time
other writers of the scope wait for.

`--rss` also imports the file a second time with `co2calc data import` in a child process, on
a fresh database, and reports that process's peak RSS: the memory figure of the process running
the job (compare two --rows values). `--quick` (CI) runs 2,000 rows; `--json PATH` writes the
table as JSON.

    uv run python bench/imports.py [--rows 100000] [--type plane] [--db sqlite --db postgresql]
        [--quick] [--rss] [--no-baseline] [--json results.json]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

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
QUICK_ROWS = 2_000
AIRPORTS = ["GVA", "ZRH", "CDG", "LHR", "FRA", "JFK", "NRT", "SIN", "MAD", "BCN", "AMS", "YUL"]
CABINS = ["eco", "business", "first"]
PROCESS_CATEGORIES = ["ch4", "co2", "n2o", "refrigerants"]
HEADERS = {
    "plane": "unit_institutional_code,origin_iata,destination_iata,cabin_class,number_of_trips",
    "process_emissions": "unit_institutional_code,category,subcategory,quantity_kg",
}


def unit_code(index: int) -> str:
    return f"B{index:05d}"


def generate_lines(type_name: str, rows: int, seed: int = 7) -> Iterator[str]:
    """The file's lines (header first), drawn one by one: a 1,000,000-row file is never held."""
    rng = random.Random(seed)
    yield HEADERS[type_name]
    for _ in range(rows):
        if type_name == "plane":
            origin, destination = rng.sample(AIRPORTS, 2)
            yield (
                f"{unit_code(rng.randrange(UNITS))},{origin},{destination},"
                f"{rng.choice(CABINS)},{rng.randint(1, 4)}"
            )
        else:
            yield (
                f"{unit_code(rng.randrange(UNITS))},{rng.choice(PROCESS_CATEGORIES)},,"
                f"{rng.uniform(0.1, 500):.3f}"
            )


def write_file(path: Path, type_name: str, rows: int) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as out:
        for line in generate_lines(type_name, rows):
            out.write(line + "\n")


@dataclass
class Measure:
    database: str
    rows: int
    baseline_s: float | None
    import_s: float
    write_phase_s: float
    result: str
    message: str
    cpu_s: float = 0.0
    cli_peak_rss_mb: float | None = None

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.import_s


async def prepare(engine: AsyncEngine, entry_type: DataEntryTypeEnum) -> None:
    """Units and the shipped factors of the type, imported by a factor job."""
    factory = create_session_factory(engine)
    async with factory() as session:
        session.add_all(
            Unit(institutional_code=unit_code(i), name=f"Bench unit {i}", is_active=True)
            for i in range(UNITS)
        )
        await session.commit()
    runner = InlineRunner(engine)
    try:
        content = (factors_dir(YEAR) / f"{entry_type.name}.csv").read_bytes()
        job_id = await _create_job(engine, TargetType.FACTORS, entry_type, content)
        await runner.dispatch(job_id)
        await runner.wait_idle()
    finally:
        await runner.shutdown()


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
            file=io.BytesIO(content),
            requested_by="bench",
            worker_id=worker_id(),
            mode=mode,
        )
        await session.commit()
        return job.id


async def _baseline(engine: AsyncEngine, path: Path, entry_type: DataEntryTypeEnum) -> float:
    """The same rows inserted raw (already-typed dicts built outside the timing), committed,
    then removed again."""
    lines = (await asyncio.to_thread(path.read_text)).splitlines()
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
    name: str, url: str, path: Path, entry_type: DataEntryTypeEnum, rows: int, baseline: bool
) -> Measure:
    await upgrade_async(url)
    engine = create_engine(url)
    runner = InlineRunner(engine)
    try:
        await prepare(engine, entry_type)
        baseline_s = await _baseline(engine, path, entry_type) if baseline else None
        content = await asyncio.to_thread(path.read_bytes)
        job_id = await _create_job(
            engine, TargetType.DATA_ENTRIES, entry_type, content, ImportMode.append
        )
        marks: dict[str, float] = {}
        watcher = asyncio.create_task(_watch(engine, job_id, marks))
        started, cpu_started = time.perf_counter(), time.process_time()
        await runner.dispatch(job_id)
        await runner.wait_idle()
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        await watcher
        async with create_session_factory(engine)() as session:
            job = await DataIngestionRepository(session).get(job_id)
        assert job is not None
        write_phase = marks.get("finished", 0.0) - marks.get("writing", marks.get("finished", 0.0))
        return Measure(
            name,
            rows,
            baseline_s,
            elapsed,
            write_phase,
            ["SUCCESS", "WARNING", "ERROR"][job.result or 0],
            job.status_message or "",
            cpu,
        )
    finally:
        await runner.shutdown()
        await engine.dispose()


async def _prepared(url: str, entry_type: DataEntryTypeEnum) -> None:
    await upgrade_async(url)
    engine = create_engine(url)
    try:
        await prepare(engine, entry_type)
    finally:
        await engine.dispose()


def cli_peak_rss_mb(kind: str, path: Path, entry_type: DataEntryTypeEnum) -> float:
    """Peak RSS (MB) of `co2calc data import FILE` run in a child process on a fresh database
    of `kind` prepared like the in-process run's."""
    with scratch_database(kind) as url:
        asyncio.run(_prepared(url, entry_type))
        co2calc = Path(sys.executable).with_name("co2calc")
        command = [str(co2calc), "data", "import", str(path), "--module"]
        command += [str(int(module_of(entry_type))), "--type", entry_type.name]
        command += ["--year", str(YEAR)]
        with tempfile.TemporaryFile("w+") as output:
            child = subprocess.Popen(
                command,
                env={**os.environ, "CO2CALC_DATABASE_URL": url},
                stdout=output,
                stderr=subprocess.STDOUT,
            )
            # wait4: this child's own usage (RUSAGE_CHILDREN keeps the largest child so far).
            _, status, usage = os.wait4(child.pid, 0)
            child.returncode = os.waitstatus_to_exitcode(status)
            if child.returncode not in (0, 1):
                output.seek(0)
                failure = f"co2calc data import failed ({child.returncode})"
                raise SystemExit(f"{failure}:\n{output.read()}")
        # Linux reports ru_maxrss in KiB.
        return usage.ru_maxrss / 1024


def print_table(console: Console, results: list[Measure], title: str) -> None:
    table = Table(title=title)
    columns = (
        "database",
        "rows",
        "baseline: raw insert (s)",
        "import job (s)",
        "rows/s",
        "x baseline",
        "write phase, lock held (s)",
        "job process CPU (s)",
        "CLI peak RSS (MB)",
        "result",
    )
    for column in columns:
        table.add_column(column, justify="left" if column in ("database", "result") else "right")
    for m in results:
        table.add_row(
            m.database,
            f"{m.rows:,}",
            "-" if m.baseline_s is None else f"{m.baseline_s:.2f}",
            f"{m.import_s:.2f}",
            f"{m.rows_per_s:,.0f}",
            "-" if m.baseline_s is None else f"{m.import_s / m.baseline_s:.1f}",
            f"{m.write_phase_s:.2f}",
            f"{m.cpu_s:.2f}",
            "-" if m.cli_peak_rss_mb is None else f"{m.cli_peak_rss_mb:.0f}",
            m.result,
        )
    console.print(table)


async def run(args: argparse.Namespace) -> list[Measure]:
    entry_type = DataEntryTypeEnum[args.type]
    rows = QUICK_ROWS if args.quick else args.rows
    console = Console(width=170)
    results: list[Measure] = []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.csv"
        write_file(path, args.type, rows)
        size_mb = path.stat().st_size / 1e6
        console.print(f"{rows:,} {args.type} rows, {size_mb:.1f} MB, {UNITS} units")
        for database in args.db or ["sqlite", "postgresql"]:
            label = "SQLite" if database == "sqlite" else "PostgreSQL"
            with scratch_database(database) as url:
                measure = await bench_database(
                    label, url, path, entry_type, rows, not args.no_baseline
                )
            if args.rss:
                measure.cli_peak_rss_mb = await asyncio.to_thread(
                    cli_peak_rss_mb, database, path, entry_type
                )
            results.append(measure)
    print_table(console, results, f"CSV data import, {rows:,} {args.type} rows")
    for m in results:
        console.print(f"{m.database}: {m.message}")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--type", default="plane", choices=sorted(HEADERS))
    parser.add_argument("--db", action="append", choices=["sqlite", "postgresql"])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_ROWS:,} rows (CI)")
    parser.add_argument("--rss", action="store_true", help="peak RSS of `co2calc data import`")
    parser.add_argument("--no-baseline", action="store_true", help="skip the raw insert")
    parser.add_argument("--json", help="write the results to this JSON file")
    args = parser.parse_args()
    results = asyncio.run(run(args))
    if args.json:
        records = [{**asdict(m), "rows_per_s": round(m.rows_per_s)} for m in results]
        Path(args.json).write_text(json.dumps(records, indent=2) + "\n")
    if any(m.result == "ERROR" for m in results):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
