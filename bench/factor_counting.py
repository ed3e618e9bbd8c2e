"""What a changing factor import pays to count the entries it affects, against a
recalculation of the same entries.

On each database: a fresh migrated database, the shipped 2025 factors, 300 demo units, and
--entries entries of one type (recalc_dataset), their emission rows written once by a
recalculation. Then, each timed in its own transaction and rolled back:
`EntryFactorCountingService.recount` of the type (every entry computed with the factors and
compared with its stored factor versions; what a factor import adds when it changed
something) and the recalculation workflow's run of the type (the baseline).

    uv run python bench/factor_counting.py [--entries 100000] [--type process_emissions]
        [--db sqlite --db postgresql] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import Any

from recalc_dataset import YEAR, import_factors, seed_entries
from rich.console import Console
from rich.table import Table
from scratch_db import scratch_database
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import create_engine
from app.db_migrations import upgrade_async
from app.domain.modules import DataEntryTypeEnum, module_of
from app.services.entry_factor_counting import EntryFactorCountingService
from app.workflows.emission_recalculation import EmissionRecalculationWorkflow, RecalculationScope


async def _timed(engine: Any, work: Any) -> float:
    """`work(session)` on one connection (as a job's data session: the recalculation's TEMP
    staging tables live on it), rolled back."""
    async with (
        engine.connect() as connection,
        AsyncSession(bind=connection, expire_on_commit=False) as session,
    ):
        started = time.perf_counter()
        await work(session)
        elapsed = time.perf_counter() - started
        await session.rollback()
    return elapsed


async def _measure(url: str, entry_type: DataEntryTypeEnum, entries: int) -> dict[str, Any]:
    await upgrade_async(url)
    engine = create_engine(url)
    type_id = int(entry_type)
    scope = RecalculationScope(int(module_of(entry_type)), (type_id,), YEAR)
    try:
        choices = await import_factors(engine)
        await seed_entries(engine, entry_type, entries, choices)
        async with (
            engine.connect() as connection,
            AsyncSession(bind=connection, expire_on_commit=False) as session,
        ):
            await EmissionRecalculationWorkflow(session).run(scope)  # the stored rows
            await session.commit()

        async def recount(session: Any) -> None:
            counted = await EntryFactorCountingService(session).recount([type_id], YEAR)
            assert counted[type_id].entries == entries

        async def recalculate(session: Any) -> None:
            await EmissionRecalculationWorkflow(session).run(scope)

        counting = await _timed(engine, recount)
        recalculation = await _timed(engine, recalculate)
    finally:
        await engine.dispose()
    return {"counting s": counting, "recalculation s": recalculation}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--type", default="process_emissions")
    parser.add_argument("--db", action="append", choices=["sqlite", "postgresql"])
    parser.add_argument("--quick", action="store_true", help="CI: 1,000 entries")
    args = parser.parse_args()
    entries = 1_000 if args.quick else args.entries
    entry_type = DataEntryTypeEnum[args.type]
    table = Table(title=f"counting the entries a factor import affects, {entry_type.name}")
    for column in ("database", "entries", "counting s", "recalculation s", "x recalculation"):
        table.add_column(column, justify="left" if column == "database" else "right")
    for database in args.db or ["sqlite", "postgresql"]:
        with scratch_database(database) as url:
            figures = asyncio.run(_measure(url, entry_type, entries))
        table.add_row(
            database,
            f"{entries:,}",
            f"{figures['counting s']:.2f}",
            f"{figures['recalculation s']:.2f}",
            f"{figures['counting s'] / figures['recalculation s']:.2f}",
        )
    Console(width=120).print(table)


if __name__ == "__main__":
    main()
