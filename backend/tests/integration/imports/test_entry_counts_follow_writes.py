"""The entry factor counts follow data imports and single-entry writes, in their transaction:
after each write they equal a full recount of the type's entries against the current factors.
SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from factories import create_unit
from import_helpers import (
    PROCESS,
    PROCESS_TYPE,
    YEAR,
    Recalculate,
    RunImport,
    csv_bytes,
    process_factors,
)
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.domain.ingestion import IngestionResult
from app.models import DataEntry, EntryFactorCount
from app.repositories.entry_factor_count_repo import EntryFactorCountRepository
from app.services.carbon_report_module_service import CarbonReportModuleService
from app.services.data_entry_service import DataEntryService
from app.services.entry_factor_counting import EntryFactorCountingService, count_uncounted
from app.services.ingestion.data_import import ImportMode
from app.workflows.emission_recalculation import EmissionRecalculationWorkflow

SessionFactory = async_sessionmaker[AsyncSession]
Counts = tuple[int, int | None, int | None]
HEADER = "unit_institutional_code,category,subcategory,quantity_kg,kg_co2eq"

pytestmark = pytest.mark.usefixtures("recalculated")


async def _stored(session_factory: SessionFactory) -> Counts | None:
    async with session_factory() as session:
        found = (await EntryFactorCountRepository(session).read_year(YEAR)).get(PROCESS_TYPE)
    return None if found is None else (found.entries, found.affected, found.unresolvable)


async def _recounted(session_factory: SessionFactory) -> Counts:
    """A full recount, rolled back (it stores what it counts)."""
    async with session_factory() as session:
        found = (await EntryFactorCountingService(session).recount([PROCESS_TYPE], YEAR))[
            PROCESS_TYPE
        ]
        await session.rollback()
    return (found.entries, found.affected, found.unresolvable)


@pytest.fixture
def counts(session_factory: SessionFactory) -> Callable[[], Awaitable[Counts]]:
    """`await counts()`: the stored counts, checked equal to a full recount."""

    async def read() -> Counts:
        stored = await _stored(session_factory)
        assert stored == await _recounted(session_factory)
        assert stored is not None
        return stored

    return read


async def _entry_id(session_factory: SessionFactory, **data: Any) -> int:
    """The id of the one entry whose data has these values."""
    async with session_factory() as session:
        entries = (await session.execute(select(DataEntry))).scalars().all()
    (found,) = [e.id for e in entries if all(e.data.get(k) == v for k, v in data.items())]
    return found


async def _write(session_factory: SessionFactory, action: str, *args: Any, **kwargs: Any) -> Any:
    """Run one DataEntryService write in its own transaction, as a request does."""
    async with session_factory() as session:
        result = await getattr(DataEntryService(session), action)(*args, **kwargs)
        await session.commit()
    return result


async def _create(session: AsyncSession, unit: str, **data: Any) -> int:
    written = await DataEntryService(session).create(
        unit_institutional_code=unit, year=YEAR, data_entry_type=PROCESS_TYPE, data=data
    )
    return int(written.id)


async def _post(session_factory: SessionFactory, unit: str = "U1", **data: Any) -> int:
    async with session_factory() as session:
        posted = await _create(session, unit, **data)
        await session.commit()
    return posted


async def _posted_meanwhile(
    session_factory: SessionFactory, unit: str, **data: Any
) -> asyncio.Task[int]:
    """An entry of `unit` posted by a second writer, given a second to reach the counts; the
    task, done or still waiting on a lock."""
    task = asyncio.create_task(_post(session_factory, unit, **data))
    await asyncio.sleep(1)
    return task


async def test_an_append_import_adds_its_entries_and_those_no_factor_matches(
    import_factors: RunImport, import_data: RunImport, counts: Callable[[], Awaitable[Counts]]
) -> None:
    await import_factors(process_factors(co2=2, n2o=None))
    # the two co2 entries, and the n2o one: its factor is gone, so a recalculation removes its
    # rows (affected) and cannot compute it (unresolvable)
    assert await counts() == (6, 3, 1)

    job = await import_data(
        csv_bytes(
            HEADER,
            "U1,co2,,5,",
            "U1,n2o,,3,",
            "U1,n2o,,4,",
            "U1,co2,,3,5",
            "U1,co2,,1e15,",  # beyond the plausible bound: an error of its own data
        )
    )

    assert job.result == IngestionResult.WARNING, job.status_message
    assert job.meta["entry_errors_total"] == 3
    assert await counts() == (11, 3, 3)


@pytest.mark.parametrize("kept", [1, 7], ids=["fewer-kept", "fewer-removed"])
async def test_a_replace_import_takes_off_the_entries_it_removes_by_their_standing(
    session_factory: SessionFactory,
    import_factors: RunImport,
    import_data: RunImport,
    counts: Callable[[], Awaitable[Counts]],
    kept: int,
) -> None:
    """Computed either way: the entries that stay (fewer than those removed), or the removed."""
    for _ in range(kept):
        await _post(session_factory, category="co2", quantity_kg=4)  # kept by the replace
    await import_factors(process_factors(co2=2, n2o=None))
    assert await counts() == (6 + kept, 3 + kept, 1)

    job = await import_data(csv_bytes(HEADER, "U1,ch4,,1,", "U1,n2o,,1,"), mode=ImportMode.replace)

    assert job.meta["removed"] == 6
    assert await counts() == (2 + kept, kept, 1)


async def test_a_replace_import_removing_every_entry_leaves_only_its_own(
    import_factors: RunImport, import_data: RunImport, counts: Callable[[], Awaitable[Counts]]
) -> None:
    await import_factors(process_factors(co2=2, n2o=None))
    assert await counts() == (6, 3, 1)

    await import_data(csv_bytes(HEADER, "U1,co2,,1,", "U1,n2o,,1,"), mode=ImportMode.replace)

    assert await counts() == (2, 0, 1)


async def test_a_replace_import_after_a_recalculation_removes_entries_only(
    session_factory: SessionFactory,
    import_data: RunImport,
    counts: Callable[[], Awaitable[Counts]],
) -> None:
    await _post(session_factory, category="ch4", quantity_kg=4)
    assert await counts() == (7, 0, 0)

    await import_data(csv_bytes(HEADER, "U1,co2,,1,"), mode=ImportMode.replace)

    assert await counts() == (2, 0, 0)


async def test_single_entry_writes_move_the_entry_between_standings(
    session_factory: SessionFactory,
    import_factors: RunImport,
    counts: Callable[[], Awaitable[Counts]],
) -> None:
    await import_factors(process_factors(co2=2, n2o=None))
    assert await counts() == (6, 3, 1)

    posted = await _post(session_factory, category="n2o", quantity_kg=1)
    assert await counts() == (7, 3, 2)  # unresolvable, but it has no rows to lose: not affected

    await _write(session_factory, "update", posted, {"category": "ch4"})
    assert await counts() == (7, 3, 1)

    affected = await _entry_id(session_factory, category="co2", quantity_kg=5)
    await _write(session_factory, "update", affected, {"quantity_kg": 6})
    assert await counts() == (7, 2, 1)  # recomputed with the current factors

    await _write(session_factory, "update", affected, {"category": "n2o"})
    assert await counts() == (7, 2, 2)

    other = await _entry_id(session_factory, category="co2", quantity_kg=7)
    await _write(session_factory, "delete", other)
    assert await counts() == (6, 1, 2)

    await _write(session_factory, "delete", affected)
    assert await counts() == (5, 1, 1)

    override = await _entry_id(session_factory, category="co2", quantity_kg=3)
    await _write(session_factory, "update", override, {"kg_co2eq": None, "category": "n2o"})
    assert await counts() == (5, 1, 2)


async def test_counts_not_taken_yet_stay_null_and_entries_still_follow(
    db: AsyncSession,
    session_factory: SessionFactory,
    import_data: RunImport,
) -> None:
    await db.execute(update(EntryFactorCount).values(affected=None, unresolvable=None))
    await db.commit()

    await import_data(csv_bytes(HEADER, "U1,co2,,1,", "U1,ch4,,2,"))
    posted = await _post(session_factory, category="co2", quantity_kg=4)
    await _write(session_factory, "update", posted, {"quantity_kg": 5})
    assert await _stored(session_factory) == (9, None, None)

    await import_data(csv_bytes(HEADER, "U1,co2,,1,"), mode=ImportMode.replace)
    await _write(session_factory, "delete", posted)

    assert await _stored(session_factory) == (1, None, None)
    assert (await _recounted(session_factory))[0] == 1


async def test_a_type_never_counted_stays_uncounted(
    db: AsyncSession, session_factory: SessionFactory, import_data: RunImport
) -> None:
    await db.execute(delete(EntryFactorCount))
    await db.commit()

    await import_data(csv_bytes(HEADER, "U1,co2,,1,"))
    await import_data(csv_bytes(HEADER, "U1,co2,,1,"), mode=ImportMode.replace)
    await _post(session_factory, category="n2o", quantity_kg=1)

    assert await _stored(session_factory) is None


async def test_a_failed_import_changes_no_count(
    session_factory: SessionFactory,
    import_factors: RunImport,
    import_data: RunImport,
    counts: Callable[[], Awaitable[Counts]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await import_factors(process_factors(co2=2, n2o=None))
    before = await counts()

    async def broken(self: CarbonReportModuleService, module_ids: object, **_: object) -> None:
        raise RuntimeError("disk full while refreshing stats")

    monkeypatch.setattr(CarbonReportModuleService, "recompute_stats", broken)
    job = await import_data(csv_bytes(HEADER, "U1,n2o,,1,"), mode=ImportMode.replace)

    assert job.result == IngestionResult.ERROR
    monkeypatch.undo()
    assert await counts() == before == (6, 3, 1)


async def test_two_writers_of_one_type_lose_no_move_of_the_counts(
    db: AsyncSession,
    session_factory: SessionFactory,
    import_factors: RunImport,
    counts: Callable[[], Awaitable[Counts]],
) -> None:
    """The second writer reads the counts before the first commits: a move computed in Python
    from what it read would lose the first one's."""
    await create_unit(db, institutional_code="U2")
    await db.commit()
    await import_factors(process_factors(co2=2, n2o=None))
    assert await counts() == (6, 3, 1)

    async with session_factory() as first:
        await _create(first, "U1", category="n2o", quantity_kg=1)
        # U2: another report, so no stats in common with the first
        second = await _posted_meanwhile(session_factory, "U2", category="n2o", quantity_kg=2)
        assert not second.done()  # waits for the first's lock
        await first.commit()
    await second

    assert await counts() == (8, 3, 3)


