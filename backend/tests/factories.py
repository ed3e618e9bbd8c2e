"""Domain objects with sensible defaults: `await create_entry(db, module=module, data={...})`.

Every factory adds to the session and flushes (ids are set), never commits.
"""

from __future__ import annotations

import itertools
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.ingestion import (
    DataEntrySource,
    EntityType,
    IngestionMethod,
    IngestionState,
    TargetType,
)
from app.domain.modules import DataEntryTypeEnum, ModuleTypeEnum, module_of
from app.emissions.factor_diff import classification_key
from app.models import (
    CarbonReport,
    CarbonReportModule,
    DataEntry,
    DataEntryEmission,
    DataIngestionJob,
    Factor,
    Unit,
)
from app.repositories.carbon_report_repo import CarbonReportRepository

_codes = itertools.count(10_000)

DEFAULT_YEAR = 2025


async def create_unit(session: AsyncSession, **overrides: Any) -> Unit:
    code = str(next(_codes))
    fields: dict[str, Any] = {
        "institutional_code": code,
        "name": f"Lab {code}",
        "label_fr": f"Laboratoire {code}",
        "label_en": f"Laboratory {code}",
        "is_active": True,
    }
    unit = Unit(**(fields | overrides))
    session.add(unit)
    await session.flush()
    return unit


async def create_report(
    session: AsyncSession, *, unit: Unit | None = None, year: int = DEFAULT_YEAR
) -> CarbonReport:
    """A report with its 8 modules loaded (`report.modules`)."""
    unit = unit or await create_unit(session)
    return await CarbonReportRepository(session).get_or_create(unit.id, year)


def module_of_report(report: CarbonReport, module_type: ModuleTypeEnum) -> CarbonReportModule:
    return next(m for m in report.modules if m.module_type_id == module_type)


async def create_module(
    session: AsyncSession,
    module_type: ModuleTypeEnum = ModuleTypeEnum.process_emissions,
    *,
    unit: Unit | None = None,
    year: int = DEFAULT_YEAR,
) -> CarbonReportModule:
    report = await create_report(session, unit=unit, year=year)
    return module_of_report(report, module_type)


async def create_entry(
    session: AsyncSession,
    *,
    module: CarbonReportModule | None = None,
    data_entry_type_id: int = DataEntryTypeEnum.process_emissions,
    data: dict[str, Any] | None = None,
    **overrides: Any,
) -> DataEntry:
    if module is None:
        module = await create_module(session, module_of(data_entry_type_id))
    entry = DataEntry(
        carbon_report_module_id=module.id,
        data_entry_type_id=int(data_entry_type_id),
        data=data if data is not None else {"category": "ch4", "quantity_kg": 10.0},
        source=overrides.pop("source", DataEntrySource.user),
        **overrides,
    )
    session.add(entry)
    await session.flush()
    return entry


async def create_factor(
    session: AsyncSession,
    *,
    data_entry_type_id: int = DataEntryTypeEnum.process_emissions,
    year: int = DEFAULT_YEAR,
    classification: dict[str, Any] | None = None,
    values: dict[str, Any] | None = None,
) -> Factor:
    classification = (
        classification if classification is not None else {"category": "ch4", "subcategory": None}
    )
    factor = Factor(
        data_entry_type_id=int(data_entry_type_id),
        year=year,
        classification=classification,
        classification_key=classification_key(classification),
        values=values if values is not None else {"gwp_kg_co2eq_per_kg": 28.0},
    )
    session.add(factor)
    await session.flush()
    return factor


async def create_emission(
    session: AsyncSession, *, entry: DataEntry, **overrides: Any
) -> DataEntryEmission:
    fields: dict[str, Any] = {"emission_type_id": 70100, "kg_co2eq": 1.0, "factor_id": None}
    emission = DataEntryEmission(data_entry_id=entry.id, **(fields | overrides))
    session.add(emission)
    await session.flush()
    return emission


async def create_outdated_process_entries(
    session: AsyncSession, quantities: list[float]
) -> list[int]:
    """A ch4 factor (GWP 28) and process-emission entries of one module, each with an outdated
    1 kg emission row: what a recalculation changes. Returns the entry ids."""
    await create_factor(session)
    module = await create_module(session)
    ids = []
    for quantity in quantities:
        entry = await create_entry(
            session, module=module, data={"category": "ch4", "quantity_kg": quantity}
        )
        await create_emission(session, entry=entry)
        ids.append(entry.id)
    return ids


