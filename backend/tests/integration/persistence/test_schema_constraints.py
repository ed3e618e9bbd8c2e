"""What the schema itself guarantees, on both databases."""

from __future__ import annotations

import pytest
from factories import (
    create_emission,
    create_entry,
    create_factor,
    create_job,
    create_report,
    create_unit,
)
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.ingestion import IngestionMethod, IngestionState, TargetType
from app.models import DataEntryEmission, DataIngestionJob, Factor

MODULE_WIDE = None


async def _assert_violates(db: AsyncSession) -> None:
    with pytest.raises(IntegrityError):
        await db.flush()
    await db.rollback()


class TestCurrentJobIndex:
    async def test_two_current_module_wide_jobs_of_one_scope_conflict(self, db: AsyncSession):
        common = {
            "data_entry_type_id": MODULE_WIDE,
            "target_type": TargetType.FACTORS,
            "ingestion_method": IngestionMethod.csv,
            "state": IngestionState.FINISHED,
            "is_current": True,
        }
        await create_job(db, **common)
        with pytest.raises(IntegrityError):
            await create_job(db, **common)

    async def test_current_jobs_of_other_scopes_coexist(self, db: AsyncSession):
        base = {
            "target_type": TargetType.FACTORS,
            "ingestion_method": IngestionMethod.csv,
            "state": IngestionState.FINISHED,
            "is_current": True,
        }
        await create_job(db, **base, data_entry_type_id=MODULE_WIDE)
        await create_job(db, **base, data_entry_type_id=50)
        await create_job(db, **base, data_entry_type_id=MODULE_WIDE, year=2024)
        await create_job(db, **(base | {"ingestion_method": IngestionMethod.api}))
        # Any number of non-current jobs.
        for _ in range(3):
            await create_job(db, **(base | {"is_current": False}), data_entry_type_id=MODULE_WIDE)
        await db.commit()


class TestActiveRecalculationIndex:
    async def test_second_active_per_type_recalculation_conflicts(self, db: AsyncSession):
        await create_job(db, state=IngestionState.RUNNING)
        with pytest.raises(IntegrityError):
            await create_job(db, state=IngestionState.QUEUED)

    async def test_module_job_children_conflict_with_active_per_type_job(self, db: AsyncSession):
        await create_job(db, module_type_id=2, data_entry_type_id=21, state=IngestionState.QUEUED)
        await db.commit()
        parent = await create_job(db, module_type_id=2, data_entry_type_id=MODULE_WIDE)
        await create_job(db, module_type_id=2, data_entry_type_id=20, parent_job_id=parent.id)
        with pytest.raises(IntegrityError):
            await create_job(db, module_type_id=2, data_entry_type_id=21, parent_job_id=parent.id)

    async def test_per_type_job_conflicts_with_active_module_job_child(self, db: AsyncSession):
        parent = await create_job(db, module_type_id=2, data_entry_type_id=MODULE_WIDE)
        for type_id in (20, 21):
            await create_job(
                db, module_type_id=2, data_entry_type_id=type_id, parent_job_id=parent.id
            )
        await db.commit()
        with pytest.raises(IntegrityError):
            await create_job(db, module_type_id=2, data_entry_type_id=20)

    async def test_two_active_module_jobs_conflict(self, db: AsyncSession):
        await create_job(db, module_type_id=2, data_entry_type_id=MODULE_WIDE)
        with pytest.raises(IntegrityError):
            await create_job(db, module_type_id=2, data_entry_type_id=MODULE_WIDE)

    async def test_finished_jobs_and_other_scopes_do_not_conflict(self, db: AsyncSession):
        for _ in range(2):
            await create_job(db, state=IngestionState.FINISHED)
        await create_job(db, state=IngestionState.RUNNING)
        await create_job(db, year=2024)
        await create_job(db, module_type_id=2, data_entry_type_id=20)
        # Imports are not recalculations: any number may be active.
        for _ in range(2):
            await create_job(db, ingestion_method=IngestionMethod.csv)
            await create_job(
                db, target_type=TargetType.FACTORS, ingestion_method=IngestionMethod.computed
            )
        await db.commit()

    async def test_finishing_frees_the_scope(self, db: AsyncSession):
        job = await create_job(db, state=IngestionState.RUNNING)
        job.state = IngestionState.FINISHED
        await db.flush()
        await create_job(db, state=IngestionState.NOT_STARTED)
        await db.commit()


