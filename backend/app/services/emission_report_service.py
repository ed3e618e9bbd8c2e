"""`GET /reports/emissions`: totals per module, scope and data entry type of a year, summed
from the stored emission rows (never from the stats JSON), every module and type present."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.emission_types import scope_of
from app.domain.modules import MODULE_TYPE_TO_DATA_ENTRY_TYPES
from app.repositories.data_entry_emission_repo import DataEntryEmissionRepository
from app.repositories.data_entry_repo import DataEntryRepository
from app.schemas.reports import DataEntryTypeEmissions, EmissionsReport, ModuleEmissions
from app.services.unit_service import UnitService


def build_report(
    year: int,
    emission_sums: Iterable[tuple[int, int, int, int, float]],
    entry_counts: Iterable[tuple[int, int, int]],
) -> EmissionsReport:
    """Pure: the report from (module, type, emission code, rows, kg) sums and (module, type,
    entries) counts. Every module and type appears, with zeros when it has nothing."""
    kg: defaultdict[tuple[int, int], float] = defaultdict(float)
    rows: defaultdict[tuple[int, int], int] = defaultdict(int)
    scopes: defaultdict[tuple[int, int], float] = defaultdict(float)  # (module, scope)
    for module_type, entry_type, code, count, total in emission_sums:
        kg[(module_type, entry_type)] += total
        rows[(module_type, entry_type)] += count
        scope = scope_of(code)
        if scope is not None:
            scopes[(module_type, scope)] += total
    entries = {(module_type, entry_type): n for module_type, entry_type, n in entry_counts}

    modules = []
    for module_type, entry_types in sorted(MODULE_TYPE_TO_DATA_ENTRY_TYPES.items()):
        types = [
            DataEntryTypeEmissions(
                data_entry_type_id=entry_type.value,
                entry_count=entries.get((module_type, entry_type), 0),
                emission_count=rows[(module_type, entry_type)],
                total_kg_co2eq=kg[(module_type, entry_type)],
            )
            for entry_type in entry_types
        ]
        modules.append(
            ModuleEmissions(
                module_type_id=module_type.value,
                total_kg_co2eq=sum(t.total_kg_co2eq for t in types),
                scope1=scopes[(module_type, 1)],
                scope2=scopes[(module_type, 2)],
                scope3=scopes[(module_type, 3)],
                data_entry_types=types,
            )
        )
    return EmissionsReport(
        year=year, total_kg_co2eq=sum(m.total_kg_co2eq for m in modules), modules=modules
    )


class EmissionReportService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.emissions = DataEntryEmissionRepository(session)
        self.entries = DataEntryRepository(session)

    async def emissions_report(
        self, year: int, *, unit_institutional_code: str | None = None
    ) -> EmissionsReport:
        """The year's totals, of one unit when a code is given (NotFound for an unknown code)."""
        unit_id = None
        if unit_institutional_code is not None:
            unit_id = (await UnitService(self.session).get_by_code(unit_institutional_code)).id
        sums = await self.emissions.sum_by_module_type_data_entry_type_and_emission_type(
            year, unit_id=unit_id
        )
        counts = await self.entries.count_by_module_type_and_data_entry_type(year, unit_id=unit_id)
        return build_report(year, sums, counts)
