"""The `procrastinate` backend with real processes: `co2calc serve` queues the jobs, two
`co2calc worker` processes run them; jobs of different scopes run at once, jobs of one
(module, year) one after the other. On SQLite the backend is refused at start-up."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from factor_files import scaled_factor_file
from queue_cluster import (
    PLANE,
    TRAVEL,
    QueueDemo,
    admin_client,
    cluster,
    job_row,
    reports_held,
    wait_finished,
    wait_waiting_on_reports,
)

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

RunCli = Callable[..., Any]
RUNNING = 2


@pytest.fixture
def demo_database(queue_demo: QueueDemo) -> str:
    return queue_demo(2024, 2025)


def test_two_workers_run_scopes_in_parallel_and_one_scope_in_order(
    demo_database: str, tmp_path: Path
) -> None:
    url = demo_database
    with cluster(url, tmp_path) as running, admin_client(running.api("api")) as api:
        running.worker("worker-1")
        running.worker("worker-2")
        with reports_held(url, 2024, 2025):
            recalculations = [
                api.post(
                    f"/sync/recalculate-emissions/{TRAVEL}",
                    params={"year": year, "only_stale": "false"},
                )
                for year in (2024, 2025)
            ]
            assert [r.status_code for r in recalculations] == [202, 202]
            r2024, r2025 = (r.json()["job_id"] for r in recalculations)
            factors = api.post(
                f"/sync/factors/{TRAVEL}",
                params={"year": 2025, "data_entry_type_id": PLANE},
                files={
                    "file": (
                        "plane.csv",
                        scaled_factor_file("plane", "ef_kg_co2eq_per_km", 1.5, year=2025),
                        "text/csv",
                    )
                },
            )
            assert factors.status_code == 202, factors.text
            f2025 = factors.json()["job_id"]
            # Both recalculations stop in their data transaction, at once, on two workers;
            # the factor import of 2025 waits for the recalculation of 2025.
            wait_waiting_on_reports(url, jobs=2)
            rows = {job: job_row(url, job) for job in (r2024, r2025, f2025)}
            assert rows[r2024]["state"] == rows[r2025]["state"] == RUNNING
            assert rows[r2024]["worker_id"] != rows[r2025]["worker_id"]
            assert rows[f2025]["started_at"] is None, rows[f2025]
        wait_finished(url, r2024, r2025, f2025)
    ended = {job: job_row(url, job) for job in (r2024, r2025, f2025)}
    assert all(row["result"] in (0, 1) for row in ended.values()), ended
    # Different scopes overlapped; one scope's jobs did not.
    assert ended[r2024]["started_at"] < ended[r2025]["finished_at"]
    assert ended[r2025]["started_at"] < ended[r2024]["finished_at"]
    assert ended[f2025]["started_at"] >= ended[r2025]["finished_at"]
    workers = {row["worker_id"] for row in ended.values()}
    assert len(workers) == 2, workers


def test_the_procrastinate_backend_is_refused_on_sqlite(run_cli: RunCli) -> None:
    for command in (("worker",), ("serve",), ("db", "upgrade")):
        result = run_cli(*command, CO2CALC_TASK_BACKEND="procrastinate")
        assert result.returncode == 2, (command, result.stdout, result.stderr)
        assert "CO2CALC_TASK_BACKEND=procrastinate" in result.stderr
        assert "needs PostgreSQL" in result.stderr


def test_the_worker_needs_the_procrastinate_backend(run_cli: RunCli) -> None:
    result = run_cli("worker")
    assert result.returncode == 2
    assert "CO2CALC_TASK_BACKEND=procrastinate" in result.stderr


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_the_worker_refuses_an_unknown_queue(run_cli: RunCli, database_url: str) -> None:
    result = run_cli(
        "worker",
        "--queues",
        "imports",
        "--queues",
        "exports",
        database_url=database_url,
        CO2CALC_TASK_BACKEND="procrastinate",
    )
    assert result.returncode == 2
    assert "unknown queue exports: use imports, recalculations" in result.stderr
