"""`co2calc serve` stops promptly on SIGTERM or Ctrl-C while a job's stream is open.

A job's stream lasts as long as its job, and uvicorn waits for every open answer before it
stops the app (which is what stops the inline jobs): without ending the streams first, a
stop waited for the job. Here the job waits for a scope this test holds, so it would never end;
a job that had not started yet stays QUEUED, for the next server's sweep to take over.
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
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.core.permissions import Role
from app.domain.ingestion import IngestionState
from app.domain.modules import DataEntryTypeEnum, ModuleTypeEnum
from app.models import DataIngestionJob

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

PROCESS = ModuleTypeEnum.process_emissions
# Only a server that waits for the job (forever here) takes this long on a loaded machine.
STOP_SECONDS = 120

StartServer = Callable[..., subprocess.Popen[str]]  # the e2e conftest's start_server


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["sigterm", "ctrl-c"])
async def test_a_stop_ends_the_streams_and_the_inline_job(
    database_url: str,
    engine: AsyncEngine,
    session_factory: async_sessionmaker[AsyncSession],
    create_user: CreateUser,
    start_server: StartServer,
    stop: signal.Signals,
) -> None:
    user = await create_user(Role.backoffice_metier)
    port = live_server.free_port()
    base_url = f"http://127.0.0.1:{port}"
    async with scope_held(engine, PROCESS):
        server = start_server(database_url, port, CO2CALC_SECRET_KEY=TEST_SECRET_KEY)
        await answering(base_url, server)
        headers = await live_server.bearer_headers(base_url, user.username, TEST_PASSWORD)
        async with httpx.AsyncClient(base_url=base_url, timeout=STOP_SECONDS) as client:
            response = await client.post(
                f"/api/v1/sync/recalculate-emissions/{int(PROCESS)}/"
                f"{int(DataEntryTypeEnum.process_emissions)}",
                params={"year": YEAR},
                headers=headers,
            )
            assert response.status_code == 202, response.text
            job_id = response.json()["job_id"]
            opened: asyncio.Queue[int] = asyncio.Queue()
            stream = asyncio.create_task(live_server.follow_stream(client, job_id, headers, opened))
            await opened.get()
            server.send_signal(stop)
            await asyncio.to_thread(server.wait, STOP_SECONDS)
            events = await stream  # ended by the server, not cut

    assert server.returncode is not None
    assert events[-1]["state"] != IngestionState.FINISHED  # the stream ended before the job
    async with session_factory() as session:
        job = await session.get(DataIngestionJob, job_id)
    assert job is not None
    assert job.state == IngestionState.QUEUED
