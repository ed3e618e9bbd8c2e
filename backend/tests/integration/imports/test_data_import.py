"""DATA_ENTRIES jobs from CSV: units, reports, entries with emissions, stats, replace, rollback."""

from __future__ import annotations

from typing import Any

import pytest
from factories import create_entry, create_module, create_unit
from import_helpers import PROCESS, PROCESS_FACTORS, PROCESS_TYPE, YEAR, RunImport, Snapshot
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.ingestion import DataEntrySource, IngestionResult
from app.domain.modules import DataEntryTypeEnum, ModuleTypeEnum
from app.models import CarbonReport, CarbonReportModule, DataEntry, DataEntryEmission, Unit
from app.services.carbon_report_module_service import CarbonReportModuleService
from app.services.ingestion.data_import import ImportMode
from app.tasks.job_handle import JobHandle

HEADER = "unit_institutional_code,category,subcategory,quantity_kg"


def data_file(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join((header, *rows)) + "\n").encode()


async def _units(db: AsyncSession, *codes: str) -> list[Unit]:
    units = [await create_unit(db, institutional_code=code) for code in codes]
    await db.commit()
    return units


async def _entries(db: AsyncSession) -> list[DataEntry]:
    db.expire_all()
    return list((await db.execute(select(DataEntry).order_by(DataEntry.id))).scalars())


async def _module(db: AsyncSession, unit_id: int) -> CarbonReportModule:
    db.expire_all()
    module = await db.scalar(
        select(CarbonReportModule)
        .join(CarbonReport, CarbonReport.id == CarbonReportModule.carbon_report_id)
        .where(
            CarbonReport.unit_id == unit_id,
            CarbonReport.year == YEAR,
            CarbonReportModule.module_type_id == PROCESS,
        )
    )
    assert module is not None
    return module


async def test_append_creates_reports_entries_emissions_and_stats(
    db: AsyncSession, import_factors: RunImport, import_data: RunImport
) -> None:
    (unit,) = await _units(db, "U1")
    unit_id = unit.id
    await import_factors(PROCESS_FACTORS.encode())
    job = await import_data(
        data_file("U1,ch4,,10", "U1,co2,,5", "NOPE,ch4,,1", "U1,ch4,,-3", "U1,gas,,1")
    )
    assert job.result == IngestionResult.WARNING, job.status_message
    meta: dict[str, Any] = job.meta
    assert (meta["inserted"], meta["rejected"], meta["entry_errors_total"]) == (2, 3, 0)
    assert meta["reports_created"] == 1
    assert meta["file_name"] == "test.csv"
    assert [row["line"] for row in meta["rejected_rows"]] == [4, 5, 6]
    assert "'NOPE' is not a known unit" in meta["rejected_rows"][0]["reason"]
    assert meta["rejected_rows"][1]["reason"] == "quantity_kg: '-3' is out of range: must be >= 0"
    assert meta["rejected_rows"][2]["reason"].startswith("category: 'gas' is not one of")

    entries = await _entries(db)
    assert [(e.source, e.ingestion_job_id, e.revision) for e in entries] == [
        (DataEntrySource.csv, job.id, 1)
    ] * 2
    assert entries[0].data == {"category": "ch4", "quantity_kg": 10.0}
    kg = sorted((await db.execute(select(DataEntryEmission.kg_co2eq))).scalars())
    assert kg == [5.0, 280.0]
    module = await _module(db, unit_id)
    assert module.stats["total"] == pytest.approx(285.0)
    assert module.stats["entry_count"] == 2
    report = await db.get(CarbonReport, module.carbon_report_id)
    assert report is not None
    assert report.stats["total"] == pytest.approx(285.0)


async def test_entry_errors_are_imported_listed_and_make_a_warning(
    db: AsyncSession, import_data: RunImport
) -> None:
    await _units(db, "U1")
    job = await import_data(data_file("U1,ch4,,10", "U1,n2o,,2", header=HEADER) + b"U1,co2,,1\n")
    assert job.result == IngestionResult.WARNING
    assert job.meta["inserted"] == 3
    assert job.meta["entry_errors_total"] == 3
    first = job.meta["entry_errors"][0]
    assert first["line"] == 2
    assert "no process_emissions factor" in first["reason"]
    entries = await _entries(db)
    assert first["entry_id"] == entries[0].id
    assert (await db.execute(select(DataEntryEmission))).first() is None
    assert "3 without emissions" in (job.status_message or "")


async def test_override_and_success(db: AsyncSession, import_data: RunImport) -> None:
    await _units(db, "U1")
    job = await import_data(data_file("U1,ch4,,10,42", header=HEADER + ",kg_co2eq"))
    assert job.result == IngestionResult.SUCCESS, job.status_message
    assert job.status_message == "1 entry imported"
    (emission,) = (await db.execute(select(DataEntryEmission))).scalars()
    assert emission.kg_co2eq == 42.0


