"""run_recalculation_task / run_module_recalculation_task through execute_job, both databases.

Concurrency here is real: the factor import, the edit and the recalculation run as separate
asyncio tasks on separate connections.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Iterator
from typing import Any

import pytest
from factories import (
    create_emission,
    create_entry,
    create_facility_entries,
    create_factor,
    create_factor_job,
    create_module,
    create_module_recalculation_job,
    create_recalculation_job,
)
from sqlalchemy import event, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.core import job_changes
from app.core.errors import Conflict
from app.domain.ingestion import IngestionResult, IngestionState
from app.domain.modules import DataEntryTypeEnum, ModuleTypeEnum
from app.emissions import compute_emissions, registry
from app.models import (
    CarbonReport,
    CarbonReportModule,
    DataEntry,
    DataEntryEmission,
    DataIngestionJob,
    Factor,
)
from app.repositories.data_ingestion import INTERRUPTED_MESSAGE, DataIngestionRepository
from app.repositories.recalculation_staging_repo import RecalculationStagingRepository
from app.repositories.sync_scope_repo import ScopeLockRepository
from app.services.data_entry_service import DataEntryService
from app.services.factor_service import FactorService
from app.services.job_cancel import JobCancelService
from app.tasks.context import use_engine
from app.tasks.emission_recalculation_tasks import (
    run_module_recalculation_task,
    run_recalculation_task,
)
from app.tasks.execution import JobOutcome, execute_job
from app.tasks.job_handle import JobHandle
from app.tasks.runner import InlineRunner
from app.workflows import emission_recalculation

YEAR = 2025
PROCESS = DataEntryTypeEnum.process_emissions
FACILITIES = DataEntryTypeEnum.research_facilities
ANIMALS = DataEntryTypeEnum.mice_and_fish_animal_facilities
SessionFactory = async_sessionmaker[AsyncSession]


@pytest.fixture(autouse=True)
def _engine_for_tasks(engine: AsyncEngine) -> Iterator[None]:
    with use_engine(engine):
        yield


@pytest.fixture
def messages(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every progress message a job publishes, in order."""
    published: list[str] = []
    original = JobHandle.progress

    async def recording(self: JobHandle, message: str | None = None, **counts: Any) -> None:
        if message is not None:
            published.append(message)
        await original(self, message, **counts)

    monkeypatch.setattr(JobHandle, "progress", recording)
    return published


