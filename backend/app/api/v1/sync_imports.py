"""CSV imports: a factor file or a data file becomes a job, answered 202 at once.

What can be known before a job exists is refused before one is created:
- 400: the request itself (year, an unknown data entry type or one outside the module,
  `mode`, a body that is not multipart/form-data with a `file` field);
- 404: an unknown module (the path), with `valid_values`;
- 413: a file over CO2CALC_MAX_UPLOAD_MB; a declared Content-Length over it is refused
  before anything is read, and the body is never read past the limit (nothing is stored);
  bigger files go through the setting or `co2calc data import FILE`;
- 422: a file that cannot be imported at all: empty, not UTF-8, not CSV, a header without a
  required column (named, with the required and optional columns).
Row problems (bad values, unknown units, duplicates) are the job's business: it reports them
by line number in its meta.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any, BinaryIO

from fastapi import APIRouter, Depends, Query, Request, status
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from app.api.deps import SessionDep, SettingsDep
from app.api.params import ModuleScope, Scope, YearQuery
from app.api.responses import error_responses
from app.api.security import AUTH_RESPONSES, CanSync
from app.core.errors import BadRequest, PayloadTooLarge, UnprocessableEntity
from app.domain.ingestion import IngestionState, TargetType
from app.schemas.jobs import SyncStatusResponse
from app.services.ingestion.csv_reading import CsvFileError, FileKind, check_upload
from app.services.ingestion.data_import import ImportMode
from app.services.ingestion.jobs import create_import_job
from app.tasks.context import worker_id

router = APIRouter(prefix="/sync", tags=["sync"], responses=AUTH_RESPONSES)

FILE_FIELD = "file"
# Room for the multipart boundaries and part headers around the file itself.
_MULTIPART_OVERHEAD = 64 * 1024

_UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": [FILE_FIELD],
                    "properties": {
                        FILE_FIELD: {
                            "type": "string",
                            "format": "binary",
                            "description": "The CSV file (UTF-8, comma-separated, header row).",
                        }
                    },
                }
            }
        },
    }
}
_FILE_KINDS = {TargetType.FACTORS: FileKind.factors, TargetType.DATA_ENTRIES: FileKind.data_entries}
_RESPONSES = error_responses(
    400,
    404,
    413,
    422,
    _422="The file cannot be imported at all (empty, not UTF-8, not CSV, a required column "
    "missing); no job was created.",
)


def _too_large(limit_mb: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"the file is larger than the upload limit of {limit_mb} MB (CO2CALC_MAX_UPLOAD_MB): "
        "split it, or import it with the command line (co2calc ... import FILE)",
        max_upload_mb=limit_mb,
    )


@asynccontextmanager
async def received_upload(request: Request, limit_mb: int) -> AsyncIterator[tuple[str, BinaryIO]]:
    """The uploaded file's name and the file itself, never reading the body past `limit_mb`.

    The multipart parser writes the file as it streams in to a temporary file (on disk past
    1 MiB), closed when the block ends: the request never holds the whole file in memory."""
    max_bytes = limit_mb * 1024 * 1024
    max_body = max_bytes + _MULTIPART_OVERHEAD
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise BadRequest(
            f"send the CSV file as multipart/form-data in the field {FILE_FIELD!r} "
            f"(curl -F {FILE_FIELD}=@data.csv ...)"
        )
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_body:
        raise _too_large(limit_mb)

    async def bounded() -> AsyncGenerator[bytes, None]:
        received = 0
        async for chunk in request.stream():
            received += len(chunk)
            if received > max_body:
                raise _too_large(limit_mb)
            yield chunk

    parser = MultiPartParser(request.headers, bounded(), max_files=1, max_fields=10)
    try:
        form = await parser.parse()
    except MultiPartException as error:
        raise BadRequest(f"the multipart body could not be read: {error.message}") from None
    try:
        upload = form.get(FILE_FIELD)
        if not isinstance(upload, UploadFile):
            raise BadRequest(f"the multipart body has no file in the field {FILE_FIELD!r}")
        if (upload.size or 0) > max_bytes:
            raise _too_large(limit_mb)
        yield upload.filename or "upload.csv", upload.file
    finally:
        await form.close()


async def _check(file: BinaryIO, kind: FileKind, scope: Scope) -> None:
    """In a thread: a 50 MB file takes seconds to decode and check, and the event loop keeps
    answering other requests meanwhile."""
    try:
        await asyncio.to_thread(check_upload, file, kind, scope.module_type, scope.data_entry_type)
    except CsvFileError as error:
        raise UnprocessableEntity(str(error)) from None


def _parse_mode(value: str | None) -> ImportMode:
    try:
        return ImportMode(value or ImportMode.append.value)
    except ValueError:
        valid = ", ".join(mode.value for mode in ImportMode)
        raise BadRequest(f"mode {value!r} is not valid; valid values: {valid}") from None


class UploadRequest:
    """What both import routes take: the caller, the module scope, the year and the body.
    One dependency, so the two routes declare, check and store their upload the same way."""

    def __init__(
        self,
        request: Request,
        settings: SettingsDep,
        user: CanSync,
        session: SessionDep,
        scope: ModuleScope,
        year: YearQuery,
    ) -> None:
        self._request = request
        self._settings = settings
        self._user = user
        self._session = session
        self._scope = scope
        self._year = year

    async def accept(self, target: TargetType, mode: ImportMode | None = None) -> int:
        """Read and check the uploaded file, then create its job with the file stored beside
        it; the request's commit dispatches it. Returns the job id."""
        limit_mb = self._settings.max_upload_mb
        async with received_upload(self._request, limit_mb) as (file_name, file):
            await _check(file, _FILE_KINDS[target], self._scope)
            job = await create_import_job(
                self._session,
                target=target,
                module_type=self._scope.module_type,
                data_entry_type=self._scope.data_entry_type,
                year=self._year,
                file_name=file_name,
                file=file,
                requested_by=self._user.username,
                worker_id=worker_id(),
                mode=mode,
            )
        return job.id


