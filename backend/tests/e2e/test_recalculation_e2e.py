"""The plan's Verification list, end to end: `co2calc demo`, `co2calc serve` (a real uvicorn in
its own process), factor imports through the API, the status, module recalculations followed
on the SSE stream until `stream_closed`, and a broken entry ending the module job WARNING."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from demo_copies import DemoCopies
from factor_files import scaled_factor_file
from live_server import free_port, wait_until_answering

CO2CALC = Path(sys.executable).with_name("co2calc")


pytestmark = pytest.mark.slow
# Until the recalculation engine lands (built in parallel), these tests skip with this reason.
pytest.importorskip("app.tasks.emission_recalculation_tasks")

YEAR = 2025
TRAVEL = 2
PLANE, TRAIN = 20, 21
ADMIN_PASSWORD = "e2e-admin-password"
NOTHING_STALE = "No data entry types require recalculation for this module"


@pytest.fixture
def demo_loaded(demo_copies: DemoCopies, sqlite_url: str) -> None:
    demo_copies.sqlite(
        sqlite_url, "--units", "3", "--years", str(YEAR), "--admin-password", ADMIN_PASSWORD
    )


@pytest.fixture
def served(demo_loaded: None, sqlite_url: str, tmp_path: Path) -> Iterator[str]:
    """`co2calc serve` on the demo database, its stream polling every 20 ms so that each
    type's progress message of a small recalculation is seen."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CO2CALC_")}
    env.update(CO2CALC_DATABASE_URL=sqlite_url, CO2CALC_SSE_POLL_SECONDS="0.02", NO_COLOR="1")
    port = free_port()
    server = subprocess.Popen(
        [str(CO2CALC), "serve", "--port", str(port)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(f"{base}/api/v1/health", server)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture
def api(served: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{served}/api/v1", timeout=60) as client:
        token = client.post(
            "/auth/token", data={"username": "admin", "password": ADMIN_PASSWORD}
        ).json()["access_token"]
        client.headers["Authorization"] = f"Bearer {token}"
        yield client


def follow(api: httpx.Client, job_id: int) -> list[dict[str, Any]]:
    """Every event of the job's stream, until the server closes it."""
    events: list[dict[str, Any]] = []
    with api.stream("GET", f"/sync/jobs/{job_id}/stream") as response:
        assert response.status_code == 200
        for line in response.iter_lines():
            if line.startswith("data:"):
                events.append(json.loads(line[5:]))
    assert events, "no event"
    assert events[-1].get("stream_closed") is True
    assert all("stream_closed" not in event for event in events[:-1])
    return events


def import_factors(
    api: httpx.Client, data_entry_type: str, type_id: int, scale: float
) -> dict[str, Any]:
    """The shipped file of the type with its factors scaled, so that the import changes them
    (one that changes no factor leaves the status as it was)."""
    content = scaled_factor_file(data_entry_type, "ef_kg_co2eq_per_km", scale, year=YEAR)
    response = api.post(
        f"/sync/factors/{TRAVEL}",
        params={"year": YEAR, "data_entry_type_id": type_id},
        files={"file": (f"{data_entry_type}.csv", content.encode(), "text/csv")},
    )
    assert response.status_code == 202, response.text
    last = follow(api, response.json()["job_id"])[-1]
    assert last["result"] in (0, 1), last
    return last


def status_of(api: httpx.Client) -> dict[int, dict[str, Any]]:
    response = api.get("/sync/recalculation-status", params={"year": YEAR})
    assert response.status_code == 200
    modules = {module["module_type_id"]: module for module in response.json()}
    return {
        t["data_entry_type_id"]: t | {"module_needs": modules[TRAVEL]["needs_recalculation"]}
        for t in modules[TRAVEL]["data_entry_types"]
    }


def recalculate_module(api: httpx.Client, only_stale: bool) -> httpx.Response:
    return api.post(
        f"/sync/recalculate-emissions/{TRAVEL}",
        params={"year": YEAR, "only_stale": str(only_stale).lower()},
    )


def stats_of(last: dict[str, Any], type_id: int) -> dict[str, Any]:
    stats: dict[str, Any] = last["meta"]["recalculation"]
    return stats.get(str(type_id)) or stats[type_id]  # type: ignore[index]


def test_plan_verification(api: httpx.Client, sqlite_url: str) -> None:
    # 1. The demo imported the factors and recalculated: up to date. After factor imports of
    # plane and train, both are stale, and so is the module.
    status = status_of(api)
    assert not status[PLANE]["needs_recalculation"]
    assert not status[TRAIN]["needs_recalculation"]
    assert not status[PLANE]["module_needs"]
    import_factors(api, "plane", PLANE, 1.5)
    import_factors(api, "train", TRAIN, 1.5)
    status = status_of(api)
    assert status[PLANE]["needs_recalculation"]
    assert status[TRAIN]["needs_recalculation"]
    assert status[PLANE]["module_needs"]

    # 2. Module recalculation of the stale types: one job.
    response = recalculate_module(api, only_stale=True)
    assert response.status_code == 202, response.text
    body = response.json()
    assert body["message"] == "Module emission recalculation scheduled for 2 data entry types"
    assert body["state"] == 0

    # 3. The stream shows each type in order, then the stats in meta.recalculation.
    events = follow(api, body["job_id"])
    messages = [e["status_message"] or "" for e in events]
    plane_at = next(i for i, m in enumerate(messages) if m.startswith("Recalculating plane (1/2)"))
    train_at = next(i for i, m in enumerate(messages) if m.startswith("Recalculating train (2/2)"))
    assert plane_at < train_at
    last = events[-1]
    assert last["result"] == 0, last["status_message"]
    assert stats_of(last, PLANE)["recalculated"] > 0
    assert stats_of(last, TRAIN)["errors"] == 0

    # 4. Up to date.
    status = status_of(api)
    assert not status[PLANE]["needs_recalculation"]
    assert not status[TRAIN]["needs_recalculation"]
    assert not status[PLANE]["module_needs"]
    assert status[PLANE]["recalculation_running_job_id"] is None

    # 5. A factor import that changes a factor makes its type (and the module) stale again.
    import_factors(api, "plane", PLANE, 2)
    status = status_of(api)
    assert status[PLANE]["needs_recalculation"]
    assert not status[TRAIN]["needs_recalculation"]
    assert status[PLANE]["module_needs"]

    # 6. All types, stale or not.
    response = recalculate_module(api, only_stale=False)
    assert response.status_code == 202
    assert response.json()["message"].endswith("for 2 data entry types")
    assert follow(api, response.json()["job_id"])[-1]["result"] == 0

    # 7. Nothing stale: 400 with the plan's message.
    response = recalculate_module(api, only_stale=True)
    assert response.status_code == 400
    assert response.json()["detail"] == NOTHING_STALE

    # 8. A broken entry: WARNING, errors=1 for its type, the other type unaffected.
    database = Path(sqlite_url.removeprefix("sqlite+aiosqlite:///"))
    with sqlite3.connect(database, timeout=30) as connection:
        (entry_id,) = connection.execute(
            "SELECT e.id FROM data_entries e JOIN carbon_report_modules m"
            " ON m.id = e.carbon_report_module_id JOIN carbon_reports r"
            " ON r.id = m.carbon_report_id WHERE e.data_entry_type_id = ? AND r.year = ?"
            " ORDER BY e.id LIMIT 1",
            (PLANE, YEAR),
        ).fetchone()
        connection.execute(
            "UPDATE data_entries SET data = ? WHERE id = ?",
            (json.dumps({"origin_iata": "???", "destination_iata": "!!!"}), entry_id),
        )
    response = recalculate_module(api, only_stale=False)
    assert response.status_code == 202
    last = follow(api, response.json()["job_id"])[-1]
    assert last["result"] == 1, last["status_message"]
    assert stats_of(last, PLANE)["errors"] == 1
    assert stats_of(last, TRAIN)["errors"] == 0
    shown = api.get(f"/sync/jobs/{last['id']}")
    assert shown.status_code == 200, (shown.status_code, shown.text[:500])
    children = shown.json()["children"]
    assert {c["data_entry_type_id"]: c["result"] for c in children} == {PLANE: 1, TRAIN: 0}


def test_two_real_connections_posting_together(api: httpx.Client, served: str) -> None:
    """Two threads, two HTTP connections, released together: one 202 and one 409."""
    headers = {"Authorization": api.headers["Authorization"]}
    barrier = threading.Barrier(2)
    answers: list[httpx.Response] = []

    def post(url: str) -> None:
        with httpx.Client(base_url=f"{served}/api/v1", headers=headers, timeout=60) as client:
            barrier.wait()
            answers.append(client.post(url, params={"year": YEAR}))

    threads = [
        threading.Thread(target=post, args=(f"/sync/recalculate-emissions/{TRAVEL}/{PLANE}",)),
        threading.Thread(target=post, args=(f"/sync/recalculate-emissions/{TRAVEL}",)),
    ]
    # The module request needs a stale type: only_stale=false is not the default, so make
    # plane stale first.
    import_factors(api, "plane", PLANE, 1.5)
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    codes = sorted(answer.status_code for answer in answers)
    assert codes == [202, 409], [a.text for a in answers]
    accepted = next(a for a in answers if a.status_code == 202).json()["job_id"]
    assert next(a for a in answers if a.status_code == 409).json()["job_id"] == accepted
    assert follow(api, accepted)[-1]["state"] == 3