class Pause:
    """Holds a running job when it publishes a message starting with `prefix`."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.reached = asyncio.Event()
        self.release = asyncio.Event()


@pytest.fixture
def pause_at(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    pauses: list[Pause] = []
    original = JobHandle.progress

    async def pausing(self: JobHandle, message: str | None = None, **counts: Any) -> None:
        await original(self, message, **counts)
        for pause in pauses:
            if message is not None and message.startswith(pause.prefix):
                pause.reached.set()
                await pause.release.wait()

    monkeypatch.setattr(JobHandle, "progress", pausing)

    def add(prefix: str) -> Pause:
        pause = Pause(prefix)
        pauses.append(pause)
        return pause

    yield add
    for pause in pauses:
        pause.release.set()


# --- data


async def seed_process(session_factory: SessionFactory, quantities: list[float]) -> list[int]:
    """ch4 factor (GWP 28), entries in one module, each with an outdated emission row."""
    async with session_factory() as session:
        await create_factor(session)
        module = await create_module(session, ModuleTypeEnum.process_emissions)
        ids = []
        for quantity in quantities:
            entry = await create_entry(
                session, module=module, data={"category": "ch4", "quantity_kg": quantity}
            )
            await create_emission(session, entry=entry, kg_co2eq=quantity)
            ids.append(entry.id)
        await session.commit()
        return ids


async def seed_facilities(session_factory: SessionFactory) -> dict[int, list[int]]:
    async with session_factory() as session:
        ids = await create_facility_entries(session)
        await session.commit()
        return ids


async def snapshot(session_factory: SessionFactory) -> dict[str, Any]:
    """Every emission row (ids included) and every module and report stats."""
    async with session_factory() as session:
        rows = await session.execute(
            select(
                DataEntryEmission.id,
                DataEntryEmission.data_entry_id,
                DataEntryEmission.emission_type_id,
                DataEntryEmission.kg_co2eq,
            ).order_by(DataEntryEmission.id)
        )
        modules = await session.execute(
            select(CarbonReportModule.id, CarbonReportModule.stats).order_by(CarbonReportModule.id)
        )
        reports = await session.execute(
            select(CarbonReport.id, CarbonReport.stats).order_by(CarbonReport.id)
        )
        return {
            "emissions": [tuple(row) for row in rows],
            "modules": [tuple(row) for row in modules],
            "reports": [tuple(row) for row in reports],
        }


async def emissions_of(session_factory: SessionFactory, entry_ids: list[int]) -> list[float]:
    async with session_factory() as session:
        rows = await session.execute(
            select(DataEntryEmission.kg_co2eq)
            .where(DataEntryEmission.data_entry_id.in_(entry_ids))
            .order_by(DataEntryEmission.data_entry_id)
        )
        return list(rows.scalars())


async def assert_up_to_date(session_factory: SessionFactory, data_entry_type_id: int) -> None:
    """Stored rows = what compute_emissions gives for the entries as they are now, and every
    module total = the sum of its stored rows."""
    async with session_factory() as session:
        index = await FactorService(session).get_index(data_entry_type_id, YEAR)
        entries = (
            await session.execute(
                select(DataEntry).where(DataEntry.data_entry_type_id == data_entry_type_id)
            )
        ).scalars()
        for entry in entries:
            expected = compute_emissions(data_entry_type_id, entry.data, YEAR, index)
            stored = await session.execute(
                select(DataEntryEmission.emission_type_id, DataEntryEmission.kg_co2eq).where(
                    DataEntryEmission.data_entry_id == entry.id
                )
            )
            assert [tuple(row) for row in stored] == [
                (row.emission_type_id, row.kg_co2eq) for row in expected
            ]
        sums = await session.execute(
            text(
                "SELECT m.id, m.stats, (SELECT coalesce(sum(e.kg_co2eq), 0) FROM "
                "data_entry_emissions e JOIN data_entries d ON d.id = e.data_entry_id "
                "WHERE d.carbon_report_module_id = m.id) FROM carbon_report_modules m"
            )
        )
        for _, stats, total in sums:
            stats = json.loads(stats) if isinstance(stats, str) else stats  # SQLite: JSON text
            if stats:
                assert stats["total"] == pytest.approx(float(total))


async def new_job(session_factory: SessionFactory, **fields: Any) -> int:
    async with session_factory() as session:
        job = await create_recalculation_job(session, **fields)
        await session.commit()
        return job.id


async def new_module_job(
    session_factory: SessionFactory, types: list[DataEntryTypeEnum]
) -> tuple[int, dict[int, int]]:
    async with session_factory() as session:
        parent, children = await create_module_recalculation_job(
            session, ModuleTypeEnum.research_facilities, types
        )
        await session.commit()
        return parent.id, {type_id: child.id for type_id, child in children.items()}


async def job_of(session_factory: SessionFactory, job_id: int) -> DataIngestionJob:
    async with session_factory() as session:
        job = await session.get(DataIngestionJob, job_id)
        assert job is not None
        return job


async def wait_for_state(
    session_factory: SessionFactory, job_id: int, state: IngestionState
) -> DataIngestionJob:
    for _ in range(300):
        job = await job_of(session_factory, job_id)
        if job.state == state:
            return job
        await asyncio.sleep(0.05)
    raise AssertionError(f"job {job_id} never reached {state.name}")


async def set_factor_sequence(
    session_factory: SessionFactory, module_type: int, value: int
) -> None:
    async with session_factory() as session:
        for _ in range(value):
            await ScopeLockRepository(session).take_next_factor_sequence(module_type, YEAR)
        await session.commit()


def broken_calculator(*_: Any) -> Any:
    raise RuntimeError("calculator bug")


# --- one type


async def test_a_type_job_finishes_success_with_its_stats_and_factor_sequence(
    session_factory: SessionFactory, messages: list[str]
) -> None:
    ids = await seed_process(session_factory, [1.0, 2.0, 3.0])
    await set_factor_sequence(session_factory, ModuleTypeEnum.process_emissions, 3)
    job_id = await new_job(session_factory)

    await run_recalculation_task(ModuleTypeEnum.process_emissions, PROCESS, YEAR, job_id)

    job = await job_of(session_factory, job_id)
    assert (job.state, job.result) == (IngestionState.FINISHED, IngestionResult.SUCCESS)
    assert job.is_current
    assert job.factor_sequence == 3
    assert job.meta["recalculation"] == {
        "recalculated": 3,
        "modules_refreshed": 1,
        "errors": 0,
        "error_details": [],
        "skipped_changed": 0,
        "rows_written": 3,
        "factor_sequence": 3,
    }
    assert job.status_message == "Recalculated 3 data entries (1 module refreshed)"
    assert messages == [
        "Starting emission recalculation...",
        "Found 3 data entries to recalculate",
        "Recalculating emissions... 3/3",
        "Writing the recalculated emissions and stats...",
    ]
    assert await emissions_of(session_factory, ids) == [28.0, 56.0, 84.0]
    await assert_up_to_date(session_factory, PROCESS)


async def test_a_swap_in_parts_shows_its_progress_on_sqlite_without_committing_it(
    session_factory: SessionFactory,
    messages: list[str],
    monkeypatch: pytest.MonkeyPatch,
    database_url: str,
) -> None:
    """Parts of 2 entries, then the stats. PostgreSQL commits that progress; SQLite's swap
    holds the write lock a progress commit would wait for, so the job shows it to the streams
    of its process instead, and the final commit replaces what it showed."""
    monkeypatch.setattr(emission_recalculation, "SWAP_ENTRIES", 2)
    written: list[str] = []
    shown: list[str] = []
    while_writing, show = JobHandle.progress_while_writing, job_changes.show

    async def writing(self: JobHandle, message: str) -> None:
        written.append(message)
        await while_writing(self, message)

    def showing(job_id: int, fields: dict[str, Any]) -> None:
        shown.append(fields["status_message"])
        show(job_id, fields)

    monkeypatch.setattr(JobHandle, "progress_while_writing", writing)
    monkeypatch.setattr(job_changes, "show", showing)
    await seed_process(session_factory, [1.0, 2.0, 3.0])
    job_id = await new_job(session_factory)

    await run_recalculation_task(ModuleTypeEnum.process_emissions, PROCESS, YEAR, job_id)

    job = await job_of(session_factory, job_id)
    assert (job.state, job.result) == (IngestionState.FINISHED, IngestionResult.SUCCESS)
    assert written == [
        "Writing the recalculated emissions... 2/3",
        "Writing the recalculated emissions... 3/3",
        "Refreshing the stats of 1 module...",
    ]
    assert shown == (written if database_url.startswith("sqlite") else [])
    assert messages[-1] == "Writing the recalculated emissions and stats..."
    assert job_changes.shown(job_id) == {}


async def test_progress_is_published_batch_by_batch(
    session_factory: SessionFactory, messages: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(emission_recalculation, "BATCH_SIZE", 2)
    await seed_process(session_factory, [1.0, 2.0, 3.0, 4.0, 5.0])
    job_id = await new_job(session_factory)

    await run_recalculation_task(ModuleTypeEnum.process_emissions, PROCESS, YEAR, job_id)

    assert messages[1:5] == [
        "Found 5 data entries to recalculate",
        "Recalculating emissions... 2/5",
        "Recalculating emissions... 4/5",
        "Recalculating emissions... 5/5",
    ]
    job = await job_of(session_factory, job_id)
    assert (job.progress_done, job.progress_total) == (5, 5)


async def test_entry_errors_end_warning_with_details(session_factory: SessionFactory) -> None:
    ids = await seed_process(session_factory, [1.0])
    async with session_factory() as session:
        broken = await create_entry(session, data={"category": "n2o", "quantity_kg": 1.0})
        await session.commit()
    job_id = await new_job(session_factory)

    await run_recalculation_task(ModuleTypeEnum.process_emissions, PROCESS, YEAR, job_id)

    job = await job_of(session_factory, job_id)
    assert job.result == IngestionResult.WARNING
    assert job.is_current
    stats = job.meta["recalculation"]
    assert (stats["recalculated"], stats["errors"]) == (1, 1)
    assert [detail["entry_id"] for detail in stats["error_details"]] == [broken.id]
    assert "1 entry without emissions" in (job.status_message or "")
    assert await emissions_of(session_factory, [broken.id]) == []
    assert await emissions_of(session_factory, ids) == [28.0]


async def test_a_failing_calculator_ends_error_and_changes_nothing(
    session_factory: SessionFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(emission_recalculation, "BATCH_SIZE", 2)
    await seed_process(session_factory, [1.0, 2.0, 3.0])
    before = await snapshot(session_factory)
    job_id = await new_job(session_factory)
    calls = 0

    def fails_on_third(*args: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise RuntimeError("calculator bug")
        return original(*args)

    original = registry.CALCULATORS[PROCESS]
    monkeypatch.setitem(registry.CALCULATORS, PROCESS, fails_on_third)

    await run_recalculation_task(ModuleTypeEnum.process_emissions, PROCESS, YEAR, job_id)

    job = await job_of(session_factory, job_id)
    assert (job.state, job.result) == (IngestionState.FINISHED, IngestionResult.ERROR)
    assert job.status_message == "RuntimeError: calculator bug"
    assert not job.is_current
    assert await snapshot(session_factory) == before


async def test_no_entries_finishes_success_at_once(
    session_factory: SessionFactory, messages: list[str]
) -> None:
    job_id = await new_job(session_factory)

    await run_recalculation_task(ModuleTypeEnum.process_emissions, PROCESS, YEAR, job_id)

    job = await job_of(session_factory, job_id)
    assert job.result == IngestionResult.SUCCESS
    assert job.meta["recalculation"]["recalculated"] == 0
    assert messages == ["Starting emission recalculation...", "Found 0 data entries to recalculate"]


async def test_data_is_committed_once(session_factory: SessionFactory, engine: AsyncEngine) -> None:
    """Emission rows and stats are written by one connection and committed together once
    (SQLite also commits staged TEMP rows between batches: those carry no data)."""
    await seed_process(session_factory, [1.0, 2.0, 3.0])
    job_id = await new_job(session_factory)
    data_tables = ("data_entry_emissions", "carbon_report_modules", "carbon_reports")
    pending: dict[int, bool] = {}
    commits_with_data: list[int] = []

    def on_execute(connection: Any, cursor: Any, statement: str, *_: Any) -> None:
        words = statement.lstrip().upper()
        if words.startswith(("INSERT", "UPDATE", "DELETE")) and any(
            table.upper() in words.split("(")[0].split(" SET ")[0] for table in data_tables
        ):
            pending[id(connection)] = True

    def on_commit(connection: Any) -> None:
        if pending.pop(id(connection), False):
            commits_with_data.append(id(connection))

    event.listen(engine.sync_engine, "before_cursor_execute", on_execute)
    event.listen(engine.sync_engine, "commit", on_commit)
    try:
        await run_recalculation_task(ModuleTypeEnum.process_emissions, PROCESS, YEAR, job_id)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", on_execute)
        event.remove(engine.sync_engine, "commit", on_commit)

    assert (await job_of(session_factory, job_id)).result == IngestionResult.SUCCESS
    assert len(commits_with_data) == 1


async def test_a_type_job_keeps_the_config_it_was_created_with(
    session_factory: SessionFactory,
) -> None:
    await seed_process(session_factory, [1.0])
    config = {"year": YEAR, "data_entry_type_id": int(PROCESS)}
    job_id = await new_job(session_factory, meta={"config": config})

    await run_recalculation_task(ModuleTypeEnum.process_emissions, PROCESS, YEAR, job_id)

    job = await job_of(session_factory, job_id)
    assert job.result == IngestionResult.SUCCESS
    assert job.meta["config"] == config
    assert job.meta["recalculation"]["recalculated"] == 1


async def test_a_failing_type_job_reports_the_cause_in_its_meta(
    session_factory: SessionFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    await seed_process(session_factory, [1.0])
    config = {"year": YEAR, "data_entry_type_id": int(PROCESS)}
    job_id = await new_job(session_factory, meta={"config": config})
    monkeypatch.setitem(registry.CALCULATORS, PROCESS, broken_calculator)

    await run_recalculation_task(ModuleTypeEnum.process_emissions, PROCESS, YEAR, job_id)

    job = await job_of(session_factory, job_id)
    assert job.result == IngestionResult.ERROR
    assert job.meta["config"] == config
    stats = job.meta["recalculation"]
    assert (stats["failed"], stats["reason"]) == (True, "RuntimeError: calculator bug")
    assert stats["recalculated"] == 0


# --- module jobs


async def test_a_module_job_recalculates_every_given_type_in_order(
    session_factory: SessionFactory, messages: list[str]
) -> None:
    ids = await seed_facilities(session_factory)
    await set_factor_sequence(session_factory, ModuleTypeEnum.research_facilities, 2)
    job_id, children = await new_module_job(session_factory, [FACILITIES, ANIMALS])

    await run_module_recalculation_task(
        ModuleTypeEnum.research_facilities, [FACILITIES, ANIMALS], YEAR, job_id
    )

    job = await job_of(session_factory, job_id)
    assert (job.state, job.result) == (IngestionState.FINISHED, IngestionResult.SUCCESS)
    assert job.factor_sequence == 2
    assert set(job.meta["recalculation"]) == {str(FACILITIES), str(ANIMALS)}
    assert job.meta["recalculation"][str(FACILITIES)]["recalculated"] == 2
    assert job.meta["recalculation"][str(ANIMALS)]["factor_sequence"] == 2
    assert messages == [
        "Starting emission recalculation...",
        "Found 3 data entries to recalculate",
        "Recalculating research_facilities (1/2)... 0/2",
        "Recalculating research_facilities (1/2)... 2/2",
        "Recalculating mice_and_fish_animal_facilities (2/2)... 0/1",
        "Recalculating mice_and_fish_animal_facilities (2/2)... 1/1",
        "Writing the recalculated emissions and stats of 2 data entry types...",
    ]
    for type_id, child_id in children.items():
        child = await job_of(session_factory, child_id)
        assert (child.state, child.result) == (IngestionState.FINISHED, IngestionResult.SUCCESS)
        assert child.is_current
        assert child.factor_sequence == 2
        assert child.meta["recalculation"]["recalculated"] == len(ids[type_id])
        assert child.started_at is not None
    assert await emissions_of(session_factory, ids[FACILITIES]) == [100.0, 300.0]
    assert await emissions_of(session_factory, ids[ANIMALS]) == [50.0]
    await assert_up_to_date(session_factory, FACILITIES)


async def test_a_type_whose_calculator_fails_is_left_as_it_was_and_the_others_commit(
    session_factory: SessionFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = await seed_facilities(session_factory)
    job_id, children = await new_module_job(session_factory, [FACILITIES, ANIMALS])
    monkeypatch.setitem(registry.CALCULATORS, ANIMALS, broken_calculator)

    await run_module_recalculation_task(
        ModuleTypeEnum.research_facilities, [FACILITIES, ANIMALS], YEAR, job_id
    )

    job = await job_of(session_factory, job_id)
    assert job.result == IngestionResult.WARNING
    assert "failed, left unchanged: mice_and_fish_animal_facilities" in (job.status_message or "")
    assert job.meta["recalculation"][str(ANIMALS)]["failed"] is True
    failed = await job_of(session_factory, children[ANIMALS])
    assert (failed.state, failed.result) == (IngestionState.FINISHED, IngestionResult.ERROR)
    assert "RuntimeError: calculator bug" in (failed.status_message or "")
    assert not failed.is_current
    done = await job_of(session_factory, children[FACILITIES])
    assert (done.result, done.is_current) == (IngestionResult.SUCCESS, True)
    assert await emissions_of(session_factory, ids[FACILITIES]) == [100.0, 300.0]
    assert await emissions_of(session_factory, ids[ANIMALS]) == [1.0]  # untouched


async def test_a_type_whose_writes_violate_a_constraint_is_rolled_back_to_its_savepoint(
    session_factory: SessionFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = await seed_facilities(session_factory)
    job_id, children = await new_module_job(session_factory, [FACILITIES, ANIMALS])
    original = RecalculationStagingRepository.replace_emissions

    async def violating(
        self: RecalculationStagingRepository, data_entry_type_id: int, *part: Any
    ) -> int:
        written = await original(self, data_entry_type_id, *part)  # its rows are replaced, then:
        if data_entry_type_id == FACILITIES:
            await self.session.execute(
                DataEntryEmission.__table__.insert().values(  # type: ignore[attr-defined]
                    data_entry_id=10**9, emission_type_id=100100, kg_co2eq=1.0, meta={}
                )
            )
        return written

    monkeypatch.setattr(RecalculationStagingRepository, "replace_emissions", violating)

    await run_module_recalculation_task(
        ModuleTypeEnum.research_facilities, [FACILITIES, ANIMALS], YEAR, job_id
    )

    job = await job_of(session_factory, job_id)
    assert job.result == IngestionResult.WARNING
    failed = await job_of(session_factory, children[FACILITIES])
    assert failed.result == IngestionResult.ERROR
    assert IntegrityError.__name__ in (failed.status_message or "")
    assert await emissions_of(session_factory, ids[FACILITIES]) == [1.0, 1.0]  # rolled back
    assert await emissions_of(session_factory, ids[ANIMALS]) == [50.0]


async def test_every_type_failing_ends_error_and_changes_nothing(
    session_factory: SessionFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    await seed_facilities(session_factory)
    before = await snapshot(session_factory)
    job_id, children = await new_module_job(session_factory, [FACILITIES, ANIMALS])
    monkeypatch.setitem(registry.CALCULATORS, FACILITIES, broken_calculator)
    monkeypatch.setitem(registry.CALCULATORS, ANIMALS, broken_calculator)

    await run_module_recalculation_task(
        ModuleTypeEnum.research_facilities, [FACILITIES, ANIMALS], YEAR, job_id
    )

    job = await job_of(session_factory, job_id)
    assert (job.state, job.result) == (IngestionState.FINISHED, IngestionResult.ERROR)
    assert (job.status_message or "").startswith("All 2 data entry types failed")
    assert not job.is_current
    for child_id in children.values():
        assert (await job_of(session_factory, child_id)).result == IngestionResult.ERROR
    assert await snapshot(session_factory) == before


async def test_a_module_job_and_its_per_type_rows_keep_their_config(
    session_factory: SessionFactory,
) -> None:
    await seed_facilities(session_factory)
    config = {"year": YEAR, "data_entry_type_ids": [int(FACILITIES)], "only_stale": False}
    async with session_factory() as session:
        parent, children = await create_module_recalculation_job(
            session, ModuleTypeEnum.research_facilities, [FACILITIES], meta={"config": config}
        )
        await session.commit()

    await run_module_recalculation_task(
        ModuleTypeEnum.research_facilities, [FACILITIES], YEAR, parent.id
    )

    job = await job_of(session_factory, parent.id)
    assert job.result == IngestionResult.SUCCESS
    assert job.meta["config"] == config
    assert job.meta["recalculation"][str(FACILITIES)]["recalculated"] == 2
    child = await job_of(session_factory, children[FACILITIES].id)
    assert child.meta["config"] == config
    assert child.meta["recalculation"]["recalculated"] == 2


# --- concurrency


async def test_waits_for_a_running_factor_import_then_computes_with_its_factors(
    session_factory: SessionFactory,
) -> None:
    ids = await seed_process(session_factory, [1.0, 2.0])
    async with session_factory() as session:
        factor_job = await create_factor_job(session)
        await session.commit()
    recalc_id = await new_job(session_factory)
    importing_started = asyncio.Event()
    commit_factors = asyncio.Event()

    async def factor_import(handle: JobHandle, data: AsyncSession) -> JobOutcome:
        # Holds the scope from the start, as a real import does while it parses its file;
        # writes the factors and takes the next sequence in its final transaction.
        importing_started.set()
        await commit_factors.wait()
        await data.execute(
            update(Factor)
            .where(Factor.data_entry_type_id == PROCESS)
            .values(values={"gwp_kg_co2eq_per_kg": 30.0})
        )
        sequence = await ScopeLockRepository(data).take_next_factor_sequence(
            ModuleTypeEnum.process_emissions, YEAR
        )
        await asyncio.sleep(0.3)  # written, not committed: the recalculation still waits
        return JobOutcome(IngestionResult.SUCCESS, "factors imported", factor_sequence=sequence)

    importing = asyncio.create_task(execute_job(factor_job.id, factor_import))
    await asyncio.wait_for(importing_started.wait(), 10)
    recalculating = asyncio.create_task(
        run_recalculation_task(ModuleTypeEnum.process_emissions, PROCESS, YEAR, recalc_id)
    )
    waiting = await wait_for_state(session_factory, recalc_id, IngestionState.QUEUED)
    assert waiting.status_message == (
        f"Waiting for job {factor_job.id} of this module and year to finish"
    )
    await asyncio.sleep(0.5)
    assert (await job_of(session_factory, recalc_id)).state == IngestionState.QUEUED

    commit_factors.set()
    await asyncio.wait_for(asyncio.gather(importing, recalculating), 30)

    recalc = await job_of(session_factory, recalc_id)
    assert recalc.result == IngestionResult.SUCCESS
    assert (
        recalc.factor_sequence
        == 1
        == (await job_of(session_factory, factor_job.id)).factor_sequence
    )
    assert await emissions_of(session_factory, ids) == [30.0, 60.0]


async def test_an_edit_during_a_running_recalculation_is_neither_lost_nor_stale(
    session_factory: SessionFactory, monkeypatch: pytest.MonkeyPatch, pause_at: Any
) -> None:
    monkeypatch.setattr(emission_recalculation, "BATCH_SIZE", 2)
    ids = await seed_process(session_factory, [1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    job_id = await new_job(session_factory)
    paused = pause_at("Recalculating emissions... 2/6")
    running = asyncio.create_task(
        run_recalculation_task(ModuleTypeEnum.process_emissions, PROCESS, YEAR, job_id)
    )
    await asyncio.wait_for(paused.reached.wait(), 10)

    async def edit(entry_id: int, quantity: float) -> None:
        async with session_factory() as session:
            await DataEntryService(session).update(entry_id, {"quantity_kg": quantity})
            await session.commit()

    # An entry the job already read and one it has not (the third batch: the second was read
    # while the first computed): neither edit waits for the job.
    await asyncio.wait_for(edit(ids[0], 10.0), 5)
    await asyncio.wait_for(edit(ids[5], 40.0), 5)
    paused.release.set()
    await asyncio.wait_for(running, 30)

    job = await job_of(session_factory, job_id)
    assert job.result == IngestionResult.SUCCESS
    assert job.meta["recalculation"]["skipped_changed"] == 1
    assert await emissions_of(session_factory, ids) == [280.0, 56.0, 84.0, 112.0, 140.0, 1120.0]
    await assert_up_to_date(session_factory, PROCESS)


async def test_a_server_stopped_mid_recalculation_leaves_the_job_interrupted_and_data_as_it_was(
    session_factory: SessionFactory,
    engine: AsyncEngine,
    monkeypatch: pytest.MonkeyPatch,
    pause_at: Any,
) -> None:
    monkeypatch.setattr(emission_recalculation, "BATCH_SIZE", 2)
    await seed_process(session_factory, [1.0, 2.0, 3.0, 4.0])
    before = await snapshot(session_factory)
    job_id = await new_job(session_factory)
    paused = pause_at("Recalculating emissions... 2/4")
    runner = InlineRunner(engine)
    await runner.start()
    await runner.dispatch(job_id)
    await asyncio.wait_for(paused.reached.wait(), 10)

    await runner.shutdown()

    job = await job_of(session_factory, job_id)
    assert (job.state, job.result) == (IngestionState.FINISHED, IngestionResult.ERROR)
    assert job.status_message == INTERRUPTED_MESSAGE
    assert await snapshot(session_factory) == before


async def test_a_module_job_stopped_mid_run_ends_its_per_type_rows_too(
    session_factory: SessionFactory, engine: AsyncEngine, pause_at: Any
) -> None:
    await seed_facilities(session_factory)
    before = await snapshot(session_factory)
    job_id, children = await new_module_job(session_factory, [FACILITIES, ANIMALS])
    paused = pause_at("Recalculating mice_and_fish_animal_facilities (2/2)... 0/1")
    runner = InlineRunner(engine)
    await runner.start()
    await runner.dispatch(job_id)
    await asyncio.wait_for(paused.reached.wait(), 10)
    assert (await job_of(session_factory, children[FACILITIES])).state == IngestionState.RUNNING

    await runner.shutdown()

    for job_id_ in (job_id, *children.values()):
        job = await job_of(session_factory, job_id_)
        assert (job.result, job.status_message) == (IngestionResult.ERROR, INTERRUPTED_MESSAGE)
    assert await snapshot(session_factory) == before


# --- cancel: a request from another session, seen at the next batch


async def request_cancel(session_factory: SessionFactory, job_id: int, by: str) -> None:
    async with session_factory() as session:
        await JobCancelService(session).cancel(job_id, requested_by=by)
        await session.commit()


async def stale_pairs(session_factory: SessionFactory) -> dict[tuple[int, int], bool]:
    async with session_factory() as session:
        rows = await DataIngestionRepository(session).get_recalculation_status_by_year(YEAR)
    return {(row.module_type_id, row.data_entry_type_id): row.needs_recalculation for row in rows}


async def finished_factor_job(session_factory: SessionFactory, module_type: int) -> None:
    """A committed factor import of the module (sequence 1): every type of it is stale."""
    await set_factor_sequence(session_factory, module_type, 1)
    async with session_factory() as session:
        await create_factor_job(
            session,
            module_type_id=module_type,
            data_entry_type_id=None,
            state=IngestionState.FINISHED,
            result=IngestionResult.SUCCESS,
            is_current=True,
            factor_sequence=1,
        )
        await session.commit()


async def test_a_recalculation_cancelled_mid_run_leaves_emissions_stats_and_staleness_as_they_were(
    session_factory: SessionFactory,
    engine: AsyncEngine,
    monkeypatch: pytest.MonkeyPatch,
    pause_at: Any,
) -> None:
    monkeypatch.setattr(emission_recalculation, "BATCH_SIZE", 2)
    await seed_process(session_factory, [1.0, 2.0, 3.0, 4.0])
    await finished_factor_job(session_factory, ModuleTypeEnum.process_emissions)
    before, stale_before = await snapshot(session_factory), await stale_pairs(session_factory)
    job_id = await new_job(session_factory)
    paused = pause_at("Recalculating emissions... 2/4")
    runner = InlineRunner(engine)
    await runner.start()
    await runner.dispatch(job_id)
    await asyncio.wait_for(paused.reached.wait(), 10)

    await request_cancel(session_factory, job_id, "alice")
    paused.release.set()
    await runner.wait_idle()
    await runner.shutdown()

    job = await job_of(session_factory, job_id)
    assert (job.state, job.result, job.status_message) == (
        IngestionState.FINISHED,
        IngestionResult.ERROR,
        "cancelled by alice",
    )
    assert not job.is_current
    assert await snapshot(session_factory) == before
    assert stale_before == {(ModuleTypeEnum.process_emissions, PROCESS): True}
    assert await stale_pairs(session_factory) == stale_before


async def test_a_module_recalculation_cancelled_mid_run_ends_every_per_type_row_unchanged(
    session_factory: SessionFactory, engine: AsyncEngine, pause_at: Any
) -> None:
    await seed_facilities(session_factory)
    await finished_factor_job(session_factory, ModuleTypeEnum.research_facilities)
    before, stale_before = await snapshot(session_factory), await stale_pairs(session_factory)
    job_id, children = await new_module_job(session_factory, [FACILITIES, ANIMALS])
    paused = pause_at("Recalculating research_facilities (1/2)...")
    runner = InlineRunner(engine)
    await runner.start()
    await runner.dispatch(job_id)
    await asyncio.wait_for(paused.reached.wait(), 10)

    await request_cancel(session_factory, job_id, "bob")
    paused.release.set()
    await runner.wait_idle()
    await runner.shutdown()

    for id_ in (job_id, *children.values()):
        job = await job_of(session_factory, id_)
        assert (job.result, job.status_message) == (IngestionResult.ERROR, "cancelled by bob")
    assert await snapshot(session_factory) == before
    assert set(stale_before.values()) == {True}
    assert await stale_pairs(session_factory) == stale_before


async def test_a_cancel_request_after_the_write_started_lets_the_job_complete(
    session_factory: SessionFactory, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The swap either completes or rolls back: a request made once it runs changes nothing."""
    ids = await seed_process(session_factory, [1.0, 2.0])
    job_id = await new_job(session_factory)
    original = RecalculationStagingRepository.begin_swap
    requests: list[asyncio.Task[None]] = []

    async def request_cancel_unless_finished() -> None:
        with contextlib.suppress(Conflict):
            await request_cancel(session_factory, job_id, "late")

    async def begin_swap_then_cancel(self: RecalculationStagingRepository) -> None:
        await original(self)
        # From a task: on SQLite the request waits for the swap's write lock.
        requests.append(asyncio.create_task(request_cancel_unless_finished()))
        await asyncio.sleep(0.2)  # let it run while the swap holds its transaction

    monkeypatch.setattr(RecalculationStagingRepository, "begin_swap", begin_swap_then_cancel)

    await run_recalculation_task(ModuleTypeEnum.process_emissions, PROCESS, YEAR, job_id)
    await asyncio.gather(*requests)

    job = await job_of(session_factory, job_id)
    assert len(requests) == 1
    assert (job.state, job.result) == (IngestionState.FINISHED, IngestionResult.SUCCESS)
    assert await emissions_of(session_factory, ids) == [28.0, 56.0]
