"""Services: emission rows from stored factors, and module/report stats, on both databases."""

from __future__ import annotations

from typing import Any

import pytest
from factories import (
    create_emission,
    create_entry,
    create_factor,
    create_report,
    module_of_report,
)
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.modules import DataEntryTypeEnum, ModuleTypeEnum
from app.models import CarbonReport, CarbonReportModule, DataEntryEmission
from app.repositories.data_entry_emission_repo import DataEntryEmissionRepository
from app.services import carbon_report_module_service
from app.services.carbon_report_module_service import CarbonReportModuleService
from app.services.data_entry_emission_service import DataEntryEmissionService
from app.services.factor_service import FactorService

PROCESS = DataEntryTypeEnum.process_emissions


async def _rows(db: AsyncSession, entry_id: int) -> list[tuple[int, float, int | None]]:
    rows = await DataEntryEmissionRepository(db).list_by_data_entry(entry_id)
    return [(r.emission_type_id, r.kg_co2eq, r.factor_id) for r in rows]


class TestFactorService:
    async def test_index_resolves_stored_factors_of_the_type_and_year(self, db: AsyncSession):
        ch4 = await create_factor(db, classification={"category": "ch4"})
        await create_factor(db, classification={"category": "ch4"}, year=2024)
        index = await FactorService(db).get_index(PROCESS, 2025)
        found = index.lookup(PROCESS, 2025, {"category": "ch4", "subcategory": None})
        assert found.id == ch4.id
        assert found.numbers["gwp_kg_co2eq_per_kg"] == 28.0


class TestUpsertByDataEntry:
    async def test_replaces_the_rows_of_one_entry(self, db: AsyncSession):
        factor = await create_factor(db)
        entry = await create_entry(db, data={"category": "ch4", "quantity_kg": 10})
        await create_emission(db, entry=entry, emission_type_id=70300, kg_co2eq=99.0)

        result = await DataEntryEmissionService(db).upsert_by_data_entry(entry)

        assert result.ok
        assert await _rows(db, entry.id) == [(70100, 280.0, factor.id)]

    async def test_an_entry_error_leaves_no_rows_and_is_returned(self, db: AsyncSession):
        entry = await create_entry(db, data={"category": "n2o", "quantity_kg": 1})
        await create_emission(db, entry=entry)

        result = await DataEntryEmissionService(db).upsert_by_data_entry(entry)

        assert not result.ok
        assert result.error is not None
        assert result.error.data_entry_id == entry.id
        assert "n2o" in result.error.message
        assert result.rows == []
        assert await _rows(db, entry.id) == []

    async def test_an_operator_override_is_kept_whatever_the_factors(self, db: AsyncSession):
        await create_factor(db)
        entry = await create_entry(db, data={"category": "ch4", "quantity_kg": 10, "kg_co2eq": 0})
        result = await DataEntryEmissionService(db).upsert_by_data_entry(entry)
        assert result.ok
        assert await _rows(db, entry.id) == [(70000, 0.0, None)]


def _without_time(stats: dict[int, dict[str, Any]]) -> dict[int, dict[str, Any]]:
    return {
        module: {k: v for k, v in s.items() if k != "computed_at"} for module, s in stats.items()
    }


