"""Helpers of the import tests: run an import job through a real runner, count what is stored."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from import_helpers import PROCESS, PROCESS_TYPE, YEAR, RunImport
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.domain.ingestion import TargetType
from app.domain.modules import DataEntryTypeEnum, ModuleTypeEnum
from app.models import DataIngestionJob
from app.services.ingestion.data_import import ImportMode
from app.services.ingestion.jobs import create_import_job
from app.tasks.context import worker_id
from app.tasks.ingestion_tasks import run_data_import_task, run_factor_import_task
from app.tasks.runner import InlineRunner, TaskFunction


@pytest.fixture
async def runner(engine: AsyncEngine) -> AsyncIterator[InlineRunner]:
    runner = InlineRunner(engine)
    yield runner
    await runner.shutdown()


@pytest.fixture
def create_job(session_factory: async_sessionmaker[AsyncSession]) -> Callable[..., Awaitable[int]]:
    async def create(
        target: TargetType,
        module_type: ModuleTypeEnum = PROCESS,
        data_entry_type: DataEntryTypeEnum | None = PROCESS_TYPE,
        *,
        year: int = YEAR,
        mode: ImportMode | None = None,
    ) -> int:
        async with session_factory() as session:
            job = await create_import_job(
                session,
                target=target,
                module_type=module_type,
                data_entry_type=data_entry_type,
                year=year,
                file_name="test.csv",
                file_size=0,
                requested_by="tester",
                worker_id=worker_id(),
                mode=mode,
            )
            await session.commit()
            return job.id

    return create


@pytest.fixture
def load_job(
    session_factory: async_sessionmaker[AsyncSession],
) -> Callable[[int], Awaitable[DataIngestionJob]]:
    async def load(job_id: int) -> DataIngestionJob:
        async with session_factory() as session:
            job = await session.get(DataIngestionJob, job_id)
            assert job is not None
            return job

    return load


@pytest.fixture
def run_job(
    runner: InlineRunner, load_job: Callable[[int], Awaitable[DataIngestionJob]]
) -> Callable[..., Awaitable[DataIngestionJob]]:
    """`await run_job(task, job_id, **task_kwargs)`: run the task to its end -> the job."""

    async def run(task: TaskFunction, job_id: int, **task_kwargs: object) -> DataIngestionJob:
        runner.schedule(task, job_id=job_id, **task_kwargs)
        await runner.wait_idle()
        return await load_job(job_id)

    return run


@pytest.fixture
def import_factors(
    create_job: Callable[..., Awaitable[int]], run_job: Callable[..., Awaitable[DataIngestionJob]]
) -> RunImport:
    """`await import_factors(content, module_type=, data_entry_type=)` -> the finished job."""

    async def run(
        content: bytes,
        module_type: ModuleTypeEnum = PROCESS,
        data_entry_type: DataEntryTypeEnum | None = PROCESS_TYPE,
        *,
        year: int = YEAR,
    ) -> DataIngestionJob:
        job_id = await create_job(TargetType.FACTORS, module_type, data_entry_type, year=year)
        return await run_job(run_factor_import_task, job_id, content=content)

    return run


@pytest.fixture
def import_data(
    create_job: Callable[..., Awaitable[int]], run_job: Callable[..., Awaitable[DataIngestionJob]]
) -> RunImport:
    """`await import_data(content, mode=ImportMode.replace)` -> the finished job."""

    async def run(
        content: bytes,
        module_type: ModuleTypeEnum = PROCESS,
        data_entry_type: DataEntryTypeEnum | None = PROCESS_TYPE,
        *,
        year: int = YEAR,
        mode: ImportMode = ImportMode.append,
    ) -> DataIngestionJob:
        job_id = await create_job(
            TargetType.DATA_ENTRIES, module_type, data_entry_type, year=year, mode=mode
        )
        return await run_job(run_data_import_task, job_id, content=content, mode=mode.value)

    return run
