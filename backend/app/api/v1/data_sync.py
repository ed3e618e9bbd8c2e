"""Sync endpoints: the job history, one job, its live stream (SSE), and the emission
recalculation (status, per-type and per-module jobs)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request
from pydantic import BaseModel, Field

from app.api.deps import SessionDep, SessionFactoryDep, SettingsDep
from app.api.event_stream import EventStreamResponse, event_stream_response
from app.api.params import (
    MAX_INT,
    DataEntryTypeQuery,
    EntityId,
    ModuleDataEntryTypePath,
    ModuleTypePath,
    ModuleTypeQuery,
    OnlyStaleQuery,
    OptionalYearQuery,
    PaginationQuery,
    YearQuery,
)
from app.api.responses import error_responses
from app.api.security import AUTH_RESPONSES, CanSync, CanView
from app.core.errors import NotFound
from app.domain.ingestion import IngestionState, TargetType
from app.repositories.data_ingestion import DataIngestionRepository, JobFilters
from app.schemas.common import Page
from app.schemas.jobs import JobStreamEvent, JobWithChildren, SyncStatusResponse
from app.schemas.recalculation_status import (  # shared with the CLI; re-exported here
    ModuleRecalculationStatus as ModuleRecalculationStatus,
)
from app.schemas.recalculation_status import RecalculationStatus as RecalculationStatus
from app.services.job_cancel import JobCancelService
from app.services.job_history import JobHistoryService
from app.services.job_stream import job_events
from app.services.recalculation_jobs import RecalculationJobService, ScheduledRecalculation
from app.services.recalculation_status_service import RecalculationStatusService
from app.tasks.context import worker_id

router = APIRouter(prefix="/sync", tags=["sync"], responses=AUTH_RESPONSES)


@router.get("/jobs", responses=error_responses(400))
async def list_jobs(
    _: CanView,
    session: SessionDep,
    page: PaginationQuery,
    module_type: ModuleTypeQuery,
    data_entry_type: DataEntryTypeQuery,
    year: OptionalYearQuery = None,
    target_type: Annotated[
        TargetType | None,
        Query(description="0 data entries, 1 factors, 2 recalculation previews"),
    ] = None,
    state: Annotated[
        IngestionState | None, Query(description="0 NOT_STARTED, 1 QUEUED, 2 RUNNING, 3 FINISHED")
    ] = None,
    parent_job_id: Annotated[
        int | None, Query(ge=1, le=MAX_INT, description="Only the per-type rows of this job")
    ] = None,
) -> Page[JobWithChildren]:
    """Job history, newest first. Without `parent_job_id`, top-level jobs with a module
    recalculation's per-type rows listed under their parent (`children`)."""
    filters = JobFilters(
        year=year,
        module_type_id=None if module_type is None else int(module_type),
        data_entry_type_id=None if data_entry_type is None else int(data_entry_type),
        target_type=None if target_type is None else int(target_type),
        state=None if state is None else int(state),
        parent_job_id=parent_job_id,
        top_level_only=parent_job_id is None,
    )
    return await JobHistoryService(session).page(filters, limit=page.limit, offset=page.offset)


@router.get("/jobs/{job_id}", responses=error_responses(404))
async def get_job(job_id: EntityId, _: CanView, session: SessionDep) -> JobWithChildren:
    """One job, with the per-type rows under it when it is a module recalculation."""
    return await JobHistoryService(session).get(job_id)


@router.post("/jobs/{job_id}/cancel", status_code=202, responses=error_responses(404, 409))
async def cancel_job(job_id: EntityId, user: CanSync, session: SessionDep) -> JobWithChildren:
    """Cancel an import or a recalculation; answers the job as it is now. A job that has not
    started (NOT_STARTED, QUEUED) ends at once FINISHED/ERROR "cancelled by NAME"; a RUNNING
    one records the request (`cancel_requested_by`) and ends the same way at its next batch,
    whichever process runs it, with its data exactly as before: no row of the job is written,
    and a stale type stays stale. A job already writing its result completes. 409 when the
    job has finished, or is one type's row of a module job (cancel the module job)."""
    return await JobCancelService(session).cancel(job_id, requested_by=user.username)


