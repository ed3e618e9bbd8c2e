"""Sync endpoints: the job history, one job, and its live stream (SSE)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.sse import EventSourceResponse

from app.api.deps import SessionDep
from app.api.params import (
    MAX_INT,
    DataEntryTypeQuery,
    EntityId,
    ModuleTypeQuery,
    PaginationQuery,
    error_responses,
    parse_year,
)
from app.api.security import AUTH_RESPONSES, CanView
from app.core.errors import NotFound
from app.domain.ingestion import IngestionState, TargetType
from app.repositories.data_ingestion import DataIngestionRepository, JobFilters
from app.schemas.common import Page
from app.schemas.jobs import JobRead, JobWithChildren
from app.services.job_stream import job_events

router = APIRouter(prefix="/sync", tags=["sync"], responses=AUTH_RESPONSES)


@router.get("/jobs", responses=error_responses(400))
async def list_jobs(
    _: CanView,
    session: SessionDep,
    page: PaginationQuery,
    module_type: ModuleTypeQuery,
    data_entry_type: DataEntryTypeQuery,
    year: Annotated[str | None, Query(description="Report year, 2000..2100")] = None,
    target_type: Annotated[
        TargetType | None, Query(description="0 data entries, 1 factors")
    ] = None,
    state: Annotated[IngestionState | None, Query(description="0..3, see DOMAIN.md §2")] = None,
    parent_job_id: Annotated[
        int | None, Query(ge=1, le=MAX_INT, description="Only the per-type rows of this job")
    ] = None,
) -> Page[JobWithChildren]:
    """Job history, newest first. Without `parent_job_id`, top-level jobs with a module
    recalculation's per-type rows listed under their parent (`children`)."""
    filters = JobFilters(
        year=None if year is None else parse_year(year),
        module_type_id=None if module_type is None else int(module_type),
        data_entry_type_id=None if data_entry_type is None else int(data_entry_type),
        target_type=None if target_type is None else int(target_type),
        state=None if state is None else int(state),
        parent_job_id=parent_job_id,
        top_level_only=parent_job_id is None,
    )
    repo = DataIngestionRepository(session)
    jobs, total = await repo.list_jobs(filters, limit=page.limit, offset=page.offset)
    children = await repo.list_children([job.id for job in jobs])
    items = [JobWithChildren.model_validate(job) for job in jobs]
    by_id = {item.id: item for item in items}
    for child in children:
        if child.parent_job_id in by_id:
            by_id[child.parent_job_id].children.append(JobRead.model_validate(child))
    return Page(items=items, total=total)


@router.get("/jobs/{job_id}", responses=error_responses(404))
async def get_job(job_id: EntityId, _: CanView, session: SessionDep) -> JobWithChildren:
    repo = DataIngestionRepository(session)
    job = await repo.get(job_id)
    if job is None:
        raise NotFound(f"job {job_id} does not exist")
    item = JobWithChildren.model_validate(job)
    item.children = [JobRead.model_validate(child) for child in await repo.list_children([job_id])]
    return item


@router.get(
    "/jobs/{job_id}/stream",
    response_class=EventSourceResponse,
    responses={
        200: {"content": {"text/event-stream": {}}, "description": "Job events (SSE)."},
        **error_responses(404),
    },
)
async def stream_job(
    job_id: EntityId, request: Request, _: CanView, session: SessionDep
) -> EventSourceResponse:
    """Server-sent events: the job now, each change (within about a second), keep-alive
    comments while idle, and a last event with `"stream_closed": true` once FINISHED."""
    if await DataIngestionRepository(session).get(job_id) is None:
        raise NotFound(f"job {job_id} does not exist")
    settings = request.app.state.settings
    events = job_events(
        request.app.state.session_factory,
        job_id,
        poll_seconds=settings.sse_poll_seconds,
        keepalive_seconds=settings.sse_keepalive_seconds,
        is_disconnected=request.is_disconnected,
    )
    return EventSourceResponse(events, headers={"Cache-Control": "no-cache"})
