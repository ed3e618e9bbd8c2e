"""The staleness rule without a database: commit order (factor sequences) decides, a
module-wide factor import counts for every type of its module."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from app.domain.ingestion import IngestionResult, IngestionState
from app.domain.modules import DataEntryTypeEnum, ModuleTypeEnum
from app.domain.recalculation_status import (
    FactorImportSummary,
    RecalculationSummary,
    StatusSources,
    latest_factor_import,
    needs_recalculation,
    status_rows,
)

YEAR = 2025
TRAVEL = ModuleTypeEnum.professional_travel
PROCESS = ModuleTypeEnum.process_emissions
PLANE = DataEntryTypeEnum.plane
TRAIN = DataEntryTypeEnum.train
FINISHED_AT = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def factor_import(
    job_id: int,
    sequence: int | None,
    *,
    module: ModuleTypeEnum = TRAVEL,
    data_entry_type: DataEntryTypeEnum | None = PLANE,
) -> FactorImportSummary:
    return FactorImportSummary(
        module_type_id=int(module),
        data_entry_type_id=None if data_entry_type is None else int(data_entry_type),
        job_id=job_id,
        result=IngestionResult.SUCCESS,
        finished_at=FINISHED_AT,
        rows_done=10,
        rows_total=12,
        factor_sequence=sequence,
    )


def recalculation(
    last_job_id: int,
    best_sequence: int | None,
    *,
    data_entry_type: DataEntryTypeEnum = PLANE,
    **overrides: Any,
) -> RecalculationSummary:
    fields: dict[str, Any] = {
        "module_type_id": int(TRAVEL),
        "data_entry_type_id": int(data_entry_type),
        "last_job_id": last_job_id,
        "last_state": IngestionState.FINISHED,
        "last_result": IngestionResult.SUCCESS,
        "last_finished_at": FINISHED_AT,
        "best_factor_sequence": best_sequence,
        "active_job_id": None,
    }
    return RecalculationSummary(**(fields | overrides))


@pytest.mark.parametrize(
    ("factor_sequence", "recalculated", "stale"),
    [
        (1, None, True),  # never recalculated successfully
        (1, 1, False),  # read the factors as they stand
        (2, 1, True),  # factors committed after the recalculation read them
        (2, 3, False),  # read even newer factors (a later module-wide import)
        (None, None, True),
        (None, 0, False),  # a factor import without a sequence is older than any
    ],
)
def test_needs_recalculation(
    factor_sequence: int | None, recalculated: int | None, stale: bool
) -> None:
    assert needs_recalculation(factor_sequence, recalculated) is stale


def test_latest_factor_import_follows_commit_order_then_id() -> None:
    module_wide = factor_import(5, 2, data_entry_type=None)
    committed_later = factor_import(3, 4)
    same_sequence_higher_id = factor_import(7, 2)
    unsequenced = factor_import(9, None)

    assert latest_factor_import(module_wide, committed_later) is committed_later
    assert latest_factor_import(module_wide, same_sequence_higher_id) is same_sequence_higher_id
    assert latest_factor_import(module_wide, unsequenced) is module_wide
    assert latest_factor_import(None, unsequenced) is unsequenced
    assert latest_factor_import(None, None) is None


def test_module_wide_import_gives_a_row_per_type_in_module_order() -> None:
    sources = StatusSources(
        factor_imports=[
            factor_import(4, 1, module=PROCESS, data_entry_type=None),
            factor_import(2, 3, data_entry_type=None),
        ],
        recalculations=[recalculation(6, 3, data_entry_type=TRAIN)],
    )

    rows = status_rows(YEAR, sources)

    assert [(r.module_type_id, r.data_entry_type_id) for r in rows] == [
        (TRAVEL, PLANE),
        (TRAVEL, TRAIN),
        (PROCESS, DataEntryTypeEnum.process_emissions),
    ]
    plane, train, process = rows
    assert (plane.needs_recalculation, train.needs_recalculation) == (True, False)
    assert plane.last_factor_job_id == train.last_factor_job_id == 2
    assert (plane.last_recalculation_job_id, train.last_recalculation_job_id) == (None, 6)
    assert process.needs_recalculation
    assert all(row.year == YEAR for row in rows)


def test_type_without_any_factor_import_has_no_row() -> None:
    rows = status_rows(YEAR, StatusSources([factor_import(1, 1, data_entry_type=TRAIN)], []))

    assert [row.data_entry_type_id for row in rows] == [TRAIN]


def test_row_carries_both_jobs_as_summarised() -> None:
    running = recalculation(
        8,
        1,
        last_state=IngestionState.RUNNING,
        last_result=None,
        last_finished_at=None,
        active_job_id=7,
    )

    (row,) = status_rows(YEAR, StatusSources([factor_import(3, 2)], [running]))

    assert row.needs_recalculation  # the running job does not count until it finishes well
    assert (row.last_factor_job_result, row.last_factor_job_finished_at) == (
        IngestionResult.SUCCESS,
        FINISHED_AT,
    )
    assert (row.last_factor_job_rows_done, row.last_factor_job_rows_total) == (10, 12)
    assert (row.factor_sequence, row.recalculated_factor_sequence) == (2, 1)
    assert row.last_recalculation_job_state == IngestionState.RUNNING
    assert row.last_recalculation_job_result is None
    assert row.last_recalculation_job_finished_at is None
    assert row.recalculation_running_job_id == 7


def test_no_factor_import_gives_no_rows() -> None:
    assert status_rows(YEAR, StatusSources([], [recalculation(1, 1)])) == []
