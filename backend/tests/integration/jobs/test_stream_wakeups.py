"""A job run in this process wakes its streams: each progress message reaches the stream long
before the stream's poll interval would have read it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncGenerator

from factories import create_job
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core import job_changes
from app.domain.ingestion import IngestionResult
from app.services.job_stream import job_events
from app.tasks.job_handle import JobHandle

MESSAGES = ["Recalculating plane (1/2)... 0/10", "Recalculating train (2/2)... 0/5", "Writing"]


async def _never_disconnected() -> bool:
    return False


async def _job_and_stream(
    session_factory: async_sessionmaker[AsyncSession],
) -> tuple[JobHandle, AsyncGenerator[str, None]]:
    """A new job, its handle, and its stream, polling so rarely that only a wakeup shows a
    change within the tests' 10 s."""
    async with session_factory() as session:
        job_id = (await create_job(session)).id
        await session.commit()
    events = job_events(
        session_factory,
        job_id,
        poll_seconds=30.0,
        keepalive_seconds=60.0,
        is_disconnected=_never_disconnected,
    )
    return JobHandle(session_factory, job_id, "worker"), events


async def test_each_in_process_change_reaches_the_stream(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    handle, events = await _job_and_stream(session_factory)
    seen = [await anext(events)]  # the job as it is when the client connects
    shown = {message: asyncio.Event() for message in MESSAGES}

    async def run_job() -> None:
        assert await handle.claim()
        for message in MESSAGES:
            await handle.progress(message)
            # The stream shows the job's current state, so the next message waits for this one
            # to be seen: only a wakeup can show it within 10 s of a 30 s poll interval.
            await asyncio.wait_for(shown[message].wait(), timeout=10.0)
        await handle.finish_error("stopped")

    async def read_stream() -> None:
        async for event in events:
            seen.append(event)
            for message in MESSAGES:
                if message in event:
                    shown[message].set()

    await asyncio.gather(run_job(), read_stream())

    messages = [event for event in seen if any(m in event for m in MESSAGES)]
    assert [next(m for m in MESSAGES if m in event) for event in messages] == MESSAGES
    assert '"stream_closed":true' in seen[-1]
    assert f'"result":{int(IngestionResult.ERROR)}' in seen[-1]


async def test_a_change_made_while_the_client_reads_an_event_is_not_lost(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    """The stream sits at its last event until the client asks for the next one: a change
    committed meanwhile still wakes it (it was lost, leaving the stream a whole poll interval
    behind)."""
    handle, events = await _job_and_stream(session_factory)
    await anext(events)
    assert await handle.claim()
    await handle.progress(MESSAGES[0])

    following = await asyncio.wait_for(anext(events), timeout=10.0)

    assert MESSAGES[0] in following
    await events.aclose()


async def test_progress_shown_without_a_commit_reaches_the_stream_until_the_next_commit(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    """What a job shows while its write transaction holds SQLite's write lock goes over its
    row in the stream, at once; the next committed change replaces it."""
    handle, events = await _job_and_stream(session_factory)
    await anext(events)
    assert await handle.claim()
    await anext(events)  # RUNNING

    job_changes.show(handle.job_id, {"status_message": "Writing... 2/3"})
    shown = json.loads((await asyncio.wait_for(anext(events), 10.0)).split("data: ", 1)[1])
    await handle.progress("Writing... done")
    committed = json.loads((await asyncio.wait_for(anext(events), 10.0)).split("data: ", 1)[1])

    assert shown["status_message"] == "Writing... 2/3"
    assert committed["status_message"] == "Writing... done"
    assert job_changes.shown(handle.job_id) == {}
    await handle.finish_error("stopped")
