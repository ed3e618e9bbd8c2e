"""The job history as the API and the CLI show it: top-level jobs newest first, each module
recalculation with its per-type rows under it (`children`)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import NotFound
from app.models import DataIngestionJob
from app.repositories.data_ingestion import DataIngestionRepository, JobFilters
from app.schemas.common import Page
from app.schemas.jobs import JobRead, JobWithChildren


def _without_children(job: DataIngestionJob) -> JobWithChildren:
    # Validating the ORM object as JobWithChildren would read `job.children`, a lazy="raise"
    # relationship; the children are listed by one query and added.
    return JobWithChildren(**JobRead.model_validate(job).model_dump())


class JobHistoryService:
    def __init__(self, session: AsyncSession) -> None:
        self.jobs = DataIngestionRepository(session)

    async def page(self, filters: JobFilters, *, limit: int, offset: int) -> Page[JobWithChildren]:
        jobs, total = await self.jobs.list_jobs(filters, limit=limit, offset=offset)
        items = [_without_children(job) for job in jobs]
        by_id = {item.id: item for item in items}
        for child in await self.jobs.list_children([job.id for job in jobs]):
            if child.parent_job_id in by_id:
                by_id[child.parent_job_id].children.append(JobRead.model_validate(child))
        return Page(items=items, total=total)

    async def get(self, job_id: int) -> JobWithChildren:
        """One job and its per-type rows; NotFound (404, CLI exit 1) when it does not exist."""
        job = await self.jobs.get(job_id)
        if job is None:
            raise NotFound(f"job {job_id} does not exist")
        item = _without_children(job)
        item.children = [JobRead.model_validate(c) for c in await self.jobs.list_children([job_id])]
        return item
