"""Shaping the status rows without a database: one entry per module, a module's stale types."""

from __future__ import annotations

from app.domain.ingestion import IngestionResult
from app.domain.modules import DataEntryTypeEnum, ModuleTypeEnum
from app.domain.recalculation_status import RecalculationStatusRow, StaleReason
from app.services.recalculation_status_service import group_by_module, stale_types_of_module

YEAR = 2025
TRAVEL = ModuleTypeEnum.professional_travel
BUILDINGS = ModuleTypeEnum.buildings


def row(
    module: ModuleTypeEnum, data_entry_type: DataEntryTypeEnum, *, stale: bool
) -> RecalculationStatusRow:
    return RecalculationStatusRow(
        module_type_id=int(module),
        data_entry_type_id=int(data_entry_type),
        year=YEAR,
        needs_recalculation=stale,
        last_factor_job_id=1,
        last_factor_job_result=IngestionResult.SUCCESS,
        last_factor_job_finished_at=None,
        last_factor_job_rows_done=None,
        last_factor_job_rows_total=None,
        factor_sequence=1,
        last_recalculation_job_id=None,
        last_recalculation_job_state=None,
        last_recalculation_job_result=None,
        last_recalculation_job_finished_at=None,
        recalculated_factor_sequence=None if stale else 1,
        recalculation_running_job_id=None,
        reason=StaleReason((), 0, None, None, None, None),
    )


ROWS = [
    row(TRAVEL, DataEntryTypeEnum.plane, stale=False),
    row(TRAVEL, DataEntryTypeEnum.train, stale=True),
    row(BUILDINGS, DataEntryTypeEnum.building, stale=False),
    row(BUILDINGS, DataEntryTypeEnum.energy_combustion, stale=False),
]


def test_group_by_module_rolls_up_needs_recalculation() -> None:
    travel, buildings = group_by_module(ROWS)

    assert (travel.module_type_id, travel.year, travel.needs_recalculation) == (TRAVEL, YEAR, True)
    assert [t.data_entry_type_id for t in travel.data_entry_types] == [20, 21]
    assert (buildings.module_type_id, buildings.needs_recalculation) == (BUILDINGS, False)
    assert group_by_module([]) == []


def test_group_by_module_keeps_every_field_the_api_answers() -> None:
    (travel, _) = group_by_module(ROWS)

    assert travel.data_entry_types[1].model_dump() == {
        "module_type_id": TRAVEL,
        "data_entry_type_id": DataEntryTypeEnum.train,
        "year": YEAR,
        "needs_recalculation": True,
        "last_factor_job_id": 1,
        "last_factor_job_result": IngestionResult.SUCCESS,
        "last_factor_job_finished_at": None,
        "last_factor_job_rows_done": None,
        "last_factor_job_rows_total": None,
        "last_recalculation_job_id": None,
        "last_recalculation_job_state": None,
        "last_recalculation_job_result": None,
        "last_recalculation_job_finished_at": None,
        "recalculation_running_job_id": None,
        "reason": {
            "factor_imports": [],
            "factor_imports_total": 0,
            "entries": None,
            "affected_entries": None,
            "unresolvable_entries": None,
            "counted_at": None,
        },
        "module_type_name": "professional_travel",
        "data_entry_type_name": "train",
        "last_factor_job_result_name": "success",
        "last_recalculation_job_state_name": None,
        "last_recalculation_job_result_name": None,
    }


def test_stale_types_of_module_in_module_order() -> None:
    rows = [
        row(BUILDINGS, DataEntryTypeEnum.building, stale=True),
        row(TRAVEL, DataEntryTypeEnum.train, stale=True),
        row(TRAVEL, DataEntryTypeEnum.plane, stale=True),
    ]

    assert stale_types_of_module(rows, TRAVEL) == (
        DataEntryTypeEnum.plane,
        DataEntryTypeEnum.train,
    )
    assert stale_types_of_module(ROWS, BUILDINGS) == ()
    assert stale_types_of_module(ROWS, ModuleTypeEnum.headcount) == ()
