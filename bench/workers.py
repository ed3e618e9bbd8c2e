"""Throughput of the `procrastinate` backend: recalculations of different scopes run by one
`co2calc worker` and by two, measured in the same run.

A throwaway PostgreSQL database (on CO2CALC_TEST_POSTGRES_URL's server) holds the demo with
--units units and the years 2024 and 2025, so the jobs are the module recalculations of every
(module, year): 16 scopes, none waiting for another. For 1, then 2 worker processes
(concurrency 1 each, started and registered before the clock starts), every job is queued at
once, as the API queues it, and the run is timed from the first job's claim (`started_at`) to
the last one's end (`finished_at`); each round recalculates the same entries.

    uv run python bench/workers.py [--units 20] [--quick] [--json PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psycopg
from rich.console import Console
from rich.table import Table
from scratch_db import scratch_database

from app.core.job_queue import commit_and_dispatch
from app.db import create_engine, create_session_factory, libpq_address
from app.db_migrations import upgrade
from app.domain.modules import ModuleTypeEnum
from app.services.recalculation_jobs import RecalculationJobService
from app.tasks.procrastinate_backend import QueueDispatcher, create_queue, queue_conninfo

CO2CALC = Path(sys.executable).with_name("co2calc")
YEARS = (2024, 2025)
RESULTS = Path(__file__).parent / "results" / "workers.json"
WAIT_SECONDS = 3600


def _env(url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CO2CALC_")}
    env.update(CO2CALC_DATABASE_URL=url, CO2CALC_TASK_BACKEND="procrastinate", NO_COLOR="1")
    return env


def _load_demo(url: str, units: int) -> None:
    years = [option for year in YEARS for option in ("--years", str(year))]
    subprocess.run(
        [str(CO2CALC), "demo", "--units", str(units), *years, "--json"],
        env=_env(url),
        check=True,
        capture_output=True,
    )


def _scalar(url: str, query: str, *params: Any, queue: bool = False) -> Any:
    address = queue_conninfo(url) if queue else libpq_address(url)
    with psycopg.connect(address, autocommit=True) as connection:
        row = connection.execute(query, params).fetchone()
    assert row is not None
    return row[0]


def _wait(condition: Any, what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"{what}: not within {WAIT_SECONDS} s")
        time.sleep(0.2)


async def _queue_every_scope(url: str) -> list[int]:
    """One module recalculation per (module, year), committed then deferred, as the API does."""
    engine = create_engine(url)
    queue = create_queue(url)
    job_ids = []
    try:
        async with queue.open_async():
            dispatcher = QueueDispatcher(queue, engine)
            async with create_session_factory(engine)() as session:
                jobs = RecalculationJobService(session)
                for module in ModuleTypeEnum:
                    for year in YEARS:
                        scheduled = await jobs.create_module_job(
                            module, year, only_stale=False, requested_by="bench", worker_id=None
                        )
                        job_ids.append(scheduled.job_id)
                await commit_and_dispatch(session, dispatcher)
    finally:
        await engine.dispose()
    return job_ids


def _round(url: str, workers: int, logs: Path) -> dict[str, Any]:
    started = [
        subprocess.Popen(
            [str(CO2CALC), "worker"],
            env=_env(url),
            stdout=(logs / f"worker-{workers}-{n}.log").open("w"),
            stderr=subprocess.STDOUT,
        )
        for n in range(workers)
    ]
    try:
        registered = "SELECT count(*) FROM procrastinate_workers"
        _wait(lambda: _scalar(url, registered, queue=True) >= workers, "workers registered")
        job_ids = asyncio.run(_queue_every_scope(url))
        finished = "SELECT count(*) FROM data_ingestion_jobs WHERE id = ANY(%s) AND state = 3"
        _wait(lambda: _scalar(url, finished, job_ids) == len(job_ids), "jobs finished")
    finally:
        for process in started:
            process.send_signal(signal.SIGTERM)
        for process in started:
            process.wait(timeout=120)
    seconds = _scalar(
        url,
        "SELECT extract(epoch FROM max(finished_at) - min(started_at)) FROM data_ingestion_jobs "
        "WHERE id = ANY(%s)",
        job_ids,
    )
    failed = _scalar(
        url, "SELECT count(*) FROM data_ingestion_jobs WHERE id = ANY(%s) AND result = 2", job_ids
    )
    return {"workers": workers, "jobs": len(job_ids), "failed": failed, "seconds": float(seconds)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=20)
    parser.add_argument("--quick", action="store_true", help="CI: 2 demo units")
    parser.add_argument("--json", type=Path, default=RESULTS)
    args = parser.parse_args()
    units = 2 if args.quick else args.units
    with scratch_database("postgresql") as url, tempfile.TemporaryDirectory() as logs:
        upgrade(url)
        _load_demo(url, units)
        entries = _scalar(url, "SELECT count(*) FROM data_entries")
        rounds = [_round(url, workers, Path(logs)) for workers in (1, 2)]
    table = Table(title=f"module recalculations of 16 scopes, {entries:,} entries, {units} units")
    for column in ("workers", "jobs", "failed", "seconds", "jobs/s", "entries/s", "x 1 worker"):
        table.add_column(column, justify="right")
    for figures in rounds:
        figures["entries"] = entries
        figures["speed-up"] = rounds[0]["seconds"] / figures["seconds"]
        table.add_row(
            str(figures["workers"]),
            str(figures["jobs"]),
            str(figures["failed"]),
            f"{figures['seconds']:.2f}",
            f"{figures['jobs'] / figures['seconds']:.2f}",
            f"{entries / figures['seconds']:,.0f}",
            f"{figures['speed-up']:.2f}",
        )
    Console(width=120).print(table)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(rounds, indent=2))


if __name__ == "__main__":
    main()
