"""Two API processes and one worker on PostgreSQL: a recalculation requested on one API is
streamed from the other, woken by the job table's notifications (its polling is made too slow
to show the job in time); each API process listens on one connection, however many streams it
serves. /health reports the backend and the worker; `co2calc jobs list` names the worker."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest
from queue_cluster import (
    TRAVEL,
    QueueDemo,
    admin_client,
    cluster,
    count,
    job_row,
    reports_held,
    wait_waiting_on_reports,
)

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

RunCli = Callable[..., Any]
YEAR = 2025
# The streaming API polls once a minute and sends no keep-alive within the client's wait:
# an event arriving in time was woken by a notification.
SLOW_POLLING = {"CO2CALC_SSE_POLL_SECONDS": "60", "CO2CALC_SSE_KEEPALIVE_SECONDS": "300"}
STREAM_WAIT = httpx.Timeout(10, read=30)
LISTENERS = (
    "SELECT count(*) FROM pg_stat_activity "
    "WHERE datname = current_database() AND query = 'LISTEN co2calc_job_changes'"
)
RUNNING = 2
SUCCESS = 0


@pytest.fixture
def demo_database(queue_demo: QueueDemo) -> str:
    return queue_demo(YEAR)


def events(response: httpx.Response) -> Iterator[dict[str, Any]]:
    for line in response.iter_lines():
        if line.startswith("data:"):
            yield json.loads(line[5:])


def test_a_job_run_by_a_worker_is_streamed_from_another_api(
    demo_database: str, tmp_path: Path, run_cli: RunCli
) -> None:
    url = demo_database
    with (
        cluster(url, tmp_path, **SLOW_POLLING) as running,
        admin_client(running.api("api-1")) as api,
        admin_client(running.api("api-2")) as watcher,
    ):
        health = watcher.get("/health").json()
        assert (health["task_backend"], health["worker_seen"]) == ("procrastinate", False)
        running.worker("worker-1")
        with ExitStack() as held:
            held.enter_context(reports_held(url, YEAR))
            response = api.post(
                f"/sync/recalculate-emissions/{TRAVEL}",
                params={"year": YEAR, "only_stale": "false"},
            )
            assert response.status_code == 202, response.text
            job = int(response.json()["job_id"])
            wait_waiting_on_reports(url)
            with (
                watcher.stream("GET", f"/sync/jobs/{job}/stream", timeout=STREAM_WAIT) as one,
                watcher.stream("GET", f"/sync/jobs/{job}/stream", timeout=STREAM_WAIT) as two,
            ):
                streams = [events(one), events(two)]
                for stream in streams:
                    assert next(stream)["state"] == RUNNING
                # Two streams on api-2; one listening connection in each API process.
                assert count(url, LISTENERS) == 2
                held.close()  # the job goes on and finishes
                ends = [list(stream)[-1] for stream in streams]
        assert all(end["stream_closed"] and end["result"] == SUCCESS for end in ends), ends
        worker = job_row(url, job)["worker_id"]
        assert {end["worker_id"] for end in ends} == {worker}
        assert watcher.get("/health").json()["worker_seen"] is True
    listed = run_cli("jobs", "list", "--wide", database_url=url)
    assert listed.returncode == 0, listed.stderr
    assert worker in listed.stdout
