"""The recalculation status of a year, for every caller: the API and the CLI (per module, with
the data entry types nested), the job-creation service (a module's stale types) and the
factor service (the stale pairs with the report modules a recalculation would rewrite).

The staleness rule itself is pure (app.domain.recalculation_status); this service reads its
inputs with two queries and shapes the answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.modules import MODULE_TYPE_TO_DATA_ENTRY_TYPES, DataEntryTypeEnum, ModuleTypeEnum
from app.domain.recalculation_status import RecalculationStatusRow, status_rows
from app.repositories.data_entry_repo import DataEntryRepository
from app.repositories.recalculation_status_repo import RecalculationStatusRepository
from app.schemas.recalculation_status import ModuleRecalculationStatus, RecalculationStatus


@dataclass(frozen=True, slots=True)
class StaleScope:
    """A (module, data entry type) whose emissions are older than its factors, and the
    carbon report modules (ids) holding its entries for the year: what a recalculation
    of it rewrites."""

    module_type_id: int
    data_entry_type_id: int
    carbon_report_module_ids: list[int]


def group_by_module(rows: Sequence[RecalculationStatusRow]) -> list[ModuleRecalculationStatus]:
    """Flat rows, one entry per module (in row order); a module needs recalculation when any
    of its types does."""
    modules: dict[int, list[RecalculationStatus]] = {}
    for row in rows:
        modules.setdefault(row.module_type_id, []).append(RecalculationStatus.model_validate(row))
    return [
        ModuleRecalculationStatus(
            module_type_id=module_type_id,
            year=types[0].year,
            needs_recalculation=any(t.needs_recalculation for t in types),
            data_entry_types=types,
        )
        for module_type_id, types in modules.items()
    ]


def stale_types_of_module(
    rows: Sequence[RecalculationStatusRow], module_type: ModuleTypeEnum
) -> tuple[DataEntryTypeEnum, ...]:
    """The module's types that need recalculation, in module order."""
    stale = {
        row.data_entry_type_id
        for row in rows
        if row.module_type_id == module_type and row.needs_recalculation
    }
    return tuple(t for t in MODULE_TYPE_TO_DATA_ENTRY_TYPES[module_type] if t in stale)


class RecalculationStatusService:
    def __init__(self, session: AsyncSession) -> None:
        self.queries = RecalculationStatusRepository(session)
        self.entries = DataEntryRepository(session)

    async def rows(self, year: int) -> list[RecalculationStatusRow]:
        """A row per (module, type) with a FINISHED, non-ERROR factor import in `year`."""
        return status_rows(year, await self.queries.read_year(year))

    async def by_module(self, year: int) -> list[ModuleRecalculationStatus]:
        """The answer of GET /sync/recalculation-status; [] without any factor import."""
        return group_by_module(await self.rows(year))

    async def stale_types(
        self, module_type: ModuleTypeEnum, year: int
    ) -> tuple[DataEntryTypeEnum, ...]:
        """The module's types whose emissions are older than their factors, in module order."""
        return stale_types_of_module(await self.rows(year), module_type)

    async def stale_scopes(self, year: int) -> list[StaleScope]:
        """The stale pairs of `year` with the carbon report modules they touch; two status
        queries and one entry query."""
        return await self.stale_scopes_of(await self.rows(year), year)

    async def stale_scopes_of(
        self, rows: Sequence[RecalculationStatusRow], year: int
    ) -> list[StaleScope]:
        """The stale pairs among `rows` (of `year`) with their carbon report modules."""
        stale = [row for row in rows if row.needs_recalculation]
        modules = await self.entries.map_module_ids_by_data_entry_type(
            [row.data_entry_type_id for row in stale], year
        )
        return [
            StaleScope(
                module_type_id=row.module_type_id,
                data_entry_type_id=row.data_entry_type_id,
                carbon_report_module_ids=modules.get(row.data_entry_type_id, []),
            )
            for row in stale
        ]
