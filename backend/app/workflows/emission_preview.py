"""Preview a recalculation: what it would change, computed exactly as it would, written nowhere.

A preview run covers the same scope as a recalculation (some types of a module and year),
counts the entries the same way, builds the same factor index from the current factors and
computes the same batches with the same function (`entry_batches`). Instead of staging the
rows it compares each entry's new rows with its stored ones (`preview_tally`).

It never takes the scope lock: it writes nothing a recalculation or an import could collide
with, so it neither waits for them nor holds them up. Each batch reads in its own short
transaction, ended right after: nothing pins an old snapshot for the whole run, and on SQLite
the job's final write on this connection starts from a fresh one. A recalculation that
commits meanwhile shows in the batches read after it.

A calculator bug fails that type's preview alone (its `failure`); the database going away
fails the run.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.modules import DataEntryTypeEnum
from app.emissions import FactorIndex
from app.repositories.carbon_report_repo import CarbonReportRepository, UnitRef
from app.repositories.data_entry_emission_repo import DataEntryEmissionRepository
from app.repositories.data_entry_repo import EntryRow
from app.repositories.sync_scope_repo import ScopeLockRepository
from app.services.factor_service import FactorService
from app.workflows.emission_recalculation import BATCH_SIZE, MAX_ERROR_DETAILS
from app.workflows.entry_batches import BatchedRun, CalculatorBug, Computed
from app.workflows.preview_tally import Tally, TypeTally, merged, top_modules
from app.workflows.recalculation_run import RecalculationListener, RecalculationScope

logger = logging.getLogger(__name__)

# Units listed as the largest changes, per type and for the module.
TOP_UNITS = 5


@dataclass(frozen=True, slots=True)
class TypePreview:
    """One type's tally, or the calculator bug that stopped its preview."""

    data_entry_type_id: int
    tally: TypeTally
    failure: Exception | None = None


@dataclass(frozen=True, slots=True)
class PreviewReport:
    module_type_id: int
    year: int
    # The scope's factor sequence when the preview started: a recalculation that reads the
    # same one computes with the same factors.
    factor_sequence: int
    types: tuple[TypePreview, ...]
    units: dict[int, UnitRef]

    @property
    def failures(self) -> list[TypePreview]:
        return [t for t in self.types if t.failure is not None]

    @property
    def total(self) -> Tally:
        return merged(t.tally.total() for t in self.types)

    def as_meta(self) -> dict[str, Any]:
        """The job's `meta.preview`: the module's figures and largest changes, then per type
        its figures, largest changes and first entries that would newly fail."""
        return {
            "module_type_id": self.module_type_id,
            "year": self.year,
            "factor_sequence": self.factor_sequence,
            **self.total.figures(),
            "top_units": self._units(_by_module(self.types)),
            "types": [self._type_meta(t) for t in self.types],
        }

    def _type_meta(self, preview: TypePreview) -> dict[str, Any]:
        type_id = preview.data_entry_type_id
        named = {"data_entry_type_id": type_id, "data_entry_type": DataEntryTypeEnum(type_id).name}
        if preview.failure is not None:
            failure = preview.failure
            return {**named, "failed": True, "reason": f"{type(failure).__name__}: {failure}"}
        tally = preview.tally
        return {
            **named,
            "failed": False,
            **tally.total().figures(),
            "top_units": self._units(tally.by_module),
            "newly_failing_details": [
                {
                    "entry_id": failing.entry_id,
                    **self._unit(failing.carbon_report_module_id),
                    "reason": failing.reason,
                }
                for failing in tally.newly_failing
            ],
        }

    def _units(self, by_module: dict[int, Tally]) -> list[dict[str, Any]]:
        return [
            {**self._unit(module_id), **tally.figures()}
            for module_id, tally in top_modules(by_module, TOP_UNITS)
        ]

    def _unit(self, module_id: int) -> dict[str, Any]:
        unit = self.units[module_id]
        return {
            "unit_id": unit.unit_id,
            "institutional_code": unit.institutional_code,
            "unit_name": unit.name,
        }


class EmissionPreviewWorkflow(BatchedRun):
    def __init__(
        self,
        data_session: AsyncSession,
        *,
        batch_size: int | None = None,
        listener: RecalculationListener | None = None,
    ) -> None:
        super().__init__(data_session, batch_size or BATCH_SIZE, listener)
        self.emissions = DataEntryEmissionRepository(data_session)

    async def run(self, scope: RecalculationScope) -> PreviewReport:
        """Preview the scope's types; writes nothing and ends with no transaction open."""
        factor_sequence = await ScopeLockRepository(self.session).read_factor_sequence(
            scope.module_type_id, scope.year
        )
        totals = await self.count_entries(scope)
        with_entries = [type_id for type_id, total in totals.items() if total]
        index = (
            await FactorService(self.session).get_index_for_types(with_entries, scope.year)
            if with_entries
            else None
        )
        await self.session.rollback()
        await self.listener.found(totals)
        previews: list[TypePreview] = []
        for position, (type_id, total) in enumerate(totals.items(), start=1):
            await self.listener.started(type_id, position, total)
            tally = TypeTally(type_id, MAX_ERROR_DETAILS)
            if index is not None and total:
                try:
                    await self._tally(type_id, scope.year, total, index, tally)
                except CalculatorBug as bug:
                    logger.error("preview of type %s failed", type_id, exc_info=bug.cause)
                    await self.session.rollback()
                    previews.append(TypePreview(type_id, TypeTally(type_id, 0), bug.cause))
                    continue
            previews.append(TypePreview(type_id, tally))
        units = await CarbonReportRepository(self.session).map_units_of_modules(
            _listed_modules(previews)
        )
        await self.session.rollback()
        return PreviewReport(
            scope.module_type_id, scope.year, factor_sequence, tuple(previews), units
        )

    async def _tally(
        self, type_id: int, year: int, total: int, index: FactorIndex, tally: TypeTally
    ) -> None:
        async def compare(batch: list[EntryRow], computed: list[Computed]) -> None:
            stored = await self.emissions.map_kg_by_data_entry_ids([entry.id for entry in batch])
            await self.session.rollback()
            tally.add(batch, computed, stored)

        await self.compute(type_id, year, total, index, compare)


def _by_module(previews: Iterable[TypePreview]) -> dict[int, Tally]:
    """The module-wide tally of each carbon report module (unit), over the types (a failed
    type's tally is empty)."""
    by_module: dict[int, Tally] = {}
    for preview in previews:
        for module_id, tally in preview.tally.by_module.items():
            by_module.setdefault(module_id, Tally()).merge(tally)
    return by_module


def _listed_modules(previews: list[TypePreview]) -> set[int]:
    """The modules the report names: the module's and each type's largest changes, and the
    entries listed as newly failing."""
    listed = {module_id for module_id, _ in top_modules(_by_module(previews), TOP_UNITS)}
    for preview in previews:
        listed.update(module_id for module_id, _ in top_modules(preview.tally.by_module, TOP_UNITS))
        listed.update(f.carbon_report_module_id for f in preview.tally.newly_failing)
    return listed
