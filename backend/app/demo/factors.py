"""The demo's two service steps: import a year's shipped factor files, compute emissions.

Factor files are read with the emission engine's loader and stored with the factor
repository's upsert. Emissions are computed with the services a recalculation uses, type by
type over keyset batches of entries with one factor index per year; then module and report
stats are rebuilt from the stored rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app import paths
from app.domain.modules import DataEntryTypeEnum, parse_data_entry_type
from app.emissions import FactorRecord
from app.emissions.factor_files import load_factor_file
from app.repositories.data_entry_repo import DataEntryRepository
from app.repositories.factor_repo import FactorRepository
from app.services.carbon_report_module_service import CarbonReportModuleService
from app.services.data_entry_emission_service import DataEntryEmissionService
from app.services.factor_service import FactorService

_BATCH = 2_000
ALL_TYPES = [int(t) for t in DataEntryTypeEnum]


@dataclass(frozen=True, slots=True)
class ImportedFactors:
    records: list[FactorRecord]
    notes: list[str] = field(default_factory=list)


async def import_year(session: AsyncSession, year: int) -> ImportedFactors:
    """Upsert every shipped factor file of `year`; return the year's stored factors."""
    notes: list[str] = []
    folder = paths.factors_dir(year)
    files = sorted(folder.glob("*.csv")) if folder.is_dir() else []
    if not files:
        notes.append(f"no shipped factor files for {year} in {folder}")
    repo = FactorRepository(session)
    for path in files:
        data_entry_type = parse_data_entry_type(path.stem)
        loaded = load_factor_file(path, int(data_entry_type), year)
        if loaded.rejected:
            first = loaded.rejected[0]
            notes.append(
                f"{path.name}: {len(loaded.rejected)} rows rejected "
                f"(line {first.line}: {first.reason})"
            )
        if loaded.records:
            await repo.upsert(
                year,
                loaded.records,
                data_entry_type_ids=[int(data_entry_type)],
                remove_missing=not loaded.rejected,
            )
    stored = await repo.list_by_data_entry_types_and_year(ALL_TYPES, year)
    records = [
        FactorRecord(f.data_entry_type_id, f.year, f.classification, f.values, f.id) for f in stored
    ]
    return ImportedFactors(records, notes)


async def compute_year(
    session_factory: async_sessionmaker[AsyncSession],
    year: int,
    progress: Callable[[str], None],
) -> int:
    """(Re)compute the emission rows of every entry of `year`, then the stats, in one commit.

    Returns the number of entries in error (they end with no emission rows).
    """
    async with session_factory() as session:
        index = await FactorService(session).get_index_for_types(ALL_TYPES, year)
        entries = DataEntryRepository(session)
        emissions = DataEntryEmissionService(session)
        touched_modules: set[int] = set()
        errors = 0
        for data_entry_type in DataEntryTypeEnum:
            progress(f"Computing {data_entry_type.name} emissions of {year}")
            async for batch in entries.iter_batches_by_data_entry_type_and_year(
                int(data_entry_type), year, _BATCH
            ):
                touched_modules.update(entry.carbon_report_module_id for entry in batch)
                _, failed = await emissions.replace_for_entries(batch, year, index)
                errors += len(failed)
        progress(f"Recomputing the module and report stats of {year}")
        await CarbonReportModuleService(session).recompute_stats(touched_modules)
        await session.commit()
    return errors
