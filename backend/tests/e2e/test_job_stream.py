"""The job stream (SSE) on a real uvicorn, on both databases: events while the job runs, a last
event with `stream_closed`, 404 before streaming, a reconnection with `Last-Event-ID`, and a
client leaving ends the server loop."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from api_fixtures import TEST_PASSWORD, CreateUser
from factories import create_job
from live_server import LiveServer, bearer_headers, live_server, sse_events
from sqlalchemy import event, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.permissions import Role
from app.core.settings import Settings
from app.domain.ingestion import IngestionResult, IngestionState
from app.models import DataIngestionJob, utcnow

pytestmark = pytest.mark.slow


@pytest.fixture
def server(database_url: str) -> Iterator[LiveServer]:
    settings = Settings(database_url=database_url, sse_poll_seconds=0.05, sse_keepalive_seconds=0.3)
    with live_server(settings) as running:
        yield running


@pytest.fixture
async def viewer(server: LiveServer, create_user: CreateUser) -> dict[str, str]:
    user = await create_user(Role.backoffice_viewer)
    return await bearer_headers(server.base_url, user.username, TEST_PASSWORD)


async def new_job(session_factory: async_sessionmaker[AsyncSession], **fields: Any) -> int:
    async with session_factory() as session:
        job = await create_job(session, **fields)
        await session.commit()
        return job.id


async def set_job(
    session_factory: async_sessionmaker[AsyncSession], job_id: int, **values: Any
) -> None:
    async with session_factory() as session:
        await session.execute(
            update(DataIngestionJob).where(DataIngestionJob.id == job_id).values(**values)
        )
        await session.commit()


async def test_events_follow_the_job_and_the_last_one_closes_the_stream(
    server: LiveServer,
    viewer: dict[str, str],
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    job_id = await new_job(session_factory)
    steps = [
        {"state": 2, "status_message": "step 1", "progress_done": 1, "progress_total": 3},
        {"status_message": "step 2", "progress_done": 2},
        {"status_message": "step 3", "progress_done": 3},
    ]
    seen: list[dict[str, Any]] = []
    async with (
        httpx.AsyncClient(base_url=server.base_url, timeout=30) as client,
        client.stream("GET", f"/api/v1/sync/jobs/{job_id}/stream", headers=viewer) as response,
    ):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        events = sse_events(response)
        seen.append(await anext(events))
        assert seen[0]["state"] == 0
        for step in steps:
            await set_job(session_factory, job_id, **step)
            payload = await asyncio.wait_for(anext(events), 10)
            seen.append(payload)
            assert payload["status_message"] == step["status_message"]
            assert "stream_closed" not in payload
        await set_job(
            session_factory,
            job_id,
            state=int(IngestionState.FINISHED),
            result=int(IngestionResult.SUCCESS),
            status_message="done",
            finished_at=utcnow(),
        )
        last = await asyncio.wait_for(anext(events), 10)
        assert last["stream_closed"] is True
        assert (last["state"], last["result"], last["id"]) == (3, 0, job_id)
        with pytest.raises(StopAsyncIteration):
            await asyncio.wait_for(anext(events), 10)  # the server ended the stream
    assert [e["progress_done"] for e in seen] == [None, 1, 2, 3]


async def test_finished_job_gives_one_closing_event(
    server: LiveServer,
    viewer: dict[str, str],
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    job_id = await new_job(
        session_factory, state=int(IngestionState.FINISHED), result=int(IngestionResult.ERROR)
    )
    async with (
        httpx.AsyncClient(base_url=server.base_url, timeout=30) as client,
        client.stream("GET", f"/api/v1/sync/jobs/{job_id}/stream", headers=viewer) as response,
    ):
        payloads = [payload async for payload in sse_events(response)]
    assert len(payloads) == 1
    assert payloads[0]["stream_closed"] is True
    assert payloads[0]["result"] == 2


async def test_unknown_job_is_404_before_streaming(
    server: LiveServer, viewer: dict[str, str]
) -> None:
    async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as client:
        response = await client.get("/api/v1/sync/jobs/999999/stream", headers=viewer)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")
    assert "999999" in response.json()["detail"]


async def _first_event_fields(
    client: httpx.AsyncClient, job_id: int, headers: dict[str, str]
) -> dict[str, str]:
    """The raw fields (`retry`, `id`, `data`) of the stream's first event; then it leaves."""
    fields: dict[str, str] = {}
    async with client.stream("GET", f"/api/v1/sync/jobs/{job_id}/stream", headers=headers) as r:
        assert r.status_code == 200
        async for line in r.aiter_lines():
            if not line and "data" in fields:
                return fields
            name, _, value = line.partition(": ")
            if not name.startswith(":"):
                fields[name] = value
    raise AssertionError(f"the stream ended before its first event: {fields}")


async def test_a_reconnection_with_last_event_id_continues_the_ids_with_the_current_state(
    server: LiveServer,
    viewer: dict[str, str],
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    job_id = await new_job(session_factory)
    async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as client:
        first = await _first_event_fields(client, job_id, viewer)
        await set_job(session_factory, job_id, state=2, status_message="missed while away")
        resumed = await _first_event_fields(
            client, job_id, {**viewer, "Last-Event-ID": first["id"]}
        )
        fresh = await _first_event_fields(client, job_id, viewer)

    assert (first["id"], first["retry"]) == ("1", "2000")
    assert resumed["id"] == "2"
    assert '"status_message":"missed while away"' in resumed["data"]
    assert '"state_name":"running"' in resumed["data"]
    assert fresh["id"] == "1"


async def test_idle_stream_sends_keepalive_comments(
    server: LiveServer,
    viewer: dict[str, str],
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    job_id = await new_job(session_factory)
    async with (
        httpx.AsyncClient(base_url=server.base_url, timeout=30) as client,
        client.stream("GET", f"/api/v1/sync/jobs/{job_id}/stream", headers=viewer) as response,
    ):
        lines = response.aiter_lines()
        comments = 0
        while comments < 2:
            line = await asyncio.wait_for(anext(lines), 10)
            comments += line.startswith(":")


async def test_client_leaving_ends_the_server_loop(
    server: LiveServer,
    viewer: dict[str, str],
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    job_id = await new_job(session_factory)
    polls: list[str] = []

    def record(*args: Any) -> None:
        if "data_ingestion_jobs" in args[2]:
            polls.append(args[2])

    server_engine = server.app.state.engine.sync_engine
    event.listen(server_engine, "before_cursor_execute", record)
    try:
        async with (
            httpx.AsyncClient(base_url=server.base_url, timeout=30) as client,
            client.stream("GET", f"/api/v1/sync/jobs/{job_id}/stream", headers=viewer) as response,
        ):
            await anext(sse_events(response))
        # The connection is closed; within a few polls the server notices and stops.
        await asyncio.sleep(1.0)
        after_leaving = len(polls)
        await asyncio.sleep(1.0)
        assert len(polls) == after_leaving
        assert after_leaving > 0
    finally:
        event.remove(server_engine, "before_cursor_execute", record)
