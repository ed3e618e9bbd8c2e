"""Recalculation preview cost: the preview job against the compute part of a recalculation.

For each database and type: the dataset of recalculation.py (a fresh migrated database, the
shipped factors, 300 units, N entries of the type, their emission rows written once by the
floor, untimed, then ANALYZE on PostgreSQL). Then, each in a fresh process:
- `recalculation, compute part`: `EmissionRecalculationWorkflow.run` from its start (factor
  sequence, counts, factor index, staging tables) until it calls `writing()`, i.e. every entry
  read, computed and staged, before the swap; the run is stopped there and rolled back, so no
  row of the main tables is touched (dead rows would slow the preview's reads after it);
- `preview job`: the real task (`run_preview_job` through execute_job: claim, heartbeat, the
  same batches and compute, the stored rows read and compared, meta written), timed from the
  job's started_at to its finished_at.

The target: the preview costs at most 1.5x the compute part (`x compute`).

    uv run python bench/preview.py [--entries 100000] [--type process_emissions --type plane]
        [--db sqlite --db postgresql] [--quick] [--json bench/results/preview.json]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from recalc_dataset import YEAR, import_factors, seed_entries
from recalculation import (
    TYPES,
    _disposing,
    _in_fresh_process,
    _peak_rss_mb,
    job_seconds,
    measure_floor,
)
from rich.console import Console
from rich.table import Table
from scratch_db import scratch_database
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.db import create_engine, create_session_factory
from app.db_migrations import upgrade_async
from app.domain.ingestion import IngestionMethod, TargetType
from app.domain.modules import DataEntryTypeEnum, module_of
from app.repositories.data_ingestion import DataIngestionRepository
from app.tasks.context import use_engine, worker_id
from app.tasks.emission_preview_tasks import run_preview_job
from app.workflows.emission_recalculation import (
    EmissionRecalculationWorkflow,
    RecalculationListener,
    RecalculationScope,
)

RESULTS = Path(__file__).parent / "results" / "preview.json"


@dataclass
class Row:
    database: str
    type: str
    method: str
    entries: int
    seconds: float
    peak_rss_mb: float
    vs_compute: float | None = None  # times the compute part of a recalculation

    @property
    def rate(self) -> float:
        return self.entries / self.seconds if self.seconds else 0.0


class _ComputedAll(Exception):
    """Stops the run where its compute part ends, before it writes anything."""


class _UntilWriting(RecalculationListener):
    """Notes when the run has computed and staged everything, and stops it there."""

    def __init__(self) -> None:
        self.total = 0
        self.at: float | None = None

    async def found(self, totals: Any) -> None:
        self.total = sum(totals.values())

    async def writing(self) -> None:
        self.at = time.perf_counter()
        raise _ComputedAll


async def _compute_part(url: str, type_id: int) -> dict[str, Any]:
    engine = create_engine(url)
    try:
        async with (
            engine.connect() as connection,
            AsyncSession(bind=connection, expire_on_commit=False) as session,
        ):
            listener = _UntilWriting()
            workflow = EmissionRecalculationWorkflow(session, listener=listener)
            started = time.perf_counter()
            with contextlib.suppress(_ComputedAll):
                await workflow.run(RecalculationScope(int(module_of(type_id)), (type_id,), YEAR))
            await session.rollback()
    finally:
        await engine.dispose()
    assert listener.at is not None
    return {"seconds": listener.at - started, "entries": listener.total, "rss": _peak_rss_mb()}


def measure_compute_part(url: str, type_id: int) -> dict[str, Any]:
    return asyncio.run(_compute_part(url, type_id))


async def _preview_job(url: str, type_id: int) -> dict[str, Any]:
    engine = create_engine(url)
    factory = create_session_factory(engine)
    module_type_id = int(module_of(type_id))
    try:
        async with factory() as session:
            job = await DataIngestionRepository(session).create_ingestion_job(
                module_type_id=module_type_id,
                data_entry_type_id=type_id,
                year=YEAR,
                ingestion_method=IngestionMethod.computed,
                target_type=TargetType.EMISSION_PREVIEW,
                meta={"config": {"year": YEAR, "data_entry_type_ids": [type_id]}},
                requested_by="bench",
                worker_id=worker_id(),
            )
            await session.commit()
        with use_engine(engine):
            await run_preview_job(job.id)
        async with factory() as session:
            done = await DataIngestionRepository(session).get(job.id)
    finally:
        await engine.dispose()
    seconds = job_seconds(done, "preview")
    assert done is not None
    return {
        "seconds": seconds,
        "entries": done.meta["preview"]["entries"],
        "rss": _peak_rss_mb(),
    }


def measure_preview_job(url: str, type_id: int) -> dict[str, Any]:
    return asyncio.run(_preview_job(url, type_id))


def _bench_database(database: str, entry_types: list[DataEntryTypeEnum], entries: int) -> list[Row]:
    rows: list[Row] = []
    with scratch_database(database) as url:
        asyncio.run(upgrade_async(url))
        choices = asyncio.run(_disposing(url, import_factors))
        for entry_type in entry_types:
            asyncio.run(_disposing(url, seed_entries, entry_type, entries, choices))
            type_id = int(entry_type)
            _in_fresh_process(measure_floor, url, type_id)  # the stored rows, untimed
            asyncio.run(_disposing(url, _analyze))
            compute = _in_fresh_process(measure_compute_part, url, type_id)
            preview = _in_fresh_process(measure_preview_job, url, type_id)
            pair = [
                Row(database, entry_type.name, "recalculation, compute part", **_cells(compute)),
                Row(database, entry_type.name, "preview job", **_cells(preview)),
            ]
            for row in pair:
                row.vs_compute = row.seconds / pair[0].seconds if pair[0].seconds else None
            rows += pair
    return rows


async def _analyze(engine: AsyncEngine) -> None:
    """Table statistics, as autovacuum keeps them on a server that runs: right after the bulk
    seeding PostgreSQL has none, and plans the preview's lookup of stored rows as a scan."""
    if engine.dialect.name == "postgresql":
        async with engine.connect() as connection:
            await connection.execute(text("ANALYZE"))
            await connection.commit()


