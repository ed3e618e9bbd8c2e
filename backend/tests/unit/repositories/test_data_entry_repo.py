"""DataEntryRepository's cross-module scan of one type and year (plan phase 1), both databases."""

from __future__ import annotations

from factories import create_entry, create_module, create_unit
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.modules import DataEntryTypeEnum, ModuleTypeEnum
from app.repositories.data_entry_repo import DataEntryRepository

PROCESS = DataEntryTypeEnum.process_emissions


async def test_list_by_type_and_year_returns_the_entries_of_every_report_of_that_year(
    db: AsyncSession,
) -> None:
    first = await create_module(db, ModuleTypeEnum.process_emissions, year=2025)
    second = await create_module(db, ModuleTypeEnum.process_emissions, year=2025)
    wanted = [
        await create_entry(db, module=first),
        await create_entry(db, module=second),
        await create_entry(db, module=first),
    ]
    other_type = await create_module(db, ModuleTypeEnum.external_cloud_and_ai, year=2025)
    await create_entry(
        db,
        module=other_type,
        data_entry_type_id=DataEntryTypeEnum.external_clouds,
        data={"provider": "aws", "service_type": "compute", "spent_amount": 1.0},
    )

    found = await DataEntryRepository(db).list_by_data_entry_type_and_year(PROCESS, 2025)

    in_scan_order = sorted(wanted, key=lambda e: (e.carbon_report_module_id, e.id))
    assert [entry.id for entry in found] == [entry.id for entry in in_scan_order]
    assert await DataEntryRepository(db).count_by_data_entry_type_and_year(PROCESS, 2025) == 3


async def test_list_by_type_and_year_leaves_out_other_years(db: AsyncSession) -> None:
    unit = await create_unit(db)
    this_year = await create_module(db, ModuleTypeEnum.process_emissions, unit=unit, year=2025)
    last_year = await create_module(db, ModuleTypeEnum.process_emissions, unit=unit, year=2024)
    kept = await create_entry(db, module=this_year)
    await create_entry(db, module=last_year)

    repo = DataEntryRepository(db)
    assert [entry.id for entry in await repo.list_by_data_entry_type_and_year(PROCESS, 2025)] == [
        kept.id
    ]
    assert len(await repo.list_by_data_entry_type_and_year(PROCESS, 2024)) == 1


async def test_list_by_type_and_year_is_empty_without_entries(db: AsyncSession) -> None:
    await create_module(db, ModuleTypeEnum.process_emissions, year=2025)

    repo = DataEntryRepository(db)
    assert await repo.list_by_data_entry_type_and_year(PROCESS, 2025) == []
    assert await repo.count_by_data_entry_type_and_year(PROCESS, 2025) == 0
    assert [
        batch async for batch in repo.iter_batches_by_data_entry_type_and_year(PROCESS, 2025)
    ] == []


async def test_keyset_batches_cover_every_entry_once_with_its_revision(db: AsyncSession) -> None:
    modules = [await create_module(db, ModuleTypeEnum.process_emissions) for _ in range(3)]
    ids = {
        (
            await create_entry(
                db, module=modules[n % 3], data={"category": "ch4", "quantity_kg": n}
            )
        ).id
        for n in range(10)
    }

    batches = [
        batch
        async for batch in DataEntryRepository(db).iter_batches_by_data_entry_type_and_year(
            PROCESS, 2025, 3
        )
    ]

    assert [len(batch) for batch in batches] == [3, 3, 3, 1]
    rows = [row for batch in batches for row in batch]
    assert {row.id for row in rows} == ids
    assert len(rows) == 10
    keys = [(row.carbon_report_module_id, row.id) for row in rows]
    assert keys == sorted(keys)
    assert {row.revision for row in rows} == {1}
