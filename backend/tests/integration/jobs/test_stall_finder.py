"""The workers' stall finder, one pass at a time on PostgreSQL (the queue's database): a
RUNNING job whose worker stopped is retried while it has attempts left, then ended ERROR; its
dead worker's task gives way; a waiting job with no task is queued again; a live job and an
old upload of a failed job are treated as the inline runner's sweep treats them."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import timedelta

import procrastinate
import pytest
from factories import create_factor_job, create_recalculation_job
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.domain.ingestion import IngestionResult, IngestionState
from app.domain.modules import DataEntryTypeEnum
from app.models import DataIngestionJob, JobUploadChunk, utcnow
from app.repositories import job_upload_repo
from app.repositories.job_upload_repo import JobUploadMissingError, JobUploadRepository
from app.tasks.procrastinate_backend import JOB_TASK, create_queue
from app.tasks.stall_finder import StallFinder

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.parametrize("database_url", ["postgresql"], indirect=True),
]

STALL = 30.0
LONG_AGO = timedelta(seconds=STALL * 3)


@pytest.fixture
async def queue(database_url: str) -> AsyncIterator[procrastinate.App]:
    app = create_queue(database_url)
    async with app.open_async():
        yield app


def finder(queue: procrastinate.App, engine: AsyncEngine) -> StallFinder:
    return StallFinder(queue, engine, stall_seconds=STALL, period_seconds=1, max_attempts=3)


async def pending_job_ids(queue: procrastinate.App) -> list[int]:
    tasks = await queue.job_manager.list_jobs_async(task=JOB_TASK, status="todo")
    return sorted(int(str(task.task_kwargs["job_id"])) for task in tasks)


async def reload(factory: async_sessionmaker[AsyncSession], job_id: int) -> DataIngestionJob:
    async with factory() as session:
        job = await session.get(DataIngestionJob, job_id)
    assert job is not None
    return job


async def test_a_stalled_job_is_retried_then_failed_and_a_live_one_is_left(
    queue: procrastinate.App, engine: AsyncEngine, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    stale = utcnow() - LONG_AGO
    async with session_factory() as session:
        retried = await create_recalculation_job(
            session,
            state=IngestionState.RUNNING,
            worker_id="gone:1:a",
            heartbeat_at=stale,
            attempts=0,
        )
        exhausted = await create_recalculation_job(
            session,
            DataEntryTypeEnum.plane,
            state=IngestionState.RUNNING,
            worker_id="gone:1:a",
            heartbeat_at=stale,
            attempts=2,
        )
        live = await create_recalculation_job(
            session,
            DataEntryTypeEnum.train,
            state=IngestionState.RUNNING,
            worker_id="alive:2:b",
            heartbeat_at=utcnow(),
            attempts=0,
        )
        ids = retried.id, exhausted.id, live.id
        await session.commit()

    report = await finder(queue, engine).sweep()

    assert (report.retried, report.failed) == ([ids[0]], [ids[1]])
    again = await reload(session_factory, ids[0])
    assert (again.state, again.attempts, again.worker_id) == (IngestionState.QUEUED, 1, None)
    assert again.status_message is not None
    assert again.status_message.startswith("Retrying (attempt 2 of 3): worker gone:1:a")
    failed = await reload(session_factory, ids[1])
    assert (failed.state, failed.result) == (IngestionState.FINISHED, IngestionResult.ERROR)
    assert failed.status_message is not None
    assert "attempt 3 of 3; nothing was saved" in failed.status_message
    assert (await reload(session_factory, ids[2])).state == IngestionState.RUNNING
    # The retried job was quiet for a pass and has no task: it is queued again, once.
    assert await pending_job_ids(queue) == [ids[0]]
    await finder(queue, engine).sweep()
    assert await pending_job_ids(queue) == [ids[0]]


async def test_old_uploads_of_failed_jobs_go(
    queue: procrastinate.App,
    engine: AsyncEngine,
    session_factory: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(job_upload_repo, "CHUNK_BYTES", 2)
    async with session_factory() as session:
        job = await create_factor_job(
            session,
            state=IngestionState.FINISHED,
            result=IngestionResult.ERROR,
            finished_at=utcnow() - timedelta(days=2),
        )
        await JobUploadRepository(session).store(job.id, io.BytesIO(b"a,b\n"))
        await session.commit()

    await finder(queue, engine).sweep()

    async with session_factory() as session:
        with pytest.raises(JobUploadMissingError):
            await JobUploadRepository(session).content_of(job.id)
        assert await session.scalar(select(func.count()).select_from(JobUploadChunk)) == 0