async def create_facility_entries(session: AsyncSession) -> dict[int, list[int]]:
    """Module 6 of one unit: 2 research facility entries (use 10 and 30 h), 1 animal facility
    entry (5 h), each with an outdated 1 kg emission row; one factor per type (10 kg per h).
    Returns the entry ids by type."""
    module = await create_module(session, ModuleTypeEnum.research_facilities)
    facilities = DataEntryTypeEnum.research_facilities
    animals = DataEntryTypeEnum.mice_and_fish_animal_facilities
    ids: dict[int, list[int]] = {facilities: [], animals: []}
    for type_id, facility, uses in ((facilities, "F1", [10.0, 30.0]), (animals, "A1", [5.0])):
        await create_factor(
            session,
            data_entry_type_id=type_id,
            classification={"researchfacility_id": facility},
            values={"kg_co2eq_sum": 1000.0, "total_use": 100.0, "use_unit": "hours"},
        )
        for use in uses:
            entry = await create_entry(
                session,
                module=module,
                data_entry_type_id=type_id,
                data={"researchfacility_id": facility, "use": use, "use_unit": "hours"},
            )
            await create_emission(session, entry=entry, emission_type_id=100100, kg_co2eq=1)
            ids[type_id].append(entry.id)
    return ids


async def create_job(session: AsyncSession, **overrides: Any) -> DataIngestionJob:
    """A recalculation job of process emissions by default (module 8, type 50, 2025)."""
    fields: dict[str, Any] = {
        "module_type_id": int(ModuleTypeEnum.process_emissions),
        "data_entry_type_id": int(DataEntryTypeEnum.process_emissions),
        "year": DEFAULT_YEAR,
        "ingestion_method": IngestionMethod.computed,
        "target_type": TargetType.DATA_ENTRIES,
        "entity_type": EntityType.MODULE_PER_YEAR,
        "state": IngestionState.NOT_STARTED,
        "meta": {},
    }
    job = DataIngestionJob(**(fields | overrides))
    session.add(job)
    await session.flush()
    return job


# --- factor imports and recalculations (the job rows; the tasks run them)


async def create_factor_job(session: AsyncSession, **overrides: Any) -> DataIngestionJob:
    """A FACTORS csv import of process emissions (module 8, type 50, 2025), NOT_STARTED."""
    fields: dict[str, Any] = {
        "target_type": TargetType.FACTORS,
        "ingestion_method": IngestionMethod.csv,
    }
    return await create_job(session, **(fields | overrides))


async def create_recalculation_job(
    session: AsyncSession,
    data_entry_type: DataEntryTypeEnum = DataEntryTypeEnum.process_emissions,
    *,
    year: int = DEFAULT_YEAR,
    **overrides: Any,
) -> DataIngestionJob:
    """A NOT_STARTED single-type recalculation job."""
    return await create_job(
        session,
        module_type_id=int(module_of(data_entry_type)),
        data_entry_type_id=int(data_entry_type),
        year=year,
        **overrides,
    )


async def create_module_recalculation_job(
    session: AsyncSession,
    module_type: ModuleTypeEnum,
    data_entry_types: list[DataEntryTypeEnum],
    *,
    year: int = DEFAULT_YEAR,
    **overrides: Any,
) -> tuple[DataIngestionJob, dict[int, DataIngestionJob]]:
    """A NOT_STARTED module recalculation (type NULL, the covered types in `meta.config` as
    the job service writes them) and its per-type rows, by type id."""
    config = {"year": year, "data_entry_type_ids": [int(t) for t in data_entry_types]}
    parent = await create_job(
        session,
        module_type_id=int(module_type),
        data_entry_type_id=None,
        year=year,
        **({"meta": {"config": config}} | overrides),
    )
    children = {
        int(data_entry_type): await create_job(
            session,
            module_type_id=int(module_type),
            data_entry_type_id=int(data_entry_type),
            year=year,
            parent_job_id=parent.id,
            **overrides,
        )
        for data_entry_type in data_entry_types
    }
    return parent, children


async def create_unit_with_factors(session: AsyncSession, *, year: int = DEFAULT_YEAR) -> Unit:
    """A unit, and factors for two modules' simplest types: process emissions (ch4, 28 kg per
    kg) and AI assistants (openai chat, 4 g per request)."""
    unit = await create_unit(session)
    await create_factor(session, year=year)
    await create_factor(
        session,
        data_entry_type_id=DataEntryTypeEnum.external_ai,
        year=year,
        classification={"provider": "openai", "usage_type": "chat"},
        values={"ef_g_co2eq_per_request": 4.0},
    )
    return unit
