"""Recalculation endpoints: status, per-type and per-module jobs, permissions, validation, and
the one-active-recalculation rule (409 with the active job's id), on both databases.

The runner is replaced by a recorder: these tests pin what is created and scheduled; the
end-to-end test (tests/e2e/test_recalculation_e2e.py) runs the jobs for real.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from api_fixtures import LoginAs, make_client
from factories import create_job
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.permissions import Role
from app.domain.ingestion import IngestionMethod, IngestionResult, IngestionState, TargetType
from app.domain.modules import DataEntryTypeEnum, ModuleTypeEnum
from app.models import DataIngestionJob, utcnow
from app.services.recalculation_jobs import NOTHING_STALE
from app.tasks.context import worker_id

YEAR = 2025
TRAVEL = int(ModuleTypeEnum.professional_travel)
PLANE = int(DataEntryTypeEnum.plane)
TRAIN = int(DataEntryTypeEnum.train)
PROCESS = int(ModuleTypeEnum.process_emissions)
STATUS_URL = "/api/v1/sync/recalculation-status"


def module_url(module: int = TRAVEL, **query: Any) -> str:
    params = "&".join(f"{k}={v}" for k, v in ({"year": YEAR} | query).items())
    return f"/api/v1/sync/recalculate-emissions/{module}?{params}"


def type_url(module: int = TRAVEL, data_entry_type: int = PLANE, year: Any = YEAR) -> str:
    return f"/api/v1/sync/recalculate-emissions/{module}/{data_entry_type}?year={year}"


class RecordingRunner:
    """Stands in for the inline runner: remembers what would run, as the call of the plan's
    task that the dispatched job's row describes (the task reads its inputs from the row)."""

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self.session_factory = session_factory
        self.scheduled: list[tuple[str, dict[str, Any]]] = []

    async def dispatch(self, job_id: int) -> None:
        async with self.session_factory() as session:
            job = await session.get(DataIngestionJob, job_id)
        assert job is not None, "dispatched before its commit"
        common = {"job_id": job.id, "module_type_id": job.module_type_id}
        if job.data_entry_type_id is None:
            types = job.meta["config"]["data_entry_type_ids"]
            call = {**common, "data_entry_type_ids": types, "year": job.year}
            self.scheduled.append(("run_module_recalculation_task", call))
        else:
            call = {**common, "data_entry_type_id": job.data_entry_type_id, "year": job.year}
            self.scheduled.append(("run_recalculation_task", call))


@pytest.fixture
def runner(app: FastAPI, session_factory: async_sessionmaker[AsyncSession]) -> RecordingRunner:
    recorder = RecordingRunner(session_factory)
    app.state.runner = recorder
    return recorder


@pytest.fixture
async def admin(login_as: LoginAs) -> dict[str, str]:
    return await login_as(Role.backoffice_metier)


async def add_factor_job(
    session_factory: async_sessionmaker[AsyncSession],
    *,
    module: int = TRAVEL,
    data_entry_type: int | None = None,
    sequence: int = 1,
) -> int:
    """A finished factor import of the module (all its types by default), committed."""
    async with session_factory() as session:
        job = await create_job(
            session,
            module_type_id=module,
            data_entry_type_id=data_entry_type,
            ingestion_method=int(IngestionMethod.csv),
            target_type=int(TargetType.FACTORS),
            state=int(IngestionState.FINISHED),
            result=int(IngestionResult.SUCCESS),
            finished_at=utcnow(),
            factor_sequence=sequence,
            progress_done=10,
            progress_total=10,
        )
        await session.commit()
        return job.id


async def finish_jobs(session_factory: async_sessionmaker[AsyncSession], sequence: int) -> None:
    """End every active recalculation as a success that read `sequence`."""
    async with session_factory() as session:
        jobs = (
            await session.scalars(
                select(DataIngestionJob).where(DataIngestionJob.state != IngestionState.FINISHED)
            )
        ).all()
        for job in jobs:
            job.state = int(IngestionState.FINISHED)
            job.result = int(IngestionResult.SUCCESS)
            job.factor_sequence = sequence
            job.finished_at = utcnow()
        await session.commit()


