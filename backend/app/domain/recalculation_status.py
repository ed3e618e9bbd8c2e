"""Whether a (module, data entry type, year) needs recalculation: the staleness rule. Pure.

Staleness follows what changed, in commit order: every factor import that commits a change
(a factor inserted, updated or removed) bumps its scope's factor sequence, and a
recalculation records the sequence it read when it took the scope. A pair needs
recalculation unless one of its recalculations finished SUCCESS or WARNING having read a
sequence at least as high as the highest one its factor imports committed. A module-wide
factor import counts for every type of its module.

The job summaries below are what the status queries return (no job `meta` is read); the
rows are what the API, the CLI and the job-creation service see.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from app.domain.ingestion import IngestionResult, IngestionState
from app.domain.modules import MODULE_TYPE_TO_DATA_ENTRY_TYPES, ModuleTypeEnum


@dataclass(frozen=True, slots=True)
class FactorImportSummary:
    """The factor import that committed last in a (module, type) scope of a year; type None
    is a module-wide import."""

    module_type_id: int
    data_entry_type_id: int | None
    job_id: int
    result: IngestionResult
    finished_at: datetime | None
    rows_done: int | None
    rows_total: int | None
    factor_sequence: int | None


@dataclass(frozen=True, slots=True)
class RecalculationSummary:
    """The recalculations of one (module, type) of a year, a module job's per-type rows
    included."""

    module_type_id: int
    data_entry_type_id: int
    last_job_id: int
    last_state: IngestionState
    last_result: IngestionResult | None
    last_finished_at: datetime | None
    # The highest factor sequence a SUCCESS or WARNING recalculation read, if any did.
    best_factor_sequence: int | None
    # The active recalculation to follow (a module job's id for its per-type rows), if any.
    active_job_id: int | None


@dataclass(frozen=True, slots=True)
class FactorChange:
    """A factor import of the year that changed factors (it committed a sequence): a reason
    for the types it covers (every type of its module when module-wide) to be stale."""

    job_id: int
    module_type_id: int
    data_entry_type_id: int | None
    factor_sequence: int
    finished_at: datetime | None
    requested_by: str | None
    file_name: str | None
    inserted: int
    updated: int
    removed: int


@dataclass(frozen=True, slots=True)
class EntryCounts:
    """One type's entries, and how many of them the factors leave out of date (a
    recalculation changes them) or match no usable factor (it cannot); None: not counted
    yet."""

    entries: int
    affected: int | None
    unresolvable: int | None
    counted_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class EntryCountChange:
    """How a write moves one type's counts: what it added minus what it removed."""

    entries: int = 0
    affected: int = 0
    unresolvable: int = 0

    def __add__(self, other: EntryCountChange) -> EntryCountChange:
        return EntryCountChange(
            self.entries + other.entries,
            self.affected + other.affected,
            self.unresolvable + other.unresolvable,
        )

    def __neg__(self) -> EntryCountChange:
        return EntryCountChange(-self.entries, -self.affected, -self.unresolvable)


@dataclass(frozen=True, slots=True)
class StatusSources:
    """Everything the rule reads for one year."""

    factor_imports: list[FactorImportSummary]
    recalculations: list[RecalculationSummary]
    # The changing factor imports the oldest recalculation of their module did not read.
    factor_changes: list[FactorChange] = field(default_factory=list)
    entry_counts: dict[int, EntryCounts] = field(default_factory=dict)


# A status row lists this many factor imports at most (the latest); it counts them all.
MAX_LISTED_FACTOR_IMPORTS = 10


@dataclass(frozen=True, slots=True)
class StaleReason:
    """Why a type is stale: the factor imports committed since its last successful
    recalculation (latest first), and what they leave behind among its entries."""

    factor_imports: tuple[FactorChange, ...]
    factor_imports_total: int
    entries: int | None
    affected_entries: int | None
    unresolvable_entries: int | None
    counted_at: datetime | None


@dataclass(frozen=True, slots=True)
class RecalculationStatusRow:
    """Recalculation status of one (module, data entry type, year)."""

    module_type_id: int
    data_entry_type_id: int
    year: int
    needs_recalculation: bool
    last_factor_job_id: int
    last_factor_job_result: IngestionResult
    last_factor_job_finished_at: datetime | None
    last_factor_job_rows_done: int | None
    last_factor_job_rows_total: int | None
    # The highest factor sequence committed by the pair's factor imports (module-wide included).
    factor_sequence: int | None
    last_recalculation_job_id: int | None
    last_recalculation_job_state: IngestionState | None
    last_recalculation_job_result: IngestionResult | None
    last_recalculation_job_finished_at: datetime | None
    # The highest sequence read by a SUCCESS/WARNING recalculation of the pair, if any.
    recalculated_factor_sequence: int | None
    # The active recalculation (the parent's id for a module job's per-type row), or None.
    recalculation_running_job_id: int | None
    reason: StaleReason