async def test_an_entry_written_while_its_type_is_counted_is_counted_once(
    db: AsyncSession,
    session_factory: SessionFactory,
    import_factors: RunImport,
    counts: Callable[[], Awaitable[Counts]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A write landing between the count's read of the entries and its store of the counts
    waits for the count to commit, then moves the stored counts."""
    await create_unit(db, institutional_code="U2")
    await db.commit()
    await import_factors(process_factors(co2=2, n2o=None))
    writers: list[asyncio.Task[int]] = []
    tally = EntryFactorCountingService.tally

    async def tally_then_write(
        self: EntryFactorCountingService, *args: Any, **kwargs: Any
    ) -> Counter[Any]:
        found = await tally(self, *args, **kwargs)
        writers.append(
            await _posted_meanwhile(session_factory, "U2", category="n2o", quantity_kg=1)
        )
        return found

    monkeypatch.setattr(EntryFactorCountingService, "tally", tally_then_write)
    async with session_factory() as session:
        await EntryFactorCountingService(session).recount([PROCESS_TYPE], YEAR)
        (writer,) = writers
        assert not writer.done()
        await session.commit()
    await writer
    monkeypatch.undo()

    assert await counts() == (7, 3, 2)


@pytest.mark.parametrize("uncounted", ["null", "no row"])
async def test_the_upgrade_takes_the_counts_never_taken(
    db: AsyncSession,
    session_factory: SessionFactory,
    import_factors: RunImport,
    counts: Callable[[], Awaitable[Counts]],
    uncounted: str,
) -> None:
    await import_factors(process_factors(co2=2, n2o=None))
    if uncounted == "null":
        await db.execute(update(EntryFactorCount).values(affected=None, unresolvable=None))
    else:
        await db.execute(delete(EntryFactorCount))
    await db.commit()

    assert await count_uncounted(session_factory) == 1
    assert await counts() == (6, 3, 1)
    assert await count_uncounted(session_factory) == 0  # counted ones are left alone


async def test_a_write_and_an_import_of_one_type_and_report_wait_in_turn(
    session_factory: SessionFactory,
    counts: Callable[[], Awaitable[Counts]],
) -> None:
    """An import's write phase holds its types' counts, then refreshes its reports' stats; a
    single write takes them in the same order, so it waits rather than holding the report's
    stats while it waits for the counts (on PostgreSQL: a deadlock, one of the two failed)."""
    async with session_factory() as session:
        (module_id,) = set(
            (await session.execute(select(DataEntry.carbon_report_module_id))).scalars()
        )
    async with session_factory() as importer:
        await EntryFactorCountRepository(importer).lock([PROCESS_TYPE], YEAR)
        writer = await _posted_meanwhile(session_factory, "U1", category="n2o", quantity_kg=1)
        await CarbonReportModuleService(importer).recompute_stats([module_id])
        await importer.commit()
    await writer

    assert await counts() == (7, 0, 0)


async def test_an_entry_written_while_its_type_is_recalculated_stays_counted(
    session_factory: SessionFactory,
    import_factors: RunImport,
    recalculate: Recalculate,
    counts: Callable[[], Awaitable[Counts]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The recalculation counted the entries when it started; one posted while it computes
    (it is not recalculated: it was computed with the same factors) stays in `entries`."""
    await import_factors(process_factors(co2=2, n2o=None))
    stage = EmissionRecalculationWorkflow._stage

    async def stage_then_post(self: EmissionRecalculationWorkflow, *args: Any) -> None:
        await stage(self, *args)
        await _post(session_factory, category="ch4", quantity_kg=1)

    monkeypatch.setattr(EmissionRecalculationWorkflow, "_stage", stage_then_post)
    await recalculate(PROCESS, PROCESS_TYPE)
    monkeypatch.undo()

    assert await counts() == (7, 0, 1)
