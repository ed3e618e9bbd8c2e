"""The stored file of an import job: written with the job, read by its task, then deleted.

The file is stored in chunks of CHUNK_BYTES (the last one shorter), written one by one from
the received file and read back one by one (keyset on seq), so neither side holds it whole.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import BinaryIO

from sqlalchemy import delete, insert, select

from app.domain.ingestion import IngestionState
from app.models import DataIngestionJob, JobUpload, JobUploadChunk
from app.repositories.base import Repository

# Big enough that a file is few rows and round trips, small enough to be nothing in memory.
CHUNK_BYTES = 1024 * 1024


class JobUploadMissingError(LookupError):
    """The job's file is gone (deleted after the retention period): the job cannot run."""


class JobUploadRepository(Repository[JobUpload]):
    model = JobUpload

    async def store(self, job_id: int, file: BinaryIO) -> None:
        """The file from its start, chunk by chunk (each read in a thread: it may be on
        disk), with its size and newline count."""
        await asyncio.to_thread(file.seek, 0)
        size = newlines = seq = 0
        while chunk := await asyncio.to_thread(file.read, CHUNK_BYTES):
            await self.session.execute(
                insert(JobUploadChunk).values(job_id=job_id, seq=seq, content=chunk)
            )
            size += len(chunk)
            newlines += chunk.count(b"\n")
            seq += 1
        await self.session.execute(
            insert(JobUpload).values(job_id=job_id, byte_size=size, newlines=newlines)
        )

    async def newlines_of(self, job_id: int) -> int:
        """The file's newline count; JobUploadMissingError when the file is gone."""
        newlines = await self.session.scalar(
            select(JobUpload.newlines).where(JobUpload.job_id == job_id)
        )
        if newlines is None:
            raise JobUploadMissingError(f"the uploaded file of job {job_id} is no longer stored")
        return newlines

    async def chunk_after(self, job_id: int, seq: int) -> tuple[int, bytes] | None:
        """The file's next chunk after `seq` (-1 for the first) with its seq; None past the
        last."""
        row = (
            await self.session.execute(
                select(JobUploadChunk.seq, JobUploadChunk.content)
                .where(JobUploadChunk.job_id == job_id, JobUploadChunk.seq > seq)
                .order_by(JobUploadChunk.seq)
                .limit(1)
            )
        ).one_or_none()
        return None if row is None else (row.seq, row.content)

    async def content_of(self, job_id: int) -> bytes:
        """The whole file (a factor file, read whole by its import)."""
        await self.newlines_of(job_id)
        parts = []
        seq = -1
        while (found := await self.chunk_after(job_id, seq)) is not None:
            seq, chunk = found
            parts.append(chunk)
        return b"".join(parts)

    async def delete_of_job(self, job_id: int) -> None:
        await self.session.execute(delete(JobUploadChunk).where(JobUploadChunk.job_id == job_id))
        await self.session.execute(delete(JobUpload).where(JobUpload.job_id == job_id))

    async def delete_of_jobs_finished_before(self, moment: datetime) -> int:
        """Files left behind by jobs that ended without their final data commit (an error,
        an interruption); returns how many were deleted."""
        finished = select(DataIngestionJob.id).where(
            DataIngestionJob.state == IngestionState.FINISHED,
            DataIngestionJob.finished_at < moment,
        )
        await self.session.execute(
            delete(JobUploadChunk).where(JobUploadChunk.job_id.in_(finished))
        )
        result = await self.session.execute(delete(JobUpload).where(JobUpload.job_id.in_(finished)))
        return int(getattr(result, "rowcount", 0) or 0)
