"""The SSE stream of one job: current state at once, then every change (at once
when the job runs in this process, else within a poll interval), a keep-alive comment while
idle, and a last event with `stream_closed`; a stopping server ends it without one (the client
reconnects, to the server that replaced it). A database out of reach (a restart) pauses the
stream, which keeps polling: the next read tells what happened meanwhile.

Each event carries an `id:`, counting on from the `Last-Event-ID` a reconnecting client sends,
and the first one a `retry:` hint. Only the job's current state matters, so a reconnected
stream never replays what was missed: its first event is the job as it is now."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncGenerator, Awaitable, Callable
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
# How long a client waits before it reconnects a dropped stream.
RETRY_MILLISECONDS = 2000
# Event ids stay within what every client reads back as a number.
_MAX_EVENT_ID = 2**53


def sse_event(payload: dict[str, Any], event_id: int, *, retry_ms: int | None = None) -> str:
    """One event: its id, the reconnection delay when given, the payload as compact JSON."""
    retry = "" if retry_ms is None else f"retry: {retry_ms}\n"
    return f"{retry}id: {event_id}\ndata: {json.dumps(payload, separators=(',', ':'))}\n\n"


def first_event_id(last_event_id: str | None) -> int:
    """The id of a stream's first event: one past the `Last-Event-ID` a reconnecting client
    sent (ids this stream gave), else 1; an id the stream cannot have given is ignored."""
    text = (last_event_id or "").strip()
    if text.isascii() and text.isdigit() and len(text) <= 16 and int(text) < _MAX_EVENT_ID:
        return int(text) + 1
    return 1


async def job_events(
    session_factory: async_sessionmaker[AsyncSession],
    job_id: int,
    *,
    poll_seconds: float,
    keepalive_seconds: float,
    is_disconnected: Callable[[], Awaitable[bool]],
    last_event_id: str | None = None,
) -> AsyncGenerator[str, None]:
    """Read the job with a fresh session at each change or poll; end when it is FINISHED or the
    client left. `last_event_id`: the `Last-Event-ID` header of a reconnecting client."""
    next_id = first_event_id(last_event_id)
    retry_ms: int | None = RETRY_MILLISECONDS  # sent once, with the first event

    def event(payload: dict[str, Any]) -> str:
        nonlocal next_id, retry_ms
        text = sse_event(payload, next_id, retry_ms=retry_ms)
        next_id, retry_ms = next_id + 1, None
        return text

    with job_changes.subscribe(job_id) as changes:
        last_payload: dict[str, Any] | None = None
        last_sent = time.monotonic()
        unreachable = False
        while not job_changes.streams_ending() and not await is_disconnected():
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
                await changes.wait(poll_seconds)
                continue
            unreachable = False
            if job is None:  # deleted while followed
                return
            payload = JobRead.model_validate(job).model_dump(mode="json")
            if job.state == IngestionState.FINISHED:
                yield event({**payload, "stream_closed": True})
                return
            payload.update(job_changes.shown(job_id))  # progress its write lock kept uncommitted
            if payload != last_payload:
                yield event(payload)
                last_payload = payload
                last_sent = time.monotonic()
            elif time.monotonic() - last_sent >= keepalive_seconds:
                yield KEEP_ALIVE
                last_sent = time.monotonic()
            await changes.wait(poll_seconds)
