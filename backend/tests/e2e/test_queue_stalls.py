"""Workers that die or stop: `kill -9` in the middle of a recalculation and of a data import
(each stopped inside its data transaction by holding the report rows its stats refresh
locks), SIGTERM with a job running, and a job committed but never deferred. The other worker
retries or runs the job; nothing half-written is ever visible."""

from __future__ import annotations

import asyncio
import math
import os
import signal
from pathlib import Path
from typing import Any

import pytest
from factor_files import scaled_factor_file
from queue_cluster import (
    FAST_STALLS,
    PLANE,
    TRAVEL,
    QueueDemo,
    admin_client,
    cluster,
    connect,
    count,
    emission_rows,
    job_row,
    reports_held,
    stats_mismatches,
    wait_finished,
    wait_waiting_on_reports,
    worker_pid,
)

from app.db import create_engine, create_session_factory
from app.domain.modules import ModuleTypeEnum
from app.services.recalculation_jobs import RecalculationJobService

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

YEAR = 2025
SUCCESS = 0
RUNNING = 2
SCALE = 1.5
ENTRIES_OF_YEAR = (
    "SELECT count(*) FROM data_entries e JOIN carbon_report_modules m "
    "ON m.id = e.carbon_report_module_id JOIN carbon_reports r ON r.id = m.carbon_report_id "
    "WHERE r.year = %s"
)


@pytest.fixture
def demo_database(queue_demo: QueueDemo) -> str:
    return queue_demo(YEAR)


def plane_entries(url: str) -> set[int]:
    with connect(url) as connection:
        rows = connection.execute(
            "SELECT id FROM data_entries WHERE data_entry_type_id = %s", (PLANE,)
        ).fetchall()
    return {row["id"] for row in rows}


def same_values(left: list[float], right: list[float]) -> bool:
    return len(left) == len(right) and all(
        math.isclose(a, b, rel_tol=1e-9) for a, b in zip(sorted(left), sorted(right), strict=True)
    )


def same_rows(left: dict[Any, list[float]], right: dict[Any, list[float]]) -> bool:
    return left.keys() == right.keys() and all(same_values(left[k], right[k]) for k in left)


def import_scaled_plane_factors(api: Any, url: str) -> None:
    content = scaled_factor_file("plane", "ef_kg_co2eq_per_km", SCALE, year=YEAR)
    response = api.post(
        f"/sync/factors/{TRAVEL}",
        params={"year": YEAR, "data_entry_type_id": PLANE},
        files={"file": ("plane.csv", content, "text/csv")},
    )
    assert response.status_code == 202, response.text
    wait_finished(url, response.json()["job_id"])


def recalculate_travel(api: Any) -> int:
    response = api.post(
        f"/sync/recalculate-emissions/{TRAVEL}", params={"year": YEAR, "only_stale": "false"}
    )
    assert response.status_code == 202, response.text
    return int(response.json()["job_id"])


def kill_running_worker(url: str, job_id: int) -> str:
    """SIGKILL the worker running the job (stopped in its data transaction); its id."""
    running = job_row(url, job_id)
    assert running["state"] == RUNNING, running
    os.kill(worker_pid(running["worker_id"]), signal.SIGKILL)
    return str(running["worker_id"])


def test_a_worker_killed_in_a_recalculation_commits_nothing_and_the_other_retries(
    demo_database: str, tmp_path: Path
) -> None:
    url = demo_database
    with cluster(url, tmp_path, **FAST_STALLS) as running, admin_client(running.api("api")) as api:
        running.worker("worker-1")
        running.worker("worker-2")
        import_scaled_plane_factors(api, url)
        before = emission_rows(url, YEAR)
        with reports_held(url, YEAR):
            job = recalculate_travel(api)
            wait_waiting_on_reports(url)
            killed = kill_running_worker(url, job)
            # The killed attempt had swapped its rows, uncommitted: all old rows are seen.
            assert emission_rows(url, YEAR) == before
        wait_finished(url, job)
        after = emission_rows(url, YEAR)
        # A recalculation that nobody stopped writes exactly the rows the retry wrote.
        clean = recalculate_travel(api)
        wait_finished(url, clean)
        assert same_rows(emission_rows(url, YEAR), after)
    ended = job_row(url, job)
    assert ended["result"] == SUCCESS, ended
    assert ended["attempts"] == 1
    assert ended["worker_id"] != killed
    # All new rows: one per (entry, emission type), as before, plane's with the new factors.
    assert after.keys() == before.keys()
    assert all(len(values) == 1 for values in after.values())
    plane = plane_entries(url)
    changed = {key[0] for key, values in after.items() if not same_values(values, before[key])}
    assert changed
    assert changed <= plane
    assert stats_mismatches(url) == []


