"""The one entry of every job: `run_job(job_id)` reads the row and picks the task of its kind.

A runner backend (the inline runner, or a Procrastinate worker) only ever carries a job id;
everything else (scope, options, the uploaded file) is read from the database by the task.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from app.core.logging import log_extra
from app.db import create_session_factory
from app.domain.ingestion import IngestionMethod, TargetType
from app.models import DataIngestionJob
from app.repositories.data_ingestion import DataIngestionRepository
from app.tasks.context import current_engine, worker_id
from app.tasks.emission_preview_tasks import run_preview_job
from app.tasks.emission_recalculation_tasks import run_recalculation_job
from app.tasks.ingestion_tasks import run_data_import_task, run_factor_import_task

logger = logging.getLogger(__name__)

JobTask = Callable[[int], Awaitable[None]]


def task_for(job: DataIngestionJob) -> JobTask:
    """The task of the job's kind: a CSV import of factors or of data, a recalculation
    (one type, or a module's types), or its preview."""
    if job.target_type == TargetType.EMISSION_PREVIEW:
        return run_preview_job
    if job.ingestion_method == IngestionMethod.csv:
        if job.target_type == TargetType.FACTORS:
            return run_factor_import_task
        return run_data_import_task
    if job.ingestion_method == IngestionMethod.computed:
        return run_recalculation_job
    raise ValueError(f"job {job.id} has no task: ingestion method {job.ingestion_method}")


async def run_job(job_id: int) -> None:
    """Run the job `job_id`, whichever process created it."""
    async with create_session_factory(current_engine())() as session:
        job = await DataIngestionRepository(session).get(job_id)
    if job is None:
        logger.warning(
            "job %s dispatched but not found",
            job_id,
            extra=log_extra("job.not_found", job_id=job_id, worker_id=worker_id()),
        )
        return
    await task_for(job)(job_id)
