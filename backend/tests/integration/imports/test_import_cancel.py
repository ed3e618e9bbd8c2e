"""A factor or data import cancelled while it runs: it ends ERROR "cancelled by NAME" at its
next progress report, before its write, and nothing it read is written (factors, their
sequence, entries, emissions, reports); both databases."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest
from factories import create_unit
from import_helpers import PROCESS_FACTORS, Snapshot, csv_bytes
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.domain.ingestion import IngestionResult, IngestionState, TargetType
from app.models import DataIngestionJob
from app.services.job_cancel import JobCancelService
from app.tasks.job_handle import JobHandle
from app.tasks.runner import InlineRunner

SessionFactory = async_sessionmaker[AsyncSession]


class Paused:
    def __init__(self) -> None:
        self.reached = asyncio.Event()
        self.release = asyncio.Event()


@pytest.fixture
def paused_at_first_report(monkeypatch: pytest.MonkeyPatch) -> Iterator[Paused]:
    """The running import waits after its first progress report until released."""
    paused = Paused()
    publish = JobHandle.progress

    async def pausing(self: JobHandle, message: Any = None, **counts: Any) -> None:
        await publish(self, message, **counts)
        if not paused.reached.is_set():
            paused.reached.set()
            await paused.release.wait()

    monkeypatch.setattr(JobHandle, "progress", pausing)
    yield paused
    paused.release.set()


async def _cancel_while_running(
    session_factory: SessionFactory, runner: InlineRunner, job_id: int, paused: Paused
) -> DataIngestionJob:
    await runner.dispatch(job_id)
    await asyncio.wait_for(paused.reached.wait(), 30)
    async with session_factory() as session:
        await JobCancelService(session).cancel(job_id, requested_by="tester")
        await session.commit()
    paused.release.set()
    await runner.wait_idle()
    async with session_factory() as session:
        job = await session.get(DataIngestionJob, job_id)
    assert job is not None
    return job


async def _snapshot(session_factory: SessionFactory) -> Snapshot:
    async with session_factory() as session:
        return await Snapshot.take(session)


async def test_a_cancelled_factor_import_writes_no_factor(
    session_factory: SessionFactory,
    runner: InlineRunner,
    create_job: Callable[..., Awaitable[int]],
    paused_at_first_report: Paused,
) -> None:
    before = await _snapshot(session_factory)
    job_id = await create_job(TargetType.FACTORS, content=PROCESS_FACTORS.encode())

    job = await _cancel_while_running(session_factory, runner, job_id, paused_at_first_report)

    assert (job.state, job.result, job.status_message) == (
        IngestionState.FINISHED,
        IngestionResult.ERROR,
        "cancelled by tester",
    )
    assert job.factor_sequence is None
    assert await _snapshot(session_factory) == before


async def test_a_cancelled_data_import_writes_no_entry(
    session_factory: SessionFactory,
    runner: InlineRunner,
    create_job: Callable[..., Awaitable[int]],
    import_factors: Callable[..., Awaitable[DataIngestionJob]],
    paused_at_first_report: Paused,
) -> None:
    async with session_factory() as session:
        await create_unit(session, institutional_code="U1")
        await session.commit()
    paused_at_first_report.reached.set()  # the factor import runs through
    await import_factors(PROCESS_FACTORS.encode())
    paused_at_first_report.reached.clear()
    before = await _snapshot(session_factory)
    content = csv_bytes(
        "unit_institutional_code,category,subcategory,quantity_kg", "U1,ch4,,10", "U1,co2,,5"
    )
    job_id = await create_job(TargetType.DATA_ENTRIES, content=content)

    job = await _cancel_while_running(session_factory, runner, job_id, paused_at_first_report)

    assert (job.result, job.status_message) == (IngestionResult.ERROR, "cancelled by tester")
    assert await _snapshot(session_factory) == before
