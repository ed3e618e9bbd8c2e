"""An import job runs from its id alone: its file is stored with it, read by the task, and
deleted with the job's end; a job whose process died before running it is run by the next."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest
from import_helpers import PROCESS, PROCESS_FACTORS, PROCESS_TYPE, YEAR
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.domain.ingestion import IngestionResult, IngestionState, TargetType
from app.models import DataIngestionJob, Factor, JobUpload, JobUploadChunk, utcnow
from app.repositories.job_upload_repo import JobUploadRepository
from app.services.ingestion.factor_import import FactorImportService
from app.services.ingestion.jobs import create_import_job
from app.tasks.context import worker_id
from app.tasks.runner import UPLOAD_RETENTION, InlineRunner

CreateJob = Callable[..., Awaitable[int]]
LoadJob = Callable[[int], Awaitable[DataIngestionJob]]
SessionFactory = async_sessionmaker[AsyncSession]


async def _uploads(session_factory: SessionFactory) -> int:
    """Stored files; each one's chunks are checked to go with it."""
    async with session_factory() as session:
        files = int(await session.scalar(select(func.count()).select_from(JobUpload)) or 0)
        orphans = await session.scalar(
            select(func.count())
            .select_from(JobUploadChunk)
            .where(JobUploadChunk.job_id.not_in(select(JobUpload.job_id)))
        )
    assert orphans == 0
    return files


async def _factor_count(session_factory: SessionFactory) -> int:
    async with session_factory() as session:
        return int(await session.scalar(select(func.count()).select_from(Factor)) or 0)


async def _a_dead_pid() -> int:
    process = await asyncio.create_subprocess_exec("true")
    await process.wait()
    return process.pid


async def test_the_file_is_stored_with_the_job_and_deleted_when_it_finishes(
    session_factory: SessionFactory, create_job: CreateJob, runner: InlineRunner, load_job: LoadJob
) -> None:
    job_id = await create_job(TargetType.FACTORS, content=PROCESS_FACTORS.encode())
    async with session_factory() as session:
        stored = await JobUploadRepository(session).content_of(job_id)
        assert stored == PROCESS_FACTORS.encode()

    await runner.dispatch(job_id)
    await runner.wait_idle()

    job = await load_job(job_id)
    assert job.result == IngestionResult.SUCCESS
    assert job.meta["file_size"] == len(PROCESS_FACTORS.encode())
    assert await _uploads(session_factory) == 0


async def test_a_failed_job_keeps_its_file_until_the_sweep_after_the_retention(
    session_factory: SessionFactory,
    create_job: CreateJob,
    runner: InlineRunner,
    load_job: LoadJob,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def broken(self: FactorImportService, content: bytes, **params: Any) -> Any:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(FactorImportService, "run", broken)
    job_id = await create_job(TargetType.FACTORS, content=PROCESS_FACTORS.encode())
    await runner.dispatch(job_id)
    await runner.wait_idle()
    assert (await load_job(job_id)).result == IngestionResult.ERROR
    assert await _uploads(session_factory) == 1

    await runner.sweep()
    assert await _uploads(session_factory) == 1  # within the retention period

    async with session_factory() as session:
        long_ago = utcnow() - UPLOAD_RETENTION - timedelta(minutes=1)
        await session.execute(
            update(DataIngestionJob)
            .where(DataIngestionJob.id == job_id)
            .values(finished_at=long_ago)
        )
        await session.commit()
    await runner.sweep()
    assert await _uploads(session_factory) == 0


async def _orphan_factor_job(session_factory: SessionFactory) -> int:
    """A job committed with its file by a process that died before dispatching it."""
    host = worker_id().split(":")[0]
    async with session_factory() as session:
        job = await create_import_job(
            session,
            target=TargetType.FACTORS,
            module_type=PROCESS,
            data_entry_type=PROCESS_TYPE,
            year=YEAR,
            file_name="orphan.csv",
            file=io.BytesIO(PROCESS_FACTORS.encode()),
            requested_by="tester",
            worker_id=f"{host}:{await _a_dead_pid()}:gone",
        )
        await session.commit()  # and never dispatched
        return job.id


async def test_a_job_never_dispatched_by_a_dead_process_runs_when_a_new_runner_starts(
    engine: AsyncEngine, session_factory: SessionFactory, load_job: LoadJob
) -> None:
    job_id = await _orphan_factor_job(session_factory)

    restarted = InlineRunner(engine)
    try:
        await restarted.start()
        await asyncio.wait_for(restarted.wait_idle(), 30)
    finally:
        await restarted.shutdown()

    job = await load_job(job_id)
    assert (job.state, job.result) == (IngestionState.FINISHED, IngestionResult.SUCCESS)
    assert job.worker_id == worker_id()
    assert job.meta["inserted"] == 4
    assert await _factor_count(session_factory) == 4
    assert await _uploads(session_factory) == 0