def needs_recalculation(factor_sequence: int | None, recalculated_sequence: int | None) -> bool:
    """Stale unless a good recalculation read factors at least as new as the last committed.

    A factor import that recorded no sequence (it changed no factor) is older than any
    recalculation.
    """
    if recalculated_sequence is None:
        return True
    return factor_sequence is not None and recalculated_sequence < factor_sequence


def _commit_order(factor_import: FactorImportSummary) -> tuple[int, int]:
    sequence = factor_import.factor_sequence
    return (-1 if sequence is None else sequence, factor_import.job_id)


def latest_factor_import(
    module_wide: FactorImportSummary | None, of_type: FactorImportSummary | None
) -> FactorImportSummary | None:
    """The one committed last of a type's own factor import and its module-wide one."""
    candidates = [job for job in (module_wide, of_type) if job is not None]
    return max(candidates, key=_commit_order) if candidates else None


def status_rows(year: int, sources: StatusSources) -> list[RecalculationStatusRow]:
    """A row per (module, type) that has a factor import in `year`: modules in id order,
    types in their module's order."""
    factor_imports = {
        (job.module_type_id, job.data_entry_type_id): job for job in sources.factor_imports
    }
    recalculations = {
        (summary.module_type_id, summary.data_entry_type_id): summary
        for summary in sources.recalculations
    }
    rows: list[RecalculationStatusRow] = []
    for module_type in sorted({module for module, _ in factor_imports}):
        module_wide = factor_imports.get((module_type, None))
        for data_entry_type in MODULE_TYPE_TO_DATA_ENTRY_TYPES[ModuleTypeEnum(module_type)]:
            key = (module_type, int(data_entry_type))
            factor_import = latest_factor_import(module_wide, factor_imports.get(key))
            if factor_import is not None:
                recalculation = recalculations.get(key)
                reason = stale_reason(key, sources, recalculation)
                rows.append(_row(key, year, factor_import, recalculation, reason))
    return rows


def stale_reason(
    key: tuple[int, int], sources: StatusSources, recalculation: RecalculationSummary | None
) -> StaleReason:
    """The factor imports of the pair (its own and module-wide ones) that committed after the
    factors its best recalculation read, and its entry counts."""
    module_type_id, data_entry_type_id = key
    read = None if recalculation is None else recalculation.best_factor_sequence
    since = [
        change
        for change in sources.factor_changes
        if change.module_type_id == module_type_id
        and change.data_entry_type_id in (None, data_entry_type_id)
        and (read is None or change.factor_sequence > read)
    ]
    since.sort(key=lambda change: (change.factor_sequence, change.job_id), reverse=True)
    counts = sources.entry_counts.get(data_entry_type_id)
    return StaleReason(
        factor_imports=tuple(since[:MAX_LISTED_FACTOR_IMPORTS]),
        factor_imports_total=len(since),
        entries=None if counts is None else counts.entries,
        affected_entries=None if counts is None else counts.affected,
        unresolvable_entries=None if counts is None else counts.unresolvable,
        counted_at=None if counts is None else counts.counted_at,
    )


def _row(
    key: tuple[int, int],
    year: int,
    factor_import: FactorImportSummary,
    recalculation: RecalculationSummary | None,
    reason: StaleReason,
) -> RecalculationStatusRow:
    best = None if recalculation is None else recalculation.best_factor_sequence
    return RecalculationStatusRow(
        module_type_id=key[0],
        data_entry_type_id=key[1],
        year=year,
        needs_recalculation=needs_recalculation(factor_import.factor_sequence, best),
        last_factor_job_id=factor_import.job_id,
        last_factor_job_result=factor_import.result,
        last_factor_job_finished_at=factor_import.finished_at,
        last_factor_job_rows_done=factor_import.rows_done,
        last_factor_job_rows_total=factor_import.rows_total,
        factor_sequence=factor_import.factor_sequence,
        last_recalculation_job_id=None if recalculation is None else recalculation.last_job_id,
        last_recalculation_job_state=None if recalculation is None else recalculation.last_state,
        last_recalculation_job_result=(
            None if recalculation is None else recalculation.last_result
        ),
        last_recalculation_job_finished_at=(
            None if recalculation is None else recalculation.last_finished_at
        ),
        recalculated_factor_sequence=best,
        recalculation_running_job_id=(
            None if recalculation is None else recalculation.active_job_id
        ),
        reason=reason,
    )