Upload = Annotated[UploadRequest, Depends()]


def _queued(job_id: int, what: str) -> SyncStatusResponse:
    return SyncStatusResponse(
        job_id=job_id,
        state=IngestionState.NOT_STARTED,
        message=f"{what} queued as job {job_id}; follow /api/v1/sync/jobs/{job_id}/stream",
    )


@router.post(
    "/factors/{module_type_id}",
    status_code=status.HTTP_202_ACCEPTED,
    responses=_RESPONSES,
    openapi_extra=_UPLOAD_BODY,
)
async def import_factors(upload: Upload) -> SyncStatusResponse:
    """Import a factor file of one type (`data_entry_type_id`), or a module-wide file whose
    `data_entry_type` column names each row's type. Factors are upserted by identity; the
    job's meta counts inserted, updated, unchanged, removed and rejected rows. The columns of
    each type, with an example file: docs/csv-formats.md in the repository."""
    job_id = await upload.accept(TargetType.FACTORS)
    return _queued(job_id, "factor import")


@router.post(
    "/data-entries/{module_type_id}",
    status_code=status.HTTP_202_ACCEPTED,
    responses=_RESPONSES,
    openapi_extra=_UPLOAD_BODY,
)
async def import_data_entries(
    upload: Upload,
    mode: Annotated[
        str | None,
        Query(
            description="append (default) adds the file's entries; replace first removes the "
            "entries earlier CSV imports created for the type (or module) and year, never "
            "entries typed by users.",
            json_schema_extra={"enum": [m.value for m in ImportMode]},
        ),
    ] = None,
) -> SyncStatusResponse:
    """Import data entries of one type, or of a module (`data_entry_type` column), with their
    emissions computed from the current factors (docs/emission-formulas.md); stats are
    refreshed in the same commit. The columns of each type, with an example file:
    docs/csv-formats.md in the repository."""
    import_mode = _parse_mode(mode)
    job_id = await upload.accept(TargetType.DATA_ENTRIES, import_mode)
    return _queued(job_id, f"data import ({import_mode.value})")
