"""The benchmark's dataset: shipped factors, units with their reports, and N entries of one type.

Entries reuse a few thousand data dicts drawn by the demo generator (overrides included),
spread round-robin over the units' modules, and are inserted in chunks, so seeding a million
entries never holds them all in memory.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from app.db import create_session_factory
from app.demo.generator import DemoChoices, generate_entries, generate_units
from app.demo.jobs import DemoJobs
from app.domain.ingestion import DataEntrySource
from app.domain.modules import DataEntryTypeEnum, module_of
from app.models.base import utcnow
from app.repositories.carbon_report_repo import CarbonReportRepository
from app.repositories.data_entry_import_repo import DataEntryImportRepository
from app.repositories.unit_repo import UnitRepository

YEAR = 2025
UNITS = 300
TEMPLATES = 3_000
CHUNK = 10_000


def _templates(
    entry_type: DataEntryTypeEnum, choices: DemoChoices, count: int
) -> list[dict[str, Any]]:
    """The first `count` data dicts of the type, as the demo generator draws them."""
    found: list[dict[str, Any]] = []
    for unit in generate_units(5_000):
        found += [
            e.data
            for e in generate_entries(unit, YEAR, choices)
            if e.data_entry_type_id == entry_type
        ]
        if len(found) >= count:
            break
    return found[:count]


async def import_factors(engine: AsyncEngine) -> DemoChoices:
    """The shipped factors of YEAR (the demo's factor import jobs) and UNITS units with their
    reports; returns the generator's choices from the stored factors."""
    async with DemoJobs(engine, lambda _: None) as jobs:
        await jobs.import_factor_files(YEAR)
        choices = DemoChoices.from_factors(await jobs.stored_factors(YEAR))
    async with create_session_factory(engine)() as session:
        units = UnitRepository(session)
        await units.insert_many([u.unit_row() for u in generate_units(UNITS)])
        unit_ids = await units.map_ids_by_institutional_codes(
            [u.institutional_code for u in generate_units(UNITS)]
        )
        await CarbonReportRepository(session).ensure_reports(unit_ids.values(), YEAR)
        await session.commit()
    return choices


async def seed_entries(
    engine: AsyncEngine, entry_type: DataEntryTypeEnum, entries: int, choices: DemoChoices
) -> None:
    """`entries` entries of the type, spread over the units' modules of that type."""
    # Fewer entries than templates use only the first ones (a --quick run: 1,000 entries),
    # and drawing the rest took seconds for a rare type such as process_emissions.
    templates = _templates(entry_type, choices, min(TEMPLATES, entries))
    async with create_session_factory(engine)() as session:
        unit_ids = await UnitRepository(session).map_ids_by_institutional_codes(
            [u.institutional_code for u in generate_units(UNITS)]
        )
        modules = await CarbonReportRepository(session).map_module_ids(
            unit_ids.values(), YEAR, int(module_of(entry_type))
        )
        rows = _rows(entry_type, list(modules.values()), templates, entries)
        while chunk := list(itertools.islice(rows, CHUNK)):
            await DataEntryImportRepository(session).insert_many(chunk)
            await session.commit()


def _rows(
    entry_type: DataEntryTypeEnum,
    module_ids: list[int],
    templates: list[dict[str, Any]],
    entries: int,
) -> Iterator[dict[str, Any]]:
    now = utcnow()
    pairs = zip(itertools.cycle(module_ids), itertools.cycle(templates), strict=False)
    for module_id, data in itertools.islice(pairs, entries):
        yield {
            "carbon_report_module_id": module_id,
            "data_entry_type_id": int(entry_type),
            "data": data,
            "source": int(DataEntrySource.csv),
            "created_at": now,
            "updated_at": now,
        }
