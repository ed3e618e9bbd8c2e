"""Set-based writes and sums of emission rows (never one ORM object per row)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from typing import Any

from sqlalchemy import case, delete, func, insert, select

from app.emissions.base import EmissionRow
from app.emissions.factor_versions import FactorVersions, row_versions
from app.models import CarbonReport, CarbonReportModule, DataEntry, DataEntryEmission
from app.repositories.base import Repository, table_of

# The columns a writer of emission rows gives (the id is the database's), in one order for
# every staged copy of them.
WRITTEN_COLUMNS = (
    "data_entry_id",
    "emission_type_id",
    "kg_co2eq",
    "factor_id",
    "factor_ref_id",
    "factor_revision",
    "meta",
    "computed_at",
)


def insertable_rows(
    entry_id: int, rows: Iterable[EmissionRow], computed_at: datetime
) -> list[dict[str, Any]]:
    """An entry's rows as the values of data_entry_emissions, keyed as WRITTEN_COLUMNS in
    that order (for writing or staging)."""
    return [
        {
            "data_entry_id": entry_id,
            "emission_type_id": row.emission_type_id,
            "kg_co2eq": row.kg_co2eq,
            "factor_id": row.factor_id,
            "factor_ref_id": row.factor_id,
            "factor_revision": row.factor_revision,
            "meta": row.meta,
            "computed_at": computed_at,
        }
        for row in rows
    ]


# Bound parameters per statement stay far below SQLite's (32766) and PostgreSQL's (65535) caps.
_CHUNK = 10_000


@dataclass(frozen=True, slots=True)
class TypeYearTotals:
    data_entry_type_id: int
    year: int
    entry_count: int
    emission_count: int
    total_kg_co2eq: float


def _chunks(values: Iterable[int], size: int = _CHUNK) -> Iterable[list[int]]:
    iterator = iter(values)
    while chunk := list(islice(iterator, size)):
        yield chunk


class DataEntryEmissionRepository(Repository[DataEntryEmission]):
    model = DataEntryEmission

    async def list_by_data_entry(self, data_entry_id: int) -> list[DataEntryEmission]:
        return await self.get_all(
            select(DataEntryEmission)
            .where(DataEntryEmission.data_entry_id == data_entry_id)
            .order_by(DataEntryEmission.id)
        )

    async def delete_by_data_entry_ids(self, data_entry_ids: Collection[int]) -> int:
        """Delete every emission row of these entries; returns how many rows went."""
        deleted = 0
        for chunk in _chunks(sorted(set(data_entry_ids))):
            result = await self.session.execute(
                delete(table_of(DataEntryEmission)).where(
                    table_of(DataEntryEmission).c.data_entry_id.in_(chunk)
                )
            )
            deleted += max(getattr(result, "rowcount", 0), 0)
        return deleted

    async def insert_rows(self, rows: Sequence[Mapping[str, Any]]) -> int:
        """Insert many rows with one executemany (keys: data_entry_id, emission_type_id,
        kg_co2eq, factor_id, meta, computed_at; meta and computed_at have defaults)."""
        if not rows:
            return 0
        await self.session.execute(insert(table_of(DataEntryEmission)), list(rows))
        return len(rows)

    async def map_kg_by_data_entry_ids(
        self, data_entry_ids: Collection[int]
    ) -> dict[int, list[tuple[int, float]]]:
        """Each entry's rows as (emission type, kg), sorted; entries without rows are absent."""
        found: dict[int, list[tuple[int, float]]] = {}
        for chunk in _chunks(sorted(set(data_entry_ids))):
            rows = await self.session.execute(
                select(
                    DataEntryEmission.data_entry_id,
                    DataEntryEmission.emission_type_id,
                    DataEntryEmission.kg_co2eq,
                ).where(DataEntryEmission.data_entry_id.in_(chunk))
            )
            for entry_id, code, kg in rows:
                found.setdefault(entry_id, []).append((code, kg))
        for rows_of_entry in found.values():
            rows_of_entry.sort()
        return found

    async def sum_by_module_and_emission_type(
        self, module_ids: Collection[int]
    ) -> list[tuple[int, int, float]]:
        """(module id, emission type, kg) summed over the emission rows of these modules."""
        if not module_ids:
            return []
        statement = (
            select(
                DataEntry.carbon_report_module_id,
                DataEntryEmission.emission_type_id,
                func.sum(DataEntryEmission.kg_co2eq),
            )
            .join(DataEntry, DataEntry.id == DataEntryEmission.data_entry_id)
            .where(DataEntry.carbon_report_module_id.in_(set(module_ids)))
            .group_by(DataEntry.carbon_report_module_id, DataEntryEmission.emission_type_id)
        )
        rows = await self.session.execute(statement)
        return [(module_id, code, float(kg)) for module_id, code, kg in rows]

    async def totals_by_data_entry_type_and_year(
        self, unit_ids: Collection[int]
    ) -> list[TypeYearTotals]:
        """Entries, emission rows and kg CO2e per (data entry type, year) of these units'
        reports; a pair without entries is absent."""
        scope = (
            select(DataEntry.id, DataEntry.data_entry_type_id, CarbonReport.year)
            .join(CarbonReportModule, DataEntry.carbon_report_module_id == CarbonReportModule.id)
            .join(CarbonReport, CarbonReportModule.carbon_report_id == CarbonReport.id)
            .where(CarbonReport.unit_id.in_(set(unit_ids)))
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
        emitted = {(t, y): (int(n), float(kg)) for t, y, n, kg in emissions}
        return [
            TypeYearTotals(int(t), int(y), int(n), *emitted.get((t, y), (0, 0.0)))
            for t, y, n in entries
        ]

    async def map_factor_versions(
        self, data_entry_ids: Collection[int]
    ) -> dict[int, FactorVersions]:
        """The factor versions the stored rows of these entries were computed with (an entry
        without rows is absent). Meta is read only for rows naming no factor of their own."""
        table = table_of(DataEntryEmission)
        versions: dict[int, FactorVersions] = {}
        for chunk in _chunks(data_entry_ids):
            rows = await self.session.execute(
                select(
                    table.c.data_entry_id,
                    table.c.factor_ref_id,
                    table.c.factor_revision,
                    case((table.c.factor_ref_id.is_(None), table.c.meta)),
                ).where(table.c.data_entry_id.in_(chunk))
            )
            for entry_id, factor_id, revision, meta in rows:
                found = row_versions(factor_id, revision, meta)
                versions[entry_id] = versions.get(entry_id, frozenset()) | found
        return versions

    # --- read API (/data-entries, /reports/emissions)

    async def list_by_data_entry_ids(
        self, data_entry_ids: Collection[int]
    ) -> list[DataEntryEmission]:
        """Emission rows of these entries in one query (a page of entries), by entry then id."""
        if not data_entry_ids:
            return []
        return await self.get_all(
            select(DataEntryEmission)
            .where(DataEntryEmission.data_entry_id.in_(set(data_entry_ids)))
            .order_by(DataEntryEmission.data_entry_id, DataEntryEmission.id)
        )

    async def sum_by_module_type_data_entry_type_and_emission_type(
        self, year: int, *, unit_id: int | None = None
    ) -> list[tuple[int, int, int, int, float]]:
        """(module type, data entry type, emission type, rows, kg) over the year's reports,
        from the stored emission rows in one GROUP BY."""
        statement = (
            select(
                CarbonReportModule.module_type_id,
                DataEntry.data_entry_type_id,
                DataEntryEmission.emission_type_id,
                func.count(DataEntryEmission.id),
                func.sum(DataEntryEmission.kg_co2eq),
            )
            .join(DataEntry, DataEntry.id == DataEntryEmission.data_entry_id)
            .join(CarbonReportModule, CarbonReportModule.id == DataEntry.carbon_report_module_id)
            .join(CarbonReport, CarbonReport.id == CarbonReportModule.carbon_report_id)
            .where(CarbonReport.year == year)
            .group_by(
                CarbonReportModule.module_type_id,
                DataEntry.data_entry_type_id,
                DataEntryEmission.emission_type_id,
            )
        )
        if unit_id is not None:
            statement = statement.where(CarbonReport.unit_id == unit_id)
        rows = await self.session.execute(statement)
        return [
            (module_type, entry_type, code, int(count), float(kg))
            for module_type, entry_type, code, count, kg in rows
        ]
