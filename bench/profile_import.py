"""Where a CSV data import spends its time: cProfile around the real job on a fresh database.

The database and file are imports.py's (300 units, the shipped factors of the type, N rows).
The job runs through the inline runner in this process, profiled on the event loop and in
every worker thread it hands work to (file reading and checks, the emission computation,
row formatting), the profiles merged; the SQL statements' wall time is summed by statement,
and the write phase (from "Writing N entries..." to FINISHED) timed as imports.py does.

    uv run python bench/profile_import.py [--rows 100000] [--type plane] [--db sqlite]
        [--top 40] [--out bench/results/import.prof]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import functools
import pstats
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from imports import HEADERS, _create_job, _watch, prepare, write_file
from profile_recalculation import StatementClock
from scratch_db import scratch_database

from app.db import create_engine
from app.db_migrations import upgrade_async
from app.domain.ingestion import TargetType
from app.domain.modules import DataEntryTypeEnum
from app.services.ingestion.data_import import ImportMode
from app.tasks.runner import InlineRunner

RESULTS = Path(__file__).parent / "results" / "import.prof"


class ThreadProfiles:
    """Profiles every function given to asyncio.to_thread while installed, one profile per
    call (cProfile sees one thread only)."""

    def __init__(self) -> None:
        self.profiles: list[cProfile.Profile] = []
        self.seconds: dict[str, float] = {}
        self._to_thread = asyncio.to_thread

    async def _profiled(self, function: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        profile = cProfile.Profile()
        self.profiles.append(profile)
        name = getattr(function, "__name__", repr(function))

        @functools.wraps(function)
        def run() -> Any:
            started = time.perf_counter()
            try:
                return profile.runcall(function, *args, **kwargs)
            finally:
                elapsed = time.perf_counter() - started
                self.seconds[name] = self.seconds.get(name, 0.0) + elapsed

        return await self._to_thread(run)

    def __enter__(self) -> ThreadProfiles:
        asyncio.to_thread = self._profiled  # type: ignore[assignment]
        return self

    def __exit__(self, *_: object) -> None:
        asyncio.to_thread = self._to_thread


async def profiled_import(
    url: str, path: Path, entry_type: DataEntryTypeEnum
) -> tuple[cProfile.Profile, ThreadProfiles, float, float]:
    await upgrade_async(url)
    engine = create_engine(url)
    runner = InlineRunner(engine)
    try:
        await prepare(engine, entry_type)
        content = await asyncio.to_thread(path.read_bytes)
        job_id = await _create_job(
            engine, TargetType.DATA_ENTRIES, entry_type, content, ImportMode.append
        )
        marks: dict[str, float] = {}
        watcher = asyncio.create_task(_watch(engine, job_id, marks))
        loop_profile = cProfile.Profile()
        with ThreadProfiles() as threads:
            started = time.perf_counter()
            loop_profile.enable()
            await runner.dispatch(job_id)
            await runner.wait_idle()
            loop_profile.disable()
            elapsed = time.perf_counter() - started
        await watcher
        write_phase = marks["finished"] - marks.get("writing", marks["finished"])
        return loop_profile, threads, elapsed, write_phase
    finally:
        await runner.shutdown()
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--type", default="plane", choices=sorted(HEADERS))
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, scratch_database(args.db) as url:
        path = Path(folder) / "bench.csv"
        write_file(path, args.type, args.rows)
        clock = StatementClock()
        loop_profile, threads, elapsed, write_phase = asyncio.run(
            profiled_import(url, path, DataEntryTypeEnum[args.type])
        )
    print(f"import job (under the profiler): {elapsed:.2f} s, write phase {write_phase:.2f} s")
    print("wall time in worker threads, by function:")
    for name, seconds in sorted(threads.seconds.items(), key=lambda kv: -kv[1]):
        print(f"{seconds:8.3f} s  {name}")
    stats = pstats.Stats(loop_profile)
    for profile in threads.profiles:
        stats.add(profile)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    stats.dump_stats(args.out)
    stats.strip_dirs().sort_stats("tottime").print_stats(args.top)
    clock.print(20)
    print(f"written: {args.out}")


if __name__ == "__main__":
    main()
