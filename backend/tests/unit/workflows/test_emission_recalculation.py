"""EmissionRecalculationWorkflow: staged batch by batch, swapped in one transaction.

Each test runs the workflow on its own connection (as a job's data session is) and commits
once, like the task does; both databases.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Any

import pytest
from factories import (
    create_emission,
    create_entry,
    create_facility_entries,
    create_factor,
    create_module,
)
from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.core.progress_pace import ProgressPace
from app.db import create_engine
from app.domain.modules import DataEntryTypeEnum, ModuleTypeEnum
from app.domain.recalculation_status import EntryCounts
from app.emissions import FactorIndex, compute_emissions
from app.models import (
    CarbonReport,
    CarbonReportModule,
    DataEntry,
    DataEntryEmission,
    DataIngestionJob,
    Factor,
)
from app.models.base import utcnow
from app.repositories.entry_factor_count_repo import EntryFactorCountRepository
from app.repositories.recalculation_staging_repo import RecalculationStagingRepository
from app.services.data_entry_service import DataEntryService
from app.services.factor_service import FactorService
from app.workflows import emission_recalculation, entry_batches
from app.workflows.emission_recalculation import (
    EmissionRecalculationWorkflow,
    RecalculationListener,
    RecalculationScope,
    TypeReport,
)

YEAR = 2025
PROCESS = DataEntryTypeEnum.process_emissions


@asynccontextmanager
async def data_session(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    """A session bound to one connection for the whole run, as execute_job gives the task."""
    async with engine.connect() as connection, AsyncSession(bind=connection) as session:
        yield session


async def recalculate(
    engine: AsyncEngine,
    data_entry_type_id: int = PROCESS,
    *,
    batch_size: int = 1000,
    listener: RecalculationListener | None = None,
) -> dict[str, Any]:
    async with data_session(engine) as session:
        workflow = EmissionRecalculationWorkflow(session, batch_size=batch_size, listener=listener)
        stats = await workflow.recalculate_for_data_entry_type(data_entry_type_id, YEAR)
        await session.commit()
        return stats


class Recorder(RecalculationListener):
    """Records the calls; `after_batch` (awaited after each batch) lets a test act mid-run."""

    def __init__(self, after_batch: Callable[[int], Awaitable[None]] | None = None) -> None:
        self.calls: list[tuple[Any, ...]] = []
        self.after_batch = after_batch

    async def found(self, totals: Mapping[int, int]) -> None:
        self.calls.append(("found", sum(totals.values())))

    async def computed(self, data_entry_type_id: int, done: int, total: int) -> None:
        self.calls.append(("computed", done, total))
        if self.after_batch is not None:
            await self.after_batch(done)

    async def writing(self) -> None:
        self.calls.append(("writing",))

    async def wrote(self, data_entry_type_id: int, done: int, total: int) -> None:
        self.calls.append(("wrote", done, total))


async def seed_process(
    session_factory: async_sessionmaker[AsyncSession], quantities: list[float], *, modules: int = 1
) -> list[int]:
    """ch4 factor (GWP 28) and one entry per quantity, spread over `modules` units."""
    async with session_factory() as session:
        await create_factor(session)
        targets = [
            await create_module(session, ModuleTypeEnum.process_emissions) for _ in range(modules)
        ]
        ids = []
        for position, quantity in enumerate(quantities):
            entry = await create_entry(
                session,
                module=targets[position % modules],
                data={"category": "ch4", "quantity_kg": quantity},
            )
            ids.append(entry.id)
        await session.commit()
        return ids


async def emissions_by_entry(
    session_factory: async_sessionmaker[AsyncSession],
) -> dict[int, list[tuple[int, float]]]:
    async with session_factory() as session:
        rows = await session.execute(
            select(
                DataEntryEmission.data_entry_id,
                DataEntryEmission.emission_type_id,
                DataEntryEmission.kg_co2eq,
            ).order_by(DataEntryEmission.data_entry_id, DataEntryEmission.id)
        )
        found: dict[int, list[tuple[int, float]]] = {}
        for entry_id, code, kg in rows:
            found.setdefault(entry_id, []).append((code, kg))
        return found


async def module_totals(session_factory: async_sessionmaker[AsyncSession]) -> dict[int, float]:
    async with session_factory() as session:
        modules = await session.execute(
            select(CarbonReportModule.id, CarbonReportModule.stats).where(
                CarbonReportModule.module_type_id == ModuleTypeEnum.process_emissions
            )
        )
        return {module_id: (stats or {}).get("total", 0.0) for module_id, stats in modules}


async def expected_rows(
    session_factory: async_sessionmaker[AsyncSession], data_entry_type_id: int = PROCESS
) -> dict[int, list[tuple[int, float]]]:
    """What compute_emissions says for every entry of the type (entry errors: absent)."""
    async with session_factory() as session:
        index: FactorIndex = await FactorService(session).get_index(data_entry_type_id, YEAR)
        entries = (
            await session.execute(
                select(DataEntry).where(DataEntry.data_entry_type_id == data_entry_type_id)
            )
        ).scalars()
        expected = {}
        for entry in entries:
            try:
                rows = compute_emissions(data_entry_type_id, entry.data, YEAR, index)
            except Exception:
                continue
            expected[entry.id] = [(row.emission_type_id, row.kg_co2eq) for row in rows]
        return expected


async def test_all_entries_get_the_rows_compute_emissions_gives(
    session_factory: async_sessionmaker[AsyncSession], engine: AsyncEngine
) -> None:
    ids = await seed_process(session_factory, [10.0, 2.5, 0.125], modules=2)
    async with session_factory() as session:  # stale rows that must go
        entry = await session.get(DataEntry, ids[0])
        assert entry is not None
        await create_emission(session, entry=entry, kg_co2eq=999.0)
        await session.commit()

    stats = await recalculate(engine)

    assert stats == {
        "recalculated": 3,
        "modules_refreshed": 2,
        "errors": 0,
        "error_details": [],
        "skipped_changed": 0,
        "rows_written": 3,
    }
    assert await emissions_by_entry(session_factory) == await expected_rows(session_factory)
    assert (await emissions_by_entry(session_factory))[ids[0]] == [(70100, 280.0)]
    totals = await module_totals(session_factory)
    assert sorted(totals.values()) == pytest.approx([28 * 2.5, 28 * 10.125])
    async with session_factory() as session:
        report_totals = (await session.execute(select(CarbonReport.stats))).scalars().all()
    assert sorted(stats["total"] for stats in report_totals) == pytest.approx(
        sorted(totals.values())
    )


async def test_an_entry_error_leaves_that_entry_without_rows(
    session_factory: async_sessionmaker[AsyncSession], engine: AsyncEngine
) -> None:
    ids = await seed_process(session_factory, [10.0, 1.0])
    async with session_factory() as session:
        module_id = (await session.get(DataEntry, ids[0])).carbon_report_module_id  # type: ignore[union-attr]
        broken = await create_entry(
            session,
            module=await session.get(CarbonReportModule, module_id),
            data={"category": "n2o", "quantity_kg": 1.0},  # no n2o factor
        )
        await create_emission(session, entry=broken, kg_co2eq=265.0)  # from an older factor set
        await session.commit()

    stats = await recalculate(engine)

    assert (stats["recalculated"], stats["errors"]) == (2, 1)
    [detail] = stats["error_details"]
    assert detail["entry_id"] == broken.id
    assert "n2o" in detail["reason"]
    rows = await emissions_by_entry(session_factory)
    assert broken.id not in rows
    assert rows[ids[0]] == [(70100, 280.0)]
    assert list((await module_totals(session_factory)).values()) == [pytest.approx(308.0)]


async def test_error_details_are_capped_and_the_count_is_exact(
    session_factory: async_sessionmaker[AsyncSession], engine: AsyncEngine
) -> None:
    async with session_factory() as session:
        module = await create_module(session)
        for _ in range(105):
            await create_entry(session, module=module, data={"category": "co2", "quantity_kg": 1})
        await session.commit()

    stats = await recalculate(engine, batch_size=40)

    assert (stats["recalculated"], stats["errors"]) == (0, 105)
    assert len(stats["error_details"]) == 100
    ids = [detail["entry_id"] for detail in stats["error_details"]]
    assert ids == sorted(ids)


async def test_no_entries_finishes_at_once_with_zero_counts(engine: AsyncEngine) -> None:
    recorder = Recorder()

    stats = await recalculate(engine, listener=recorder)

    assert stats == {
        "recalculated": 0,
        "modules_refreshed": 0,
        "errors": 0,
        "error_details": [],
        "skipped_changed": 0,
        "rows_written": 0,
    }
    assert recorder.calls == [("found", 0)]


async def test_an_operator_override_is_kept(
    session_factory: async_sessionmaker[AsyncSession], engine: AsyncEngine
) -> None:
    await seed_process(session_factory, [10.0])
    async with session_factory() as session:
        overridden = await create_entry(
            session, data={"category": "ch4", "quantity_kg": 10.0, "kg_co2eq": 0.0}
        )
        await session.commit()

    await recalculate(engine)

    rows = await emissions_by_entry(session_factory)
    assert rows[overridden.id] == [(70000, 0.0)]  # the type's default code, the operator's value


# What a run of 23 entries reports, five at a time.
PROGRESS_OF_23_BY_FIVES = [
    ("found", 23),
    *[("computed", done, 23) for done in (5, 10, 15, 20, 23)],
    ("writing",),
]


async def test_batches_cover_every_entry_once_and_report_progress(
    session_factory: async_sessionmaker[AsyncSession], engine: AsyncEngine
) -> None:
    ids = await seed_process(session_factory, [float(n) for n in range(1, 24)], modules=5)
    recorder = Recorder()

    stats = await recalculate(engine, batch_size=5, listener=recorder)

    assert stats["recalculated"] == 23
    assert recorder.calls == PROGRESS_OF_23_BY_FIVES
    rows = await emissions_by_entry(session_factory)
    assert sorted(rows) == sorted(ids)
    assert rows == await expected_rows(session_factory)


async def test_a_calculator_bug_is_not_an_entry_error(
    session_factory: async_sessionmaker[AsyncSession],
    engine: AsyncEngine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ids = await seed_process(session_factory, [10.0])
    async with session_factory() as session:
        entry = await session.get(DataEntry, ids[0])
        assert entry is not None
        await create_emission(session, entry=entry, kg_co2eq=1.5)
        await session.commit()
    from app.emissions import registry

    def broken(*_: Any) -> Any:
        raise RuntimeError("calculator bug")

    monkeypatch.setitem(registry.CALCULATORS, PROCESS, broken)

    async with data_session(engine) as session:
        workflow = EmissionRecalculationWorkflow(session)
        with pytest.raises(RuntimeError, match="calculator bug"):
            await workflow.recalculate_for_data_entry_type(PROCESS, YEAR)
        await session.rollback()

    assert (await emissions_by_entry(session_factory))[ids[0]] == [(70100, 1.5)]


async def test_an_entry_edited_after_it_was_read_keeps_its_edit(
    session_factory: async_sessionmaker[AsyncSession], engine: AsyncEngine
) -> None:
    ids = await seed_process(session_factory, [1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    read_first, read_later = ids[0], ids[5]

    async def edit_both(done: int) -> None:
        if done != 2:
            return
        # Committed on another connection while the recalculation runs: one entry it has
        # already read (skipped at the swap), one it has not read yet (read as edited: the
        # third batch; the second was read while the first computed).
        for entry_id, quantity in ((read_first, 100.0), (read_later, 200.0)):
            async with session_factory() as session:
                await DataEntryService(session).update(entry_id, {"quantity_kg": quantity})
                await session.commit()

    stats = await recalculate(engine, batch_size=2, listener=Recorder(edit_both))

    assert (stats["recalculated"], stats["skipped_changed"]) == (5, 1)
    rows = await emissions_by_entry(session_factory)
    assert rows[read_first] == [(70100, 2800.0)]
    assert rows[read_later] == [(70100, 5600.0)]
    assert list((await module_totals(session_factory)).values()) == [
        pytest.approx(28 * (100 + 2 + 3 + 4 + 5 + 200))
    ]


async def test_staging_never_blocks_other_writers_on_sqlite(
    session_factory: async_sessionmaker[AsyncSession],
    engine: AsyncEngine,
    database_url: str,
) -> None:
    """Progress commits (another connection, here with a 50 ms busy timeout) go through
    between batches: staging holds no lock on the main database."""
    await seed_process(session_factory, [1.0, 2.0, 3.0, 4.0, 5.0])
    async with session_factory() as session:
        job = DataIngestionJob(
            module_type_id=8, year=YEAR, ingestion_method=3, target_type=0, entity_type=2
        )
        session.add(job)
        await session.commit()
    impatient = create_engine(database_url, busy_timeout_ms=50)

    async def progress_commit(done: int) -> None:
        async with impatient.connect() as connection:
            await connection.execute(
                update(DataIngestionJob)
                .where(DataIngestionJob.id == job.id)
                .values(progress_done=done)
            )
            await connection.commit()

    try:
        await recalculate(engine, batch_size=2, listener=Recorder(progress_commit))
    finally:
        await impatient.dispose()

    async with session_factory() as session:
        assert (await session.get(DataIngestionJob, job.id)).progress_done == 5  # type: ignore[union-attr]


async def test_an_edit_during_the_swap_waits_then_wins(
    session_factory: async_sessionmaker[AsyncSession],
    engine: AsyncEngine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """SQLite: every writer waits for the swap's BEGIN IMMEDIATE; PostgreSQL: an edit of an
    entry the swap locked waits. Either way it then succeeds, and its emissions stand."""
    ids = await seed_process(session_factory, [1.0, 2.0])
    in_swap, release = asyncio.Event(), asyncio.Event()
    original = RecalculationStagingRepository.replace_emissions

    async def paused(
        self: RecalculationStagingRepository, data_entry_type_id: int, *part: Any
    ) -> int:
        in_swap.set()
        await release.wait()
        return await original(self, data_entry_type_id, *part)

    monkeypatch.setattr(RecalculationStagingRepository, "replace_emissions", paused)
    running = asyncio.create_task(recalculate(engine))
    await asyncio.wait_for(in_swap.wait(), 10)

    async def edit() -> None:
        async with session_factory() as session:
            await DataEntryService(session).update(ids[0], {"quantity_kg": 50.0})
            await session.commit()

    editing = asyncio.create_task(edit())
    await asyncio.sleep(0.5)
    assert not editing.done()  # waiting for the swap, not failing
    release.set()
    stats = await asyncio.wait_for(running, 30)
    await asyncio.wait_for(editing, 30)

    assert stats["recalculated"] == 2
    rows = await emissions_by_entry(session_factory)
    assert rows[ids[0]] == [(70100, 1400.0)]
    assert rows[ids[1]] == [(70100, 56.0)]
    assert list((await module_totals(session_factory)).values()) == [pytest.approx(1456.0)]


async def test_staging_tables_are_dropped_and_a_leftover_is_replaced(
    session_factory: async_sessionmaker[AsyncSession], engine: AsyncEngine
) -> None:
    await seed_process(session_factory, [1.0])
    async with data_session(engine) as session:
        staging = RecalculationStagingRepository(session)
        await staging.create()  # a failed run's leftover on this connection
        await staging.stage(
            [
                {
                    "entry_id": 999,
                    "data_entry_type_id": PROCESS,
                    "carbon_report_module_id": 1,
                    "revision": 1,
                    "error": None,
                }
            ],
            [],
        )
        await session.commit()
        stats = await EmissionRecalculationWorkflow(session).recalculate_for_data_entry_type(
            PROCESS, YEAR
        )
        await session.commit()
        assert stats["recalculated"] == 1
        assert stats["skipped_changed"] == 0  # the leftover row was not staged by this run
        assert not await temp_table_exists(session, "recalc_staged_entries")
        assert not await temp_table_exists(session, "recalc_staged_emissions")


async def test_a_swap_splits_the_staged_entries_into_ranges_bounded_on_both_sides(
    engine: AsyncEngine,
) -> None:
    """The first and last parts too: an open range was planned on PostgreSQL as a scan of
    every stored emission row."""
    async with data_session(engine) as session:
        staging = RecalculationStagingRepository(session)
        await staging.create()
        await staging.stage(
            [
                {
                    "entry_id": entry_id,
                    "data_entry_type_id": PROCESS,
                    "carbon_report_module_id": 1,
                    "revision": 1,
                    "error": None,
                }
                for entry_id in (3, 5, 9, 12, 20)
            ],
            [],
        )
        parts = await staging.split(PROCESS, 2)
        await session.rollback()
    assert [(part.low, part.high) for part in parts] == [(3, 9), (9, 20), (20, 21)]


async def temp_table_exists(session: AsyncSession, name: str) -> bool:
    if session.get_bind().dialect.name == "sqlite":
        query = "SELECT count(*) FROM sqlite_temp_master WHERE name = :name"
    else:
        query = (
            "SELECT count(*) FROM pg_tables WHERE tablename = :name AND schemaname LIKE 'pg_temp%'"
        )
    return bool((await session.execute(text(query), {"name": name})).scalar_one())


# --- one run over several types


class TurnRecorder(Recorder):
    """Also records each type's turn."""

    async def started(self, data_entry_type_id: int, position: int, total: int) -> None:
        self.calls.append(("started", data_entry_type_id, position, total))


