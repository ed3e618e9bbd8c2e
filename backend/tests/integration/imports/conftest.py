"""Helpers of the import tests: run an import job through a real runner, count what is stored."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from import_helpers import PROCESS, PROCESS_TYPE, YEAR, RunImport
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.domain.ingestion import TargetType
from app.domain.modules import DataEntryTypeEnum, ModuleTypeEnum
from app.models import (
    DataIngestionJob,
)
from app.services.ingestion.data_import import ImportMode
from app.services.ingestion.jobs import create_import_job
from app.tasks.context import worker_id
from app.tasks.ingestion_tasks import run_data_import_task, run_factor_import_task
from app.tasks.runner import InlineRunner


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
def import_factors(
    runner: InlineRunner,
    create_job: Callable[..., Awaitable[int]],
    load_job: Callable[[int], Awaitable[DataIngestionJob]],
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
        runner.schedule(run_factor_import_task, job_id=job_id, content=content)
        await runner.wait_idle()
        return await load_job(job_id)

    return run


@pytest.fixture
def import_data(
    runner: InlineRunner,
    create_job: Callable[..., Awaitable[int]],
    load_job: Callable[[int], Awaitable[DataIngestionJob]],
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
        runner.schedule(run_data_import_task, job_id=job_id, content=content, mode=mode.value)
        await runner.wait_idle()
        return await load_job(job_id)

    return run