@router.get(
    "/jobs/{job_id}/stream",
    # A plain streaming response: FastAPI's EventSourceResponse, as a response_class, expects
    # a generator path operation and fails (500) when the route returns a response.
    response_class=EventStreamResponse,
    responses={
        200: event_stream_response(JobStreamEvent, "Server-sent events, each a job's state."),
        **error_responses(404),
    },
)
async def stream_job(
    job_id: EntityId,
    request: Request,
    _: CanView,
    session: SessionDep,
    settings: SettingsDep,
    session_factory: SessionFactoryDep,
    last_event_id: Annotated[
        str | None,
        Header(
            alias="Last-Event-ID",
            description="Sent by a reconnecting EventSource: the stream's ids count on from "
            "it, and its first event is the job's current state.",
        ),
    ] = None,
) -> EventStreamResponse:
    """Server-sent events: the job now, each change (within about a second), keep-alive
    comments while idle, and a last event with `"stream_closed": true` once FINISHED (a
    stopping server ends the stream without it). Each event has an `id:`; the first also a
    `retry:` hint (milliseconds before reconnecting)."""
    if await DataIngestionRepository(session).get(job_id) is None:
        raise NotFound(f"job {job_id} does not exist")
    events = job_events(
        session_factory,
        job_id,
        poll_seconds=settings.sse_poll_seconds,
        keepalive_seconds=settings.sse_keepalive_seconds,
        is_disconnected=request.is_disconnected,
        last_event_id=last_event_id,
    )
    return EventStreamResponse(
        events,
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


# --- recalculation: status, single-type and module jobs


class RecalculationConflict(BaseModel):
    """409: another recalculation of the scope is active; follow it by its id."""

    detail: str
    job_id: int | None = Field(description="the active (top-level) recalculation job")


_RECALCULATE_RESPONSES: dict[int | str, dict[str, Any]] = {
    **error_responses(400, 404),
    409: {
        "model": RecalculationConflict,
        "description": "A recalculation of this module or type is already scheduled or running.",
    },
}


def _accepted(scheduled: ScheduledRecalculation) -> SyncStatusResponse:
    """The job is dispatched once the request's session commits (the task and the client's
    stream must find it)."""
    return SyncStatusResponse(
        job_id=scheduled.job_id, state=scheduled.state, message=scheduled.message
    )


@router.get("/recalculation-status", responses=error_responses(400))
async def get_recalculation_status(
    _: CanView, session: SessionDep, year: YearQuery
) -> list[ModuleRecalculationStatus]:
    """Per module (with its data entry types): whether the stored emissions are older than the
    factors. Only pairs with a completed factor import for the year appear; [] if none. The
    rule: docs/jobs.md in the repository."""
    return await RecalculationStatusService(session).by_module(year)


@router.post(
    "/recalculate-emissions/{module_type_id}/{data_entry_type_id}",
    status_code=202,
    responses=_RECALCULATE_RESPONSES,
)
async def recalculate_data_entry_type(
    user: CanSync,
    session: SessionDep,
    module_type: ModuleTypePath,
    data_entry_type: ModuleDataEntryTypePath,
    year: YearQuery,
) -> SyncStatusResponse:
    """Recalculate the emissions of one data entry type for a year, in the background.
    Follow it with `GET /sync/jobs/{job_id}/stream`."""
    scheduled = await RecalculationJobService(session).create_type_job(
        module_type, data_entry_type, year, requested_by=user.username, worker_id=worker_id()
    )
    return _accepted(scheduled)


@router.post(
    "/recalculate-emissions/{module_type_id}",
    status_code=202,
    responses=_RECALCULATE_RESPONSES,
)
async def recalculate_module(
    user: CanSync,
    session: SessionDep,
    module_type: ModuleTypePath,
    year: YearQuery,
    only_stale: OnlyStaleQuery = True,
) -> SyncStatusResponse:
    """Recalculate a module's data entry types for a year as one job with one per-type row
    each. Follow it with `GET /sync/jobs/{job_id}/stream`."""
    scheduled = await RecalculationJobService(session).create_module_job(
        module_type,
        year,
        only_stale=only_stale,
        requested_by=user.username,
        worker_id=worker_id(),
    )
    return _accepted(scheduled)
