"""Recalculate the stored emissions of some data entry types of a module and year, batch by batch.

One run (`EmissionRecalculationWorkflow.run`) on the job's data session (one connection for
the whole job), whatever the number of types:

1. Staging, type after type: entries are read in keyset batches, computed in a pure loop
   against one factor index built for the run (`entry_batches`, which the preview shares),
   and written with the revision they had to TEMP
   tables. Progress is reported after each batch. Nothing of the main database is written,
   and memory stays flat whatever the number of entries.
2. Swap, set-based, in the caller's single transaction: for each type, in its own SAVEPOINT,
   the emission rows of the staged entries still at their staged revision are replaced; then
   the stats of the touched modules and of their reports are refreshed. Entries edited
   meanwhile are skipped (`skipped_changed`): the edit recomputed them with the same factors,
   since no factor import can commit while the recalculation holds its scope lock. Each type
   swapped gets its entry counts reset: no entry is affected any more (unresolvable entries
   stay counted: recalculating cannot match them).

An entry error (`compute_entry` returns one) is counted, the first 100 listed, and the entry
ends with no emission rows. Anything else a calculator raises, or a type's writes raise (a
constraint violation), fails that type alone: its savepoint is rolled back, it stays as it
was, and the report carries the cause. Losing the database connection fails the whole run.

The workflow never commits, with one documented exception on SQLite (see
`RecalculationStagingRepository.commit_staged_on_sqlite` and `begin_swap`): staged TEMP rows
are committed per batch, and the swap opens the write transaction with `BEGIN IMMEDIATE`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.db_errors import is_connection_lost
from app.domain.modules import DataEntryTypeEnum, module_of
from app.emissions import FactorIndex
from app.models.base import utcnow
from app.repositories.data_entry_repo import EntryRow
from app.repositories.entry_factor_count_repo import EntryFactorCountRepository
from app.repositories.recalculation_staging_repo import (
    RecalculationStagingRepository,
    staged_rows,
)
from app.repositories.sync_scope_repo import ScopeLockRepository
from app.services.carbon_report_module_service import CarbonReportModuleService
from app.services.factor_service import FactorService
from app.workflows.entry_batches import BatchedRun, CalculatorBug, Computed
from app.workflows.recalculation_run import (
    RecalculationListener,
    RecalculationReport,
    RecalculationScope,
    TypeReport,
)

__all__ = [
    "BATCH_SIZE",
    "MAX_ERROR_DETAILS",
    "EmissionRecalculationWorkflow",
    "RecalculationListener",
    "RecalculationReport",
    "RecalculationScope",
    "TypeReport",
]

logger = logging.getLogger(__name__)

BATCH_SIZE = 2_000
MAX_ERROR_DETAILS = 100
# Entries per part of a swap: a second or so of writes on the loaded 2-core machine (parts of
# 20,000 took 1.8 to 3.5 s on PostgreSQL at a load average of 11, 0.5 to 1.9 s on SQLite at
# 7 to 12; parts of 50,000 left 12.7 s between two progress events at 15).
SWAP_ENTRIES = 10_000


class _ListenerStopped(Exception):
    """What the listener raised during a swap (a cancellation, say), carried out of it."""

    def __init__(self, cause: Exception) -> None:
        super().__init__(str(cause))
        self.cause = cause


def _failed(type_id: int, error: Exception) -> TypeReport:
    """The type's failure, with its traceback in the log (the report keeps only the error)."""
    logger.error("recalculation of type %s failed", type_id, exc_info=error)
    return TypeReport(type_id, failure=error)


