"""Creating an import job: its row and its file, in one transaction, enqueued for dispatch."""

from __future__ import annotations

import os
from typing import BinaryIO

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.job_queue import enqueue_job
from app.core.wording import count
from app.domain.ingestion import EntityType, IngestionMethod, TargetType
from app.domain.modules import DataEntryTypeEnum, ModuleTypeEnum
from app.models import DataIngestionJob
from app.repositories.data_ingestion import DataIngestionRepository
from app.repositories.job_upload_repo import JobUploadRepository
from app.services.ingestion.data_import import ImportMode

# A file name is only shown (meta, status message), never used as a path: bounded, printable.
MAX_FILE_NAME_LENGTH = 255


def storable_file_name(file_name: str) -> str:
    """The client's file name as the job shows it: control characters (NUL, which PostgreSQL
    refuses) dropped, lone surrogates escaped, cut to MAX_FILE_NAME_LENGTH characters."""
    printable = "".join(char for char in file_name if char.isprintable())
    escaped = printable.encode("utf-8", "backslashreplace").decode("utf-8")
    return escaped[:MAX_FILE_NAME_LENGTH] or "upload.csv"


async def create_import_job(
    session: AsyncSession,
    *,
    target: TargetType,
    module_type: ModuleTypeEnum,
    data_entry_type: DataEntryTypeEnum | None,
    year: int,
    file_name: str,
    file: BinaryIO,
    requested_by: str | None,
    worker_id: str | None,
    mode: ImportMode | None = None,
) -> DataIngestionJob:
    """A NOT_STARTED csv job of the scope with its file stored (read from its start, chunk
    by chunk), flushed and enqueued: it is dispatched once the caller's transaction commits.

    `worker_id` names the process that will run it, so the runner's sweep can tell a job of
    a process that is gone from one still waiting for a slot.
    """
    file_name = storable_file_name(file_name)
    file_size = file.seek(0, os.SEEK_END)
    what = "factor file" if target is TargetType.FACTORS else "data file"
    meta: dict[str, object] = {"file_name": file_name, "file_size": file_size}
    if mode is not None:
        meta["mode"] = mode.value
    job = await DataIngestionRepository(session).create_ingestion_job(
        module_type_id=int(module_type),
        data_entry_type_id=None if data_entry_type is None else int(data_entry_type),
        year=year,
        ingestion_method=IngestionMethod.csv,
        target_type=target,
        entity_type=EntityType.MODULE_PER_YEAR,
        meta=meta,
        requested_by=requested_by,
        status_message=f"Queued: {what} {file_name!r} ({count(file_size, 'byte')})",
        worker_id=worker_id,
    )
    await JobUploadRepository(session).store(job.id, file)
    enqueue_job(session, job.id)
    return job
