"""Factors as the calculators see them: a FactorIndex built from stored rows."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.modules import MODULE_TYPE_TO_DATA_ENTRY_TYPES, DataEntryTypeEnum, ModuleTypeEnum
from app.emissions import FactorIndex, FactorRecord
from app.models import Factor
from app.repositories.factor_repo import FactorRepository
from app.services.recalculation_status_service import RecalculationStatusService, StaleScope


def to_record(factor: Factor) -> FactorRecord:
    return FactorRecord(
        data_entry_type_id=factor.data_entry_type_id,
        year=factor.year,
        classification=factor.classification,
        values=factor.values,
        id=factor.id,
        revision=factor.revision,
    )


class FactorService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.factors = FactorRepository(session)

    async def get_index(self, data_entry_type_id: int, year: int) -> FactorIndex:
        """The factor index of one type and year, read in one query."""
        return await self.get_index_for_types([data_entry_type_id], year)

    async def get_index_for_types(
        self, data_entry_type_ids: Collection[int], year: int
    ) -> FactorIndex:
        """One index over several types of a year (a module recalculation builds one)."""
        factors = await self.factors.list_by_data_entry_types_and_year(data_entry_type_ids, year)
        return FactorIndex.build(to_record(factor) for factor in factors)

    # --- read API (GET /factors)

    async def list_page(
        self,
        year: int,
        *,
        module_type: ModuleTypeEnum | None = None,
        data_entry_type: DataEntryTypeEnum | None = None,
        limit: int,
        offset: int,
    ) -> tuple[list[Factor], int]:
        """The year's factors, of one type, or of every type of a module, when given."""
        type_ids: list[int] | None = None
        if data_entry_type is not None:
            type_ids = [data_entry_type.value]
        elif module_type is not None:
            type_ids = [t.value for t in MODULE_TYPE_TO_DATA_ENTRY_TYPES[module_type]]
        return await self.factors.list_page(
            year, data_entry_type_ids=type_ids, limit=limit, offset=offset
        )

    # --- recalculation status

    async def find_modules_for_recalculation(self, year: int) -> list[StaleScope]:
        """The (module, type) pairs of `year` that need recalculation, with the carbon report
        modules they touch (the plan's name for RecalculationStatusService.stale_scopes)."""
        return await RecalculationStatusService(self.session).stale_scopes(year)
