"""A data import stages its rows in TEMP tables without locking the main database (SQLite):
other writers (progress commits, logins, single-entry edits) are not held up while it computes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from factories import create_unit
from import_helpers import PROCESS_FACTORS, RunImport, Snapshot
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.core import job_changes
from app.domain.ingestion import IngestionResult
from app.models import DataEntry, DataEntryEmission, Unit
from app.repositories.import_staging_repo import (
    ImportStagingRepository,
    KeyRange,
    staged_entries,
)
from app.services.ingestion import data_import
from app.services.ingestion.data_import import ImportMode

HEADER = "unit_institutional_code,category,subcategory,quantity_kg"


# Only SQLite has a database-wide write lock to hold up other writers.
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_other_connections_can_write_while_an_import_stages_its_rows(
    engine: AsyncEngine,
    db: AsyncSession,
    import_factors: RunImport,
    import_data: RunImport,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert engine.dialect.name == "sqlite"
    await create_unit(db, institutional_code="U1")
    await db.commit()
    await import_factors(PROCESS_FACTORS.encode())
    monkeypatch.setattr(data_import, "BATCH_SIZE", 2)
    probes: list[int] = []  # rows staged when another connection wrote and committed
    original = ImportStagingRepository.commit_staged_on_sqlite

    async def commit_then_probe(self: ImportStagingRepository) -> None:
        await original(self)
        staged = int(await self.session.scalar(select(func.count()).select_from(staged_entries)))
        if not staged:
            return
        # Between two batches: a write with a short busy timeout must not wait for the import.
        async with engine.connect() as connection:
            await connection.exec_driver_sql("PRAGMA busy_timeout = 50")
            async with AsyncSession(bind=connection) as other:
                await create_unit(other, institutional_code=f"PROBE{staged}")
                await other.flush()
            await connection.commit()
        probes.append(staged)

    monkeypatch.setattr(ImportStagingRepository, "commit_staged_on_sqlite", commit_then_probe)
    rows = [f"U1,ch4,,{n}" for n in range(1, 6)]
    job = await import_data(("\n".join((HEADER, *rows)) + "\n").encode())

    assert job.result == IngestionResult.SUCCESS, job.status_message
    assert probes == [2, 4, 5]  # after each batch of 2, and the last one
    db.expire_all()
    assert await db.scalar(select(func.count()).select_from(DataEntry)) == 5
    assert await db.scalar(select(func.count()).select_from(DataEntryEmission))
    codes = set((await db.execute(select(Unit.institutional_code))).scalars())
    assert {"PROBE2", "PROBE4", "PROBE5"} <= codes


async def test_imported_rows_come_back_exactly_whatever_their_characters(
    db: AsyncSession, import_factors: RunImport, import_data: RunImport
) -> None:
    """PostgreSQL writes the batches with COPY's text format: tabs, newlines, carriage
    returns, backslashes, quotes and COPY's NULL marker in a cell must survive the escaping;
    SQLite (TEMP staging, then INSERT ... SELECT) must agree."""
    await create_unit(db, institutional_code="U1")
    await db.commit()
    await import_factors(PROCESS_FACTORS.encode())
    tricky = ["tab\there", "new\nline", "cr\rhere", "back\\slash", "\\N", "it's"]
    cells = ['"' + value.replace('"', '""') + '"' for value in [*tricky, 'say "hi"']]
    rows = [f"U1,co2,{cell},{n}" for n, cell in enumerate(cells, start=1)]
    job = await import_data(("\n".join((HEADER, *rows)) + "\n").encode())

    assert job.result == IngestionResult.SUCCESS, job.status_message
    db.expire_all()
    entries = (await db.execute(select(DataEntry).order_by(DataEntry.id))).scalars().all()
    assert [entry.data["subcategory"] for entry in entries] == [*tricky, 'say "hi"']
    kg = (
        await db.execute(
            select(DataEntryEmission.kg_co2eq)
            .join(DataEntry, DataEntry.id == DataEntryEmission.data_entry_id)
            .order_by(DataEntry.id)
        )
    ).scalars()
    assert list(kg) == [float(n) for n in range(1, len(cells) + 1)]  # co2: 1 kg per kg


async def test_a_file_read_in_batches_counts_lists_and_ids_as_one_whole(
    db: AsyncSession, import_data: RunImport, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Batches of 2 rows (the file is read, checked and staged batch by batch): rejected rows
    across batches keep file order and their cap, unit lookups cached across batches, entry
    errors (no factors here) point at their entries."""
    await create_unit(db, institutional_code="U1")
    await db.commit()
    monkeypatch.setattr(data_import, "BATCH_SIZE", 2)
    monkeypatch.setattr(data_import, "MAX_LISTED", 3)
    rows = ["U1,ch4,,1", "NOPE,ch4,,1", "U1,ch4,,-1", "", "U1,co2,,2", "NOPE,co2,,1", "U1,gas,,1"]
    job = await import_data(("\n".join((HEADER, *rows, "U1,n2o,,3")) + "\n").encode())

    assert job.result == IngestionResult.WARNING, job.status_message
    meta = job.meta
    assert (meta["rows"], meta["inserted"], meta["rejected_total"]) == (7, 3, 4)
    assert [issue["line"] for issue in meta["rejected_rows"]] == [3, 4, 7]  # capped at 3
    assert "'NOPE' is not a known unit" in meta["rejected_rows"][0]["reason"]
    db.expire_all()
    entries = (await db.execute(select(DataEntry).order_by(DataEntry.id))).scalars().all()
    assert [entry.data["quantity_kg"] for entry in entries] == [1.0, 2.0, 3.0]
    assert meta["entry_errors_total"] == 3
    assert [(e["line"], e["entry_id"]) for e in meta["entry_errors"]] == [
        (2, entries[0].id),
        (6, entries[1].id),
        (9, entries[2].id),
    ]
    assert (meta["units"], meta["emission_rows"]) == (1, 0)