async def test_a_run_shares_one_factor_index_and_reports_each_type(
    session_factory: async_sessionmaker[AsyncSession],
    engine: AsyncEngine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Research facilities computed; animal facilities, whose calculator fails, left as they
    were; a third type without entries reported with zero counts."""
    facilities, animals = (
        DataEntryTypeEnum.research_facilities,
        DataEntryTypeEnum.mice_and_fish_animal_facilities,
    )
    async with session_factory() as session:
        entries = await create_facility_entries(session)
        await session.commit()
    built: list[list[int]] = []
    original = FactorService.get_index_for_types

    async def counting(self: FactorService, type_ids: Any, year: int) -> FactorIndex:
        built.append(sorted(type_ids))
        return await original(self, type_ids, year)

    def broken(*_: Any) -> Any:
        raise RuntimeError("calculator bug")

    from app.emissions import registry

    monkeypatch.setattr(FactorService, "get_index_for_types", counting)
    monkeypatch.setitem(registry.CALCULATORS, animals, broken)
    recorder = TurnRecorder()
    scope = RecalculationScope(
        int(ModuleTypeEnum.research_facilities),
        (facilities, animals, DataEntryTypeEnum.building),
        YEAR,
    )

    async with data_session(engine) as session:
        report = await EmissionRecalculationWorkflow(session, listener=recorder).run(scope)
        await session.commit()

    assert built == [sorted([facilities, animals])]
    done, failed, empty = report.types
    assert (done.data_entry_type_id, done.recalculated, done.rows_written) == (facilities, 2, 2)
    assert done.failure is None
    assert failed.data_entry_type_id == animals
    assert isinstance(failed.failure, RuntimeError)
    assert empty.figures() == TypeReport(DataEntryTypeEnum.building).figures()
    assert empty.failure is None
    assert report.failures == [failed]
    assert not report.all_failed
    assert recorder.calls == [
        ("found", 3),
        ("started", facilities, 1, 2),
        ("computed", 2, 2),
        ("started", animals, 2, 1),
        ("started", DataEntryTypeEnum.building, 3, 0),
        ("writing",),
    ]
    rows = await emissions_by_entry(session_factory)
    assert [rows[i] for i in entries[facilities]] == [[(100100, 100.0)], [(100100, 300.0)]]
    assert [rows[i] for i in entries[animals]] == [[(100100, 1.0)]]  # untouched


async def test_a_batch_larger_than_a_slice_reports_progress_by_time_within_it(
    session_factory: async_sessionmaker[AsyncSession],
    engine: AsyncEngine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Slices of 5 and a pace that is always due: each slice of the one big batch reports,
    # as each would once a second passes while a real large batch computes.
    monkeypatch.setattr(entry_batches, "SLICE_ROWS", 5)
    monkeypatch.setattr(entry_batches, "ProgressPace", lambda: ProgressPace(seconds=0))
    await seed_process(session_factory, [float(n) for n in range(1, 24)])
    recorder = Recorder()

    stats = await recalculate(engine, batch_size=1000, listener=recorder)

    assert stats["recalculated"] == 23
    assert recorder.calls == PROGRESS_OF_23_BY_FIVES


async def test_written_rows_keep_their_factor_meta_and_time_of_computation(
    session_factory: async_sessionmaker[AsyncSession], engine: AsyncEngine
) -> None:
    """What the staging writes (COPY on PostgreSQL, the driver's executemany on SQLite) comes
    back through the models as an edit would have written it."""
    ids = await seed_process(session_factory, [2.0])
    async with session_factory() as session:
        overridden = await create_entry(
            session, data={"category": "ch4", "quantity_kg": 1.0, "kg_co2eq": 3.5}
        )
        await session.commit()
    before = utcnow()

    await recalculate(engine)

    after = utcnow()
    async with session_factory() as session:
        rows = {
            row.data_entry_id: row
            for row in (await session.execute(select(DataEntryEmission))).scalars()
        }
        factor = (await session.execute(select(Factor))).scalar_one()
    computed, override = rows[ids[0]], rows[overridden.id]
    assert (computed.kg_co2eq, computed.factor_id, computed.meta) == (56.0, factor.id, {})
    assert (computed.factor_ref_id, computed.factor_revision) == (factor.id, factor.revision)
    assert (override.kg_co2eq, override.factor_id, override.meta) == (3.5, None, {"override": True})
    for row in (computed, override):
        assert before <= row.computed_at <= after
        assert row.computed_at.tzinfo is not None


async def test_a_swap_goes_in_parts_with_progress_between_them(
    session_factory: async_sessionmaker[AsyncSession],
    engine: AsyncEngine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Parts of 2 entries: the listener hears 2/5, 4/5 and 5/5 after them, on SQLite too (one
    transaction: the listener must not commit there, the swap holds the write lock)."""
    monkeypatch.setattr(emission_recalculation, "SWAP_ENTRIES", 2)
    ids = await seed_process(session_factory, [1.0, 2.0, 3.0, 4.0, 5.0], modules=2)
    recorder = Recorder()

    stats = await recalculate(engine, listener=recorder)

    assert (stats["recalculated"], stats["rows_written"], stats["skipped_changed"]) == (5, 5, 0)
    after_writing = recorder.calls[recorder.calls.index(("writing",)) + 1 :]
    assert after_writing == [("wrote", 2, 5), ("wrote", 4, 5), ("wrote", 5, 5)]
    rows = await emissions_by_entry(session_factory)
    assert [rows[i] for i in ids] == [[(70100, 28.0 * q)] for q in (1, 2, 3, 4, 5)]


async def test_what_the_listener_raises_during_a_swap_stops_the_run_and_writes_nothing(
    session_factory: async_sessionmaker[AsyncSession],
    engine: AsyncEngine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(emission_recalculation, "SWAP_ENTRIES", 1)
    ids = await seed_process(session_factory, [1.0, 2.0])
    async with session_factory() as session:
        for entry_id in ids:
            entry = await session.get(DataEntry, entry_id)
            assert entry is not None
            await create_emission(session, entry=entry, kg_co2eq=1.5)
        await session.commit()
    before = await emissions_by_entry(session_factory)

    class Cancelled(Exception):
        pass

    class Cancelling(RecalculationListener):
        async def wrote(self, data_entry_type_id: int, done: int, total: int) -> None:
            raise Cancelled

    async with data_session(engine) as session:
        workflow = EmissionRecalculationWorkflow(session, listener=Cancelling())
        with pytest.raises(Cancelled):
            await workflow.run(
                RecalculationScope(int(ModuleTypeEnum.process_emissions), (PROCESS,), YEAR)
            )
        await session.rollback()

    assert before == {entry_id: [(70100, 1.5)] for entry_id in ids}
    assert await emissions_by_entry(session_factory) == before


async def _keep_count(session_factory: async_sessionmaker[AsyncSession], entries: int) -> None:
    """The type's kept entry count for the year, as the data writes leave it."""
    async with session_factory() as session:
        await EntryFactorCountRepository(session).store(
            YEAR, {int(PROCESS): EntryCounts(entries, affected=0, unresolvable=0)}
        )
        await session.commit()


async def test_the_progress_total_is_the_kept_entry_count_and_a_kept_zero_is_counted_again(
    session_factory: async_sessionmaker[AsyncSession], engine: AsyncEngine
) -> None:
    await seed_process(session_factory, [1.0, 2.0, 3.0])  # factories keep no count: counted
    recorder = Recorder()
    assert (await recalculate(engine, listener=recorder))["recalculated"] == 3
    assert recorder.calls[0] == ("found", 3)

    # The count every data write keeps is what the bar shows (here made to differ to tell).
    await _keep_count(session_factory, 5)
    recorder = Recorder()
    assert (await recalculate(engine, listener=recorder))["recalculated"] == 3
    assert recorder.calls[0] == ("found", 5)

    # A kept zero is never trusted to skip the type: its entries are counted and recalculated.
    await _keep_count(session_factory, 0)
    recorder = Recorder()
    assert (await recalculate(engine, listener=recorder))["recalculated"] == 3
    assert recorder.calls[0] == ("found", 3)
