"""Task functions of the CSV imports, dispatched by job id. Each reads its file (stored with
the job) and its options from the row, and runs its service inside `execute_job`, which holds
the scope lock and commits the data together with the job's end; the file is deleted in that
same final transaction."""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.logging import log_extra
from app.domain.modules import DataEntryTypeEnum, ModuleTypeEnum
from app.models import DataIngestionJob
from app.repositories.job_upload_repo import JobUploadRepository
from app.services.ingestion.data_import import DataImportService, ImportMode
from app.services.ingestion.factor_import import FactorImportService
from app.services.ingestion.outcome import ImportOutcome
from app.tasks.execution import JobOutcome, execute_job
from app.tasks.job_handle import JobHandle

logger = logging.getLogger(__name__)


def _job_outcome(job: DataIngestionJob, outcome: ImportOutcome) -> JobOutcome:
    # The counts only (rows, inserted, rejected...): the listed rows stay in the job's meta.
    counts = {
        k: v for k, v in outcome.meta.items() if isinstance(v, int) and not isinstance(v, bool)
    }
    logger.info(
        "import counted: %s",
        outcome.message,
        extra=log_extra(
            "import.counted",
            job_id=job.id,
            worker_id=job.worker_id,
            result=outcome.result.name,
            **counts,
        ),
    )
    # The meta set at creation (file name, size, mode) stays next to the import's counts.
    return JobOutcome(
        result=outcome.result,
        message=outcome.message,
        meta={**job.meta, **outcome.meta},
        factor_sequence=outcome.factor_sequence,
    )


def _type(job: DataIngestionJob) -> DataEntryTypeEnum | None:
    return None if job.data_entry_type_id is None else DataEntryTypeEnum(job.data_entry_type_id)


async def run_factor_import_task(job_id: int) -> None:
    """FACTORS job: upsert the file's factors of the job's (module or type, year)."""

    async def work(handle: JobHandle, data_session: AsyncSession) -> JobOutcome:
        job = await handle.load()
        uploads = JobUploadRepository(data_session)
        outcome = await FactorImportService(data_session).run(
            await uploads.content_of(job_id),
            module_type=ModuleTypeEnum(job.module_type_id),
            data_entry_type=_type(job),
            year=job.year,
            progress=handle.progress,
        )
        await uploads.delete_of_job(job_id)
        return _job_outcome(job, outcome)

    await execute_job(job_id, work)


async def run_data_import_task(job_id: int) -> None:
    """DATA_ENTRIES job (method csv): import the file's entries with their emissions, in the
    mode the job was created with (`meta.mode`, append when absent)."""

    async def work(handle: JobHandle, data_session: AsyncSession) -> JobOutcome:
        job = await handle.load()
        uploads = JobUploadRepository(data_session)
        outcome = await DataImportService(data_session).run(
            await uploads.content_of(job_id),
            job_id=job_id,
            module_type=ModuleTypeEnum(job.module_type_id),
            data_entry_type=_type(job),
            year=job.year,
            mode=ImportMode(job.meta.get("mode", ImportMode.append.value)),
            progress=handle.progress,
        )
        await uploads.delete_of_job(job_id)
        return _job_outcome(job, outcome)

    await execute_job(job_id, work)
