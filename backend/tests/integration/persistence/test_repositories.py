"""Repositories: named queries, set-based writes, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from factories import (
    create_entry,
    create_module,
    create_report,
    create_unit,
    module_of_report,
)
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from app.domain.modules import DataEntryTypeEnum, ModuleTypeEnum
from app.emissions import FactorRecord
from app.emissions.factor_diff import FactorUpsertCounts
from app.models import CarbonReport, CarbonReportModule, DataEntry, Factor
from app.repositories.carbon_report_repo import CarbonReportRepository
from app.repositories.data_entry_emission_repo import DataEntryEmissionRepository
from app.repositories.data_entry_repo import DataEntryRepository, EntryRow
from app.repositories.factor_repo import FactorRepository
from app.repositories.sync_scope_repo import SyncScopeRepository
from app.repositories.unit_repo import UnitRepository

PROCESS = DataEntryTypeEnum.process_emissions


class TestCarbonReports:
    async def test_get_or_create_makes_the_report_and_its_8_modules_with_zero_stats(
        self, db: AsyncSession
    ):
        unit = await create_unit(db)
        report = await CarbonReportRepository(db).get_or_create(unit.id, 2025)
        assert [m.module_type_id for m in report.modules] == [int(m) for m in ModuleTypeEnum]
        for stats in [report.stats, *(m.stats for m in report.modules)]:
            assert stats["total"] == 0.0
            assert stats["entry_count"] == 0
            assert stats["by_emission_type"] == {}

    async def test_get_or_create_twice_returns_the_same_report(self, db: AsyncSession):
        unit = await create_unit(db)
        repo = CarbonReportRepository(db)
        first = await repo.get_or_create(unit.id, 2025)
        second = await repo.get_or_create(unit.id, 2025)
        assert first.id == second.id
        modules = (await db.scalars(select(CarbonReportModule.id))).all()
        assert len(modules) == 8

    async def test_ensure_reports_creates_only_the_missing_ones(self, db: AsyncSession):
        units = [await create_unit(db) for _ in range(3)]
        repo = CarbonReportRepository(db)
        existing = await repo.get_or_create(units[0].id, 2025)
        report_ids = await repo.ensure_reports([u.id for u in units], 2025)
        assert report_ids[units[0].id] == existing.id
        assert len(set(report_ids.values())) == 3
        assert len((await db.scalars(select(CarbonReport.id))).all()) == 3
        assert len((await db.scalars(select(CarbonReportModule.id))).all()) == 24
        module_ids = await repo.map_module_ids([u.id for u in units], 2025, ModuleTypeEnum.purchase)
        assert set(module_ids) == {u.id for u in units}


class TestDataEntries:
    async def test_list_by_type_and_year_joins_through_module_and_report(self, db: AsyncSession):
        module_2025 = await create_module(db, year=2025)
        module_2024 = await create_module(db, year=2024)
        wanted = [await create_entry(db, module=module_2025) for _ in range(2)]
        await create_entry(db, module=module_2024)
        other_type = await create_module(db, ModuleTypeEnum.headcount)
        await create_entry(db, module=other_type, data_entry_type_id=1, data={"fte": 1})
        repo = DataEntryRepository(db)

        found = await repo.list_by_data_entry_type_and_year(PROCESS, 2025)

        assert [e.id for e in found] == [e.id for e in wanted]
        assert await repo.count_by_data_entry_type_and_year(PROCESS, 2025) == 2
        assert await repo.list_by_data_entry_type_and_year(PROCESS, 2023) == []
        assert await repo.count_by_data_entry_type_and_year(PROCESS, 2023) == 0

    async def test_keyset_batches_cover_every_entry_once_in_order(self, db: AsyncSession):
        modules = [await create_module(db) for _ in range(3)]
        expected = []
        for i in range(7):
            module = modules[i % 3]
            entry = await create_entry(
                db, module=module, data={"category": "ch4", "quantity_kg": i}
            )
            expected.append((module.id, entry.id))
        await create_entry(db, module=await create_module(db, year=2024))
        await db.commit()
        repo = DataEntryRepository(db)

        batches = [b async for b in repo.iter_batches_by_data_entry_type_and_year(PROCESS, 2025, 3)]

        assert [len(b) for b in batches] == [3, 3, 1]
        rows = [row for batch in batches for row in batch]
        assert all(isinstance(row, EntryRow) for row in rows)
        assert [(r.carbon_report_module_id, r.id) for r in rows] == sorted(expected)
        assert {r.revision for r in rows} == {1}
        assert rows[0].data["category"] == "ch4"

        resumed = [
            row
            async for batch in repo.iter_batches_by_data_entry_type_and_year(
                PROCESS, 2025, 100, after=(rows[2].carbon_report_module_id, rows[2].id)
            )
            for row in batch
        ]
        assert [r.id for r in resumed] == [r.id for r in rows[3:]]

    async def test_no_batches_when_there_are_no_entries(self, db: AsyncSession):
        repo = DataEntryRepository(db)
        assert [b async for b in repo.iter_batches_by_data_entry_type_and_year(PROCESS, 2025)] == []

    async def test_every_edit_bumps_the_revision(self, db: AsyncSession):
        entry = await create_entry(db)
        await db.commit()
        assert entry.revision == 1
        entry.data = {**entry.data, "quantity_kg": 11}
        await db.commit()
        assert entry.revision == 2
        assert await DataEntryRepository(db).map_revisions([entry.id, 999]) == {entry.id: 2}

    async def test_a_concurrent_edit_of_the_same_revision_fails(
        self, db: AsyncSession, session_factory
    ):
        entry = await create_entry(db)
        await db.commit()
        async with session_factory() as other:
            same = await other.get(DataEntry, entry.id)
            assert same is not None
            same.data = {"category": "co2", "quantity_kg": 1}
            await other.commit()
        entry.data = {"category": "n2o", "quantity_kg": 1}
        with pytest.raises(StaleDataError):
            await db.flush()

    async def test_timestamps_are_utc_aware_and_naive_ones_are_refused(self, db: AsyncSession):
        entry = await create_entry(db)
        await db.commit()
        db.expunge_all()
        loaded = await db.get(DataEntry, entry.id)
        assert loaded is not None
        assert loaded.created_at.tzinfo is UTC
        assert abs((datetime.now(UTC) - loaded.created_at).total_seconds()) < 60
        loaded.updated_at = datetime(2025, 1, 1, 12, 0)  # naive
        with pytest.raises(Exception, match="naive datetime"):
            await db.flush()


class TestEmissionRows:
    async def test_insert_delete_and_sum_set_based(self, db: AsyncSession):
        module = await create_module(db)
        entries = [await create_entry(db, module=module) for _ in range(3)]
        repo = DataEntryEmissionRepository(db)
        written = await repo.insert_rows(
            [
                {"data_entry_id": e.id, "emission_type_id": code, "kg_co2eq": kg, "factor_id": None}
                for e in entries
                for code, kg in ((70100, 1.5), (70300, 2.0))
            ]
        )
        assert written == 6
        sums = await repo.sum_by_module_and_emission_type([module.id])
        assert sorted(sums) == [(module.id, 70100, 4.5), (module.id, 70300, 6.0)]

        assert await repo.delete_by_data_entry_ids([entries[0].id, entries[1].id]) == 4
        remaining = await repo.list_by_data_entry(entries[2].id)
        assert [(r.emission_type_id, r.meta) for r in remaining] == [(70100, {}), (70300, {})]
        assert remaining[0].computed_at.tzinfo is UTC
        assert await repo.delete_by_data_entry_ids([]) == 0
        assert await repo.insert_rows([]) == 0


def _factor(category: str, gwp: float, subcategory: str | None = None) -> FactorRecord:
    return FactorRecord(
        data_entry_type_id=PROCESS,
        year=2025,
        classification={"category": category, "subcategory": subcategory},
        values={"gwp_kg_co2eq_per_kg": gwp},
    )


class TestFactors:
    async def test_upsert_counts_and_keeps_ids_of_known_identities(self, db: AsyncSession):
        repo = FactorRepository(db)
        first = await repo.upsert(
            2025,
            [_factor("ch4", 28), _factor("n2o", 265), _factor("co2", 1)],
            data_entry_type_ids=[PROCESS],
            remove_missing=True,
        )
        assert first == FactorUpsertCounts(inserted=3)
        ids = {
            f.classification["category"]: f.id
            for f in await repo.list_by_data_entry_type_and_year(PROCESS, 2025)
        }

        second = await repo.upsert(
            2025,
            [_factor("ch4", 28), _factor("n2o", 273), _factor("refrigerants", 1430, "R-134a")],
            data_entry_type_ids=[PROCESS],
            remove_missing=True,
        )
        assert second == FactorUpsertCounts(inserted=1, updated=1, unchanged=1, removed=1)
        db.expunge_all()
        after = {
            f.classification["category"]: f
            for f in await repo.list_by_data_entry_type_and_year(PROCESS, 2025)
        }
        assert set(after) == {"ch4", "n2o", "refrigerants"}
        assert after["ch4"].id == ids["ch4"]
        assert after["n2o"].id == ids["n2o"]
        assert after["n2o"].values == {"gwp_kg_co2eq_per_kg": 273}

    async def test_upsert_without_removal_keeps_absent_identities(self, db: AsyncSession):
        repo = FactorRepository(db)
        await repo.upsert(
            2025, [_factor("ch4", 28)], data_entry_type_ids=[PROCESS], remove_missing=True
        )
        counts = await repo.upsert(
            2025, [_factor("n2o", 265)], data_entry_type_ids=[PROCESS], remove_missing=False
        )
        assert counts == FactorUpsertCounts(inserted=1)
        assert len(await repo.list_by_data_entry_type_and_year(PROCESS, 2025)) == 2

    async def test_upsert_only_touches_its_types_and_year(self, db: AsyncSession):
        repo = FactorRepository(db)
        other_year = FactorRecord(PROCESS, 2024, {"category": "ch4"}, {"gwp_kg_co2eq_per_kg": 25})
        await repo.upsert(2024, [other_year], data_entry_type_ids=[PROCESS], remove_missing=True)
        await repo.upsert(2025, [], data_entry_type_ids=[PROCESS], remove_missing=True)
        assert len(await repo.list_by_data_entry_type_and_year(PROCESS, 2024)) == 1
        with pytest.raises(ValueError, match="outside the import scope"):
            await repo.upsert(
                2025, [other_year], data_entry_type_ids=[PROCESS], remove_missing=True
            )

    async def test_list_for_many_types(self, db: AsyncSession):
        repo = FactorRepository(db)
        ln2 = FactorRecord(67, 2025, {"name": "ln2"}, {"ef_kg_co2eq_per_kg": 0.4})
        await repo.upsert(
            2025, [_factor("ch4", 28), ln2], data_entry_type_ids=[PROCESS, 67], remove_missing=True
        )
        found = await repo.list_by_data_entry_types_and_year([PROCESS, 67], 2025)
        assert sorted(f.data_entry_type_id for f in found) == [50, 67]
        assert all(isinstance(f, Factor) for f in found)


class TestSyncScopesAndUnits:
    async def test_sync_scope_get_or_create_is_idempotent(self, db: AsyncSession):
        repo = SyncScopeRepository(db)
        scope = await repo.get_or_create(8, 2025)
        assert scope.factor_sequence == 0
        scope.factor_sequence = 3
        await db.commit()
        again = await repo.get_or_create(8, 2025)
        assert again.factor_sequence == 3
        assert await repo.get(8, 2024) is None

    async def test_units_by_code_and_paginated(self, db: AsyncSession):
        units = [await create_unit(db, institutional_code=f"U{i}") for i in range(5)]
        repo = UnitRepository(db)
        assert (await repo.get_by_institutional_code("U3")) is units[3]
        assert set(await repo.map_by_institutional_codes(["U1", "U4", "nope"])) == {"U1", "U4"}
        page, total = await repo.list_page(limit=2, offset=2)
        assert total == 5
        assert [u.institutional_code for u in page] == ["U2", "U3"]


async def test_report_modules_are_loaded_eagerly_and_lazy_loads_raise(db: AsyncSession):
    report = await create_report(db)
    module = module_of_report(report, ModuleTypeEnum.purchase)
    await db.commit()
    db.expunge_all()
    loaded = await db.get(CarbonReportModule, module.id)
    assert loaded is not None
    with pytest.raises(Exception, match="lazy='raise'"):
        _ = loaded.report
