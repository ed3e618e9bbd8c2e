"""Set-based writes of entry imports: many entries in one statement per chunk, ids returned.

Kept apart from DataEntryRepository (reads and per-entry work) so imports, the demo loader
and benchmarks share one bulk path, never one ORM object per row.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from sqlalchemy import Select, delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.ingestion import DataEntrySource
from app.models import CarbonReport, CarbonReportModule, DataEntry
from app.repositories.base import table_of

# Rows per INSERT ... RETURNING: the driver batches further (insertmanyvalues), this only
# bounds how much one call holds.
CHUNK = 10_000


def _modules_of_year(year: int) -> Select[int]:
    return (
        select(CarbonReportModule.id)
        .join(CarbonReport, CarbonReport.id == CarbonReportModule.carbon_report_id)
        .where(CarbonReport.year == year)
    )


class DataEntryImportRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def insert_returning_ids(self, rows: Sequence[Mapping[str, Any]]) -> list[int]:
        """Insert entries (keys: carbon_report_module_id, data_entry_type_id, data, source,
        ingestion_job_id, revision, created_at, updated_at); their ids, in the rows' order."""
        if not rows:
            return []
        table = table_of(DataEntry)
        statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        result = await self.session.execute(statement, list(rows))
        return [int(entry_id) for entry_id in result.scalars()]

    async def list_module_ids_by_source(
        self, source: DataEntrySource, data_entry_type_ids: Collection[int], year: int
    ) -> list[int]:
        """Modules of the year holding entries of these types created by `source`."""
        rows = await self.session.execute(
            select(DataEntry.carbon_report_module_id)
            .where(
                DataEntry.source == int(source),
                DataEntry.data_entry_type_id.in_(set(data_entry_type_ids)),
                DataEntry.carbon_report_module_id.in_(_modules_of_year(year)),
            )
            .distinct()
        )
        return sorted(rows.scalars())

    async def delete_by_source(
        self, source: DataEntrySource, data_entry_type_ids: Collection[int], year: int
    ) -> int:
        """Delete the year's entries of these types created by `source` (their emission rows
        go by cascade); returns how many entries went."""
        table = table_of(DataEntry)
        result = await self.session.execute(
            delete(table).where(
                table.c.source == int(source),
                table.c.data_entry_type_id.in_(set(data_entry_type_ids)),
                table.c.carbon_report_module_id.in_(_modules_of_year(year)),
            )
        )
        return max(int(getattr(result, "rowcount", 0) or 0), 0)
