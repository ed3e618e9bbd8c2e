"""FACTORS jobs from CSV: upsert by identity, removal only for a clean file, result rules."""

from __future__ import annotations

from import_helpers import PROCESS_FACTORS, YEAR, RunImport, Snapshot, csv_bytes
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.ingestion import IngestionResult, IngestionState
from app.domain.modules import DataEntryTypeEnum, ModuleTypeEnum
from app.models import Factor


async def _factors(db: AsyncSession, type_id: int = 50) -> dict[str, tuple[int, dict[str, object]]]:
    rows = await db.execute(
        select(Factor).where(Factor.data_entry_type_id == type_id, Factor.year == YEAR)
    )
    return {f.classification["category"]: (f.id, f.values) for f in rows.scalars()}


async def test_happy_path_counts_and_stable_ids(
    db: AsyncSession, import_factors: RunImport
) -> None:
    first = await import_factors(PROCESS_FACTORS.encode())
    assert (first.state, first.result) == (IngestionState.FINISHED, IngestionResult.SUCCESS)
    assert first.meta["inserted"] == 4
    assert first.factor_sequence == 1
    before = await _factors(db)

    second = await import_factors(
        csv_bytes(
            "category,subcategory,gwp_kg_co2eq_per_kg,comment",
            "ch4,,28,same",
            "co2,,1,same",
            "n2o,,273,changed",
        )
    )
    assert second.result == IngestionResult.SUCCESS, second.status_message
    meta = second.meta
    assert (meta["inserted"], meta["updated"], meta["unchanged"], meta["removed"]) == (0, 1, 2, 1)
    assert (meta["rejected"], meta["rejected_total"], meta["rejected_rows"]) == (0, 0, [])
    assert meta["ignored_columns"] == ["comment"]
    assert second.factor_sequence == 2
    assert second.is_current
    assert (second.status_message or "").startswith("3 factors imported")
    db.expire_all()
    after = await _factors(db)
    assert set(after) == {"ch4", "co2", "n2o"}
    for category in ("ch4", "co2", "n2o"):
        assert after[category][0] == before[category][0]  # ids stable
    assert after["n2o"][1] == {"gwp_kg_co2eq_per_kg": 273.0}


async def test_rejected_row_keeps_absent_identities(
    db: AsyncSession, import_factors: RunImport
) -> None:
    await import_factors(PROCESS_FACTORS.encode())
    job = await import_factors(
        csv_bytes(
            "category,subcategory,gwp_kg_co2eq_per_kg",
            "ch4,,30",
            "co2,,-1",
        )
    )
    assert job.result == IngestionResult.WARNING
    assert job.meta["removed"] == 0
    assert job.meta["updated"] == 1
    assert job.meta["rejected_rows"] == [
        {"line": 3, "reason": "gwp_kg_co2eq_per_kg: '-1' is out of range: must be >= 0"}
    ]
    assert "no factor was removed" in (job.status_message or "")
    assert job.factor_sequence == 2
    db.expire_all()
    assert set(await _factors(db)) == {"ch4", "co2", "n2o", "refrigerants"}


async def test_row_errors_carry_line_numbers(db: AsyncSession, import_factors: RunImport) -> None:
    job = await import_factors(
        csv_bytes(
            "category,subcategory,gwp_kg_co2eq_per_kg",
            "ch4,,28",
            "",
            "ch4,,29",
            "co2,,abc",
            "methane,,3",
            "n2o,,265,extra",
        )
    )
    assert job.result == IngestionResult.WARNING
    reasons = {row["line"]: row["reason"] for row in job.meta["rejected_rows"]}
    assert reasons[4] == "same classification as line 2"
    assert reasons[5] == "gwp_kg_co2eq_per_kg: 'abc' is not a number"
    assert reasons[6].startswith("category: 'methane' is not one of: ch4, co2, n2o, refrigerants")
    assert reasons[7] == "expected 3 cells as in the header, found 4"
    assert job.meta["rejected_total"] == job.meta["rejected"] == 4
    assert job.meta["inserted"] == 1


async def test_missing_required_column_rejects_the_whole_file(
    db: AsyncSession, import_factors: RunImport
) -> None:
    before = await Snapshot.take(db)
    job = await import_factors(csv_bytes("category,subcategory", "ch4,"))
    assert job.result == IngestionResult.ERROR
    assert "missing required column gwp_kg_co2eq_per_kg" in (job.status_message or "")
    assert job.factor_sequence is None
    assert not job.is_current
    assert await Snapshot.take(db) == before


async def test_no_valid_row_is_an_error_and_changes_nothing(
    db: AsyncSession, import_factors: RunImport
) -> None:
    await import_factors(PROCESS_FACTORS.encode())
    before = await Snapshot.take(db)
    job = await import_factors(
        csv_bytes("category,subcategory,gwp_kg_co2eq_per_kg", "co2,,x", "ch5,,1")
    )
    assert job.result == IngestionResult.ERROR
    assert (job.status_message or "").startswith("No factor imported: all 2 rows were rejected")
    assert job.meta["rejected_total"] == 2
    assert await Snapshot.take(db) == before


async def test_module_wide_file_names_types_of_the_module_only(
    db: AsyncSession, import_factors: RunImport
) -> None:
    job = await import_factors(
        csv_bytes(
            "data_entry_type,category,cabin_class,ef_kg_co2eq_per_km,rfi_adjustment,country_code",
            "plane,short_haul,eco,0.15,2,",
            "20,long_haul,,0.14,2,",
            "train,,,0.007,,CH",
            "process_emissions,ch4,,28,,",
        ),
        ModuleTypeEnum.professional_travel,
        None,
    )
    assert job.result == IngestionResult.WARNING, job.status_message
    assert job.data_entry_type_id is None
    assert job.meta["inserted"] == 3
    (rejected,) = job.meta["rejected_rows"]
    assert rejected["line"] == 5
    assert "'process_emissions' is not one of: plane, train" in rejected["reason"]
    assert len(await _factors(db, DataEntryTypeEnum.plane)) == 2
    train = await db.scalar(select(Factor).where(Factor.data_entry_type_id == 21))
    assert train is not None
    assert train.classification == {"country_code": "CH"}
    assert job.factor_sequence == 1


async def test_module_wide_file_without_type_column_is_rejected(
    db: AsyncSession, import_factors: RunImport
) -> None:
    job = await import_factors(PROCESS_FACTORS.encode(), ModuleTypeEnum.process_emissions, None)
    assert job.result == IngestionResult.ERROR
    assert "missing required column data_entry_type" in (job.status_message or "")
    assert await Snapshot.take(db) == Snapshot(0, 0, 0, 0, 0)
