"""A data import stages its rows in TEMP tables without locking the main database (SQLite):
other writers (progress commits, logins, single-entry edits) are not held up while it computes."""

from __future__ import annotations

import pytest
from factories import create_unit
from import_helpers import PROCESS_FACTORS, RunImport
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.domain.ingestion import IngestionResult
from app.models import DataEntry, DataEntryEmission, Unit
from app.repositories.import_staging_repo import ImportStagingRepository, staged_entries
from app.services.ingestion import data_import

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
