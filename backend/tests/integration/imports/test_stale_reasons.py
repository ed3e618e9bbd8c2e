"""Why a type is stale, with counts: the factor imports committed since its last successful
recalculation, the entries whose emissions they leave out of date (never one with an
override) and, apart, the entries no factor matches (a recalculation cannot fix those)."""

from __future__ import annotations

import pytest
from import_helpers import (
    FACTOR_HEADER,
    PROCESS,
    PROCESS_FACTORS,
    PROCESS_TYPE,
    YEAR,
    Recalculate,
    RunImport,
    Status,
    csv_bytes,
    process_factors,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.domain.ingestion import IngestionResult
from app.domain.recalculation_status import StaleReason
from app.emissions.entry import MAX_ABS_KG_PER_ROW
from app.workflows.emission_preview import EmissionPreviewWorkflow
from app.workflows.recalculation_run import RecalculationScope


def _counts(reason: StaleReason) -> tuple[int | None, int | None, int | None]:
    return (reason.entries, reason.affected_entries, reason.unresolvable_entries)


def _changes(reason: StaleReason) -> list[tuple[int, int, int, int]]:
    return [(i.job_id, i.inserted, i.updated, i.removed) for i in reason.factor_imports]


@pytest.mark.usefixtures("recalculated")
async def test_a_recalculated_type_has_no_reason_and_no_affected_entry(
    import_factors: RunImport, recalculate: Recalculate, status: Status
) -> None:
    reason = (await status())[PROCESS_TYPE].reason

    assert reason.factor_imports == ()
    assert reason.factor_imports_total == 0
    assert _counts(reason) == (6, 0, 0)


@pytest.mark.usefixtures("recalculated")
async def test_an_updated_factor_affects_the_entries_computed_with_it_never_an_override(
    import_factors: RunImport, recalculate: Recalculate, status: Status
) -> None:
    changed = await import_factors(process_factors(co2=2))

    row = (await status())[PROCESS_TYPE]
    assert row.needs_recalculation is True
    assert _changes(row.reason) == [(changed.id, 0, 1, 0)]
    (listed,) = row.reason.factor_imports
    assert (listed.requested_by, listed.file_name) == ("tester", "test.csv")
    assert listed.finished_at == changed.finished_at
    assert listed.data_entry_type_id == PROCESS_TYPE
    assert _counts(row.reason) == (6, 2, 0)


@pytest.mark.usefixtures("recalculated")
async def test_an_inserted_factor_affects_the_entries_it_now_matches_better(
    import_factors: RunImport, recalculate: Recalculate, status: Status
) -> None:
    changed = await import_factors((PROCESS_FACTORS + "refrigerants,r134a,1430\n").encode())

    reason = (await status())[PROCESS_TYPE].reason
    assert _changes(reason) == [(changed.id, 1, 0, 0)]
    assert _counts(reason) == (6, 1, 0)


@pytest.mark.usefixtures("recalculated")
async def test_a_removed_factor_leaves_its_entries_unresolvable_which_recalculating_keeps(
    import_factors: RunImport, recalculate: Recalculate, status: Status
) -> None:
    changed = await import_factors(process_factors(n2o=None))

    reason = (await status())[PROCESS_TYPE].reason
    assert _changes(reason) == [(changed.id, 0, 0, 1)]
    # the n2o entry is both: a recalculation removes its rows and cannot compute it
    assert _counts(reason) == (6, 1, 1)

    job = await recalculate(PROCESS, PROCESS_TYPE)

    assert job.result == IngestionResult.WARNING  # the n2o entry has no factor
    row = (await status())[PROCESS_TYPE]
    assert row.needs_recalculation is False
    assert row.reason.factor_imports == ()
    assert _counts(row.reason) == (6, 0, 1)


@pytest.mark.usefixtures("recalculated")
async def test_a_module_wide_factor_file_counts_for_the_types_it_holds(
    import_factors: RunImport, recalculate: Recalculate, status: Status
) -> None:
    changed = await import_factors(
        csv_bytes(
            f"data_entry_type,{FACTOR_HEADER}",
            "process_emissions,ch4,,30",
            "process_emissions,co2,,1",
            "process_emissions,n2o,,265",
            "process_emissions,refrigerants,,2000",
        ),
        PROCESS,
        None,
    )

    reason = (await status())[PROCESS_TYPE].reason
    assert _changes(reason) == [(changed.id, 0, 1, 0)]
    assert reason.factor_imports[0].data_entry_type_id is None
    assert _counts(reason) == (6, 1, 0)


@pytest.mark.usefixtures("recalculated")
async def test_two_factor_imports_since_the_last_recalculation_are_both_listed(
    import_factors: RunImport, recalculate: Recalculate, status: Status
) -> None:
    first = await import_factors(process_factors(co2=2))
    second = await import_factors(process_factors(ch4=29, co2=2))
    unchanged = await import_factors(process_factors(ch4=29, co2=2))

    assert unchanged.factor_sequence is None
    reason = (await status())[PROCESS_TYPE].reason
    assert _changes(reason) == [(second.id, 0, 1, 0), (first.id, 0, 1, 0)]
    assert reason.factor_imports_total == 2
    # Both changes together: the co2 entries and the ch4 one, the override never.
    assert _counts(reason) == (6, 3, 0)

    await recalculate(PROCESS, PROCESS_TYPE)

    reason = (await status())[PROCESS_TYPE].reason
    assert (reason.factor_imports, reason.factor_imports_total) == ((), 0)
    assert _counts(reason) == (6, 0, 0)


@pytest.mark.usefixtures("recalculated")
async def test_the_affected_count_is_what_the_preview_says_would_change(
    session_factory: async_sessionmaker[AsyncSession],
    import_data: RunImport,
    import_factors: RunImport,
    status: Status,
) -> None:
    """co2 doubled and n2o removed: the two co2 entries change, the n2o entry loses its rows
    (affected, and unresolvable), and a co2 entry within the plausible bound at co2 1 goes
    beyond it at co2 2 (affected: it loses its rows; its own data's error, so not
    unresolvable)."""
    near_bound = MAX_ABS_KG_PER_ROW * 0.75
    header = "unit_institutional_code,category,subcategory,quantity_kg,kg_co2eq"
    added = await import_data(csv_bytes(header, f"U1,co2,,{near_bound:.6g},"))
    assert added.result == IngestionResult.SUCCESS, added.status_message
    await import_factors(process_factors(co2=2, n2o=None))

    reason = (await status())[PROCESS_TYPE].reason
    async with session_factory() as session:
        report = await EmissionPreviewWorkflow(session).run(
            RecalculationScope(int(PROCESS), (int(PROCESS_TYPE),), YEAR)
        )
    (preview,) = report.types
    would = preview.tally.total()

    assert _counts(reason) == (7, 4, 1)
    assert would.changed == reason.affected_entries
    assert would.newly_failing == 2
