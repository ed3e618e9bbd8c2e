"""The stored file of an import job: written with the job, read by its task, then deleted."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select

from app.domain.ingestion import IngestionState
from app.models import DataIngestionJob, JobUpload
from app.repositories.base import Repository


class JobUploadMissingError(LookupError):
    """The job's file is gone (deleted after the retention period): the job cannot run."""


class JobUploadRepository(Repository[JobUpload]):
    model = JobUpload

    async def store(self, job_id: int, content: bytes) -> None:
        self.add(JobUpload(job_id=job_id, content=content))
        await self.session.flush()

    async def content_of(self, job_id: int) -> bytes:
        content = await self.session.scalar(
            select(JobUpload.content).where(JobUpload.job_id == job_id)
        )
        if content is None:
            raise JobUploadMissingError(f"the uploaded file of job {job_id} is no longer stored")
        return content

    async def delete_of_job(self, job_id: int) -> None:
        await self.session.execute(delete(JobUpload).where(JobUpload.job_id == job_id))

    async def delete_of_jobs_finished_before(self, moment: datetime) -> int:
        """Files left behind by jobs that ended without their final data commit (an error,
        an interruption); returns how many were deleted."""
        finished = select(DataIngestionJob.id).where(
            DataIngestionJob.state == IngestionState.FINISHED,
            DataIngestionJob.finished_at < moment,
        )
        result = await self.session.execute(delete(JobUpload).where(JobUpload.job_id.in_(finished)))
        return int(getattr(result, "rowcount", 0) or 0)
