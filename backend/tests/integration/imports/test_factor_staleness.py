"""Staleness follows what a factor import changed: one that inserted, updated and removed
nothing leaves its types as they were; any change makes them stale, in commit order."""

from __future__ import annotations

import pytest
from import_helpers import (
    PROCESS,
    PROCESS_FACTORS,
    PROCESS_TYPE,
    Recalculate,
    RunImport,
    Status,
    csv_bytes,
)

from app.domain.ingestion import IngestionResult
from app.domain.modules import DataEntryTypeEnum, ModuleTypeEnum
from app.models import DataIngestionJob

TRAVEL = ModuleTypeEnum.professional_travel
PLANE, TRAIN = DataEntryTypeEnum.plane, DataEntryTypeEnum.train
TRAVEL_FACTORS = csv_bytes(
    "data_entry_type,category,cabin_class,ef_kg_co2eq_per_km,rfi_adjustment,country_code",
    "plane,short_haul,eco,0.15,2,",
    "plane,long_haul,,0.14,2,",
    "train,,,0.007,,CH",
)


async def _up_to_date_process(
    import_factors: RunImport, recalculate: Recalculate, status: Status
) -> DataIngestionJob:
    """Process factors imported and recalculated: the type is up to date."""
    first = await import_factors(PROCESS_FACTORS.encode())
    await recalculate(PROCESS, PROCESS_TYPE)
    assert (await status())[PROCESS_TYPE].needs_recalculation is False
    return first


async def test_the_same_file_again_changes_no_factor_and_stays_up_to_date(
    import_factors: RunImport, recalculate: Recalculate, status: Status
) -> None:
    first = await _up_to_date_process(import_factors, recalculate, status)

    again = await import_factors(PROCESS_FACTORS.encode())

    assert again.result == IngestionResult.SUCCESS, again.status_message
    assert again.status_message == (
        "No factor changed: 4 factors imported (0 inserted, 0 updated, 4 unchanged, 0 removed)"
    )
    assert again.factor_sequence is None
    row = (await status())[PROCESS_TYPE]
    assert row.needs_recalculation is False
    assert row.last_factor_job_id == first.id
    assert row.factor_sequence == first.factor_sequence


async def test_the_same_file_again_leaves_a_stale_type_stale(
    import_factors: RunImport, status: Status
) -> None:
    first = await import_factors(PROCESS_FACTORS.encode())
    await import_factors(PROCESS_FACTORS.encode())

    row = (await status())[PROCESS_TYPE]
    assert row.needs_recalculation is True
    assert row.last_factor_job_id == first.id


@pytest.mark.parametrize(
    ("lines", "counts"),
    [
        pytest.param(
            ["ch4,,28", "co2,,1", "n2o,,273", "refrigerants,,2000"], (0, 1, 0), id="value-changed"
        ),
        pytest.param(["ch4,,28", "co2,,1", "n2o,,265"], (0, 0, 1), id="row-removed"),
    ],
)
async def test_a_change_makes_the_type_stale_and_is_the_last_factor_import(
    import_factors: RunImport,
    recalculate: Recalculate,
    status: Status,
    lines: list[str],
    counts: tuple[int, int, int],
) -> None:
    first = await _up_to_date_process(import_factors, recalculate, status)

    changed = await import_factors(csv_bytes("category,subcategory,gwp_kg_co2eq_per_kg", *lines))

    assert changed.result == IngestionResult.SUCCESS, changed.status_message
    meta = changed.meta
    assert (meta["inserted"], meta["updated"], meta["removed"]) == counts
    assert not (changed.status_message or "").startswith("No factor changed")
    assert changed.factor_sequence == (first.factor_sequence or 0) + 1
    row = (await status())[PROCESS_TYPE]
    assert row.needs_recalculation is True
    assert row.last_factor_job_id == changed.id
    await import_factors(csv_bytes("category,subcategory,gwp_kg_co2eq_per_kg", *lines))
    assert (await status())[PROCESS_TYPE].last_factor_job_id == changed.id


@pytest.mark.parametrize(
    ("lines", "result"),
    [
        pytest.param(["co2,,x", "ch5,,1"], IngestionResult.ERROR, id="only-rejected-rows"),
        pytest.param(["co2,,1", "ch5,,1"], IngestionResult.WARNING, id="rejected-and-unchanged"),
    ],
)
async def test_a_file_that_changes_nothing_because_of_rejected_rows_keeps_it_up_to_date(
    import_factors: RunImport,
    recalculate: Recalculate,
    status: Status,
    lines: list[str],
    result: IngestionResult,
) -> None:
    first = await _up_to_date_process(import_factors, recalculate, status)

    job = await import_factors(csv_bytes("category,subcategory,gwp_kg_co2eq_per_kg", *lines))

    assert job.result == result, job.status_message
    assert job.factor_sequence is None
    row = (await status())[PROCESS_TYPE]
    assert row.needs_recalculation is False
    assert row.last_factor_job_id == first.id


async def test_an_unchanged_module_wide_file_leaves_every_type_as_it_was(
    import_factors: RunImport, recalculate: Recalculate, status: Status
) -> None:
    first = await import_factors(TRAVEL_FACTORS, TRAVEL, None)
    await recalculate(TRAVEL, PLANE)
    before = await status()
    assert (before[PLANE].needs_recalculation, before[TRAIN].needs_recalculation) == (False, True)

    again = await import_factors(TRAVEL_FACTORS, TRAVEL, None)

    assert again.result == IngestionResult.SUCCESS, again.status_message
    assert (again.status_message or "").startswith("No factor changed: 3 factors imported")
    assert await status() == before
    assert before[PLANE].last_factor_job_id == before[TRAIN].last_factor_job_id == first.id


async def test_a_changed_module_wide_file_makes_every_type_stale(
    import_factors: RunImport, recalculate: Recalculate, status: Status
) -> None:
    await import_factors(TRAVEL_FACTORS, TRAVEL, None)
    await recalculate(TRAVEL, PLANE)
    await recalculate(TRAVEL, TRAIN)

    changed = await import_factors(TRAVEL_FACTORS.replace(b"0.007", b"0.008"), TRAVEL, None)

    assert changed.meta["updated"] == 1
    after = await status()
    assert (after[PLANE].needs_recalculation, after[TRAIN].needs_recalculation) == (True, True)
    assert after[PLANE].last_factor_job_id == after[TRAIN].last_factor_job_id == changed.id
