"""Enum-valued integer columns load as their IntEnum and refuse values outside it."""

from __future__ import annotations

import pytest
from factories import create_entry, create_job, create_module
from sqlalchemy import select, text
from sqlalchemy.exc import StatementError
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.ingestion import (
    DataEntrySource,
    EntityType,
    IngestionMethod,
    IngestionResult,
    IngestionState,
    ModuleStatus,
    TargetType,
)
from app.domain.modules import ModuleTypeEnum
from app.models import CarbonReportModule, DataEntry, DataIngestionJob


async def test_job_columns_load_as_their_enums(db: AsyncSession) -> None:
    created = await create_job(db, state=IngestionState.FINISHED, result=IngestionResult.WARNING)
    await db.commit()
    db.expunge_all()

    job = await db.get_one(DataIngestionJob, created.id)
    assert job.state is IngestionState.FINISHED
    assert job.result is IngestionResult.WARNING
    assert job.target_type is TargetType.DATA_ENTRIES
    assert job.ingestion_method is IngestionMethod.computed
    assert job.entity_type is EntityType.MODULE_PER_YEAR
    stored = await db.scalar(
        text("SELECT state FROM data_ingestion_jobs WHERE id = :id"), {"id": job.id}
    )
    assert stored == 3
    assert type(stored) is int


async def test_a_job_without_result_loads_none(db: AsyncSession) -> None:
    created = await create_job(db)
    await db.commit()
    db.expunge_all()
    job = await db.get_one(DataIngestionJob, created.id)
    assert job.result is None
    assert job.state is IngestionState.NOT_STARTED


async def test_entry_source_and_module_status_load_as_their_enums(db: AsyncSession) -> None:
    module = await create_module(db, ModuleTypeEnum.process_emissions)
    entry = await create_entry(db, module=module, source=DataEntrySource.csv)
    await db.commit()
    db.expunge_all()
    assert (await db.get_one(DataEntry, entry.id)).source is DataEntrySource.csv
    status = await db.scalar(
        select(CarbonReportModule.status).where(CarbonReportModule.id == module.id)
    )
    assert status is ModuleStatus.not_started


async def test_a_value_outside_the_enum_is_refused_on_write(db: AsyncSession) -> None:
    with pytest.raises(StatementError, match="is not a valid IngestionState"):
        await create_job(db, state=7)
