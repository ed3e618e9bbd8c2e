"""Task functions of the CSV imports, dispatched by job id. Each reads its file (stored with
the job) and its options from the row, and runs its service inside `execute_job`, which holds
the scope lock and commits the data together with the job's end; the file is deleted in that
same final transaction."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.modules import DataEntryTypeEnum, ModuleTypeEnum
from app.models import DataIngestionJob
from app.repositories.job_upload_repo import JobUploadRepository
from app.services.ingestion.data_import import DataImportService, ImportMode
from app.services.ingestion.factor_import import FactorImportService
from app.services.ingestion.outcome import ImportOutcome
from app.services.ingestion.stored_file import open_stored_file
from app.tasks.execution import JobOutcome, conclude, execute_job
from app.tasks.job_handle import JobHandle


def _concluded(handle: JobHandle, job: DataIngestionJob, outcome: ImportOutcome) -> JobOutcome:
    # The counts only (rows, inserted, rejected...): the listed rows stay in the job's meta.
    counts = {
        k: v for k, v in outcome.meta.items() if isinstance(v, int) and not isinstance(v, bool)
    }
    return conclude(
        handle, job.meta, outcome, summary="import counted", event="import.counted", **counts
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
            job_id=job_id,
            module_type=ModuleTypeEnum(job.module_type_id),
            data_entry_type=_type(job),
            year=job.year,
            progress=handle.progress,
        )
        await uploads.delete_of_job(job_id)
        return _concluded(handle, job, outcome)

    await execute_job(job_id, work)


async def run_data_import_task(job_id: int) -> None:
    """DATA_ENTRIES job (method csv): import the file's entries with their emissions, in the
    mode the job was created with (`meta.mode`, append when absent)."""

    async def work(handle: JobHandle, data_session: AsyncSession) -> JobOutcome:
        job = await handle.load()
        uploads = JobUploadRepository(data_session)
        async with open_stored_file(uploads, job_id) as stored:
            outcome = await DataImportService(data_session).run(
                stored,
                job_id=job_id,
                module_type=ModuleTypeEnum(job.module_type_id),
                data_entry_type=_type(job),
                year=job.year,
                mode=ImportMode(job.meta.get("mode", ImportMode.append.value)),
                progress=handle.progress,
                progress_while_writing=handle.progress_while_writing,
            )
        await uploads.delete_of_job(job_id)
        return _concluded(handle, job, outcome)

    await execute_job(job_id, work)
