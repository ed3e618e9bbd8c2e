"""`co2calc jobs cancel ID` from another process than the one running the job: the request
travels through the job row, and the running recalculation stops at its next batch with its
data as before; a finished job is refused with the reason."""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from factories import create_emission, create_entry, create_factor, create_job, create_module
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.domain.ingestion import IngestionResult, IngestionState
from app.domain.modules import ModuleTypeEnum
from app.models import DataEntryEmission, DataIngestionJob
from app.tasks.context import use_engine
from app.tasks.job_handle import JobHandle
from app.tasks.runner import InlineRunner
from app.workflows import emission_recalculation

# `co2calc` subprocesses: seconds each.
pytestmark = pytest.mark.slow

RunCli = Callable[..., subprocess.CompletedProcess[str]]
SessionFactory = async_sessionmaker[AsyncSession]


@pytest.fixture(autouse=True)
def _engine_for_tasks(engine: AsyncEngine) -> Iterator[None]:
    with use_engine(engine):
        yield


async def _recalculation_of_four_entries(session_factory: SessionFactory) -> int:
    async with session_factory() as session:
        await create_factor(session)
        module = await create_module(session, ModuleTypeEnum.process_emissions)
        for quantity in (1.0, 2.0, 3.0, 4.0):
            entry = await create_entry(
                session, module=module, data={"category": "ch4", "quantity_kg": quantity}
            )
            await create_emission(session, entry=entry, kg_co2eq=quantity)
        job = await create_job(session)
        await session.commit()
        return job.id


async def _emissions(session_factory: SessionFactory) -> list[tuple[Any, ...]]:
    async with session_factory() as session:
        rows = await session.execute(
            select(DataEntryEmission.id, DataEntryEmission.kg_co2eq).order_by(DataEntryEmission.id)
        )
        return [tuple(row) for row in rows]


async def test_a_recalculation_running_here_is_cancelled_from_the_command_line(
    run_cli: RunCli,
    database_url: str,
    engine: AsyncEngine,
    session_factory: SessionFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(emission_recalculation, "BATCH_SIZE", 2)
    job_id = await _recalculation_of_four_entries(session_factory)
    before = await _emissions(session_factory)
    first_batch, go_on = asyncio.Event(), asyncio.Event()
    publish = JobHandle.progress

    async def pausing_after_the_first_batch(
        self: JobHandle, message: Any = None, **kw: Any
    ) -> None:
        await publish(self, message, **kw)
        if message == "Recalculating emissions... 2/4":
            first_batch.set()
            await go_on.wait()

    monkeypatch.setattr(JobHandle, "progress", pausing_after_the_first_batch)
    runner = InlineRunner(engine)
    await runner.start()
    try:
        await runner.dispatch(job_id)
        await asyncio.wait_for(first_batch.wait(), 30)

        cancelled = await asyncio.to_thread(
            run_cli, "jobs", "cancel", str(job_id), database_url=database_url
        )
        go_on.set()
        await runner.wait_idle()
    finally:
        go_on.set()
        await runner.shutdown()

    assert cancelled.returncode == 0, cancelled.stderr
    assert f"Job {job_id} is running: it stops at its next batch" in cancelled.stdout
    async with session_factory() as session:
        job = await session.get(DataIngestionJob, job_id)
    assert job is not None
    assert (job.state, job.result) == (IngestionState.FINISHED, IngestionResult.ERROR)
    assert job.status_message is not None
    assert job.status_message.startswith("cancelled by cli:")
    assert await _emissions(session_factory) == before

    again = run_cli("jobs", "cancel", str(job_id), database_url=database_url)

    assert again.returncode == 3  # refused, nothing changed
    assert f"job {job_id} has already finished (ERROR): there is nothing to cancel" in (
        again.stderr
    )