async def load_jobs(session_factory: async_sessionmaker[AsyncSession]) -> list[DataIngestionJob]:
    async with session_factory() as session:
        statement = select(DataIngestionJob).where(
            DataIngestionJob.target_type == int(TargetType.DATA_ENTRIES)
        )
        return list((await session.scalars(statement.order_by(DataIngestionJob.id))).all())


# --- permissions


@pytest.mark.parametrize(
    ("method", "url"),
    [("POST", type_url()), ("POST", module_url(only_stale="false"))],
)
async def test_viewer_cannot_recalculate(
    app_client: httpx.AsyncClient, login_as: LoginAs, runner: RecordingRunner, method: str, url: str
) -> None:
    viewer = await login_as(Role.backoffice_viewer)

    response = await app_client.request(method, url, headers=viewer)

    assert response.status_code == 403
    assert "sync" in response.json()["detail"]
    assert runner.scheduled == []


async def test_viewer_reads_the_status(app_client: httpx.AsyncClient, login_as: LoginAs) -> None:
    viewer = await login_as(Role.backoffice_viewer)

    response = await app_client.get(f"{STATUS_URL}?year={YEAR}", headers=viewer)

    assert response.status_code == 200
    assert response.json() == []


@pytest.mark.parametrize("role", [Role.user_standard, Role.user_principal])
async def test_non_backoffice_users_cannot_read_the_status(
    app_client: httpx.AsyncClient, login_as: LoginAs, role: Role
) -> None:
    response = await app_client.get(f"{STATUS_URL}?year={YEAR}", headers=await login_as(role))
    assert response.status_code == 403


async def test_anonymous_gets_401(app_client: httpx.AsyncClient) -> None:
    assert (await app_client.get(f"{STATUS_URL}?year={YEAR}")).status_code == 401
    assert (await app_client.post(type_url())).status_code == 401


# --- validation


@pytest.mark.parametrize("year", ["", "abc", "1999", "2101", "20.5"])
async def test_bad_year_is_400(
    app_client: httpx.AsyncClient, admin: dict[str, str], runner: RecordingRunner, year: str
) -> None:
    for url in (
        f"{STATUS_URL}?year={year}",
        type_url(year=year),
        f"/api/v1/sync/recalculate-emissions/{TRAVEL}?year={year}",
    ):
        method = "GET" if url.startswith(STATUS_URL) else "POST"
        response = await app_client.request(method, url, headers=admin)
        assert response.status_code == 400, (url, response.text)
        assert "year" in response.json()["detail"]
    assert runner.scheduled == []


