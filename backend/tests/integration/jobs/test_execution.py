"""execute_job: the job is FINISHED exactly when its data commits, whatever happens.

Writers of one (module, year) are serialized by the scope lock, on both databases, with two
real tasks on two connections.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from factories import create_job
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.domain.ingestion import IngestionMethod, IngestionResult, IngestionState, TargetType
from app.models import DataIngestionJob, Unit
from app.repositories.data_ingestion import INTERRUPTED_MESSAGE
from app.tasks.context import use_engine, worker_id
from app.tasks.execution import JobOutcome, JobWork, execute_job
from app.tasks.job_handle import JobHandle
from app.tasks.runner import InlineRunner, local_runner


@pytest.fixture(autouse=True)
def _engine_for_tasks(engine: AsyncEngine) -> AsyncIterator[None]:
    with use_engine(engine):
        yield


async def _new_job(session_factory: async_sessionmaker[AsyncSession], **fields: object) -> int:
    async with session_factory() as session:
        job = await create_job(session, **fields)
        await session.commit()
        return job.id


async def _job(session_factory: async_sessionmaker[AsyncSession], job_id: int) -> DataIngestionJob:
    async with session_factory() as session:
        job = await session.get(DataIngestionJob, job_id)
        assert job is not None
        return job


async def _unit_codes(session_factory: async_sessionmaker[AsyncSession]) -> list[str]:
    async with session_factory() as session:
        return list((await session.execute(select(Unit.institutional_code))).scalars())


def _adding_unit(code: str, gate: asyncio.Event | None = None) -> JobWork:
    """Work that waits at `gate` (its long read/compute phase), then writes one unit.

    Writes come last and are short, as in every real job: on SQLite a data transaction that
    has written holds the database's write lock until it commits.
    """

    async def work(handle: JobHandle, data: AsyncSession) -> JobOutcome:
        await handle.progress("Computing", done=0, total=1)
        if gate is not None:
            await gate.wait()
        data.add(Unit(institutional_code=code, name=f"Unit {code}"))
        await data.flush()
        return JobOutcome(IngestionResult.SUCCESS, f"added {code}", meta={"added": code})

    return work


async def test_success_commits_data_and_final_state_together(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    job_id = await _new_job(session_factory)

    await execute_job(job_id, _adding_unit("U1"))

    job = await _job(session_factory, job_id)
    assert (job.state, job.result, job.status_message) == (
        IngestionState.FINISHED,
        IngestionResult.SUCCESS,
        "added U1",
    )
    assert job.meta == {"added": "U1"}
    assert job.is_current
    assert job.worker_id == worker_id()
    assert await _unit_codes(session_factory) == ["U1"]


async def test_failure_rolls_back_and_reports_the_cause(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    job_id = await _new_job(session_factory)

    async def work(handle: JobHandle, data: AsyncSession) -> JobOutcome:
        data.add(Unit(institutional_code="U1", name="Unit"))
        await data.flush()
        raise RuntimeError("calculator exploded")

    await execute_job(job_id, work)

    job = await _job(session_factory, job_id)
    assert (job.state, job.result) == (IngestionState.FINISHED, IngestionResult.ERROR)
    assert job.status_message == "RuntimeError: calculator exploded"
    assert not job.is_current
    assert await _unit_codes(session_factory) == []


async def test_cancellation_ends_interrupted_without_data(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    job_id = await _new_job(session_factory)
    never = asyncio.Event()
    running = asyncio.create_task(execute_job(job_id, _adding_unit("U1", gate=never)))
    await _wait_for_state(session_factory, job_id, IngestionState.RUNNING)

    running.cancel()
    with pytest.raises(asyncio.CancelledError):
        await running

    job = await _job(session_factory, job_id)
    assert (job.state, job.result) == (IngestionState.FINISHED, IngestionResult.ERROR)
    assert job.status_message == INTERRUPTED_MESSAGE
    assert await _unit_codes(session_factory) == []


async def test_a_job_declared_dead_writes_nothing(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    job_id = await _new_job(session_factory)
    gate = asyncio.Event()
    running = asyncio.create_task(execute_job(job_id, _adding_unit("U1", gate=gate)))
    await _wait_for_state(session_factory, job_id, IngestionState.RUNNING)
    async with session_factory() as session:  # the sweep ends it while it still works
        job = await session.get(DataIngestionJob, job_id)
        assert job is not None
        job.state = int(IngestionState.FINISHED)
        job.result = int(IngestionResult.ERROR)
        await session.commit()

    gate.set()
    await running

    assert await _unit_codes(session_factory) == []


async def test_writers_of_one_scope_are_serialized(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    factor_import = {
        "target_type": int(TargetType.FACTORS),
        "ingestion_method": int(IngestionMethod.csv),
        "worker_id": worker_id(),
    }
    first_id = await _new_job(session_factory, **factor_import)
    second_id = await _new_job(session_factory, **factor_import)
    release_first = asyncio.Event()
    first = asyncio.create_task(execute_job(first_id, _adding_unit("U1", gate=release_first)))
    await _wait_for_state(session_factory, first_id, IngestionState.RUNNING)

    second = asyncio.create_task(execute_job(second_id, _adding_unit("U2")))
    waiting = await _wait_for_state(session_factory, second_id, IngestionState.QUEUED)
    assert waiting.status_message == (
        f"Waiting for job {first_id} of this module and year to finish"
    )
    await asyncio.sleep(0.6)  # still waiting: it cannot run while the first holds the scope
    assert (await _job(session_factory, second_id)).state == IngestionState.QUEUED

    release_first.set()
    await asyncio.gather(first, second)

    jobs = [await _job(session_factory, job_id) for job_id in (first_id, second_id)]
    assert [job.result for job in jobs] == [IngestionResult.SUCCESS, IngestionResult.SUCCESS]
    assert jobs[0].finished_at is not None
    assert jobs[1].started_at is not None
    assert jobs[0].finished_at <= jobs[1].started_at
    assert sorted(await _unit_codes(session_factory)) == ["U1", "U2"]


async def test_other_scopes_run_side_by_side(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    gate = asyncio.Event()
    first_id = await _new_job(session_factory, year=2024)
    second_id = await _new_job(session_factory, year=2025)
    first = asyncio.create_task(execute_job(first_id, _adding_unit("U1", gate=gate)))
    second = asyncio.create_task(execute_job(second_id, _adding_unit("U2", gate=gate)))

    await _wait_for_state(session_factory, first_id, IngestionState.RUNNING)
    await _wait_for_state(session_factory, second_id, IngestionState.RUNNING)
    gate.set()
    await asyncio.gather(first, second)


async def test_runner_start_ends_jobs_of_a_dead_local_process(
    engine: AsyncEngine, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    host = worker_id().split(":")[0]
    dead_pid = await _a_dead_pid()
    job_id = await _new_job(session_factory, worker_id=f"{host}:{dead_pid}:gone")
    async with session_factory() as session:
        job = await session.get(DataIngestionJob, job_id)
        assert job is not None
        job.state = int(IngestionState.RUNNING)
        await session.commit()
    live_id = await _new_job(session_factory, year=2024, worker_id=worker_id())

    runner = InlineRunner(engine)
    await runner.start()
    await runner.shutdown()

    ended = await _job(session_factory, job_id)
    assert (ended.result, ended.status_message) == (IngestionResult.ERROR, INTERRUPTED_MESSAGE)
    assert (await _job(session_factory, live_id)).state == IngestionState.NOT_STARTED


@pytest.mark.parametrize(
    ("task_backend", "takes_over"), [("inline", True), ("procrastinate", False)]
)
async def test_a_cli_runner_takes_over_others_jobs_only_with_the_inline_backend(
    engine: AsyncEngine,
    session_factory: async_sessionmaker[AsyncSession],
    task_backend: str,
    takes_over: bool,
) -> None:
    """Under the procrastinate backend a job waiting in the queue (no heartbeat while the
    workers are busy) and a running job are the workers' and their stall finder's: a CLI
    command's runner must neither run the one here nor end the other."""
    host = worker_id().split(":")[0]
    gone = f"{host}:{await _a_dead_pid()}:gone"
    waiting_id = await _new_job(session_factory, worker_id=gone)
    running_id = await _new_job(session_factory, year=2024, worker_id=gone)
    async with session_factory() as session:
        running = await session.get(DataIngestionJob, running_id)
        assert running is not None
        running.state = int(IngestionState.RUNNING)
        await session.commit()
    ran: list[int] = []

    async def task(job_id: int) -> None:
        ran.append(job_id)

    assert local_runner(engine, task_backend).takes_over_others is takes_over
    runner = InlineRunner(engine, max_concurrency=1, run=task, takes_over_others=takes_over)
    await runner.start()
    await runner.wait_idle()
    await runner.shutdown()

    waiting = await _job(session_factory, waiting_id)
    running = await _job(session_factory, running_id)
    if takes_over:
        assert ran == [waiting_id]
        assert waiting.worker_id == worker_id()
        assert running.result == IngestionResult.ERROR
    else:
        assert ran == []
        assert (waiting.state, waiting.worker_id) == (IngestionState.NOT_STARTED, gone)
        assert (running.state, running.result) == (IngestionState.RUNNING, None)


async def test_runner_shutdown_interrupts_running_jobs(
    engine: AsyncEngine, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    job_id = await _new_job(session_factory, worker_id=worker_id())

    async def task(job_id: int) -> None:
        await execute_job(job_id, _adding_unit("U1", gate=asyncio.Event()))

    runner = InlineRunner(engine, run=task)
    await runner.start()
    await runner.dispatch(job_id)
    await _wait_for_state(session_factory, job_id, IngestionState.RUNNING)
    await runner.shutdown()

    job = await _job(session_factory, job_id)
    assert (job.result, job.status_message) == (IngestionResult.ERROR, INTERRUPTED_MESSAGE)
    assert await _unit_codes(session_factory) == []


async def _wait_for_state(
    session_factory: async_sessionmaker[AsyncSession], job_id: int, state: IngestionState
) -> DataIngestionJob:
    for _ in range(200):
        job = await _job(session_factory, job_id)
        if job.state == state:
            return job
        await asyncio.sleep(0.05)
    raise AssertionError(f"job {job_id} never reached {state.name}")


async def _a_dead_pid() -> int:
    process = await asyncio.create_subprocess_exec("true")
    await process.wait()
    return process.pid
