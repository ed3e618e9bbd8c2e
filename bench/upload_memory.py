"""Peak RSS of a real `co2calc serve` through an upload and its data import, for a small and a
ten times bigger file, in one run (see bench/README.md).

For each database and each size: a fresh database (units and factors as in bench/imports.py),
a fresh `co2calc serve` (inline job backend: the job runs in the server's process), one upload
of N plane rows through POST /api/v1/sync/data-entries (the file streamed from disk by the
client, the upload limit raised to fit it), followed to the job's end; then the server's peak
RSS during them (VmHWM, reset when the server answered, with `5` written to /proc/PID/clear_refs:
receiving, checking and storing the file, and the import job), beside its RSS at that moment
(VmRSS, before the upload). The growth of the peak from the small file to the big
one is what the file's size costs the server. Printed, never asserted.

    uv run python bench/upload_memory.py [--rows 100000] [--db sqlite --db postgresql]
        [--quick] [--json results.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx
from imports import YEAR, write_file
from latency import PLANE, seed, serving
from rich.console import Console
from rich.table import Table
from scratch_db import scratch_database

from app.core.settings import Settings
from app.domain.ingestion import IngestionState
from app.domain.modules import module_of

QUICK_ROWS = 1_000
GROWTH = 10  # the big file has GROWTH times the rows of the small one


@dataclass
class Measure:
    database: str
    rows: int
    file_mib: float
    server_rss_before_mb: float
    server_peak_rss_mb: float
    job_s: float
    result: str


def rss_mb(pid: int, field: str) -> float:
    """A memory figure of the process from Linux's /proc (VmRSS: now, VmHWM: its peak so far;
    in KiB there)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise SystemExit(f"no {field} in /proc: this benchmark needs Linux")


async def _import_through_api(client: httpx.AsyncClient, path: Path) -> tuple[str, float]:
    """Upload the file (read from disk as it is sent) and wait for its job; its result."""
    started = time.perf_counter()
    with path.open("rb") as file:
        response = await client.post(
            f"/api/v1/sync/data-entries/{int(module_of(PLANE))}?year={YEAR}"
            f"&data_entry_type_id={int(PLANE)}",
            files={"file": ("bench.csv", file, "text/csv")},
        )
    response.raise_for_status()
    job_id = int(response.json()["job_id"])
    while True:
        job = (await client.get(f"/api/v1/sync/jobs/{job_id}")).json()
        if job["state"] == IngestionState.FINISHED:
            return str(job["result_name"]), time.perf_counter() - started
        await asyncio.sleep(0.5)


async def measure(kind: str, path: Path, rows: int) -> Measure:
    secret = secrets.token_urlsafe(48)
    file_mib = (await asyncio.to_thread(path.stat)).st_size / 2**20
    with scratch_database(kind) as url:
        await seed(url, Settings(database_url=url, secret_key=secret))
        async with serving(url, secret, file_mib) as (server, client):
            before = rss_mb(server.pid, "VmRSS")
            # The peak so far is the start's (imports, migrations): reset it to the RSS now.
            await asyncio.to_thread(Path(f"/proc/{server.pid}/clear_refs").write_text, "5")
            result, job_s = await _import_through_api(client, path)
            label = "SQLite" if kind == "sqlite" else "PostgreSQL"
            peak = rss_mb(server.pid, "VmHWM")
            return Measure(label, rows, file_mib, before, peak, job_s, result)


def print_table(console: Console, results: list[Measure]) -> None:
    table = Table(title="co2calc serve: peak RSS through an upload and its import")
    columns = ("database", "rows", "file (MiB)", "server RSS before (MB)", "server peak RSS (MB)")
    for column in (*columns, "growth (MB)"):
        table.add_column(column, justify="left" if column == "database" else "right")
    table.add_column("upload + job (s)", justify="right")
    table.add_column("result")
    smallest: dict[str, float] = {}
    for m in results:
        first = smallest.setdefault(m.database, m.server_peak_rss_mb)
        table.add_row(
            m.database,
            f"{m.rows:,}",
            f"{m.file_mib:.1f}",
            f"{m.server_rss_before_mb:.0f}",
            f"{m.server_peak_rss_mb:.0f}",
            f"{m.server_peak_rss_mb - first:+.0f}",
            f"{m.job_s:.1f}",
            m.result,
        )
    console.print(table)


async def run(args: argparse.Namespace) -> list[Measure]:
    small = QUICK_ROWS if args.quick else args.rows
    console = Console(width=150)
    results: list[Measure] = []
    with tempfile.TemporaryDirectory() as folder:
        for kind in args.db or ["sqlite", "postgresql"]:
            for rows in (small, small * GROWTH):
                path = Path(folder) / f"bench-{rows}.csv"
                if not path.exists():
                    await asyncio.to_thread(write_file, path, "plane", rows)
                results.append(await measure(kind, path, rows))
    print_table(console, results)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="rows of the small file")
    parser.add_argument("--db", action="append", choices=["sqlite", "postgresql"])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_ROWS:,} rows (CI)")
    parser.add_argument("--json", help="write the results to this JSON file")
    args = parser.parse_args()
    results = asyncio.run(run(args))
    if args.json:
        Path(args.json).write_text(json.dumps([asdict(m) for m in results], indent=2) + "\n")
    if any(m.result.lower() == "error" for m in results):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
