"""Cancelling a job: one that never started ends at once, a running one at its next batch
with its data rolled back, whichever task or connection runs it; both databases.

The cancel request goes through its own session, as the API's or another process's would:
the running job only learns of it from the row.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from factories import create_job, create_module_recalculation_job
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.core.errors import Conflict, NotFound
from app.domain.ingestion import IngestionMethod, IngestionResult, IngestionState, TargetType
from app.domain.modules import DataEntryTypeEnum, ModuleTypeEnum
from app.models import DataIngestionJob, Unit
from app.schemas.jobs import JobWithChildren
from app.services.job_cancel import JobCancelService
from app.tasks.context import use_engine, worker_id
from app.tasks.execution import JobOutcome, JobWork, execute_job
from app.tasks.job_handle import JobHandle

SessionFactory = async_sessionmaker[AsyncSession]


@pytest.fixture(autouse=True)
def _engine_for_tasks(engine: AsyncEngine) -> AsyncIterator[None]:
    with use_engine(engine):
        yield


async def _new_job(session_factory: SessionFactory, **fields: object) -> int:
    async with session_factory() as session:
        job = await create_job(session, **fields)
        await session.commit()
        return job.id


async def _job(session_factory: SessionFactory, job_id: int) -> DataIngestionJob:
    async with session_factory() as session:
        job = await session.get(DataIngestionJob, job_id)
        assert job is not None
        return job


async def _cancel(session_factory: SessionFactory, job_id: int, by: str) -> JobWithChildren:
    async with session_factory() as session:
        job = await JobCancelService(session).cancel(job_id, requested_by=by)
        await session.commit()
        return job


async def _unit_codes(session_factory: SessionFactory) -> list[str]:
    async with session_factory() as session:
        return list((await session.execute(select(Unit.institutional_code))).scalars())


async def _wait_for_state(
    session_factory: SessionFactory, job_id: int, state: IngestionState
) -> DataIngestionJob:
    for _ in range(200):
        job = await _job(session_factory, job_id)
        if job.state == state:
            return job
        await asyncio.sleep(0.05)
    raise AssertionError(f"job {job_id} never reached {state.name}")


def _batches_adding_units(
    codes: list[str], reached: asyncio.Event, release: asyncio.Event
) -> JobWork:
    """Work that computes one unit per batch, reports progress after each (pausing after the
    first until `release`), then writes them all, last and briefly, as every real job does (on
    SQLite a data transaction that has written holds the write lock until it commits)."""

    async def work(handle: JobHandle, data: AsyncSession) -> JobOutcome:
        for done in range(1, len(codes) + 1):
            await handle.progress(f"batch {done}", done=done, total=len(codes))
            if done == 1:
                reached.set()
                await release.wait()
        data.add_all(Unit(institutional_code=code, name=f"Unit {code}") for code in codes)
        await data.flush()
        return JobOutcome(IngestionResult.SUCCESS, f"added {len(codes)}")

    return work


async def _never_called(handle: JobHandle, data: AsyncSession) -> JobOutcome:
    raise AssertionError("a cancelled job must never start its work")


async def test_a_job_not_started_ends_at_once_and_never_runs(
    session_factory: SessionFactory,
) -> None:
    job_id = await _new_job(session_factory, meta={"config": {"year": 2025}})

    answer = await _cancel(session_factory, job_id, "alice")
    await execute_job(job_id, _never_called)

    assert (answer.state, answer.result) == (IngestionState.FINISHED, IngestionResult.ERROR)
    assert answer.status_message == "cancelled by alice"
    assert answer.cancel_requested_by == "alice"
    job = await _job(session_factory, job_id)
    assert (job.state, job.result, job.status_message) == (
        IngestionState.FINISHED,
        IngestionResult.ERROR,
        "cancelled by alice",
    )
    assert job.finished_at is not None
    assert job.started_at is None
    assert not job.is_current
    assert job.meta == {"config": {"year": 2025}}


async def test_a_job_queued_behind_its_scope_ends_at_once_and_the_holder_goes_on(
    session_factory: SessionFactory,
) -> None:
    factor_import = {
        "target_type": int(TargetType.FACTORS),
        "ingestion_method": int(IngestionMethod.csv),
        "worker_id": worker_id(),
    }
    holder_id = await _new_job(session_factory, **factor_import)
    queued_id = await _new_job(session_factory, **factor_import)
    reached, release = asyncio.Event(), asyncio.Event()
    holder = asyncio.create_task(
        execute_job(holder_id, _batches_adding_units(["H1", "H2"], reached, release))
    )
    await asyncio.wait_for(reached.wait(), 10)
    queued = asyncio.create_task(execute_job(queued_id, _never_called))
    await _wait_for_state(session_factory, queued_id, IngestionState.QUEUED)

    answer = await _cancel(session_factory, queued_id, "bob")
    await asyncio.wait_for(queued, 10)  # its waiting task gives up without running the work
    release.set()
    await holder

    assert (answer.state, answer.status_message) == (IngestionState.FINISHED, "cancelled by bob")
    assert (await _job(session_factory, queued_id)).started_at is None
    assert (await _job(session_factory, holder_id)).result == IngestionResult.SUCCESS
    assert sorted(await _unit_codes(session_factory)) == ["H1", "H2"]


async def test_a_running_job_stops_at_its_next_batch_with_nothing_written(
    session_factory: SessionFactory,
) -> None:
    job_id = await _new_job(session_factory)
    reached, release = asyncio.Event(), asyncio.Event()
    running = asyncio.create_task(
        execute_job(job_id, _batches_adding_units(["U1", "U2", "U3"], reached, release))
    )
    await asyncio.wait_for(reached.wait(), 10)

    answer = await _cancel(session_factory, job_id, "carol")
    assert (answer.state, answer.cancel_requested_by) == (IngestionState.RUNNING, "carol")
    release.set()
    await running

    job = await _job(session_factory, job_id)
    assert (job.state, job.result, job.status_message) == (
        IngestionState.FINISHED,
        IngestionResult.ERROR,
        "cancelled by carol",
    )
    assert job.progress_done == 2  # it stopped at the first batch after the request, of 3
    assert not job.is_current
    assert await _unit_codes(session_factory) == []


async def test_a_second_request_keeps_the_first_name(session_factory: SessionFactory) -> None:
    job_id = await _new_job(session_factory)
    reached, release = asyncio.Event(), asyncio.Event()
    running = asyncio.create_task(
        execute_job(job_id, _batches_adding_units(["U1", "U2"], reached, release))
    )
    await asyncio.wait_for(reached.wait(), 10)

    await _cancel(session_factory, job_id, "carol")
    again = await _cancel(session_factory, job_id, "dave")
    release.set()
    await running

    assert again.cancel_requested_by == "carol"
    assert (await _job(session_factory, job_id)).status_message == "cancelled by carol"


async def test_a_module_job_not_started_ends_with_its_per_type_rows(
    session_factory: SessionFactory,
) -> None:
    types = [
        DataEntryTypeEnum.research_facilities,
        DataEntryTypeEnum.mice_and_fish_animal_facilities,
    ]
    async with session_factory() as session:
        parent, children = await create_module_recalculation_job(
            session, ModuleTypeEnum.research_facilities, types
        )
        await session.commit()

    answer = await _cancel(session_factory, parent.id, "erin")

    assert [(c.state, c.status_message) for c in answer.children] == [
        (IngestionState.FINISHED, "cancelled by erin")
    ] * 2
    for child in children.values():
        assert (await _job(session_factory, child.id)).result == IngestionResult.ERROR


async def test_a_per_type_row_is_cancelled_through_its_module_job(
    session_factory: SessionFactory,
) -> None:
    async with session_factory() as session:
        parent, children = await create_module_recalculation_job(
            session, ModuleTypeEnum.research_facilities, [DataEntryTypeEnum.research_facilities]
        )
        await session.commit()
    (child,) = children.values()

    with pytest.raises(Conflict) as refused:
        await _cancel(session_factory, child.id, "erin")

    assert refused.value.detail == (
        f"job {child.id} is one data entry type of module job {parent.id}: cancel job {parent.id}"
    )
    assert refused.value.extra == {"job_id": parent.id}
    assert (await _job(session_factory, child.id)).state == IngestionState.NOT_STARTED


async def test_a_finished_job_cannot_be_cancelled(session_factory: SessionFactory) -> None:
    job_id = await _new_job(
        session_factory, state=IngestionState.FINISHED, result=IngestionResult.SUCCESS
    )

    with pytest.raises(Conflict) as refused:
        await _cancel(session_factory, job_id, "frank")

    assert refused.value.detail == (
        f"job {job_id} has already finished (SUCCESS): there is nothing to cancel"
    )
    job = await _job(session_factory, job_id)
    assert (job.result, job.cancel_requested_by) == (IngestionResult.SUCCESS, None)


async def test_an_unknown_job_is_not_found(session_factory: SessionFactory) -> None:
    with pytest.raises(NotFound, match="job 999 does not exist"):
        await _cancel(session_factory, 999, "frank")
