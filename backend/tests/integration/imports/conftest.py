"""Helpers of the import tests: run an import job through a real runner, count what is stored."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from factories import create_unit
from import_helpers import (
    PROCESS,
    PROCESS_FACTORS,
    PROCESS_TYPE,
    YEAR,
    Recalculate,
    RunImport,
    Status,
    csv_bytes,
)
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.domain.ingestion import IngestionResult, TargetType
from app.domain.modules import DataEntryTypeEnum, ModuleTypeEnum
from app.domain.recalculation_status import RecalculationStatusRow
from app.models import DataIngestionJob
from app.services.ingestion.data_import import ImportMode
from app.services.ingestion.jobs import create_import_job
from app.services.recalculation_jobs import RecalculationJobService
from app.services.recalculation_status_service import RecalculationStatusService
from app.tasks.context import worker_id
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
        content: bytes = b"",
        year: int = YEAR,
        mode: ImportMode | None = None,
    ) -> int:
        """The job with its file, committed (not dispatched: the test runs it)."""
        async with session_factory() as session:
            job = await create_import_job(
                session,
                target=target,
                module_type=module_type,
                data_entry_type=data_entry_type,
                year=year,
                file_name="test.csv",
                file=io.BytesIO(content),
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
    """`await run_job(job_id)`: dispatch the job and run it to its end -> the job."""

    async def run(job_id: int) -> DataIngestionJob:
        await runner.dispatch(job_id)
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
        job_id = await create_job(
            TargetType.FACTORS, module_type, data_entry_type, content=content, year=year
        )
        return await run_job(job_id)

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
            TargetType.DATA_ENTRIES,
            module_type,
            data_entry_type,
            content=content,
            year=year,
            mode=mode,
        )
        return await run_job(job_id)

    return run


@pytest.fixture
def status(session_factory: async_sessionmaker[AsyncSession]) -> Status:
    """`await status()` -> the year's status rows by data entry type id."""

    async def read() -> dict[int, RecalculationStatusRow]:
        async with session_factory() as session:
            rows = await RecalculationStatusService(session).rows(YEAR)
        return {row.data_entry_type_id: row for row in rows}

    return read


@pytest.fixture
def recalculate(
    session_factory: async_sessionmaker[AsyncSession],
    run_job: Callable[[int], Awaitable[DataIngestionJob]],
) -> Recalculate:
    """`await recalculate(module, type)` -> the finished recalculation job."""

    async def run(module: ModuleTypeEnum, data_entry_type: DataEntryTypeEnum) -> DataIngestionJob:
        async with session_factory() as session:
            scheduled = await RecalculationJobService(session).create_type_job(
                module, data_entry_type, YEAR, requested_by="tester", worker_id=worker_id()
            )
            await session.commit()
        job = await run_job(scheduled.job_id)
        assert job.result in (IngestionResult.SUCCESS, IngestionResult.WARNING), job.status_message
        return job

    return run


# Six entries: two co2, one ch4, one refrigerant r134a (the refrigerants factor is its
# fallback), one n2o, and one co2 entry with an override (5 kg), which no factor affects.
REASON_ENTRIES = csv_bytes(
    "unit_institutional_code,category,subcategory,quantity_kg,kg_co2eq",
    "U1,co2,,5,",
    "U1,co2,,7,",
    "U1,ch4,,10,",
    "U1,refrigerants,r134a,1,",
    "U1,n2o,,2,",
    "U1,co2,,3,5",
)


@pytest.fixture
async def recalculated(
    db: AsyncSession, import_factors: RunImport, import_data: RunImport, recalculate: Recalculate
) -> DataIngestionJob:
    """Six process entries (REASON_ENTRIES) computed with the shipped process factors and
    recalculated since; the factor import."""
    await create_unit(db, institutional_code="U1")
    await db.commit()
    factors = await import_factors(PROCESS_FACTORS.encode())
    entries = await import_data(REASON_ENTRIES)
    assert entries.result == IngestionResult.SUCCESS, entries.status_message
    await recalculate(PROCESS, PROCESS_TYPE)
    return factors