async def test_missing_year_is_400(app_client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    response = await app_client.post(f"/api/v1/sync/recalculate-emissions/{TRAVEL}", headers=admin)
    assert response.status_code == 400
    assert response.json()["detail"].startswith("year is required")


@pytest.mark.parametrize("module", ["99", "0", "travel"])
async def test_unknown_module_is_404_with_valid_values(
    app_client: httpx.AsyncClient, admin: dict[str, str], module: str
) -> None:
    for url in (
        f"/api/v1/sync/recalculate-emissions/{module}?year={YEAR}",
        f"/api/v1/sync/recalculate-emissions/{module}/{PLANE}?year={YEAR}",
    ):
        response = await app_client.post(url, headers=admin)
        assert response.status_code == 404, response.text
        assert response.json()["valid_values"] == list(range(1, 9))


@pytest.mark.parametrize("data_entry_type", [50, 999, "plane"])
async def test_type_outside_the_module_is_404_with_the_module_types(
    app_client: httpx.AsyncClient,
    admin: dict[str, str],
    runner: RecordingRunner,
    data_entry_type: Any,
) -> None:
    response = await app_client.post(type_url(TRAVEL, data_entry_type), headers=admin)

    assert response.status_code == 404
    body = response.json()
    assert body["valid_values"] == [PLANE, TRAIN]
    assert "valid values" in body["detail"]
    assert runner.scheduled == []


# --- status


async def test_status_groups_types_by_module(
    app_client: httpx.AsyncClient,
    admin: dict[str, str],
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    travel_job = await add_factor_job(session_factory)
    await add_factor_job(session_factory, module=PROCESS, sequence=1)
    async with session_factory() as session:
        await create_job(
            session,
            module_type_id=PROCESS,
            data_entry_type_id=50,
            state=int(IngestionState.FINISHED),
            result=int(IngestionResult.WARNING),
            factor_sequence=1,
            finished_at=utcnow(),
        )
        await session.commit()

    response = await app_client.get(f"{STATUS_URL}?year={YEAR}", headers=admin)

    assert response.status_code == 200
    travel, process = response.json()
    assert (travel["module_type_id"], travel["year"], travel["needs_recalculation"]) == (
        TRAVEL,
        YEAR,
        True,
    )
    assert [t["data_entry_type_id"] for t in travel["data_entry_types"]] == [PLANE, TRAIN]
    assert travel["module_type_name"] == "professional_travel"
    assert [t["data_entry_type_name"] for t in travel["data_entry_types"]] == ["plane", "train"]
    plane = travel["data_entry_types"][0]
    assert plane["module_type_name"] == "professional_travel"
    assert plane["last_factor_job_id"] == travel_job
    assert (plane["last_factor_job_result"], plane["last_factor_job_result_name"]) == (
        0,
        "success",
    )
    assert plane["last_recalculation_job_state_name"] is None
    assert (plane["last_factor_job_rows_done"], plane["last_factor_job_rows_total"]) == (10, 10)
    assert plane["last_factor_job_finished_at"].endswith(("Z", "+00:00"))
    assert plane["last_recalculation_job_id"] is None
    assert plane["recalculation_running_job_id"] is None
    assert process["needs_recalculation"] is False
    emissions = process["data_entry_types"][0]
    assert emissions["last_recalculation_job_result"] == 1
    assert emissions["last_recalculation_job_result_name"] == "warning"
    assert emissions["last_recalculation_job_state_name"] == "finished"
    assert (await app_client.get(f"{STATUS_URL}?year=2024", headers=admin)).json() == []


# --- single type


async def test_type_recalculation_is_scheduled(
    app_client: httpx.AsyncClient,
    admin: dict[str, str],
    runner: RecordingRunner,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    response = await app_client.post(type_url(), headers=admin)

    assert response.status_code == 202
    body = response.json()
    assert body == {
        "job_id": body["job_id"],
        "state": 0,
        "state_name": "not_started",
        "message": "Emission recalculation scheduled",
    }
    (job,) = await load_jobs(session_factory)
    assert job.id == body["job_id"]
    assert (job.module_type_id, job.data_entry_type_id, job.year) == (TRAVEL, PLANE, YEAR)
    assert (job.ingestion_method, job.target_type, job.entity_type) == (3, 0, 2)
    assert job.meta == {"config": {"year": YEAR, "data_entry_type_id": PLANE}}
    assert job.worker_id == worker_id()
    assert str(job.requested_by).startswith("user")
    assert runner.scheduled == [
        (
            "run_recalculation_task",
            {"job_id": job.id, "module_type_id": TRAVEL, "data_entry_type_id": PLANE, "year": YEAR},
        )
    ]


async def test_status_shows_the_running_job(
    app_client: httpx.AsyncClient,
    admin: dict[str, str],
    runner: RecordingRunner,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    await add_factor_job(session_factory)
    job_id = (await app_client.post(module_url(), headers=admin)).json()["job_id"]

    (travel,) = (await app_client.get(f"{STATUS_URL}?year={YEAR}", headers=admin)).json()

    assert travel["needs_recalculation"] is True
    for data_entry_type in travel["data_entry_types"]:
        assert data_entry_type["recalculation_running_job_id"] == job_id
        assert data_entry_type["last_recalculation_job_state"] == 0
        assert data_entry_type["needs_recalculation"] is True


# --- module


async def test_module_only_stale_covers_the_stale_types(
    app_client: httpx.AsyncClient,
    admin: dict[str, str],
    runner: RecordingRunner,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    await add_factor_job(session_factory, sequence=1)
    async with session_factory() as session:  # train is up to date, plane is not
        await create_job(
            session,
            module_type_id=TRAVEL,
            data_entry_type_id=TRAIN,
            state=int(IngestionState.FINISHED),
            result=int(IngestionResult.SUCCESS),
            factor_sequence=1,
        )
        await session.commit()

    response = await app_client.post(module_url(only_stale="true"), headers=admin)

    assert response.status_code == 202, response.text
    body = response.json()
    assert body["message"] == "Module emission recalculation scheduled for 1 data entry type"
    assert body["state"] == 0
    parent, child = (job for job in await load_jobs(session_factory) if job.state == 0)
    assert (parent.id, parent.data_entry_type_id, parent.parent_job_id) == (
        body["job_id"],
        None,
        None,
    )
    assert parent.meta == {
        "config": {"year": YEAR, "data_entry_type_ids": [PLANE], "only_stale": True}
    }
    assert (child.data_entry_type_id, child.parent_job_id) == (PLANE, parent.id)
    assert child.worker_id == parent.worker_id == worker_id()
    assert runner.scheduled == [
        (
            "run_module_recalculation_task",
            {
                "job_id": parent.id,
                "module_type_id": TRAVEL,
                "data_entry_type_ids": [PLANE],
                "year": YEAR,
            },
        )
    ]


async def test_module_all_types_ignores_staleness(
    app_client: httpx.AsyncClient,
    admin: dict[str, str],
    runner: RecordingRunner,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    response = await app_client.post(module_url(only_stale="false"), headers=admin)

    assert response.status_code == 202
    assert response.json()["message"] == (
        "Module emission recalculation scheduled for 2 data entry types"
    )
    parent, plane, train = await load_jobs(session_factory)
    assert [plane.data_entry_type_id, train.data_entry_type_id] == [PLANE, TRAIN]
    assert plane.parent_job_id == train.parent_job_id == parent.id
    assert parent.meta["config"]["only_stale"] is False
    assert runner.scheduled[0][1]["data_entry_type_ids"] == [PLANE, TRAIN]


async def test_only_stale_with_nothing_stale_is_400(
    app_client: httpx.AsyncClient,
    admin: dict[str, str],
    runner: RecordingRunner,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    # No factor import at all, then one whose types were all recalculated since.
    for _ in range(2):
        response = await app_client.post(module_url(), headers=admin)
        assert response.status_code == 400
        assert response.json() == {"detail": NOTHING_STALE}
        assert NOTHING_STALE == "No data entry types require recalculation for this module"
        await add_factor_job(session_factory, sequence=1)
        accepted = await app_client.post(module_url(only_stale="false"), headers=admin)
        assert accepted.status_code == 202
        await finish_jobs(session_factory, sequence=1)
    assert len(runner.scheduled) == 2


# --- one active recalculation per scope


async def test_second_request_on_the_same_type_is_409(
    app_client: httpx.AsyncClient, admin: dict[str, str], runner: RecordingRunner
) -> None:
    first = (await app_client.post(type_url(), headers=admin)).json()["job_id"]

    response = await app_client.post(type_url(), headers=admin)

    assert response.status_code == 409
    assert response.json()["job_id"] == first
    assert str(first) in response.json()["detail"]
    assert len(runner.scheduled) == 1
    # Another type of the module and another year are free.
    assert (await app_client.post(type_url(TRAVEL, TRAIN), headers=admin)).status_code == 202
    assert (await app_client.post(type_url(year=YEAR + 1), headers=admin)).status_code == 202


async def test_type_request_conflicts_with_an_active_module_job(
    app_client: httpx.AsyncClient, admin: dict[str, str], runner: RecordingRunner
) -> None:
    module_job = (await app_client.post(module_url(only_stale="false"), headers=admin)).json()

    response = await app_client.post(type_url(TRAVEL, TRAIN), headers=admin)

    assert response.status_code == 409
    assert response.json()["job_id"] == module_job["job_id"]
    again = await app_client.post(module_url(only_stale="false"), headers=admin)
    assert (again.status_code, again.json()["job_id"]) == (409, module_job["job_id"])


async def test_module_request_conflicts_with_an_active_type_job(
    app_client: httpx.AsyncClient,
    admin: dict[str, str],
    runner: RecordingRunner,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    type_job = (await app_client.post(type_url(TRAVEL, TRAIN), headers=admin)).json()

    response = await app_client.post(module_url(only_stale="false"), headers=admin)

    assert response.status_code == 409
    assert set(response.json()) == {"detail", "job_id"}
    assert response.json()["job_id"] == type_job["job_id"]
    assert len(await load_jobs(session_factory)) == 1  # nothing of the refused job remains
    # A module job over the other type only does not collide.
    await add_factor_job(session_factory, data_entry_type=PLANE)
    assert (await app_client.post(module_url(), headers=admin)).status_code == 202


async def test_finished_job_frees_the_scope(
    app_client: httpx.AsyncClient,
    admin: dict[str, str],
    runner: RecordingRunner,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    assert (await app_client.post(type_url(), headers=admin)).status_code == 202
    await finish_jobs(session_factory, sequence=0)
    assert (await app_client.post(type_url(), headers=admin)).status_code == 202


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (type_url(), type_url()),
        (module_url(only_stale="false"), module_url(only_stale="false")),
        (module_url(only_stale="false"), type_url()),
        (type_url(TRAVEL, TRAIN), module_url(only_stale="false")),
    ],
    ids=["type-type", "module-module", "module-type", "type-module"],
)
async def test_concurrent_requests_give_one_job_and_one_409(
    app: FastAPI,
    admin: dict[str, str],
    runner: RecordingRunner,
    session_factory: async_sessionmaker[AsyncSession],
    first: str,
    second: str,
) -> None:
    """Two clients, two connections, both requests in flight together, several rounds."""
    async with make_client(app) as one, make_client(app) as two:
        for round_ in range(4):
            responses = await asyncio.gather(
                one.post(first, headers=admin), two.post(second, headers=admin)
            )
            codes = sorted(r.status_code for r in responses)
            assert codes == [202, 409], [r.text for r in responses]
            accepted = next(r for r in responses if r.status_code == 202).json()["job_id"]
            refused = next(r for r in responses if r.status_code == 409).json()
            assert refused["job_id"] == accepted
            active = [j for j in await load_jobs(session_factory) if j.parent_job_id is None]
            assert [j.id for j in active if j.state == 0] == [accepted]
            assert len(runner.scheduled) == round_ + 1
            await finish_jobs(session_factory, sequence=0)


async def test_job_history_lists_the_per_type_rows_under_the_module_job(
    app_client: httpx.AsyncClient, admin: dict[str, str], runner: RecordingRunner
) -> None:
    job_id = (await app_client.post(module_url(only_stale="false"), headers=admin)).json()["job_id"]

    shown = await app_client.get(f"/api/v1/sync/jobs/{job_id}", headers=admin)
    listed = await app_client.get("/api/v1/sync/jobs", headers=admin)

    assert shown.status_code == 200, shown.text
    job = shown.json()
    assert (job["module_type_id"], job["module_type_name"]) == (TRAVEL, "professional_travel")
    assert (job["data_entry_type_id"], job["data_entry_type_name"]) == (None, None)
    assert (job["state"], job["state_name"], job["result"], job["result_name"]) == (
        0,
        "not_started",
        None,
        None,
    )
    assert [c["data_entry_type_id"] for c in job["children"]] == [PLANE, TRAIN]
    assert [c["data_entry_type_name"] for c in job["children"]] == ["plane", "train"]
    assert listed.status_code == 200, listed.text
    assert listed.json()["total"] == 1
    (item,) = listed.json()["items"]
    assert item["id"] == job_id
    assert {c["parent_job_id"] for c in item["children"]} == {job_id}