class TestStats:
    async def test_module_stats_roll_children_into_parents_and_scopes(self, db: AsyncSession):
        report = await create_report(db)
        process = module_of_report(report, ModuleTypeEnum.process_emissions)
        buildings = module_of_report(report, ModuleTypeEnum.buildings)
        e1 = await create_entry(db, module=process)
        e2 = await create_entry(db, module=process)
        await create_entry(db, module=process)  # no rows: counted, adds nothing
        await create_emission(db, entry=e1, emission_type_id=70100, kg_co2eq=10.0)
        await create_emission(db, entry=e2, emission_type_id=70100, kg_co2eq=5.0)
        await create_emission(db, entry=e2, emission_type_id=70300, kg_co2eq=1.0)
        room = await create_entry(db, module=buildings, data_entry_type_id=30, data={})
        await create_emission(db, entry=room, emission_type_id=60101, kg_co2eq=2.0)  # scope 2
        await create_emission(db, entry=room, emission_type_id=60105, kg_co2eq=3.0)  # scope 1

        stats = await CarbonReportModuleService(db).recompute_stats([process.id, buildings.id])
        await db.commit()

        assert stats[process.id]["by_emission_type"] == {
            "70000": 16.0,
            "70100": 15.0,
            "70300": 1.0,
        }
        assert stats[process.id]["scope1"] == 16.0
        assert stats[process.id]["total"] == 16.0
        assert stats[process.id]["entry_count"] == 3
        assert stats[buildings.id]["by_emission_type"] == {
            "60000": 5.0,
            "60100": 5.0,
            "60101": 2.0,
            "60105": 3.0,
        }
        assert (stats[buildings.id]["scope1"], stats[buildings.id]["scope2"]) == (3.0, 2.0)
        assert stats[buildings.id]["computed_at"].endswith("+00:00")

        db.expunge_all()
        stored_report = await db.get(CarbonReport, report.id)
        assert stored_report is not None
        assert stored_report.stats["total"] == 21.0
        assert stored_report.stats["scope1"] == 19.0
        assert stored_report.stats["scope2"] == 2.0
        assert stored_report.stats["scope3"] == 0.0
        assert stored_report.stats["entry_count"] == 4
        assert stored_report.stats["by_emission_type"]["70000"] == 16.0
        assert stored_report.stats["by_emission_type"]["60000"] == 5.0
        stored_module = await db.get(CarbonReportModule, process.id)
        assert stored_module is not None
        assert stored_module.stats == stats[process.id]

    async def test_report_stats_sum_every_module_and_empty_modules_have_zeros(
        self, db: AsyncSession
    ):
        report = await create_report(db)
        travel = module_of_report(report, ModuleTypeEnum.professional_travel)
        process = module_of_report(report, ModuleTypeEnum.process_emissions)
        plane = await create_entry(db, module=travel, data_entry_type_id=20, data={})
        await create_emission(db, entry=plane, emission_type_id=50203, kg_co2eq=100.0)
        gas = await create_entry(db, module=process)
        await create_emission(db, entry=gas, emission_type_id=70200, kg_co2eq=7.0)
        service = CarbonReportModuleService(db)

        await service.recompute_stats([m.id for m in report.modules])
        # Only travel changes; the report is still the sum of all its modules.
        await create_emission(db, entry=plane, emission_type_id=50203, kg_co2eq=50.0)
        await service.recompute_stats([travel.id])
        await db.commit()

        db.expunge_all()
        modules = (
            await db.scalars(
                select(CarbonReportModule).where(CarbonReportModule.carbon_report_id == report.id)
            )
        ).all()
        assert len(modules) == 8
        for module in modules:
            assert set(module.stats) >= {"scope1", "scope2", "scope3", "total", "by_emission_type"}
            if module.id not in (travel.id, process.id):
                assert module.stats["total"] == 0.0
        stored = await db.get(CarbonReport, report.id)
        assert stored is not None
        assert stored.stats["total"] == 157.0
        assert (stored.stats["scope1"], stored.stats["scope3"]) == (7.0, 157.0 - 7.0)
        assert stored.stats["by_emission_type"]["50000"] == 150.0
        assert stored.stats["by_emission_type"]["50200"] == 150.0

    async def test_a_refresh_in_parts_reports_each_and_writes_what_one_read_would(
        self, db: AsyncSession, monkeypatch: pytest.MonkeyPatch
    ):
        report = await create_report(db)
        modules = sorted(report.modules, key=lambda m: m.id)
        for kg, module in enumerate(modules, start=1):
            entry = await create_entry(db, module=module, data_entry_type_id=20, data={})
            await create_emission(db, entry=entry, emission_type_id=50203, kg_co2eq=float(kg))
        service = CarbonReportModuleService(db)
        whole = await service.recompute_stats([m.id for m in modules])

        monkeypatch.setattr(carbon_report_module_service, "STATS_PART_MODULES", 3)
        heard: list[tuple[int, int]] = []

        async def on_part(done: int, total: int) -> None:
            heard.append((done, total))

        in_parts = await service.recompute_stats([m.id for m in modules], on_part=on_part)
        # SQLite reads in parts; PostgreSQL's one scan of the rows would be repeated per part.
        parts = [(3, 8), (6, 8), (8, 8)] if db.get_bind().dialect.name == "sqlite" else []
        assert heard == parts
        assert _without_time(in_parts) == _without_time(whole)
        assert in_parts[modules[-1].id]["total"] == 8.0
        await service.recompute_stats([modules[0].id], on_part=on_part)  # one part: not told
        assert heard == parts

    async def test_unknown_modules_are_ignored(self, db: AsyncSession):
        assert await CarbonReportModuleService(db).recompute_stats([12345]) == {}
        assert (await db.scalars(select(DataEntryEmission.id))).all() == []


@pytest.mark.parametrize("quantity", [0.0, 1e-9, 123456.789])
async def test_emission_kg_keeps_double_precision(db: AsyncSession, quantity: float):
    await create_factor(db, values={"gwp_kg_co2eq_per_kg": 28.123456789012345})
    entry = await create_entry(db, data={"category": "ch4", "quantity_kg": quantity})
    await DataEntryEmissionService(db).upsert_by_data_entry(entry)
    await db.commit()
    db.expunge_all()
    [(_, kg, _)] = await _rows(db, entry.id)
    assert kg == quantity * 28.123456789012345
