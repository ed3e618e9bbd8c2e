"""A job stream while the database restarts (a private cluster, a real uvicorn): the stream
outlives the outage and delivers the job's end, ERROR with the real cause, with no
traceback in the server's log."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import httpx
import pytest
from api_fixtures import TEST_PASSWORD, TEST_SECRET_KEY
from factories import create_outdated_process_entries
from live_server import LiveServer, ServerHold, bearer_headers, follow_stream, live_server
from private_postgres import PrivateCluster

from app.core.permissions import Role
from app.core.settings import Settings
from app.db import create_engine, create_session_factory
from app.db_migrations import upgrade_async
from app.services.auth_service import AuthService

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

RECALCULATE = "/api/v1/sync/recalculate-emissions/8/50?year=2025"
EVENT_SECONDS = 120
DOWN_SECONDS = 3


@pytest.fixture
async def served(private_postgres: PrivateCluster) -> AsyncIterator[tuple[LiveServer, str]]:
    """A live server on a migrated database of the private cluster with entries to
    recalculate, and an operator's username."""
    url = private_postgres.create_database()
    await upgrade_async(url)
    settings = Settings(database_url=url, secret_key=TEST_SECRET_KEY)
    engine = create_engine(url)
    try:
        async with create_session_factory(engine)() as session:
            await create_outdated_process_entries(session, [1.0, 2.0])
            user = await AuthService(session, settings=settings).create_user(
                "operator", TEST_PASSWORD, [str(Role.backoffice_metier)]
            )
            await session.commit()
    finally:
        await engine.dispose()
    with live_server(settings) as server:
        yield server, user.username


async def test_a_stream_outlives_a_database_restart_and_gives_the_job_end(
    served: tuple[LiveServer, str],
    private_postgres: PrivateCluster,
    held_recalculation: ServerHold,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    server, username = served
    headers = await bearer_headers(server.base_url, username, TEST_PASSWORD)
    async with httpx.AsyncClient(base_url=server.base_url, timeout=EVENT_SECONDS) as client:
        started = await client.post(RECALCULATE, headers=headers)
        assert started.status_code == 202, started.text
        job_id = started.json()["job_id"]
        await held_recalculation.wait_reached()
        opened: asyncio.Queue[int] = asyncio.Queue()
        stream = asyncio.create_task(follow_stream(client, job_id, headers, opened))
        assert await asyncio.wait_for(opened.get(), EVENT_SECONDS) == job_id

        # Down for several poll intervals: the stream's reads fail meanwhile.
        await asyncio.to_thread(private_postgres.stop)
        await asyncio.sleep(DOWN_SECONDS)
        await asyncio.to_thread(private_postgres.start)
        held_recalculation.release.set()
        events = await asyncio.wait_for(stream, EVENT_SECONDS)

        after = await client.get(f"/api/v1/sync/jobs/{job_id}", headers=headers)
    last = events[-1]
    assert last.get("stream_closed") is True, events
    assert (last["id"], last["result"]) == (job_id, 2)
    assert last["status_message"].startswith("OperationalError: "), last
    assert after.status_code == 200
    assert after.json()["status_message"] == last["status_message"]
    assert caplog.text.count("job stream waits for the database") == 1  # once per outage
    assert "Exception in ASGI application" not in caplog.text
    assert "task crashed" not in caplog.text
