"""Load the demo dataset: factors of each year, units, reports, entries, emissions, stats.

Idempotent: when demo units exist it changes nothing and reports what is there, unless asked
to reset, which drops the demo units (reports, modules, entries and emissions go with them)
and builds them again. The shipped factor files are imported and the emissions computed by
the product's own jobs (`app.demo.jobs`: factor import jobs, then one module recalculation
job per module and year), so the job history and the recalculation status are those of an
installation whose operator imported the factors and recalculated: everything up to date.
The reset keeps the jobs of earlier runs: they describe factor imports and recalculations
that did happen (the factors are still there); the rebuild adds its own, which supersede them.
Entries are written set-based, one executemany per batch, with source csv.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.core.wording import count
from app.db import create_session_factory
from app.demo.generator import (
    DEFAULT_SEED,
    DEFAULT_UNITS,
    DEFAULT_YEARS,
    MAX_UNITS,
    DemoChoices,
    demo_unit_codes,
    generate_entries,
    generate_units,
)
from app.demo.jobs import DemoJobs, Progress
from app.domain.ingestion import DataEntrySource
from app.domain.modules import DataEntryTypeEnum, ModuleTypeEnum, module_of
from app.repositories.carbon_report_repo import CarbonReportRepository
from app.repositories.data_entry_emission_repo import DataEntryEmissionRepository, TypeYearTotals
from app.repositories.data_entry_import_repo import DataEntryImportRepository
from app.repositories.unit_repo import UnitRepository

_ENTRY_BATCH = 5_000


@dataclass(frozen=True, slots=True)
class DemoOptions:
    units: int = DEFAULT_UNITS
    years: tuple[int, ...] = DEFAULT_YEARS
    seed: int = DEFAULT_SEED
    reset: bool = False


@dataclass(frozen=True, slots=True)
class DemoSummary:
    created: bool
    units: int
    years: list[int]
    rows: list[TypeYearTotals]
    notes: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {
            "units": self.units,
            "years": self.years,
            "data_entry_types": [
                {
                    "data_entry_type_id": row.data_entry_type_id,
                    "year": row.year,
                    "entry_count": row.entry_count,
                    "emission_count": row.emission_count,
                    "total_kg_co2eq": row.total_kg_co2eq,
                }
                for row in self.rows
            ],
        }


def _quiet(_: str) -> None:
    return None


async def load_demo(
    engine: AsyncEngine, options: DemoOptions, progress: Progress = _quiet
) -> DemoSummary:
    """Build the demo (or report the one that is there). The schema must be migrated."""
    if not 1 <= options.units <= MAX_UNITS:
        raise ValueError(f"--units must be between 1 and {MAX_UNITS}")
    years = sorted(set(options.years))
    session_factory = create_session_factory(engine)
    async with session_factory() as session:
        existing = await UnitRepository(session).map_ids_by_institutional_codes(demo_unit_codes())
        if existing and not options.reset:
            return await _summary(session, list(existing.values()), created=False)
        if existing:
            progress(f"Dropping {count(len(existing), 'demo unit')} and the reports")
            # Reports first: the unit foreign key restricts; modules, entries and emissions
            # go with the reports by cascade.
            await CarbonReportRepository(session).delete_by_unit_ids(existing.values())
            await UnitRepository(session).delete_by_ids(existing.values())
            await session.commit()

    async with DemoJobs(engine, progress) as jobs:
        return await _build(session_factory, jobs, options, years, progress)


async def _build(
    session_factory: async_sessionmaker[AsyncSession],
    jobs: DemoJobs,
    options: DemoOptions,
    years: list[int],
    progress: Progress,
) -> DemoSummary:
    notes: list[str] = []
    choices: dict[int, DemoChoices] = {}
    for year in years:
        notes.extend(await jobs.import_factor_files(year))
        choices[year] = DemoChoices.from_factors(await jobs.stored_factors(year))

    progress(f"Creating {count(options.units, 'unit')} and the reports")
    async with session_factory() as session:
        units = generate_units(options.units, options.seed)
        unit_repo = UnitRepository(session)
        await unit_repo.insert_many([unit.unit_row() for unit in units])
        unit_ids = await unit_repo.map_ids_by_institutional_codes(
            [unit.institutional_code for unit in units]
        )
        entries = DataEntryImportRepository(session)
        reports = CarbonReportRepository(session)
        for year in years:
            await reports.ensure_reports(unit_ids.values(), year)
            module_ids = {
                module_type: await reports.map_module_ids(unit_ids.values(), year, module_type)
                for module_type in ModuleTypeEnum
            }
            progress(f"Writing the entries of {year}")
            now = datetime.now(UTC)
            batch: list[dict[str, object]] = []
            for unit in units:
                unit_id = unit_ids[unit.institutional_code]
                for entry in generate_entries(unit, year, choices[year], options.seed):
                    module_type = module_of(entry.data_entry_type_id)
                    batch.append(
                        {
                            "carbon_report_module_id": module_ids[module_type][unit_id],
                            "data_entry_type_id": entry.data_entry_type_id,
                            "data": entry.data,
                            "source": DataEntrySource.csv,
                            "created_at": now,
                            "updated_at": now,
                        }
                    )
                    if len(batch) >= _ENTRY_BATCH:
                        await entries.insert_many(batch)
                        batch = []
            await entries.insert_many(batch)
        await session.commit()

    for year in years:
        notes.extend(await jobs.recalculate(year))

    async with session_factory() as session:
        summary = await _summary(session, list(unit_ids.values()), created=True)
    return DemoSummary(summary.created, summary.units, summary.years, summary.rows, notes)


async def _summary(session: AsyncSession, unit_ids: Sequence[int], *, created: bool) -> DemoSummary:
    years = await CarbonReportRepository(session).list_years_of_units(unit_ids)
    totals = await DataEntryEmissionRepository(session).totals_by_data_entry_type_and_year(unit_ids)
    found = {(r.data_entry_type_id, r.year): r for r in totals}
    rows = [
        found.get((int(t), year), TypeYearTotals(int(t), year, 0, 0, 0.0))
        for year in years
        for t in sorted(DataEntryTypeEnum)
    ]
    return DemoSummary(created=created, units=len(unit_ids), years=years, rows=rows)