# Only SQLite copies the staged rows in its final write; PostgreSQL has written them already.
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_the_final_copy_runs_in_parts_with_progress_between_them(
    db: AsyncSession,
    import_factors: RunImport,
    import_data: RunImport,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await create_unit(db, institutional_code="U1")
    await db.commit()
    await import_factors(PROCESS_FACTORS.encode())
    monkeypatch.setattr(data_import, "WRITE_PART", 2)
    shown: list[str] = []
    show = job_changes.show

    def record(job_id: int, fields: Mapping[str, Any]) -> None:
        shown.append(fields["status_message"])
        show(job_id, fields)

    monkeypatch.setattr(job_changes, "show", record)
    rows = [f"U1,ch4,,{n}" for n in range(1, 6)]
    job = await import_data(("\n".join((HEADER, *rows)) + "\n").encode())

    assert job.result == IngestionResult.SUCCESS, job.status_message
    assert shown == [
        *(f"Writing entries... {done}/5" for done in (2, 4, 5)),
        "Refreshing the stats of 1 module...",
    ]
    db.expire_all()
    written = (
        await db.execute(
            select(DataEntry.id, DataEntry.data, DataEntryEmission.kg_co2eq)
            .join(DataEntryEmission, DataEntryEmission.data_entry_id == DataEntry.id)
            .order_by(DataEntry.id)
        )
    ).all()
    first = written[0].id
    assert [row.id for row in written] == list(range(first, first + 5))  # in file order
    assert [row.data["quantity_kg"] for row in written] == [1.0, 2.0, 3.0, 4.0, 5.0]
    assert [row.kg_co2eq for row in written] == [28.0 * n for n in range(1, 6)]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_failing_part_of_the_final_copy_leaves_nothing_written(
    db: AsyncSession,
    import_factors: RunImport,
    import_data: RunImport,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Three parts, the last one fails: the parts before it, the replace's deletion and the
    stats are rolled back with it; the earlier import's entries stay."""
    await create_unit(db, institutional_code="U1")
    await db.commit()
    await import_factors(PROCESS_FACTORS.encode())
    earlier = await import_data(f"{HEADER}\nU1,co2,,7\n".encode())
    assert earlier.result == IngestionResult.SUCCESS, earlier.status_message
    db.expire_all()
    before = await Snapshot.take(db)
    stored = (await db.execute(select(DataEntry.id, DataEntry.data))).all()
    monkeypatch.setattr(data_import, "WRITE_PART", 2)
    copy = ImportStagingRepository.copy_emissions
    parts: list[KeyRange] = []

    async def fail_third(self: ImportStagingRepository, part: KeyRange, **options: Any) -> int:
        parts.append(part)
        if len(parts) == 3:
            raise RuntimeError("the disk went away")
        return await copy(self, part, **options)

    monkeypatch.setattr(ImportStagingRepository, "copy_emissions", fail_third)
    rows = [f"U1,ch4,,{n}" for n in range(1, 6)]
    job = await import_data(("\n".join((HEADER, *rows)) + "\n").encode(), mode=ImportMode.replace)

    assert job.result == IngestionResult.ERROR
    assert "the disk went away" in (job.status_message or "")
    assert parts == [KeyRange(0, 2), KeyRange(2, 4), KeyRange(4, 5)]
    db.expire_all()
    assert await Snapshot.take(db) == before
    assert (await db.execute(select(DataEntry.id, DataEntry.data))).all() == stored