class EmissionRecalculationWorkflow(BatchedRun):
    def __init__(
        self,
        data_session: AsyncSession,
        *,
        batch_size: int | None = None,
        listener: RecalculationListener | None = None,
    ) -> None:
        super().__init__(data_session, batch_size or BATCH_SIZE, listener)
        self.staging = RecalculationStagingRepository(data_session)
        self.counts = EntryFactorCountRepository(data_session)

    async def recalculate_for_data_entry_type(
        self, data_entry_type_id: int, year: int
    ) -> dict[str, Any]:
        """Recalculate one type and year (a run of one type); returns {recalculated,
        modules_refreshed, errors, error_details, skipped_changed, rows_written} and raises
        what failed the type. The caller commits."""
        module_type = module_of(DataEntryTypeEnum(data_entry_type_id))
        report = await self.run(RecalculationScope(int(module_type), (data_entry_type_id,), year))
        (type_report,) = report.types
        if type_report.failure is not None:
            raise type_report.failure
        return type_report.figures()

    async def run(self, scope: RecalculationScope) -> RecalculationReport:
        """Recalculate the scope's types; the caller commits (the swap of every type that did
        not fail, and the refreshed stats, become visible together) and must hold the scope
        lock, so the factor sequence read here names the factors computed with."""
        factor_sequence = await ScopeLockRepository(self.session).read_factor_sequence(
            scope.module_type_id, scope.year
        )
        totals = await self.count_entries(scope)
        await self.listener.found(totals)
        reports = {type_id: TypeReport(type_id) for type_id in totals}
        with_entries = [type_id for type_id, total in totals.items() if total]
        index = await self._open(with_entries, scope.year) if with_entries else None
        staged: list[int] = []
        for position, (type_id, total) in enumerate(totals.items(), start=1):
            await self.listener.started(type_id, position, total)
            if index is None or not total:
                continue  # nothing to compute
            try:
                await self._stage(type_id, scope.year, total, index)
                staged.append(type_id)
            except CalculatorBug as bug:
                reports[type_id] = _failed(type_id, bug.cause)
        if staged:
            await self.listener.writing()
            await self.staging.begin_swap()
            for type_id in staged:
                reports[type_id] = await self._swap(type_id)
                if reports[type_id].failure is None:
                    await self.counts.mark_recalculated(type_id, scope.year, totals[type_id])
            await self._refresh_stats([t for t in staged if reports[t].failure is None])
        if with_entries:
            await self.staging.drop()
        return RecalculationReport(factor_sequence, tuple(reports.values()))

    async def _open(self, data_entry_type_ids: Collection[int], year: int) -> FactorIndex:
        """Create the staging tables and build the run's one factor index, for all its types."""
        await self.staging.create()
        await self.staging.commit_staged_on_sqlite()
        return await FactorService(self.session).get_index_for_types(data_entry_type_ids, year)

    async def _stage(self, type_id: int, year: int, total: int, index: FactorIndex) -> None:
        """Compute the type's entries batch by batch into the staging tables."""
        computed_at = utcnow()

        async def stage(batch: list[EntryRow], computed: list[Computed]) -> None:
            rows = await asyncio.to_thread(staged_rows, batch, computed, computed_at)
            await self.staging.stage(*rows)
            await self.staging.commit_staged_on_sqlite()

        await self.compute(type_id, year, total, index, stage)

    async def _swap(self, type_id: int) -> TypeReport:
        """Replace the emission rows of the type's unchanged entries, in a savepoint: a type
        whose writes fail is rolled back alone. In parts of SWAP_ENTRIES entries, all in this
        one transaction, with progress after each, so a long swap does not go silent (on
        SQLite the listener shows it without a commit: this transaction holds the write lock)."""
        try:
            async with self.session.begin_nested():
                total = await self.staging.count_staged(type_id)
                parts = await self.staging.split(type_id, SWAP_ENTRIES)
                accepted = rows_written = 0
                for position, part in enumerate(parts, start=1):
                    accepted += await self.staging.accept_unchanged(type_id, part)
                    rows_written += await self.staging.replace_emissions(type_id, part)
                    if len(parts) > 1:  # the last one too: the stats are written after it
                        await self._wrote(type_id, min(position * SWAP_ENTRIES, total), total)
                errors = await self.staging.count_accepted_errors(type_id)
                details = await self.staging.list_accepted_errors(type_id, MAX_ERROR_DETAILS)
                modules = await self.staging.list_module_ids([type_id])
        except _ListenerStopped as stopped:  # cancelled or taken over: the run stops here
            raise stopped.cause from None
        except Exception as error:
            if is_connection_lost(error):  # a database that is gone fails the run, not one type
                raise
            return _failed(type_id, error)
        return TypeReport(
            type_id,
            recalculated=accepted - errors,
            modules_refreshed=len(modules),
            errors=errors,
            error_details=[{"entry_id": entry_id, "reason": why} for entry_id, why in details],
            skipped_changed=total - accepted,
            rows_written=rows_written,
        )

    async def _wrote(self, type_id: int, done: int, total: int) -> None:
        """The listener hears how far the swap got; what it raises stops the run (it is no
        failure of the type's writes)."""
        try:
            await self.listener.wrote(type_id, done, total)
        except Exception as error:
            raise _ListenerStopped(error) from error

    async def _refresh_stats(self, data_entry_type_ids: Collection[int]) -> None:
        """Rewrite the stats of the modules these types touched, and of their reports."""
        module_ids = await self.staging.list_module_ids(data_entry_type_ids)
        await self.listener.refreshing(0, len(module_ids))
        await CarbonReportModuleService(self.session).recompute_stats(
            module_ids, on_part=self.listener.refreshing
        )
