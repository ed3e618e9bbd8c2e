"""get_recalculation_status_by_year: staleness by factor commit order (the factor sequence a
factor import committed against the one a recalculation read), per-type rows of module jobs,
the running job, a fixed query count."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from factories import create_job
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.domain.ingestion import IngestionMethod, IngestionResult, IngestionState, TargetType
from app.domain.modules import DataEntryTypeEnum, ModuleTypeEnum
from app.domain.recalculation_status import RecalculationStatusRow
from app.models import DataIngestionJob, utcnow
from app.repositories.data_ingestion import DataIngestionRepository
from app.repositories.recalculation_status_repo import RecalculationStatusRepository

YEAR = 2025
TRAVEL = ModuleTypeEnum.professional_travel
PLANE = DataEntryTypeEnum.plane
TRAIN = DataEntryTypeEnum.train


async def factor_job(
    db: AsyncSession,
    *,
    sequence: int,
    module: ModuleTypeEnum = TRAVEL,
    data_entry_type: DataEntryTypeEnum | None = PLANE,
    result: IngestionResult = IngestionResult.SUCCESS,
    state: IngestionState = IngestionState.FINISHED,
    year: int = YEAR,
    **overrides: Any,
) -> DataIngestionJob:
    """A factor import that committed factor sequence `sequence` (when it finished)."""
    finished = state == IngestionState.FINISHED
    return await create_job(
        db,
        module_type_id=int(module),
        data_entry_type_id=None if data_entry_type is None else int(data_entry_type),
        year=year,
        ingestion_method=int(IngestionMethod.csv),
        target_type=int(TargetType.FACTORS),
        state=int(state),
        result=int(result) if finished else None,
        finished_at=utcnow() if finished else None,
        factor_sequence=sequence if finished and result != IngestionResult.ERROR else None,
        **overrides,
    )


async def recalculation(
    db: AsyncSession,
    *,
    read_sequence: int | None,
    module: ModuleTypeEnum = TRAVEL,
    data_entry_type: DataEntryTypeEnum | None = PLANE,
    result: IngestionResult | None = IngestionResult.SUCCESS,
    state: IngestionState = IngestionState.FINISHED,
    year: int = YEAR,
    **overrides: Any,
) -> DataIngestionJob:
    """A recalculation that read factor sequence `read_sequence` when it locked its scope."""
    return await create_job(
        db,
        module_type_id=int(module),
        data_entry_type_id=None if data_entry_type is None else int(data_entry_type),
        year=year,
        state=int(state),
        result=None if result is None else int(result),
        finished_at=utcnow() if state == IngestionState.FINISHED else None,
        factor_sequence=read_sequence,
        **overrides,
    )


async def status(db: AsyncSession, year: int = YEAR) -> dict[int, RecalculationStatusRow]:
    rows = await DataIngestionRepository(db).get_recalculation_status_by_year(year)
    return {row.data_entry_type_id: row for row in rows}


# --- the plan's phase 6 list, with factor sequences


async def test_factor_job_only_needs_recalculation(db: AsyncSession) -> None:
    factors = await factor_job(db, sequence=1, progress_done=120, progress_total=120)

    row = (await status(db))[PLANE]

    assert row.needs_recalculation
    assert (row.module_type_id, row.year) == (TRAVEL, YEAR)
    assert (row.last_factor_job_id, row.last_factor_job_result) == (
        factors.id,
        IngestionResult.SUCCESS,
    )
    assert row.last_factor_job_finished_at is not None
    assert (row.last_factor_job_rows_done, row.last_factor_job_rows_total) == (120, 120)
    assert row.last_recalculation_job_id is None
    assert row.recalculation_running_job_id is None


@pytest.mark.parametrize("result", [IngestionResult.SUCCESS, IngestionResult.WARNING])
async def test_recalculation_that_read_current_factors_clears_it(
    db: AsyncSession, result: IngestionResult
) -> None:
    await factor_job(db, sequence=1)
    recalc = await recalculation(db, read_sequence=1, result=result)

    row = (await status(db))[PLANE]

    assert not row.needs_recalculation
    assert (row.last_recalculation_job_id, row.last_recalculation_job_result) == (
        recalc.id,
        result,
    )


async def test_factor_committed_after_the_recalculation_needs_it(db: AsyncSession) -> None:
    await factor_job(db, sequence=1)
    await recalculation(db, read_sequence=1)
    newer = await factor_job(db, sequence=2)

    row = (await status(db))[PLANE]

    assert row.needs_recalculation
    assert row.last_factor_job_id == newer.id


async def test_factor_job_with_error_is_excluded(db: AsyncSession) -> None:
    await factor_job(db, sequence=1, result=IngestionResult.ERROR)
    await factor_job(db, sequence=1, state=IngestionState.RUNNING)

    assert await status(db) == {}


async def test_no_factor_jobs_gives_an_empty_list(db: AsyncSession) -> None:
    await recalculation(db, read_sequence=0)
    await factor_job(db, sequence=1, year=YEAR - 1)

    assert await DataIngestionRepository(db).get_recalculation_status_by_year(YEAR) == []


# --- failed and active recalculations, commit order, module-wide imports, module jobs


async def test_failed_recalculation_leaves_the_pair_stale(db: AsyncSession) -> None:
    await factor_job(db, sequence=1)
    failed = await recalculation(db, read_sequence=1, result=IngestionResult.ERROR)

    row = (await status(db))[PLANE]

    assert row.needs_recalculation
    assert (row.last_recalculation_job_id, row.last_recalculation_job_result) == (
        failed.id,
        IngestionResult.ERROR,
    )


async def test_failed_recalculation_after_a_good_one_reports_the_failure(
    db: AsyncSession,
) -> None:
    await factor_job(db, sequence=1)
    await recalculation(db, read_sequence=1)
    failed = await recalculation(db, read_sequence=1, result=IngestionResult.ERROR)

    row = (await status(db))[PLANE]

    assert not row.needs_recalculation  # the earlier success read the current factors
    assert row.last_recalculation_job_id == failed.id
    assert row.last_recalculation_job_result == IngestionResult.ERROR


@pytest.mark.parametrize(
    "state", [IngestionState.NOT_STARTED, IngestionState.QUEUED, IngestionState.RUNNING]
)
async def test_active_recalculation_does_not_clear_it_and_is_reported(
    db: AsyncSession, state: IngestionState
) -> None:
    await factor_job(db, sequence=1, data_entry_type=None)
    running = await recalculation(db, read_sequence=1, state=state, result=None)

    row = (await status(db))[PLANE]

    assert row.needs_recalculation
    assert row.recalculation_running_job_id == running.id
    assert row.last_recalculation_job_id == running.id
    assert row.last_recalculation_job_state == state
    assert row.last_recalculation_job_result is None
    assert (await status(db))[TRAIN].recalculation_running_job_id is None


async def test_factor_import_started_before_and_committed_after_a_recalculation(
    db: AsyncSession,
) -> None:
    await factor_job(db, sequence=1)
    # Created first (lower id), but it took the scope lock only after the recalculation
    # released it, so it committed sequence 2 while the recalculation read 1.
    slow_import = await factor_job(db, sequence=1, state=IngestionState.RUNNING)
    await recalculation(db, read_sequence=1)
    slow_import.state = int(IngestionState.FINISHED)
    slow_import.result = int(IngestionResult.SUCCESS)
    slow_import.factor_sequence = 2
    slow_import.finished_at = utcnow()
    await db.flush()

    row = (await status(db))[PLANE]

    assert row.needs_recalculation
    assert row.last_factor_job_id == slow_import.id


async def test_factor_imports_follow_commit_order_not_creation_order(db: AsyncSession) -> None:
    committed_last = await factor_job(db, sequence=3, result=IngestionResult.WARNING)
    committed_first = await factor_job(db, sequence=2)  # higher id, lower sequence
    await recalculation(db, read_sequence=2)

    row = (await status(db))[PLANE]

    assert committed_first.id > committed_last.id
    assert row.last_factor_job_id == committed_last.id
    assert row.last_factor_job_result == IngestionResult.WARNING
    assert row.needs_recalculation

    await recalculation(db, read_sequence=3)
    assert not (await status(db))[PLANE].needs_recalculation


async def test_module_wide_factor_job_counts_for_every_type(db: AsyncSession) -> None:
    plane_only = await factor_job(db, sequence=1)
    module_wide = await factor_job(db, sequence=2, data_entry_type=None)
    await recalculation(db, read_sequence=2, data_entry_type=TRAIN)

    rows = await status(db)

    assert sorted(rows) == [PLANE, TRAIN]
    assert rows[PLANE].last_factor_job_id == module_wide.id
    assert rows[PLANE].needs_recalculation
    assert rows[TRAIN].last_factor_job_id == module_wide.id
    assert not rows[TRAIN].needs_recalculation
    assert plane_only.id != module_wide.id


async def test_type_factor_job_newer_than_the_module_wide_one(db: AsyncSession) -> None:
    await factor_job(db, sequence=1, data_entry_type=None)
    plane = await factor_job(db, sequence=2)
    await recalculation(db, read_sequence=1, data_entry_type=TRAIN)

    rows = await status(db)

    assert rows[PLANE].last_factor_job_id == plane.id
    assert not rows[TRAIN].needs_recalculation


async def test_module_recalculation_child_rows_clear_per_type_status(db: AsyncSession) -> None:
    await factor_job(db, sequence=1, data_entry_type=None)
    parent = await recalculation(db, read_sequence=1, data_entry_type=None)
    plane_row = await recalculation(db, read_sequence=1, parent_job_id=parent.id)
    train_row = await recalculation(
        db,
        read_sequence=1,
        data_entry_type=TRAIN,
        result=IngestionResult.ERROR,
        parent_job_id=parent.id,
    )

    rows = await status(db)

    assert not rows[PLANE].needs_recalculation
    assert rows[PLANE].last_recalculation_job_id == plane_row.id
    assert rows[TRAIN].needs_recalculation  # its per-type row failed
    assert rows[TRAIN].last_recalculation_job_id == train_row.id


async def test_running_module_job_reports_the_parent_id(db: AsyncSession) -> None:
    await factor_job(db, sequence=1)
    running = {"state": IngestionState.RUNNING, "result": None}
    parent = await recalculation(db, read_sequence=None, data_entry_type=None, **running)
    await recalculation(db, read_sequence=None, parent_job_id=parent.id, **running)

    row = (await status(db))[PLANE]

    assert row.recalculation_running_job_id == parent.id
    assert row.needs_recalculation


async def test_other_years_modules_and_imports_do_not_leak(db: AsyncSession) -> None:
    await factor_job(db, sequence=1)
    await recalculation(db, read_sequence=5, year=YEAR + 1)
    # A data import (target DATA_ENTRIES, method csv) is not a recalculation.
    await create_job(
        db,
        module_type_id=int(TRAVEL),
        data_entry_type_id=int(PLANE),
        ingestion_method=int(IngestionMethod.csv),
        state=int(IngestionState.FINISHED),
        result=int(IngestionResult.SUCCESS),
        factor_sequence=5,
    )
    await factor_job(db, sequence=1, module=ModuleTypeEnum.process_emissions, data_entry_type=None)

    rows = await DataIngestionRepository(db).get_recalculation_status_by_year(YEAR)

    assert [(r.module_type_id, r.data_entry_type_id) for r in rows] == [
        (TRAVEL, PLANE),
        (ModuleTypeEnum.process_emissions, DataEntryTypeEnum.process_emissions),
    ]
    assert all(r.needs_recalculation and r.last_recalculation_job_id is None for r in rows)


async def test_find_active_recalculation_job_id(db: AsyncSession) -> None:
    repo = RecalculationStatusRepository(db)
    running = {"state": IngestionState.RUNNING, "result": None}
    parent = await recalculation(db, read_sequence=None, data_entry_type=None, **running)
    await recalculation(db, read_sequence=None, parent_job_id=parent.id, **running)

    assert await repo.find_active_recalculation_job_id(TRAVEL, YEAR, [PLANE]) == parent.id
    assert await repo.find_active_recalculation_job_id(TRAVEL, YEAR, [None]) == parent.id
    assert await repo.find_active_recalculation_job_id(TRAVEL, YEAR, [TRAIN]) is None
    assert await repo.find_active_recalculation_job_id(TRAVEL, YEAR + 1, [PLANE]) is None


# --- a fixed number of queries


@contextmanager
def count_statements(engine: AsyncEngine) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(args[2])

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


def _reads_whole_meta(statement: str) -> bool:
    """Whether a statement names the meta column other than to extract one key from it."""
    extracted = re.sub(
        r"json_extract\(data_ingestion_jobs\.meta, ?[^)]*\)|data_ingestion_jobs\.meta ->> ?\S+",
        "",
        statement,
        flags=re.IGNORECASE,
    )
    return "meta" in extracted.lower()


async def _history(db: AsyncSession, rounds: int) -> None:
    """Factor imports and recalculations of every travel type, module-wide and per type."""
    for sequence in range(1, rounds + 1):
        data_entry_type = (None, PLANE, TRAIN)[sequence % 3]
        await factor_job(db, sequence=sequence, data_entry_type=data_entry_type)
        parent = await recalculation(db, read_sequence=sequence, data_entry_type=None)
        for child_type in (PLANE, TRAIN):
            await recalculation(
                db, read_sequence=sequence, data_entry_type=child_type, parent_job_id=parent.id
            )
        await recalculation(db, read_sequence=sequence, result=IngestionResult.ERROR)


async def test_query_count_does_not_grow_with_the_number_of_jobs(
    db: AsyncSession, engine: AsyncEngine
) -> None:
    await _history(db, 2)  # 10 jobs
    await db.commit()
    with count_statements(engine) as few:
        small = await status(db)

    await _history(db, 38)  # 200 jobs in all
    await db.commit()
    with count_statements(engine) as many:
        large = await status(db)

    assert len(few) == len(many) == 4
    assert sorted(small) == sorted(large) == [PLANE, TRAIN]
    # The job's meta is never read whole (it lists up to 100 rejected rows): only the
    # reason's keys are extracted from it.
    assert not any(_reads_whole_meta(statement) for statement in many)
    assert not any(row.needs_recalculation for row in large.values())
