"""Set-based queries the demo loader needs and no repository offers (yet).

Kept apart from the loader so no SQL lives in the CLI or the loading steps. Every write is one
executemany statement per table, never ORM objects added one by one.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.demo.generator import DemoUnit
from app.models import CarbonReport, CarbonReportModule, DataEntry, DataEntryEmission, Unit
from app.repositories.base import table_of

_CHUNK = 500


@dataclass(frozen=True, slots=True)
class TypeYearTotals:
    data_entry_type_id: int
    year: int
    entry_count: int
    emission_count: int
    total_kg_co2eq: float


class DemoStore:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def map_unit_ids(self, codes: Collection[str]) -> dict[str, int]:
        """Unit id by institutional code, for the codes that exist."""
        found: dict[str, int] = {}
        code_list = sorted(set(codes))
        for start in range(0, len(code_list), _CHUNK):
            rows = await self.session.execute(
                select(Unit.institutional_code, Unit.id).where(
                    Unit.institutional_code.in_(code_list[start : start + _CHUNK])
                )
            )
            found.update(rows.tuples().all())
        return found

    async def insert_units(self, units: Sequence[DemoUnit]) -> dict[str, int]:
        await self.session.execute(
            insert(table_of(Unit)),
            [
                {
                    "institutional_code": unit.institutional_code,
                    "name": unit.name,
                    "label_fr": unit.label_fr,
                    "label_en": unit.label_en,
                    "parent_institutional_code": unit.parent_institutional_code,
                    "is_active": True,
                }
                for unit in units
            ],
        )
        return await self.map_unit_ids([unit.institutional_code for unit in units])

    async def insert_entries(self, rows: Sequence[dict[str, Any]]) -> None:
        if rows:
            await self.session.execute(insert(table_of(DataEntry)), list(rows))

    async def report_years(self, unit_ids: Collection[int]) -> list[int]:
        rows = await self.session.execute(
            select(CarbonReport.year).where(CarbonReport.unit_id.in_(set(unit_ids))).distinct()
        )
        return sorted(rows.scalars())

    async def delete_units(self, unit_ids: Collection[int]) -> None:
        """Drop units with their reports; modules, entries and emissions go by cascade."""
        ids = set(unit_ids)
        await self.session.execute(delete(CarbonReport).where(CarbonReport.unit_id.in_(ids)))
        await self.session.execute(delete(Unit).where(Unit.id.in_(ids)))

    async def totals_by_type_and_year(self, unit_ids: Collection[int]) -> list[TypeYearTotals]:
        """Entries, emission rows and kg CO2e per (data entry type, year) of these units."""
        ids = set(unit_ids)
        scope = (
            select(DataEntry.id, DataEntry.data_entry_type_id, CarbonReport.year)
            .join(CarbonReportModule, DataEntry.carbon_report_module_id == CarbonReportModule.id)
            .join(CarbonReport, CarbonReportModule.carbon_report_id == CarbonReport.id)
            .where(CarbonReport.unit_id.in_(ids))
            .subquery()
        )
        entries = await self.session.execute(
            select(scope.c.data_entry_type_id, scope.c.year, func.count()).group_by(
                scope.c.data_entry_type_id, scope.c.year
            )
        )
        emissions = await self.session.execute(
            select(
                scope.c.data_entry_type_id,
                scope.c.year,
                func.count(DataEntryEmission.id),
                func.coalesce(func.sum(DataEntryEmission.kg_co2eq), 0.0),
            )
            .join(DataEntryEmission, DataEntryEmission.data_entry_id == scope.c.id)
            .group_by(scope.c.data_entry_type_id, scope.c.year)
        )
        emitted = {(t, y): (int(n), float(kg)) for t, y, n, kg in emissions.tuples()}
        return [
            TypeYearTotals(int(t), int(y), int(n), *emitted.get((t, y), (0, 0.0)))
            for t, y, n in entries.tuples()
        ]
