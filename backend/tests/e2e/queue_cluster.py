"""Real processes of the `procrastinate` backend on one PostgreSQL database: `co2calc serve`
and `co2calc worker` subprocesses (each logging to its own file), an API client with the demo
admin's token, reading job rows, and holding the report rows so a job stops in the middle of
its data transaction (its stats refresh waits for them)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import httpx
import psycopg
from live_server import free_port, wait_until_answering
from psycopg.rows import dict_row

from app.db import libpq_address

CO2CALC = Path(sys.executable).with_name("co2calc")
ADMIN_PASSWORD = "queue-admin-password"
TRAVEL = 2
PLANE = 20
FINISHED = 3

# `queue_demo(2025)` (e2e/conftest.py): the URL of a database holding demo_args' demo.
QueueDemo = Callable[..., str]


# Stalls found fast: two job heartbeats (5 s) and a bit; the stall finder every second.
FAST_STALLS = {"CO2CALC_WORKER_STALL_SECONDS": "12", "CO2CALC_WORKER_SWEEP_SECONDS": "1"}


def demo_args(*years: int) -> tuple[str, ...]:
    """The `co2calc demo` arguments of the queue tests' data: two units, these years."""
    year_options = [option for year in years for option in ("--years", str(year))]
    return ("--units", "2", *year_options, "--admin-password", ADMIN_PASSWORD)


def queue_env(database_url: str, **extra: str) -> dict[str, str]:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("CO2CALC_")}
    env.update(
        NO_COLOR="1",
        CO2CALC_DATABASE_URL=database_url,
        CO2CALC_TASK_BACKEND="procrastinate",
        **extra,
    )
    return env


@dataclass
class Cluster:
    database_url: str
    logs: Path
    env: dict[str, str] = field(default_factory=dict)
    _started: list[tuple[subprocess.Popen[str], IO[str]]] = field(default_factory=list)

    def _start(self, name: str, *args: str) -> subprocess.Popen[str]:
        log = (self.logs / f"{name}.log").open("w")
        process = subprocess.Popen(
            [str(CO2CALC), *args],
            env=queue_env(self.database_url, **self.env),
            cwd=self.logs,
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self._started.append((process, log))
        return process

    def worker(self, name: str, *args: str) -> subprocess.Popen[str]:
        return self._start(name, "worker", *args)

    def api(self, name: str) -> str:
        """A `co2calc serve` on a free port, once it answers; its base URL."""
        port = free_port()
        server = self._start(name, "serve", "--port", str(port))
        base = f"http://127.0.0.1:{port}"
        wait_until_answering(f"{base}/api/v1/health", server)
        return base

    def log_of(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text()

    def stop_all(self) -> None:
        for process, _ in self._started:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process, log in self._started:
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=30)
            log.close()


@contextmanager
def cluster(database_url: str, logs: Path, **env: str) -> Iterator[Cluster]:
    running = Cluster(database_url, logs, env)
    try:
        yield running
    finally:
        running.stop_all()


@contextmanager
def admin_client(base: str) -> Iterator[httpx.Client]:
    """An API client logged in as the demo's admin."""
    with httpx.Client(base_url=f"{base}/api/v1", timeout=60) as client:
        token = client.post("/auth/token", data={"username": "admin", "password": ADMIN_PASSWORD})
        assert token.status_code == 200, token.text
        client.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
        yield client


def connect(database_url: str) -> psycopg.Connection[dict[str, Any]]:
    return psycopg.connect(libpq_address(database_url), row_factory=dict_row, autocommit=True)


def job_row(database_url: str, job_id: int) -> dict[str, Any]:
    with connect(database_url) as connection:
        row = connection.execute(
            "SELECT * FROM data_ingestion_jobs WHERE id = %s", (job_id,)
        ).fetchone()
    assert row is not None
    return row


def wait_for(condition: Any, seconds: float = 120.0, what: str = "condition") -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not met within {seconds} s")
        time.sleep(0.1)


def wait_finished(database_url: str, *job_ids: int, seconds: float = 180.0) -> None:
    wait_for(
        lambda: all(job_row(database_url, j)["state"] == FINISHED for j in job_ids),
        seconds,
        f"jobs {job_ids} finished",
    )


@contextmanager
def reports_held(database_url: str, *years: int) -> Iterator[None]:
    """Lock the reports of these years (FOR UPDATE) until the block ends: a job refreshing
    their stats waits there, inside its data transaction, with its rows written but not
    committed."""
    with psycopg.connect(libpq_address(database_url)) as connection:
        connection.execute(
            "SELECT id FROM carbon_reports WHERE year = ANY(%s) FOR UPDATE", (list(years),)
        )
        yield
        connection.rollback()


def wait_waiting_on_reports(database_url: str, jobs: int = 1, seconds: float = 120.0) -> None:
    """Until `jobs` connections wait for the row locks `reports_held` holds."""

    def waiting() -> bool:
        with connect(database_url) as connection:
            row = connection.execute(
                "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND query ILIKE '%carbon_reports%'"
            ).fetchone()
        return bool(row and row["n"] >= jobs)

    wait_for(waiting, seconds, "a job waiting for the held reports")


def worker_pid(worker_id: str) -> int:
    """The process id in a worker id (`host:pid:suffix`)."""
    return int(worker_id.split(":")[1])


def emission_rows(database_url: str, year: int) -> dict[tuple[int, int], list[float]]:
    """Every emission row of the year's entries: (entry, emission type) -> kg CO2e values."""
    rows: dict[tuple[int, int], list[float]] = {}
    with connect(database_url) as connection:
        for row in connection.execute(
            "SELECT em.data_entry_id, em.emission_type_id, em.kg_co2eq "
            "FROM data_entry_emissions em JOIN data_entries e ON e.id = em.data_entry_id "
            "JOIN carbon_report_modules m ON m.id = e.carbon_report_module_id "
            "JOIN carbon_reports r ON r.id = m.carbon_report_id WHERE r.year = %s",
            (year,),
        ):
            key = (row["data_entry_id"], row["emission_type_id"])
            rows.setdefault(key, []).append(row["kg_co2eq"])
    return rows


def count(database_url: str, query: str, *params: Any) -> int:
    with connect(database_url) as connection:
        row = connection.execute(query, params).fetchone()
    assert row is not None
    return int(next(iter(row.values())))


def stats_mismatches(database_url: str) -> list[str]:
    """The stats invariant (stats_audit) on what is committed."""
    import asyncio

    from stats_audit import committed_stats_mismatches

    from app.db import create_engine, create_session_factory

    async def audit() -> list[str]:
        engine = create_engine(database_url)
        try:
            return await committed_stats_mismatches(create_session_factory(engine))
        finally:
            await engine.dispose()

    return asyncio.run(audit())
