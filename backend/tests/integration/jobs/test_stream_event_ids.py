"""Stream events carry an id and the first a reconnection delay; a reconnecting client's
`Last-Event-ID` continues the ids and gets the job's current state, never a replay."""

from __future__ import annotations

import json
from typing import Any

import pytest
from factories import create_job
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.domain.ingestion import IngestionResult, IngestionState
from app.models import DataIngestionJob, utcnow
from app.services.job_stream import RETRY_MILLISECONDS, first_event_id, job_events


async def _never_disconnected() -> bool:
    return False


def _fields(event: str) -> dict[str, Any]:
    """An event's fields, the data parsed; the event ends with its blank line."""
    assert event.endswith("\n\n"), event
    fields: dict[str, Any] = {}
    for line in event.strip("\n").split("\n"):
        name, _, value = line.partition(": ")
        fields[name] = json.loads(value) if name == "data" else value
    return fields


async def _set_job(
    session_factory: async_sessionmaker[AsyncSession], job_id: int, **values: Any
) -> None:
    async with session_factory() as session:
        await session.execute(
            update(DataIngestionJob).where(DataIngestionJob.id == job_id).values(**values)
        )
        await session.commit()


async def test_ids_count_from_one_and_only_the_first_event_has_the_retry_hint(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as session:
        job_id = (await create_job(session)).id
        await session.commit()
    events = job_events(
        session_factory,
        job_id,
        poll_seconds=0.01,
        keepalive_seconds=60.0,
        is_disconnected=_never_disconnected,
    )

    first = _fields(await anext(events))
    await _set_job(session_factory, job_id, state=int(IngestionState.RUNNING))
    second = _fields(await anext(events))
    await _set_job(
        session_factory,
        job_id,
        state=int(IngestionState.FINISHED),
        result=int(IngestionResult.SUCCESS),
        finished_at=utcnow(),
    )
    last = _fields(await anext(events))

    assert (first["retry"], first["id"], first["data"]["state"]) == (
        str(RETRY_MILLISECONDS),
        "1",
        0,
    )
    assert ("retry" in second, "retry" in last) == (False, False)
    assert (second["id"], second["data"]["state_name"]) == ("2", "running")
    assert (last["id"], last["data"]["stream_closed"]) == ("3", True)


async def test_a_reconnecting_client_gets_the_current_state_with_the_next_id(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as session:
        job_id = (await create_job(session, state=int(IngestionState.RUNNING))).id
        await session.commit()
    await _set_job(session_factory, job_id, status_message="step 3", progress_done=3)

    events = job_events(
        session_factory,
        job_id,
        poll_seconds=0.01,
        keepalive_seconds=60.0,
        is_disconnected=_never_disconnected,
        last_event_id="41",
    )
    resumed = _fields(await anext(events))

    assert resumed["id"] == "42"
    assert (resumed["data"]["status_message"], resumed["data"]["progress_done"]) == ("step 3", 3)
    assert resumed["retry"] == str(RETRY_MILLISECONDS)


@pytest.mark.parametrize(
    ("header", "first"),
    [
        (None, 1),
        ("", 1),
        ("0", 1),
        (" 7 ", 8),
        ("abc", 1),
        ("-3", 1),
        ("1.5", 1),
        ("٣", 1),  # a digit, but not an ASCII one
        ("9" * 400, 1),
        (str(2**53), 1),
        (str(2**53 - 1), 2**53),
    ],
)
def test_last_event_id_is_read_only_when_the_stream_could_have_sent_it(
    header: str | None, first: int
) -> None:
    assert first_event_id(header) == first
