"""A type's stale reason from the year's factor changes: its own and its module-wide ones,
committed after the factors its best recalculation read, latest first, listed up to a cap."""

from __future__ import annotations

from datetime import UTC, datetime

from app.domain.ingestion import IngestionResult, IngestionState
from app.domain.modules import DataEntryTypeEnum, ModuleTypeEnum
from app.domain.recalculation_status import (
    MAX_LISTED_FACTOR_IMPORTS,
    EntryCounts,
    FactorChange,
    RecalculationSummary,
    StatusSources,
    stale_reason,
)

TRAVEL = ModuleTypeEnum.professional_travel
PROCESS = ModuleTypeEnum.process_emissions
PLANE, TRAIN = DataEntryTypeEnum.plane, DataEntryTypeEnum.train
KEY = (int(TRAVEL), int(PLANE))


def change(
    job_id: int,
    sequence: int,
    *,
    module: ModuleTypeEnum = TRAVEL,
    data_entry_type: DataEntryTypeEnum | None = PLANE,
) -> FactorChange:
    return FactorChange(
        job_id=job_id,
        module_type_id=int(module),
        data_entry_type_id=None if data_entry_type is None else int(data_entry_type),
        factor_sequence=sequence,
        finished_at=datetime(2025, 3, 1, tzinfo=UTC),
        requested_by="alice",
        file_name="plane.csv",
        inserted=1,
        updated=2,
        removed=0,
    )


def recalculation(best_sequence: int) -> RecalculationSummary:
    return RecalculationSummary(
        module_type_id=int(TRAVEL),
        data_entry_type_id=int(PLANE),
        last_job_id=9,
        last_state=IngestionState.FINISHED,
        last_result=IngestionResult.SUCCESS,
        last_finished_at=None,
        best_factor_sequence=best_sequence,
        active_job_id=None,
    )


def test_lists_own_and_module_wide_changes_after_the_read_sequence_latest_first() -> None:
    changes = [
        change(1, 1),  # read by the recalculation
        change(2, 2, data_entry_type=None),  # module-wide: counts for plane
        change(3, 3, data_entry_type=TRAIN),  # another type of the module
        change(4, 4, module=PROCESS, data_entry_type=None),  # another module
        change(5, 5),
    ]

    reason = stale_reason(KEY, StatusSources([], [], changes), recalculation=None)
    assert [c.job_id for c in reason.factor_imports] == [5, 2, 1]

    read_one = stale_reason(KEY, StatusSources([], [], changes), recalculation(best_sequence=1))
    assert [c.job_id for c in read_one.factor_imports] == [5, 2]
    assert read_one.factor_imports_total == 2


def test_lists_at_most_the_cap_and_counts_them_all() -> None:
    many = [change(job_id, job_id) for job_id in range(1, MAX_LISTED_FACTOR_IMPORTS + 4)]

    reason = stale_reason(KEY, StatusSources([], [], many), recalculation=None)

    assert len(reason.factor_imports) == MAX_LISTED_FACTOR_IMPORTS
    assert reason.factor_imports[0].job_id == MAX_LISTED_FACTOR_IMPORTS + 3
    assert reason.factor_imports_total == MAX_LISTED_FACTOR_IMPORTS + 3


def test_carries_the_type_counts_or_none_when_not_counted() -> None:
    counted = StatusSources([], [], [], {int(PLANE): EntryCounts(3185, 412, 5)})

    reason = stale_reason(KEY, counted, recalculation=None)
    assert (reason.entries, reason.affected_entries, reason.unresolvable_entries) == (3185, 412, 5)

    uncounted = stale_reason((int(TRAVEL), int(TRAIN)), counted, recalculation=None)
    assert (uncounted.entries, uncounted.affected_entries) == (None, None)
