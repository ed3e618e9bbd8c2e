"""Jobs are dispatched by id only after the transaction that created them commits; a
rolled-back job is never dispatched. The request's session dependency is that unit of work."""

from __future__ import annotations

import pytest
from factories import create_recalculation_job
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.api.deps import get_session
from app.core.job_queue import commit_and_dispatch, enqueue_job, enqueued_job_ids
from app.models import DataIngestionJob

SessionFactory = async_sessionmaker[AsyncSession]


class RecordingDispatcher:
    """Remembers the ids it was handed, and whether each row was committed by then."""

    def __init__(self, session_factory: SessionFactory) -> None:
        self.session_factory = session_factory
        self.dispatched: list[int] = []
        self.found: list[bool] = []

    async def dispatch(self, job_id: int) -> None:
        async with self.session_factory() as other:
            self.found.append(await other.get(DataIngestionJob, job_id) is not None)
        self.dispatched.append(job_id)


async def test_commit_then_dispatch_hands_over_committed_jobs_in_order(
    session_factory: SessionFactory,
) -> None:
    dispatcher = RecordingDispatcher(session_factory)
    async with session_factory() as session:
        first = await create_recalculation_job(session)
        second = await create_recalculation_job(session, year=2024)
        enqueue_job(session, first.id)
        enqueue_job(session, second.id)
        assert dispatcher.dispatched == []

        assert await commit_and_dispatch(session, dispatcher) == [first.id, second.id]

        assert enqueued_job_ids(session) == []
    assert dispatcher.dispatched == [first.id, second.id]
    assert dispatcher.found == [True, True]


async def test_a_rolled_back_job_is_never_dispatched(session_factory: SessionFactory) -> None:
    dispatcher = RecordingDispatcher(session_factory)
    async with session_factory() as session:
        job = await create_recalculation_job(session)
        enqueue_job(session, job.id)
        await session.rollback()
        assert enqueued_job_ids(session) == []

        await commit_and_dispatch(session, dispatcher)
    assert dispatcher.dispatched == []


async def test_a_savepoint_rolled_back_after_the_enqueue_keeps_the_outer_job(
    session_factory: SessionFactory,
) -> None:
    dispatcher = RecordingDispatcher(session_factory)
    async with session_factory() as session:
        job = await create_recalculation_job(session)
        enqueue_job(session, job.id)
        savepoint = await session.begin_nested()
        await savepoint.rollback()

        await commit_and_dispatch(session, dispatcher)
    assert dispatcher.dispatched == [job.id]


async def test_the_request_session_dispatches_after_its_commit_only(
    session_factory: SessionFactory,
) -> None:
    dispatcher = RecordingDispatcher(session_factory)

    succeeding = get_session(session_factory, dispatcher)
    session = await anext(succeeding)
    done = await create_recalculation_job(session)
    enqueue_job(session, done.id)
    with pytest.raises(StopAsyncIteration):
        await anext(succeeding)

    failing = get_session(session_factory, dispatcher)
    session = await anext(failing)
    failed = await create_recalculation_job(session, year=2024)
    enqueue_job(session, failed.id)
    with pytest.raises(RuntimeError, match="the route failed"):
        await failing.athrow(RuntimeError("the route failed"))

    assert dispatcher.dispatched == [done.id]
    assert dispatcher.found == [True]
    async with session_factory() as other:
        assert await other.get(DataIngestionJob, failed.id) is None
