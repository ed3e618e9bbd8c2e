"""The job code's structured log records: an operator follows a job by its id in the log."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from factories import create_job
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.core.logging import KeyValueFormatter
from app.domain.ingestion import IngestionResult
from app.tasks.context import use_engine, worker_id
from app.tasks.execution import JobOutcome, execute_job
from app.tasks.job_handle import JobHandle


@pytest.fixture(autouse=True)
def _engine_for_tasks(engine: AsyncEngine) -> Iterator[None]:
    with use_engine(engine):
        yield


async def _new_job(session_factory: async_sessionmaker[AsyncSession]) -> int:
    async with session_factory() as session:
        job = await create_job(session)
        await session.commit()
        return job.id


def _by_action(caplog: pytest.LogCaptureFixture) -> dict[str, logging.LogRecord]:
    return {r.action: r for r in caplog.records if hasattr(r, "action")}


async def test_a_finished_job_logs_claim_and_finish_with_its_id_and_result(
    session_factory: async_sessionmaker[AsyncSession], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="app.tasks")
    job_id = await _new_job(session_factory)

    async def work(handle: JobHandle, data: AsyncSession) -> JobOutcome:
        return JobOutcome(IngestionResult.WARNING, "done, with warnings")

    await execute_job(job_id, work)

    records = _by_action(caplog)
    assert set(records) >= {"job.claimed", "job.finished"}
    finished = records["job.finished"]
    assert (finished.job_id, finished.worker_id, finished.result) == (  # type: ignore[attr-defined]
        job_id,
        worker_id(),
        "WARNING",
    )
    assert finished.duration_s >= 0  # type: ignore[attr-defined]
    line = KeyValueFormatter().format(finished)
    assert f"action=job.finished job_id={job_id} worker_id={worker_id()}" in line
    assert "result=WARNING" in line
    assert "done, with warnings" in line


async def test_a_failed_job_logs_the_cause(
    session_factory: async_sessionmaker[AsyncSession], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="app.tasks")
    job_id = await _new_job(session_factory)

    async def work(handle: JobHandle, data: AsyncSession) -> JobOutcome:
        raise RuntimeError("calculator exploded")

    await execute_job(job_id, work)

    failed = _by_action(caplog)["job.failed"]
    assert failed.levelno == logging.ERROR
    assert (failed.job_id, failed.result) == (job_id, "ERROR")  # type: ignore[attr-defined]
    assert failed.cause == "RuntimeError: calculator exploded"  # type: ignore[attr-defined]
    assert failed.exc_info is not None
    assert "job.finished" not in _by_action(caplog)