def test_a_worker_killed_in_a_data_import_leaves_no_entry_and_keeps_the_upload(
    demo_database: str, tmp_path: Path
) -> None:
    url = demo_database
    with connect(url) as connection:
        unit = connection.execute("SELECT institutional_code AS code FROM units LIMIT 1")
        code = unit.fetchone()["code"]  # type: ignore[index]
    rows = 20
    content = "unit_institutional_code,origin_iata,destination_iata,cabin_class,number_of_trips\n"
    content += f"{code},GVA,LHR,eco,1\n" * rows
    entries_before = count(url, ENTRIES_OF_YEAR, YEAR)
    with cluster(url, tmp_path, **FAST_STALLS) as running, admin_client(running.api("api")) as api:
        running.worker("worker-1")
        running.worker("worker-2")
        with reports_held(url, YEAR):
            response = api.post(
                f"/sync/data-entries/{TRAVEL}",
                params={"year": YEAR, "data_entry_type_id": PLANE, "mode": "append"},
                files={"file": ("trips.csv", content, "text/csv")},
            )
            assert response.status_code == 202, response.text
            job = int(response.json()["job_id"])
            wait_waiting_on_reports(url)
            killed = kill_running_worker(url, job)
            assert count(url, ENTRIES_OF_YEAR, YEAR) == entries_before
            uploads = "SELECT count(*) FROM data_ingestion_job_uploads WHERE job_id = %s"
            assert count(url, uploads, job) == 1
        wait_finished(url, job)
    ended = job_row(url, job)
    assert ended["result"] == SUCCESS, ended
    assert (ended["attempts"], ended["meta"]["inserted"]) == (1, rows)
    assert ended["worker_id"] != killed
    assert count(url, ENTRIES_OF_YEAR, YEAR) == entries_before + rows
    assert count(url, uploads, job) == 0
    assert stats_mismatches(url) == []


def test_sigterm_hands_the_running_job_back_to_another_worker(
    demo_database: str, tmp_path: Path
) -> None:
    url = demo_database
    with cluster(url, tmp_path, **FAST_STALLS) as running, admin_client(running.api("api")) as api:
        workers = {
            name: running.worker(name, "--shutdown-timeout", "1")
            for name in ("worker-1", "worker-2")
        }
        before = emission_rows(url, YEAR)
        with reports_held(url, YEAR):
            job = recalculate_travel(api)
            wait_waiting_on_reports(url)
            first = job_row(url, job)["worker_id"]
            stopped = next(p for p in workers.values() if p.pid == worker_pid(first))
            stopped.send_signal(signal.SIGTERM)
            assert stopped.wait(timeout=60) == 0
            handed_back = job_row(url, job)
            assert handed_back["attempts"] == 1, handed_back
            assert emission_rows(url, YEAR) == before
        wait_finished(url, job)
    ended = job_row(url, job)
    assert ended["result"] == SUCCESS, ended
    assert ended["worker_id"] != first
    assert "handed back" in running.log_of(next(n for n, p in workers.items() if p is stopped))


def test_a_job_committed_but_never_deferred_is_run(demo_database: str, tmp_path: Path) -> None:
    url = demo_database

    async def commit_without_defer() -> int:
        engine = create_engine(url)
        try:
            async with create_session_factory(engine)() as session:
                scheduled = await RecalculationJobService(session).create_module_job(
                    ModuleTypeEnum(TRAVEL),
                    YEAR,
                    only_stale=False,
                    requested_by="test",
                    worker_id=None,
                )
                await session.commit()  # the process "dies" here, before the defer
            return scheduled.job_id
        finally:
            await engine.dispose()

    job = asyncio.run(commit_without_defer())
    with cluster(url, tmp_path, **FAST_STALLS) as running:
        running.worker("worker-1")
        wait_finished(url, job)
        assert f"deferred job {job}" in running.log_of("worker-1")
    assert job_row(url, job)["result"] == SUCCESS
