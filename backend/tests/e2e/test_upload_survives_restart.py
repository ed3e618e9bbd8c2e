"""An upload outlives the server that accepted it: the file is stored with its job, so a job
that had not started when the server was killed runs from the stored file after a restart.

The job is kept from starting without touching the product: the server runs one job at a time
(CO2CALC_MAX_CONCURRENT_JOBS=1) and its only slot is taken by a first import waiting for a scope
that a job of this test process holds, as a job of another process would.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
from collections.abc import Callable

import httpx
import live_server
import pytest
from api_fixtures import TEST_PASSWORD, TEST_SECRET_KEY, CreateUser
from held_scope import YEAR, answering, scope_held
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.core.permissions import Role
from app.domain.ingestion import IngestionResult, IngestionState
from app.domain.modules import DataEntryTypeEnum, ModuleTypeEnum
from app.models import DataIngestionJob, Factor, JobUpload, JobUploadChunk
from app.paths import factors_dir
from app.repositories.job_upload_repo import JobUploadRepository

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]  # two server starts, loaded machine

PROCESS = ModuleTypeEnum.process_emissions
TRAVEL = ModuleTypeEnum.professional_travel
TRAIN = DataEntryTypeEnum.train
FACTORS = factors_dir(YEAR)

StartServer = Callable[..., subprocess.Popen[str]]  # the e2e conftest's start_server


async def job(session_factory: async_sessionmaker[AsyncSession], job_id: int) -> DataIngestionJob:
    async with session_factory() as session:
        found = await session.get(DataIngestionJob, job_id)
        assert found is not None
        return found


async def state_of(session_factory: async_sessionmaker[AsyncSession], job_id: int) -> int:
    return (await job(session_factory, job_id)).state


async def until_state(
    session_factory: async_sessionmaker[AsyncSession], job_id: int, state: IngestionState
) -> None:
    async def reached() -> bool:
        return await state_of(session_factory, job_id) == state

    await live_server.wait_until(reached, seconds=240)


async def upload(client: httpx.AsyncClient, module_type: ModuleTypeEnum, type_name: str) -> int:
    """POST the shipped factor file of a type; the accepted job's id."""
    type_id = int(DataEntryTypeEnum[type_name])
    response = await client.post(
        f"/api/v1/sync/factors/{int(module_type)}?year={YEAR}&data_entry_type_id={type_id}",
        files={"file": (f"{type_name}.csv", (FACTORS / f"{type_name}.csv").read_bytes())},
    )
    assert response.status_code == 202, response.text
    job_id: int = response.json()["job_id"]
    return job_id


async def test_a_job_not_started_when_the_server_is_killed_runs_after_restart(
    database_url: str,
    engine: AsyncEngine,
    session_factory: async_sessionmaker[AsyncSession],
    create_user: CreateUser,
    start_server: StartServer,
) -> None:
    user = await create_user(Role.backoffice_metier)
    port = live_server.free_port()
    base_url = f"http://127.0.0.1:{port}"
    key = {"CO2CALC_SECRET_KEY": TEST_SECRET_KEY}

    async with scope_held(engine, PROCESS):
        first = start_server(database_url, port, CO2CALC_MAX_CONCURRENT_JOBS="1", **key)
        await answering(base_url, first)
        headers = await live_server.bearer_headers(base_url, user.username, TEST_PASSWORD)
        async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=60) as client:
            # The only slot: an import waiting for the scope this test holds.
            blocker = await upload(client, PROCESS, "process_emissions")
            await until_state(session_factory, blocker, IngestionState.QUEUED)
            waiting = await upload(client, TRAVEL, "train")
            accepted = (await client.get(f"/api/v1/sync/jobs/{waiting}")).json()
        assert accepted["state"] == IngestionState.NOT_STARTED
        first.send_signal(signal.SIGKILL)
        await asyncio.to_thread(first.wait, 60)

    assert await state_of(session_factory, waiting) == IngestionState.NOT_STARTED
    async with session_factory() as session:
        stored = len(await JobUploadRepository(session).content_of(waiting))
        factors = await session.scalar(select(func.count()).select_from(Factor))
    assert stored == len((FACTORS / "train.csv").read_bytes())
    assert factors == 0

    second = start_server(database_url, port, **key)
    await answering(base_url, second)
    for job_id in (waiting, blocker):  # taken over from the dead server, run from their files
        await until_state(session_factory, job_id, IngestionState.FINISHED)
        ran = await job(session_factory, job_id)
        assert ran.result == IngestionResult.SUCCESS, ran.status_message
    async with session_factory() as session:
        train = await session.execute(select(Factor).where(Factor.data_entry_type_id == int(TRAIN)))
        by_country = {
            f.classification["country_code"]: f.values["ef_kg_co2eq_per_km"]
            for f in train.scalars()
        }
        uploads_left = await session.scalar(select(func.count()).select_from(JobUpload))
        chunks_left = await session.scalar(select(func.count()).select_from(JobUploadChunk))
    assert by_country["RoW"] == pytest.approx(0.0388)
    assert len(by_country) == 6
    assert uploads_left == chunks_left == 0
