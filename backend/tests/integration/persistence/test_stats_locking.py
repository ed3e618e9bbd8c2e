"""Writers of one report's stats serialize: the second waits for the first to commit, then
reads sums that include the first's change. Deterministic (two sessions, the first held
open), unlike the parallel requests of `e2e/test_stats_concurrency.py`."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import event, text, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from stats_audit import committed_stats_mismatches

from app.domain.modules import DataEntryTypeEnum, ModuleTypeEnum
from app.models import Factor
from app.services.carbon_report_module_service import CarbonReportModuleService
from app.services.data_entry_service import DataEntryService
from app.workflows.emission_recalculation import (
    EmissionRecalculationWorkflow,
    RecalculationScope,
)

YEAR = 2025
PROCESS = DataEntryTypeEnum.process_emissions
AI = DataEntryTypeEnum.external_ai
SessionFactory = async_sessionmaker[AsyncSession]
# The lock waits are observed in pg_stat_activity; SQLite has its own test below.
ON_POSTGRESQL = pytest.mark.parametrize(
    "database_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)


async def _blocked_or_done(engine: AsyncEngine, task: asyncio.Task[Any]) -> None:
    """Wait until `task` ends, or until some backend of the database waits on a lock."""
    async with asyncio.timeout(60):
        while not task.done():
            async with engine.connect() as connection:
                waiting = await connection.scalar(
                    text(
                        "SELECT count(*) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                    )
                )
            if waiting:
                return
            await asyncio.sleep(0.05)


async def _one_after_the_other(
    engine: AsyncEngine,
    session_factory: SessionFactory,
    first: Callable[[AsyncSession], Awaitable[object]],
    second: Callable[[AsyncSession], Awaitable[object]],
) -> None:
    """Run `first` and leave it uncommitted, start `second`, commit `first` once `second`
    waits on it (or ended without waiting), then commit `second`."""
    async with session_factory() as first_session, session_factory() as second_session:
        await first(first_session)

        async def run_second() -> None:
            await second(second_session)
            await second_session.commit()

        task = asyncio.create_task(run_second())
        await _blocked_or_done(engine, task)
        await first_session.commit()
        await task


async def _create(session: AsyncSession, code: str, data_entry_type: DataEntryTypeEnum) -> int:
    data: dict[str, Any] = (
        {"category": "ch4", "quantity_kg": 10.0}
        if data_entry_type == PROCESS
        else {
            "provider": "openai",
            "usage_type": "chat",
            "requests_per_user_per_day": "1-5",
            "user_count": 10,
        }
    )
    written = await DataEntryService(session).create(
        unit_institutional_code=code, year=YEAR, data_entry_type=data_entry_type, data=data
    )
    return written.id


@ON_POSTGRESQL
async def test_second_edit_of_a_module_waits_and_counts_the_first(
    engine: AsyncEngine, session_factory: SessionFactory, unit_code: str
) -> None:
    async with session_factory() as session:
        ids = [await _create(session, unit_code, PROCESS) for _ in range(2)]
        await session.commit()

    def edit(entry_id: int, kg: float) -> Callable[[AsyncSession], Awaitable[object]]:
        return lambda session: DataEntryService(session).update(entry_id, {"quantity_kg": kg})

    await _one_after_the_other(engine, session_factory, edit(ids[0], 1.0), edit(ids[1], 2.0))
    assert await committed_stats_mismatches(session_factory) == []


@ON_POSTGRESQL
async def test_recalculations_of_two_modules_of_one_report_serialize_their_stats(
    engine: AsyncEngine, session_factory: SessionFactory, unit_code: str
) -> None:
    async with session_factory() as session:
        for data_entry_type in (PROCESS, AI, PROCESS, AI):
            await _create(session, unit_code, data_entry_type)
        # New factor values: both recalculations change their module's total.
        await session.execute(
            update(Factor)
            .where(Factor.data_entry_type_id == PROCESS)
            .values(values={"gwp_kg_co2eq_per_kg": 30.0})
        )
        await session.execute(
            update(Factor)
            .where(Factor.data_entry_type_id == AI)
            .values(values={"ef_g_co2eq_per_request": 5.0})
        )
        await session.commit()

    def recalculate(
        module: ModuleTypeEnum, data_entry_type: DataEntryTypeEnum
    ) -> Callable[[AsyncSession], Awaitable[object]]:
        scope = RecalculationScope(int(module), (int(data_entry_type),), YEAR)
        return lambda session: EmissionRecalculationWorkflow(session).run(scope)

    await _one_after_the_other(
        engine,
        session_factory,
        recalculate(ModuleTypeEnum.process_emissions, PROCESS),
        recalculate(ModuleTypeEnum.external_cloud_and_ai, AI),
    )
    assert await committed_stats_mismatches(session_factory) == []


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_sqlite_reads_the_sums_inside_the_write_transaction(
    engine: AsyncEngine, session_factory: SessionFactory, unit_code: str
) -> None:
    """A stats refresh as the first thing of a transaction: its sums are read while the
    connection holds the write lock, so no other writer can commit in between."""
    async with session_factory() as session:
        await _create(session, unit_code, PROCESS)
        await session.commit()
    reads_outside: list[str] = []

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def _record(connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
        sqlite_connection = connection.connection.driver_connection._connection
        is_sum = statement.lstrip().upper().startswith("SELECT") and "sum(" in statement.lower()
        if is_sum and not sqlite_connection.in_transaction:
            reads_outside.append(statement)

    async with session_factory() as session:
        await CarbonReportModuleService(session).recompute_stats(range(1, 100))
        await session.commit()
    event.remove(engine.sync_engine, "before_cursor_execute", _record)
    assert reads_outside == []