def _cells(measured: dict[str, Any]) -> dict[str, Any]:
    return {
        "entries": measured["entries"],
        "seconds": measured["seconds"],
        "peak_rss_mb": measured["rss"],
    }


def _print(rows: list[Row], title: str) -> None:
    table = Table(title=title)
    for column in ("database", "type", "method", "entries", "seconds", "entries/s", "RSS MB"):
        table.add_column(
            column, justify="left" if column in ("database", "type", "method") else "right"
        )
    table.add_column("x compute", justify="right")
    for row in rows:
        table.add_row(
            row.database,
            row.type,
            row.method,
            f"{row.entries:,}",
            f"{row.seconds:.2f}",
            f"{row.rate:,.0f}",
            f"{row.peak_rss_mb:.0f}",
            f"{row.vs_compute:.2f}" if row.vs_compute else "",
        )
    Console().print(table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--type", action="append", choices=sorted(TYPES))
    parser.add_argument("--db", action="append", choices=["sqlite", "postgresql"])
    parser.add_argument("--quick", action="store_true", help="CI: 1,000 entries")
    parser.add_argument("--json", type=Path, default=RESULTS, help="where the rows are written")
    args = parser.parse_args()
    entries = 1_000 if args.quick else args.entries
    types = [TYPES[name] for name in args.type or sorted(TYPES)]
    rows: list[Row] = []
    for database in args.db or ["sqlite", "postgresql"]:
        rows += _bench_database(database, types, entries)
    _print(rows, f"Recalculation preview of one type, {YEAR}, {entries:,} entries")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(
        json.dumps([asdict(row) | {"entries_per_s": row.rate} for row in rows], indent=2)
    )
    print(f"written: {args.json}")


if __name__ == "__main__":
    main()
