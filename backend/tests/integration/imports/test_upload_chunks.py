"""A file stored in many small chunks imports exactly as one stored in a single chunk: the
job reads and decodes it chunk by chunk (characters and line ends cut between chunks joined),
its chunks go with the job, and a stopped job reads no more of them."""

from __future__ import annotations

import asyncio
import codecs
from collections.abc import Awaitable, Callable
from typing import Any, BinaryIO

import pytest
from factories import create_unit
from import_helpers import PROCESS_FACTORS, RunImport
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.domain.ingestion import IngestionResult, TargetType
from app.models import DataEntry, DataEntryEmission, DataIngestionJob, JobUpload, JobUploadChunk
from app.repositories import job_upload_repo
from app.services.ingestion.data_import import ImportMode
from app.services.ingestion.stored_file import open_stored_file

UNIT = "Lé😀"  # 2- and 4-byte characters, cut by small chunks
# A BOM, CRLF line ends, a quoted cell, rows refused for their values (with their lines).
FILE = (
    codecs.BOM_UTF8
    + (
        "unit_institutional_code,category,subcategory,quantity_kg\r\n"
        + "".join(f'{UNIT},ch4,"",{n}\r\n' for n in range(1, 40))
        + f"{UNIT},méthane,,1\r\n"
        + "".join(f"{UNIT},co2,,{n}.5\r\n" for n in range(40))
        + f"{UNIT},n2o,,-1\r\n"
    ).encode()
)


async def _imported(db: AsyncSession, job: DataIngestionJob) -> dict[str, Any]:
    """What the job imported: its counts, refused rows, and its entries with their emissions,
    in file order."""
    db.expire_all()
    entries = (
        await db.execute(
            select(DataEntry.id, DataEntry.data)
            .where(DataEntry.ingestion_job_id == job.id)
            .order_by(DataEntry.id)
        )
    ).all()
    kg = dict(
        (
            await db.execute(
                select(DataEntryEmission.data_entry_id, DataEntryEmission.kg_co2eq).where(
                    DataEntryEmission.data_entry_id.in_([e.id for e in entries])
                )
            )
        ).all()
    )
    counts = ("rows", "inserted", "rejected", "emission_rows", "rejected_rows")
    return {
        "result": job.result,
        "meta": {key: job.meta[key] for key in counts},
        "entries": [(e.data, kg.get(e.id)) for e in entries],
    }


async def _chunks(db: AsyncSession) -> int:
    return int(await db.scalar(select(func.count()).select_from(JobUploadChunk)) or 0)


async def test_many_small_chunks_import_as_one(
    db: AsyncSession,
    import_factors: RunImport,
    import_data: RunImport,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await create_unit(db, institutional_code=UNIT)
    await db.commit()
    await import_factors(PROCESS_FACTORS.encode())

    whole = await import_data(FILE)
    single = await _imported(db, whole)
    assert single["result"] == IngestionResult.WARNING
    assert single["meta"]["inserted"] == 79
    assert [row["line"] for row in single["meta"]["rejected_rows"]] == [41, 82]
    assert "méthane" in single["meta"]["rejected_rows"][0]["reason"]

    stored: list[int] = []
    original_store = job_upload_repo.JobUploadRepository.store

    async def counted_store(
        self: job_upload_repo.JobUploadRepository, job_id: int, file: BinaryIO
    ) -> None:
        await original_store(self, job_id, file)
        chunks = select(func.count()).select_from(JobUploadChunk)
        stored.append(int(await self.session.scalar(chunks.where(JobUploadChunk.job_id == job_id))))

    monkeypatch.setattr(job_upload_repo, "CHUNK_BYTES", 7)
    monkeypatch.setattr(job_upload_repo.JobUploadRepository, "store", counted_store)
    chunked = await import_data(FILE, mode=ImportMode.replace)

    assert stored == [-(-len(FILE) // 7)]
    assert await _imported(db, chunked) == single
    assert chunked.meta["removed"] == 79
    assert await _chunks(db) == 0  # deleted with the job's final commit
    assert await db.scalar(select(func.count()).select_from(JobUpload)) == 0


async def test_a_closed_file_reads_no_more_chunks(
    session_factory: async_sessionmaker[AsyncSession],
    create_job: Callable[..., Awaitable[int]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Chunks are read through the job's session only while the job waits for its thread:
    once the job stops (cancelled, failed), the thread's next request is refused, never run
    beside the job's rollback."""
    monkeypatch.setattr(job_upload_repo, "CHUNK_BYTES", 4)
    job_id = await create_job(TargetType.DATA_ENTRIES, content=b"a,b\n1,2\n3,4\n")
    async with session_factory() as session:
        uploads = job_upload_repo.JobUploadRepository(session)
        async with open_stored_file(uploads, job_id) as stored:
            assert stored.newlines == 3
            with pytest.raises(RuntimeError, match="read in a thread"):
                next(iter(stored.chunks))
            chunks = iter(stored.chunks)
            assert await asyncio.to_thread(next, chunks) == b"a,b\n"
            assert await asyncio.to_thread(next, chunks) == b"1,2\n"
        with pytest.raises(RuntimeError, match="the job stopped reading its file"):
            await asyncio.to_thread(next, chunks)
