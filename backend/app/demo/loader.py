"""Load the demo dataset: factors of each year, units, reports, entries, emissions, stats.

Idempotent: when demo units exist it changes nothing and reports what is there, unless asked
to reset, which drops the demo units (reports, modules, entries and emissions go with them)
and builds them again. Entries are written with one executemany per batch; emissions and
stats come from the same services a recalculation uses.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.demo import factors as demo_factors
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
from app.demo.store import DemoStore, TypeYearTotals
from app.domain.ingestion import DataEntrySource
from app.domain.modules import DataEntryTypeEnum, ModuleTypeEnum, module_of
from app.repositories.carbon_report_repo import CarbonReportRepository

Progress = Callable[[str], None]
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
    session_factory: async_sessionmaker[AsyncSession],
    options: DemoOptions,
    progress: Progress = _quiet,
) -> DemoSummary:
    """Build the demo (or report the one that is there). The schema must be migrated."""
    if not 1 <= options.units <= MAX_UNITS:
        raise ValueError(f"--units must be between 1 and {MAX_UNITS}")
    years = sorted(set(options.years))
    async with session_factory() as session:
        store = DemoStore(session)
        existing = await store.map_unit_ids(demo_unit_codes())
        if existing and not options.reset:
            return await _summary(store, list(existing.values()), created=False)
        if existing:
            progress(f"Dropping {len(existing)} demo units and their reports")
            await store.delete_units(existing.values())
            await session.commit()

    notes: list[str] = []
    choices: dict[int, DemoChoices] = {}
    for year in years:
        progress(f"Importing the shipped factor files of {year}")
        async with session_factory() as session:
            imported = await demo_factors.import_year(session, year)
            await session.commit()
        choices[year] = DemoChoices.from_factors(imported.records)
        notes.extend(imported.notes)

    progress(f"Creating {options.units} units and their reports")
    async with session_factory() as session:
        store = DemoStore(session)
        units = generate_units(options.units, options.seed)
        unit_ids = await store.insert_units(units)
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
                            "source": int(DataEntrySource.csv),
                            "created_at": now,
                            "updated_at": now,
                        }
                    )
                    if len(batch) >= _ENTRY_BATCH:
                        await store.insert_entries(batch)
                        batch = []
            await store.insert_entries(batch)
        await session.commit()

    for year in years:
        progress(f"Computing the emissions of {year}")
        errors = await demo_factors.compute_year(session_factory, year, progress)
        if errors:
            notes.append(f"{errors} entries of {year} have no emissions (entry errors)")

    async with session_factory() as session:
        summary = await _summary(DemoStore(session), list(unit_ids.values()), created=True)
    return DemoSummary(summary.created, summary.units, summary.years, summary.rows, notes)


async def _summary(store: DemoStore, unit_ids: Sequence[int], *, created: bool) -> DemoSummary:
    years = await store.report_years(unit_ids)
    found = {
        (r.data_entry_type_id, r.year): r for r in await store.totals_by_type_and_year(unit_ids)
    }
    rows = [
        found.get((int(t), year), TypeYearTotals(int(t), year, 0, 0, 0.0))
        for year in years
        for t in sorted(DataEntryTypeEnum)
    ]
    return DemoSummary(created=created, units=len(unit_ids), years=years, rows=rows)
