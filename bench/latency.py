"""API latency and job progress intervals while a long import and a long recalculation run in
a real `co2calc serve` (inline job backend: the jobs share the server's process and loop).

On a fresh database (units and factors as in bench/imports.py): starts `co2calc serve`, uploads
a data file of N plane rows through the API, then recalculates that type (N entries). During
each job, GET /api/v1/health, /api/v1/auth/me and /api/v1/sync/recalculation-status are each
sampled every 50 ms (a request waits for the previous one), and the job's SSE stream is
followed: the table gives each endpoint's p50/p95/max, the largest gap between two events that
moved the progress (message or count; heartbeats alone do not count) and how long the write
phase ran after its own message. Timings are printed, never asserted.

    uv run python bench/latency.py [--rows 1000000] [--db postgresql] [--quick] [--json out.json]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx
from imports import YEAR, prepare, write_file
from rich.console import Console
from rich.table import Table
from scratch_db import scratch_database

from app.core.permissions import Role
from app.core.settings import Settings
from app.db import create_engine, create_session_factory
from app.db_migrations import upgrade_async
from app.domain.modules import DataEntryTypeEnum, module_of
from app.services.auth_service import AuthService

PLANE = DataEntryTypeEnum.plane
ENDPOINTS = ("/api/v1/health", "/api/v1/auth/me", f"/api/v1/sync/recalculation-status?year={YEAR}")
SAMPLE_SECONDS = 0.05
QUICK_ROWS = 20_000
USER, PASSWORD = "bench", "bench-latency-password-1"
JOB_SECONDS = 3_600


@dataclass
class Figures:
    phase: str
    endpoint: str
    samples: int
    p50_ms: float
    p95_ms: float
    max_ms: float
    largest_progress_gap_s: float
    job_s: float
    writing_s: float | None  # from the write phase's message to the end; None: not announced


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def sample(client: httpx.AsyncClient, url: str, until: asyncio.Event) -> list[float]:
    """Latencies (s) of `url`, one request every SAMPLE_SECONDS until `until` is set."""
    latencies: list[float] = []
    while not until.is_set():
        started = time.perf_counter()
        response = await client.get(url)
        elapsed = time.perf_counter() - started
        response.raise_for_status()
        latencies.append(elapsed)
        await asyncio.sleep(max(0.0, SAMPLE_SECONDS - elapsed))
    return latencies


@dataclass
class Progress:
    """A job's stream as the page sees it: when its progress (message or count) moved."""

    times: list[float]
    messages: list[str]

    def largest_gap(self) -> float:
        return max((b - a for a, b in itertools.pairwise(self.times)), default=0.0)

    def largest_gap_after(self) -> str:
        """The message shown during the largest gap (what the job was doing then), and the
        one that ended it."""
        gaps = [b - a for a, b in itertools.pairwise(self.times)]
        if not gaps:
            return ""
        at = gaps.index(max(gaps))
        shown = "(connecting)" if at == 0 else self.messages[at - 1]
        return f"{shown!r} until {self.messages[at]!r}"

    def writing_seconds(self) -> float | None:
        """From the write phase's own message to the end of the stream (None: never shown)."""
        for at, message in zip(self.times[1:], self.messages, strict=False):
            if message.startswith("Writing"):
                return self.times[-1] - at
        return None


async def progress_times(client: httpx.AsyncClient, job_id: int) -> Progress:
    """Arrival times of the job's SSE events that moved its progress (message or count; a
    heartbeat alone does not count), to its end, with their messages."""
    progress = Progress([time.perf_counter()], [])
    last: tuple[Any, Any] | None = None
    async with client.stream("GET", f"/api/v1/sync/jobs/{job_id}/stream") as response:
        response.raise_for_status()
        async for line in response.aiter_lines():
            if not line.startswith("data:"):
                continue
            event = json.loads(line[5:])
            moved = (event.get("status_message"), event.get("progress_done"))
            if moved != last or event.get("stream_closed"):
                progress.times.append(time.perf_counter())
                progress.messages.append(str(event.get("status_message") or ""))
                last = moved
            if event.get("stream_closed"):
                break
    return progress


async def measure(
    client: httpx.AsyncClient, phase: str, start: Any, console: Console
) -> list[Figures]:
    """Start the job (`start()` -> its id), sample the endpoints until its stream ends."""
    done = asyncio.Event()
    samplers = [asyncio.create_task(sample(client, url, done)) for url in ENDPOINTS]
    started = time.perf_counter()
    job_id = await start()
    progress = await asyncio.wait_for(progress_times(client, job_id), JOB_SECONDS)
    job_s = time.perf_counter() - started
    done.set()
    job = (await client.get(f"/api/v1/sync/jobs/{job_id}")).json()
    console.print(f"{phase}: job {job_id} {job['result_name']}: {job['status_message']}")
    writing = progress.writing_seconds()
    console.print(
        f"{phase}: write phase "
        + ("never announced" if writing is None else f"announced, {writing:.2f} s to the end")
    )
    gap = progress.largest_gap()
    console.print(
        f"{phase}: largest progress gap {gap:.2f} s, while showing {progress.largest_gap_after()}"
    )
    figures = []
    for url, task in zip(ENDPOINTS, samplers, strict=True):
        latencies = await task
        figures.append(
            Figures(
                phase,
                url.split("?")[0],
                len(latencies),
                round(statistics.median(latencies) * 1000, 1),
                round(percentile(latencies, 0.95) * 1000, 1),
                round(max(latencies) * 1000, 1),
                round(gap, 2),
                round(job_s, 1),
                None if writing is None else round(writing, 2),
            )
        )
    return figures


