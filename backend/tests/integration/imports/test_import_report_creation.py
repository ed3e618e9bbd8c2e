"""Two data imports of other modules meeting the same new units (no report for the year yet)
in other orders both succeed. On PostgreSQL an import's batches wait in the real tables until
it commits, reports it creates included, so without the year's report creation lock each
would wait for a report the other created: a deadlock, and one import failed."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from factories import create_unit
from import_helpers import PROCESS_FACTORS, YEAR, RunImport, csv_bytes
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.domain.ingestion import IngestionResult, TargetType
from app.domain.modules import DataEntryTypeEnum, ModuleTypeEnum
from app.models import CarbonReport, DataEntry, DataIngestionJob
from app.services.ingestion import data_import
from app.services.ingestion.data_import import DataImportService
from app.tasks.runner import InlineRunner

PROCESS_ROWS = csv_bytes(
    "unit_institutional_code,category,subcategory,quantity_kg", "U1,co2,,5", "U2,co2,,7"
)
HEADCOUNT_ROWS = csv_bytes("unit_institutional_code,fte", "U2,0.5", "U1,1")
# Long enough for the second import to reach the report the first one holds, if it can.
SETTLE_SECONDS = 2.0


async def test_imports_meeting_new_units_in_other_orders_both_succeed(
    db: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    runner: InlineRunner,
    create_job: Callable[..., Awaitable[int]],
    load_job: Callable[[int], Awaitable[DataIngestionJob]],
    import_factors: RunImport,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for code in ("U1", "U2"):
        await create_unit(db, institutional_code=code)
    await db.commit()
    await import_factors(PROCESS_FACTORS.encode())
    first_id = await create_job(TargetType.DATA_ENTRIES, content=PROCESS_ROWS)
    second_id = await create_job(
        TargetType.DATA_ENTRIES,
        ModuleTypeEnum.headcount,
        DataEntryTypeEnum.member,
        content=HEADCOUNT_ROWS,
    )
    monkeypatch.setattr(data_import, "BATCH_SIZE", 1)  # one unit met per batch
    after_first_batch = {first_id: asyncio.Event(), second_id: asyncio.Event()}
    go_on = {first_id: asyncio.Event(), second_id: asyncio.Event()}
    original = DataImportService._stage

    async def held_stage(
        self: DataImportService, rows: Any, tally: Any, target: Any, *rest: Any
    ) -> None:
        await original(self, rows, tally, target, *rest)
        if not after_first_batch[target.job_id].is_set():
            after_first_batch[target.job_id].set()
            await go_on[target.job_id].wait()

    monkeypatch.setattr(DataImportService, "_stage", held_stage)
    try:
        await runner.dispatch(first_id)
        await asyncio.wait_for(after_first_batch[first_id].wait(), 30)  # holds U1's report
        await runner.dispatch(second_id)
        # Unlocked, the second import creates U2's report and stops there; locked, it waits
        # for the first import's end before creating any.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(after_first_batch[second_id].wait(), SETTLE_SECONDS)
        go_on[first_id].set()  # goes on to U2
        await asyncio.sleep(SETTLE_SECONDS)
        go_on[second_id].set()  # goes on to U1
        async with asyncio.timeout(60):
            await runner.wait_idle()
    finally:
        for event in go_on.values():
            event.set()

    first, second = await load_job(first_id), await load_job(second_id)
    assert first.result == IngestionResult.SUCCESS, first.status_message
    assert second.result in (IngestionResult.SUCCESS, IngestionResult.WARNING), (
        second.status_message
    )
    async with session_factory() as session:
        reports = await session.scalar(
            select(func.count()).select_from(CarbonReport).where(CarbonReport.year == YEAR)
        )
        entries = await session.scalar(select(func.count()).select_from(DataEntry))
    assert (reports, entries) == (2, 4)
