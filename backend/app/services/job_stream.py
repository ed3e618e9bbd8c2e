"""The SSE stream of one job: current state at once, then every change (at once
when the job runs in this process, else within a poll interval), a keep-alive comment while
idle, and a last event with `stream_closed`. A database out of reach (a restart) pauses the
stream, which keeps polling: the next read tells what happened meanwhile."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core import job_changes
from app.core.logging import log_extra
from app.db_errors import is_connection_lost
from app.domain.ingestion import IngestionState
from app.repositories.data_ingestion import DataIngestionRepository
from app.schemas.jobs import JobRead

logger = logging.getLogger(__name__)


KEEP_ALIVE = ": keep-alive\n\n"


def sse_data(payload: dict[str, Any]) -> str:
    return f"data: {json.dumps(payload, separators=(',', ':'))}\n\n"


async def job_events(
    session_factory: async_sessionmaker[AsyncSession],
    job_id: int,
    *,
    poll_seconds: float,
    keepalive_seconds: float,
    is_disconnected: Callable[[], Awaitable[bool]],
) -> AsyncIterator[str]:
    """Read the job with a fresh session at each change or poll; end when it is FINISHED or the
    client left."""
    last_payload: dict[str, Any] | None = None
    last_sent = time.monotonic()
    unreachable = False
    while not await is_disconnected():
        try:
            async with session_factory() as session:
                job = await DataIngestionRepository(session).get(job_id)
        except DBAPIError as error:
            if not is_connection_lost(error):
                raise
            if not unreachable:
                logger.warning(
                    "job stream waits for the database: %s",
                    str(error.orig).strip(),
                    extra=log_extra("job_stream.database_unreachable", job_id=job_id),
                )
            unreachable = True
            if time.monotonic() - last_sent >= keepalive_seconds:
                yield KEEP_ALIVE
                last_sent = time.monotonic()
            await job_changes.wait_for_change(job_id, poll_seconds)
            continue
        unreachable = False
        if job is None:  # deleted while followed
            return
        payload = JobRead.model_validate(job).model_dump(mode="json")
        if job.state == IngestionState.FINISHED:
            yield sse_data({**payload, "stream_closed": True})
            return
        if payload != last_payload:
            yield sse_data(payload)
            last_payload = payload
            last_sent = time.monotonic()
        elif time.monotonic() - last_sent >= keepalive_seconds:
            yield KEEP_ALIVE
            last_sent = time.monotonic()
        await job_changes.wait_for_change(job_id, poll_seconds)