async def seed(url: str, settings: Settings) -> None:
    await upgrade_async(url)
    engine = create_engine(url)
    try:
        await prepare(engine, PLANE)
        async with create_session_factory(engine)() as session:
            await AuthService(session, settings=settings).create_user(
                USER, PASSWORD, [str(Role.backoffice_metier)]
            )
            await session.commit()
    finally:
        await engine.dispose()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def wait_answering(base: str, server: subprocess.Popen[bytes]) -> None:
    async with httpx.AsyncClient(base_url=base) as client:
        for _ in range(1200):
            if server.poll() is not None:
                raise SystemExit("co2calc serve exited early")
            try:
                await client.get("/api/v1/health")
                return
            except httpx.TransportError:
                await asyncio.sleep(0.2)
    raise SystemExit("co2calc serve did not answer")


def start_server(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    co2calc = Path(sys.executable).with_name("co2calc")
    return subprocess.Popen(
        [str(co2calc), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@asynccontextmanager
async def serving(
    url: str, secret: str, upload_mib: float
) -> AsyncIterator[tuple[subprocess.Popen[bytes], httpx.AsyncClient]]:
    """A `co2calc serve` on the seeded database `url` (the upload limit raised to fit a file of
    `upload_mib`), and a client logged in as the benchmark's user; stopped at the end."""
    env = {
        **os.environ,
        "CO2CALC_DATABASE_URL": url,
        "CO2CALC_SECRET_KEY": secret,
        "CO2CALC_MAX_UPLOAD_MB": str(max(50, int(upload_mib) + 1)),
    }
    port = free_port()
    server = start_server(env, port)
    base = f"http://127.0.0.1:{port}"
    try:
        await wait_answering(base, server)
        async with httpx.AsyncClient(base_url=base, timeout=JOB_SECONDS) as client:
            token = await client.post(
                "/api/v1/auth/token", data={"username": USER, "password": PASSWORD}
            )
            token.raise_for_status()
            client.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
            yield server, client
    finally:
        server.terminate()
        server.wait(timeout=60)


async def run_on(kind: str, path: Path, size_mb: float, console: Console) -> list[Figures]:
    secret = secrets.token_urlsafe(48)
    with scratch_database(kind) as url:
        settings = Settings(database_url=url, secret_key=secret)
        await seed(url, settings)
        async with serving(url, secret, size_mb) as (_, client):
            module, entry_type = int(module_of(PLANE)), int(PLANE)

            async def upload() -> int:
                content = await asyncio.to_thread(path.read_bytes)
                response = await client.post(
                    f"/api/v1/sync/data-entries/{module}?year={YEAR}&data_entry_type_id="
                    f"{entry_type}",
                    files={"file": ("bench.csv", content, "text/csv")},
                )
                response.raise_for_status()
                return int(response.json()["job_id"])

            async def recalculate() -> int:
                response = await client.post(
                    f"/api/v1/sync/recalculate-emissions/{module}/{entry_type}?year={YEAR}"
                )
                response.raise_for_status()
                return int(response.json()["job_id"])

            label = "SQLite" if kind == "sqlite" else "PostgreSQL"
            figures = await measure(client, f"{label} import", upload, console)
            figures += await measure(client, f"{label} recalculation", recalculate, console)
            return figures


def print_table(console: Console, figures: list[Figures], title: str) -> None:
    table = Table(title=title)
    for column in ("phase", "endpoint", "samples", "p50 ms", "p95 ms", "max ms"):
        table.add_column(column, justify="left" if column in ("phase", "endpoint") else "right")
    table.add_column("largest progress gap (s)", justify="right")
    table.add_column("job (s)", justify="right")
    table.add_column("write phase (s)", justify="right")
    for f in figures:
        table.add_row(
            f.phase,
            f.endpoint,
            str(f.samples),
            f"{f.p50_ms:.1f}",
            f"{f.p95_ms:.1f}",
            f"{f.max_ms:.1f}",
            f"{f.largest_progress_gap_s:.2f}",
            f"{f.job_s:.1f}",
            "not announced" if f.writing_s is None else f"{f.writing_s:.2f}",
        )
    console.print(table)


async def run(args: argparse.Namespace) -> list[Figures]:
    rows = QUICK_ROWS if args.quick else args.rows
    console = Console(width=150)
    figures: list[Figures] = []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.csv"
        await asyncio.to_thread(write_file, path, "plane", rows)
        size_mb = path.stat().st_size / 2**20
        console.print(f"{rows:,} plane rows, {size_mb:.1f} MiB")
        for kind in args.db or ["sqlite", "postgresql"]:
            figures += await run_on(kind, path, size_mb, console)
    print_table(console, figures, f"API latency during jobs, {rows:,} plane rows")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--db", action="append", choices=["sqlite", "postgresql"])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_ROWS:,} rows (CI)")
    parser.add_argument("--json", help="write the figures to this JSON file")
    args = parser.parse_args()
    figures = asyncio.run(run(args))
    if args.json:
        Path(args.json).write_text(json.dumps([asdict(f) for f in figures], indent=2) + "\n")


if __name__ == "__main__":
    main()
