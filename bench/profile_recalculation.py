"""Where a recalculation job spends its time: cProfile around the real task on a fresh dataset.

The dataset is recalculation.py's (shipped factors, 300 units, N entries of the type, their
emission rows written once by the floor, untimed). The job runs through the real task under
cProfile in this process; the functions with the most cumulative and own time are printed,
and the raw profile is written for `python -m pstats` or snakeviz.

    uv run python bench/profile_recalculation.py [--entries 100000] [--type process_emissions]
        [--db postgresql] [--top 40] [--out bench/results/recalculation.prof]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from recalc_dataset import import_factors, seed_entries
from recalculation import TYPES, _disposing, _in_fresh_process, measure_floor, measure_job
from scratch_db import scratch_database
from sqlalchemy import event
from sqlalchemy.engine import Engine

from app.db_migrations import upgrade_async

RESULTS = Path(__file__).parent / "results" / "recalculation.prof"


class StatementClock:
    """Wall time per SQL statement (by its first words), summed over the job: what the
    database side costs, which cProfile only shows as time waiting in the event loop."""

    def __init__(self) -> None:
        self.seconds: defaultdict[str, float] = defaultdict(float)
        self.calls: defaultdict[str, int] = defaultdict(int)
        event.listen(Engine, "before_cursor_execute", self._before)
        event.listen(Engine, "after_cursor_execute", self._after)

    def _before(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        conn.info.setdefault("started", []).append(time.perf_counter())

    def _after(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        key = " ".join(statement.split())[:110]
        self.seconds[key] += time.perf_counter() - conn.info["started"].pop()
        self.calls[key] += 1

    def print(self, top: int) -> None:
        print(f"SQL through SQLAlchemy: {sum(self.seconds.values()):.2f} s")
        for key, seconds in sorted(self.seconds.items(), key=lambda kv: -kv[1])[:top]:
            print(f"{seconds:8.3f} s {self.calls[key]:6d}x  {key}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--type", choices=sorted(TYPES), default="process_emissions")
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="postgresql")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    entry_type = TYPES[args.type]
    with scratch_database(args.db) as url:
        asyncio.run(upgrade_async(url))
        choices = asyncio.run(_disposing(url, import_factors))
        asyncio.run(_disposing(url, seed_entries, entry_type, args.entries, choices))
        _in_fresh_process(measure_floor, url, int(entry_type))  # the first emission rows
        clock = StatementClock()
        profile = cProfile.Profile()
        figures = profile.runcall(measure_job, url, int(entry_type))
    print(f"job (started_at -> finished_at, under the profiler): {figures['seconds']:.2f} s")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    profile.dump_stats(args.out)
    stats = pstats.Stats(profile).strip_dirs()
    stats.sort_stats("cumulative").print_stats(args.top)
    stats.sort_stats("tottime").print_stats(args.top)
    clock.print(20)
    print(f"written: {args.out}")


if __name__ == "__main__":
    main()