async def test_replace_removes_earlier_csv_entries_never_user_ones(
    db: AsyncSession, import_factors: RunImport, import_data: RunImport
) -> None:
    (unit,) = await _units(db, "U1")
    await import_factors(PROCESS_FACTORS.encode())
    module = await create_module(db, PROCESS, unit=unit, year=YEAR)
    typed = await create_entry(db, module=module, data={"category": "co2", "quantity_kg": 1.0})
    await db.commit()
    unit_id, typed_id = unit.id, typed.id
    first = await import_data(data_file("U1,ch4,,1", "U1,ch4,,2"))
    assert first.meta["inserted"] == 2
    other_year = await import_data(data_file("U1,ch4,,7"), year=YEAR + 1)
    assert other_year.meta["inserted"] == 1

    job = await import_data(data_file("U1,co2,,100"), mode=ImportMode.replace)
    assert job.result == IngestionResult.SUCCESS, job.status_message
    assert (job.meta["mode"], job.meta["removed"], job.meta["inserted"]) == ("replace", 2, 1)
    entries = await _entries(db)
    assert typed_id in {e.id for e in entries}
    assert sorted(e.data["quantity_kg"] for e in entries) == [1.0, 7.0, 100.0]
    module_now = await _module(db, unit_id)
    # The typed entry has no emission rows (made by the factory); the import's: 100 x 1.
    assert module_now.stats["entry_count"] == 2
    assert module_now.stats["total"] == pytest.approx(100.0)


async def test_replace_with_no_valid_row_changes_nothing(
    db: AsyncSession, import_data: RunImport
) -> None:
    await _units(db, "U1")
    await import_data(data_file("U1,ch4,,1"))
    before = await Snapshot.take(db)
    job = await import_data(data_file("U9,ch4,,1"), mode=ImportMode.replace)
    assert job.result == IngestionResult.ERROR
    assert (job.status_message or "").startswith("No entry imported: the only row was rejected")
    assert await Snapshot.take(db) == before


async def test_module_wide_data_file(db: AsyncSession, import_data: RunImport) -> None:
    await _units(db, "U1")
    job = await import_data(
        data_file(
            "U1,member,0.5,",
            "U1,2,1.5,",
            "U1,plane,,1",
            header="unit_institutional_code,data_entry_type,fte,kg_co2eq",
        ),
        ModuleTypeEnum.headcount,
        None,
    )
    assert job.meta["inserted"] == 2
    (rejected,) = job.meta["rejected_rows"]
    assert rejected["line"] == 4
    assert "'plane' is not a type of module headcount" in rejected["reason"]
    types = sorted(e.data_entry_type_id for e in await _entries(db))
    assert types == [DataEntryTypeEnum.member, DataEntryTypeEnum.student]


async def test_failure_mid_import_leaves_the_database_as_it_was(
    db: AsyncSession,
    import_factors: RunImport,
    import_data: RunImport,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await _units(db, "U1", "U2")
    await import_factors(PROCESS_FACTORS.encode())
    await import_data(data_file("U1,ch4,,1"))
    before = await Snapshot.take(db)

    async def broken(self: CarbonReportModuleService, module_ids: object, **_: object) -> None:
        raise RuntimeError("disk full while refreshing stats")

    monkeypatch.setattr(CarbonReportModuleService, "recompute_stats", broken)
    job = await import_data(data_file("U1,ch4,,2", "U2,co2,,3"), mode=ImportMode.replace)
    assert job.result == IngestionResult.ERROR
    assert job.status_message == "RuntimeError: disk full while refreshing stats"
    assert await Snapshot.take(db) == before
    assert len(await _entries(db)) == 1
    assert DataEntryTypeEnum.process_emissions == PROCESS_TYPE


async def test_a_file_smaller_than_a_batch_still_shows_its_progress(
    db: AsyncSession,
    import_factors: RunImport,
    import_data: RunImport,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await _units(db, "U1")
    await import_factors(PROCESS_FACTORS.encode())
    published: list[tuple[str | None, int | None, int | None]] = []
    publish = JobHandle.progress

    async def recording(
        handle: JobHandle,
        message: str | None = None,
        *,
        done: int | None = None,
        total: int | None = None,
    ) -> None:
        published.append((message, done, total))
        await publish(handle, message, done=done, total=total)

    monkeypatch.setattr(JobHandle, "progress", recording)

    job = await import_data(data_file("U1,ch4,,10", "U1,co2,,5", "U1,ch4,,2"))

    assert job.result == IngestionResult.SUCCESS, job.status_message
    assert ("Importing rows... 3/3", 3, 3) in published