class TestJobs:
    async def test_ids_are_never_reused(self, db: AsyncSession):
        first = await create_job(db, state=IngestionState.FINISHED)
        second = await create_job(db, state=IngestionState.FINISHED)
        await db.delete(second)
        await db.flush()
        third = await create_job(db, state=IngestionState.FINISHED)
        assert first.id < second.id < third.id

    async def test_deleting_a_parent_job_deletes_its_children(self, db: AsyncSession):
        parent = await create_job(db, data_entry_type_id=MODULE_WIDE, state=IngestionState.FINISHED)
        child = await create_job(db, parent_job_id=parent.id, state=IngestionState.FINISHED)
        child_id = child.id
        await db.commit()
        await db.delete(parent)
        await db.commit()
        db.expunge_all()
        assert await db.get(DataIngestionJob, child_id) is None


class TestFactorsAndEmissions:
    async def test_factor_identity_is_unique(self, db: AsyncSession):
        await create_factor(db, classification={"category": "ch4"})
        with pytest.raises(IntegrityError):
            await create_factor(db, classification={"category": "ch4", "subcategory": None})

    async def test_same_classification_in_another_year_or_type_is_another_factor(
        self, db: AsyncSession
    ):
        await create_factor(db, classification={"category": "ch4"})
        await create_factor(db, classification={"category": "ch4"}, year=2024)
        await create_factor(db, classification={"category": "ch4"}, data_entry_type_id=67)
        await db.commit()

    async def test_deleting_a_factor_keeps_its_emission_rows_without_factor(self, db: AsyncSession):
        factor = await create_factor(db)
        emission = await create_emission(db, entry=await create_entry(db), factor_id=factor.id)
        await db.commit()
        await db.delete(factor)
        await db.commit()
        db.expunge_all()
        kept = await db.get(DataEntryEmission, emission.id)
        assert kept is not None
        assert kept.factor_id is None
        assert kept.kg_co2eq == 1.0

    async def test_deleting_an_entry_deletes_its_emission_rows(self, db: AsyncSession):
        entry = await create_entry(db)
        for _ in range(3):
            await create_emission(db, entry=entry)
        await db.commit()
        await db.delete(entry)
        await db.commit()
        remaining = await db.scalars(select(DataEntryEmission.id))
        assert remaining.all() == []

    async def test_deleting_a_report_cascades_to_modules_entries_and_emissions(
        self, db: AsyncSession
    ):
        report = await create_report(db)
        module = report.modules[0]
        entry = await create_entry(db, module=module, data_entry_type_id=1, data={"fte": 1})
        await create_emission(db, entry=entry, emission_type_id=10000)
        await db.commit()
        await db.delete(report)
        await db.commit()
        assert (await db.scalars(select(DataEntryEmission.id))).all() == []

    async def test_a_unit_with_reports_cannot_be_deleted(self, db: AsyncSession):
        unit = await create_unit(db)
        await create_report(db, unit=unit)
        await db.commit()
        await db.delete(unit)
        await _assert_violates(db)


async def test_factor_values_round_trip_as_json(db: AsyncSession):
    factor = await create_factor(
        db,
        classification={"category": "refrigerants", "subcategory": "R-134a"},
        values={"gwp_kg_co2eq_per_kg": 1430.0, "note": "é"},
    )
    await db.commit()
    db.expunge_all()
    loaded = (await db.scalars(select(Factor).where(Factor.id == factor.id))).one()
    assert loaded.values == {"gwp_kg_co2eq_per_kg": 1430.0, "note": "é"}
    assert loaded.classification_key == '{"category":"refrigerants","subcategory":"R-134a"}'
