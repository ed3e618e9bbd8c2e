"""Cancel a job, from the API or the CLI: at once when it never started, else at its next
batch, by whichever process runs it (the request is a column of the job row)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import Conflict, NotFound
from app.domain.ingestion import IngestionResult
from app.repositories.data_ingestion import DataIngestionRepository, cancelled_message
from app.schemas.jobs import JobWithChildren
from app.services.job_history import JobHistoryService


class JobCancelService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.jobs = DataIngestionRepository(session)

    async def cancel(self, job_id: int, *, requested_by: str) -> JobWithChildren:
        """Cancel job `job_id`; returns it as it is now (the caller commits).

        NOT_STARTED or QUEUED: FINISHED/ERROR "cancelled by NAME" in this transaction, its
        per-type rows too. RUNNING: the request is recorded; the job rolls its data back and
        ends the same way at its next batch, or completes if it is already writing. Unknown
        job: NotFound; FINISHED, or a per-type row of a module job: Conflict.
        """
        job = await self.jobs.get(job_id)
        if job is None:
            raise NotFound(f"job {job_id} does not exist")
        if job.parent_job_id is not None:
            raise Conflict(
                f"job {job_id} is one data entry type of module job {job.parent_job_id}: "
                f"cancel job {job.parent_job_id}",
                job_id=job.parent_job_id,
            )
        if not await self.jobs.request_cancel(job_id, requested_by):
            raise Conflict(_already_ended(job_id, (await self._reloaded(job_id)).result))
        await self.jobs.cancel_waiting(job_id, cancelled_message(requested_by))
        return await self._reloaded(job_id)

    async def _reloaded(self, job_id: int) -> JobWithChildren:
        self.session.expire_all()  # the conditional updates bypassed the loaded objects
        return await JobHistoryService(self.session).get(job_id)


def _already_ended(job_id: int, result: int | None) -> str:
    ended = "" if result is None else f" ({IngestionResult(result).name})"
    return f"job {job_id} has already finished{ended}: there is nothing to cancel"
