"""Recalculate the stored emissions of one data entry type and year, batch by batch.

Two phases on the job's data session (one connection for the whole job):

1. Staging: entries are read in keyset batches, computed in a pure loop against a factor
   index built once per run, and written with the revision they had to TEMP tables. Progress
   is reported after each batch. Nothing of the main database is written, and memory stays
   flat whatever the number of entries.
2. Swap, set-based, in the caller's single transaction: the emission rows of the staged
   entries still at their staged revision are replaced, then the stats of the touched modules
   and of their reports are refreshed. Entries edited meanwhile are skipped
   (`skipped_changed`): the edit recomputed them with the same factors, since no factor
   import can commit while the recalculation holds its scope lock.

The workflow never commits, with one documented exception on SQLite (see
`RecalculationStagingRepository.commit_staged_on_sqlite` and `begin_swap`): staged TEMP rows
are committed per batch, and the swap opens the write transaction with `BEGIN IMMEDIATE`.

A calculator raising `EntryError` is an entry error (counted, the first 100 listed, the
entry ends with no emission rows); anything else a calculator raises propagates and fails the
type (amendment 6).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.emissions import FactorIndex
from app.models.base import utcnow
from app.repositories.data_entry_repo import DataEntryRepository, EntryRow
from app.repositories.recalculation_staging_repo import RecalculationStagingRepository
from app.repositories.sync_scope_repo import ScopeLockRepository
from app.services.carbon_report_module_service import CarbonReportModuleService
from app.services.data_entry_emission_service import compute_batch
from app.services.data_entry_service import MAX_ABS_KG_PER_ROW
from app.services.factor_service import FactorService

BATCH_SIZE = 2_000
MAX_ERROR_DETAILS = 100


class RecalculationListener:
    """Hooks a run calls as it goes; the defaults do nothing.

    The task publishes them as job progress. `writing` is called before the swap's write
    transaction starts: on SQLite a progress commit inside it would wait for ourselves.
    """

    async def found(self, data_entry_type_id: int, total: int) -> None:
        return None

    async def computed(self, data_entry_type_id: int, done: int, total: int) -> None:
        return None

    async def writing(self) -> None:
        return None


@dataclass(slots=True)
class StagedType:
    """What the staging of one type saw: entries read and computed (errors are counted at
    the swap, among the entries actually written)."""

    data_entry_type_id: int
    year: int
    total: int
    staged: int = 0


@dataclass(slots=True)
class TypeStats:
    recalculated: int = 0
    modules_refreshed: int = 0
    errors: int = 0
    error_details: list[dict[str, Any]] = field(default_factory=list)
    skipped_changed: int = 0
    rows_written: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "recalculated": self.recalculated,
            "modules_refreshed": self.modules_refreshed,
            "errors": self.errors,
            "error_details": self.error_details,
            "skipped_changed": self.skipped_changed,
            "rows_written": self.rows_written,
        }


def _implausible(kg: float) -> bool:
    return not math.isfinite(kg) or abs(kg) > MAX_ABS_KG_PER_ROW


def _implausible_reason(kg: float) -> str:
    # Same rule and words as a single-entry write (DataEntryService).
    return (
        f"the computed emissions ({kg:g} kg CO2e) exceed the plausible "
        f"bound of {MAX_ABS_KG_PER_ROW:g} kg per row; check the entry's numbers"
    )


class EmissionRecalculationWorkflow:
    def __init__(
        self,
        data_session: AsyncSession,
        *,
        batch_size: int | None = None,
        listener: RecalculationListener | None = None,
    ) -> None:
        self.session = data_session
        self.batch_size = batch_size or BATCH_SIZE
        self.listener = listener or RecalculationListener()
        self.entries = DataEntryRepository(data_session)
        self.staging = RecalculationStagingRepository(data_session)

    async def recalculate_for_data_entry_type(
        self, data_entry_type_id: int, year: int
    ) -> dict[str, Any]:
        """Recalculate one type and year; returns {recalculated, modules_refreshed, errors,
        error_details, skipped_changed, rows_written}. The caller commits."""
        total = await self.count(data_entry_type_id, year)
        await self.listener.found(data_entry_type_id, total)
        if total == 0:
            return TypeStats().as_dict()
        await self.open()
        staged = await self.stage(data_entry_type_id, year, total=total)
        await self.begin_swap()
        stats = await self.swap(staged)
        await self.refresh_stats([data_entry_type_id])
        await self.close()
        return stats.as_dict()

    # --- the steps, for callers that run several types in one transaction (module jobs)

    async def read_factor_sequence(self, module_type_id: int, year: int) -> int:
        """The scope's factor sequence; read once the scope lock is held, it names exactly
        the factors this run computes with (no factor import can commit meanwhile)."""
        return await ScopeLockRepository(self.session).read_factor_sequence(module_type_id, year)

    async def count(self, data_entry_type_id: int, year: int) -> int:
        return await self.entries.count_by_data_entry_type_and_year(data_entry_type_id, year)

    async def build_index(self, data_entry_type_ids: Collection[int], year: int) -> FactorIndex:
        return await FactorService(self.session).get_index_for_types(data_entry_type_ids, year)

    async def open(self) -> None:
        """Create the staging tables (once per run, whatever the number of types)."""
        await self.staging.create()
        await self.staging.commit_staged_on_sqlite()

    async def close(self) -> None:
        """Drop the staging tables, inside the swap's transaction."""
        await self.staging.drop()

    async def stage(
        self,
        data_entry_type_id: int,
        year: int,
        *,
        total: int,
        index: FactorIndex | None = None,
    ) -> StagedType:
        """Compute the type's entries batch by batch into the staging tables."""
        if index is None:
            index = await self.build_index([data_entry_type_id], year)
        staged = StagedType(data_entry_type_id, year, total)
        computed_at = utcnow()
        async for batch in self.entries.iter_batches_by_data_entry_type_and_year(
            data_entry_type_id, year, self.batch_size
        ):
            entry_rows, emission_rows = _compute(batch, year, index, computed_at)
            await self.staging.stage(entry_rows, emission_rows)
            await self.staging.commit_staged_on_sqlite()
            staged.staged += len(batch)
            staged.total = max(staged.total, staged.staged)
            await self.listener.computed(data_entry_type_id, staged.staged, staged.total)
        return staged

    async def swap(self, staged: StagedType) -> TypeStats:
        """Replace the emission rows of the type's unchanged entries (inside the swap's
        transaction: call `staging.begin_swap()` first). Stats are refreshed separately."""
        type_id = staged.data_entry_type_id
        accepted, total = await self.staging.accept_unchanged(type_id)
        rows_written = await self.staging.replace_emissions(type_id)
        errors = await self.staging.count_accepted_errors(type_id)
        details = await self.staging.list_accepted_errors(type_id, MAX_ERROR_DETAILS)
        return TypeStats(
            recalculated=accepted - errors,
            modules_refreshed=len(await self.staging.list_module_ids([type_id])),
            errors=errors,
            error_details=[
                {"entry_id": entry_id, "reason": reason} for entry_id, reason in details
            ],
            skipped_changed=total - accepted,
            rows_written=rows_written,
        )

    async def begin_swap(self) -> None:
        """Announce the swap, then start its write transaction (no progress commit after)."""
        await self.listener.writing()
        await self.staging.begin_swap()

    async def refresh_stats(self, data_entry_type_ids: Collection[int]) -> int:
        """Rewrite the stats of the modules these types touched, and of their reports."""
        module_ids = await self.staging.list_module_ids(data_entry_type_ids)
        await CarbonReportModuleService(self.session).recompute_stats(module_ids)
        return len(module_ids)


def _compute(
    batch: Iterable[EntryRow], year: int, index: FactorIndex, computed_at: datetime
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Pure: staged entry rows and emission rows of one batch."""
    entries = list(batch)
    computed = compute_batch(entries, year, index, computed_at=computed_at, strict=True)
    reasons = {error.data_entry_id: error.message for error in computed.errors}
    rows_by_entry: dict[int, list[dict[str, Any]]] = {}
    for row in computed.rows:
        rows_by_entry.setdefault(row["data_entry_id"], []).append(row)
    emission_rows: list[dict[str, Any]] = []
    for entry_id, rows in rows_by_entry.items():
        too_big = next((row["kg_co2eq"] for row in rows if _implausible(row["kg_co2eq"])), None)
        if too_big is not None:
            reasons[entry_id] = _implausible_reason(too_big)
        else:
            emission_rows.extend(rows)
    entry_rows = [
        {
            "entry_id": entry.id,
            "data_entry_type_id": entry.data_entry_type_id,
            "carbon_report_module_id": entry.carbon_report_module_id,
            "revision": entry.revision,
            "error": reasons.get(entry.id),
        }
        for entry in entries
    ]
    return entry_rows, emission_rows
