"""The connection pool under many open job streams, on a real uvicorn and real PostgreSQL.

100 clients follow one running recalculation on its SSE stream, more than the pool's 15
connections (5 and 10 overflow): a stream holds no pooled connection while it waits, so every
stream opens, the other requests keep answering, and every stream gets the job's end.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from api_fixtures import TEST_PASSWORD, CreateUser
from factories import create_emission, create_entry, create_factor, create_module
from live_server import LiveServer, bearer_headers, live_server, sse_events
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.permissions import Role
from app.core.settings import Settings
from app.repositories.recalculation_staging_repo import RecalculationStagingRepository

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


@pytest.fixture
def held_staging(
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[tuple[threading.Event, threading.Event]]:
    """(reached, release): the recalculation stops after its first staged batch, its data
    connection and scope lock held, until `release`. Threading events: the job runs on the
    server's own event loop, in another thread."""
    reached, release = threading.Event(), threading.Event()
    original = RecalculationStagingRepository.stage

    @functools.wraps(original)
    async def holding(self: RecalculationStagingRepository, *args: Any, **kwargs: Any) -> None:
        await original(self, *args, **kwargs)
        reached.set()
        await asyncio.to_thread(release.wait)

    monkeypatch.setattr(RecalculationStagingRepository, "stage", holding)
    yield reached, release
    release.set()


async def _seed(session_factory: async_sessionmaker[AsyncSession]) -> None:
    async with session_factory() as session:
        await create_factor(session)
        module = await create_module(session)
        for quantity in (1.0, 2.0):
            entry = await create_entry(
                session, module=module, data={"category": "ch4", "quantity_kg": quantity}
            )
            await create_emission(session, entry=entry)
        await session.commit()


async def _follow(
    client: httpx.AsyncClient, job_id: int, headers: dict[str, str], opened: asyncio.Queue[int]
) -> dict[str, Any]:
    """Follow the stream to its last event; say when the first one arrived."""
    async with client.stream("GET", f"/api/v1/sync/jobs/{job_id}/stream", headers=headers) as r:
        assert r.status_code == 200, await r.aread()
        events = sse_events(r)
        seen = [await anext(events)]
        await opened.put(seen[0]["id"])
        seen.extend([event async for event in events])
        return seen[-1]


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_a_hundred_streams_and_a_running_job_leave_the_pool_to_other_requests(
    server: LiveServer,
    create_user: CreateUser,
    session_factory: async_sessionmaker[AsyncSession],
    held_staging: tuple[threading.Event, threading.Event],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    reached, release = held_staging
    await _seed(session_factory)
    operator = await create_user(Role.backoffice_metier)
    headers = await bearer_headers(server.base_url, operator.username, TEST_PASSWORD)
    limits = httpx.Limits(max_connections=STREAMS + 10, max_keepalive_connections=STREAMS + 10)
    async with httpx.AsyncClient(
        base_url=server.base_url, timeout=CLIENT_TIMEOUT, limits=limits
    ) as client:
        started = await client.post(RECALCULATE, headers=headers)
        assert started.status_code == 202, started.text
        job_id = started.json()["job_id"]
        assert await asyncio.to_thread(reached.wait, EVENT_SECONDS), "the job never ran"

        opened: asyncio.Queue[int] = asyncio.Queue()
        streams = [
            asyncio.create_task(_follow(client, job_id, headers, opened)) for _ in range(STREAMS)
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

        release.set()
        lasts = await asyncio.wait_for(asyncio.gather(*streams), EVENT_SECONDS)
    assert {(last["id"], last["stream_closed"], last["result"]) for last in lasts} == {
        (job_id, True, 0)
    }
    assert "QueuePool limit" not in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text
