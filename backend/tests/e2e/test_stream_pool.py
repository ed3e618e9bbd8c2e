"""The connection pool under many open job streams, on a real uvicorn and real PostgreSQL.

100 clients follow one running recalculation on its SSE stream, more than the pool's 15
connections (5 and 10 overflow): a stream holds no pooled connection while it waits, so every
stream opens, the other requests keep answering, and every stream gets the job's end.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator

import httpx
import pytest
from api_fixtures import TEST_PASSWORD, CreateUser
from factories import create_outdated_process_entries
from live_server import LiveServer, ServerHold, bearer_headers, follow_stream, live_server
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.permissions import Role
from app.core.settings import Settings

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

STREAMS = 100
YEAR = 2025
RECALCULATE = f"/api/v1/sync/recalculate-emissions/8/50?year={YEAR}"
# Only a server that stopped answering comes near these.
CLIENT_TIMEOUT = httpx.Timeout(120)
EVENT_SECONDS = 120


@pytest.fixture
def server(database_url: str) -> Iterator[LiveServer]:
    with live_server(Settings(database_url=database_url)) as running:
        yield running


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_a_hundred_streams_and_a_running_job_leave_the_pool_to_other_requests(
    server: LiveServer,
    create_user: CreateUser,
    session_factory: async_sessionmaker[AsyncSession],
    held_recalculation: ServerHold,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    async with session_factory() as session:
        await create_outdated_process_entries(session, [1.0, 2.0])
        await session.commit()
    operator = await create_user(Role.backoffice_metier)
    headers = await bearer_headers(server.base_url, operator.username, TEST_PASSWORD)
    limits = httpx.Limits(max_connections=STREAMS + 10, max_keepalive_connections=STREAMS + 10)
    async with httpx.AsyncClient(
        base_url=server.base_url, timeout=CLIENT_TIMEOUT, limits=limits
    ) as client:
        started = await client.post(RECALCULATE, headers=headers)
        assert started.status_code == 202, started.text
        job_id = started.json()["job_id"]
        await held_recalculation.wait_reached()

        opened: asyncio.Queue[int] = asyncio.Queue()
        streams = [
            asyncio.create_task(follow_stream(client, job_id, headers, opened))
            for _ in range(STREAMS)
        ]
        for _ in range(STREAMS):
            assert await asyncio.wait_for(opened.get(), EVENT_SECONDS) == job_id

        # Every stream is open and waiting, the job holds its connections: the rest answers.
        for _ in range(3):
            me = await client.get("/api/v1/auth/me", headers=headers)
            assert me.status_code == 200, me.text
            status = await client.get(
                "/api/v1/sync/recalculation-status", params={"year": YEAR}, headers=headers
            )
            assert status.status_code == 200, status.text
            running = await client.get(f"/api/v1/sync/jobs/{job_id}", headers=headers)
            assert running.json()["state"] == 2  # still RUNNING: the job is held
        assert all(not stream.done() for stream in streams)

        held_recalculation.release.set()
        followed = await asyncio.wait_for(asyncio.gather(*streams), EVENT_SECONDS)
    lasts = [events[-1] for events in followed]
    assert {(last["id"], last["stream_closed"], last["result"]) for last in lasts} == {
        (job_id, True, 0)
    }
    assert "QueuePool limit" not in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text
