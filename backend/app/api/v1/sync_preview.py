"""Recalculation preview: a dry run of a type's or a module's recalculation, as a job.

The finished job carries its figures in `meta.preview` (`GET /sync/jobs/{job_id}`, or the
stream's last event). Starting one needs the `sync` right, like the recalculation it previews.
"""

from __future__ import annotations

from fastapi import APIRouter

from app.api.deps import SessionDep
from app.api.params import ModuleDataEntryTypePath, ModuleTypePath, OnlyStaleQuery, YearQuery
from app.api.responses import error_responses
from app.api.security import AUTH_RESPONSES, CanSync
from app.domain.modules import DataEntryTypeEnum, ModuleTypeEnum
from app.schemas.jobs import SyncStatusResponse
from app.services.preview_jobs import PreviewJobService
from app.tasks.context import worker_id

router = APIRouter(prefix="/sync", tags=["sync"], responses=AUTH_RESPONSES)

_WHAT_IT_DOES = (
    "Computes, with the current factors and exactly as the recalculation would, what it "
    "would change: per type, for the module and per unit, the entries, those whose emissions "
    "would change, the current and new totals (kg CO2e), the delta and delta %, the entries "
    "that would newly fail (with reasons) and those that would stop failing; the five units "
    "with the largest absolute change. It writes nothing but its own job: no emissions, no "
    "stats, the staleness stays. It neither waits for nor blocks a recalculation or an "
    "import of the module and year. Follow it with `GET /sync/jobs/{job_id}/stream`; the "
    "finished job carries the figures in `meta.preview`."
)


async def _schedule(
    user: CanSync,
    session: SessionDep,
    module_type: ModuleTypeEnum,
    data_entry_type: DataEntryTypeEnum | None,
    year: int,
    only_stale: bool,
) -> SyncStatusResponse:
    scheduled = await PreviewJobService(session).create(
        module_type,
        data_entry_type,
        year,
        only_stale=only_stale,
        requested_by=user.username,
        worker_id=worker_id(),
    )
    return SyncStatusResponse(
        job_id=scheduled.job_id, state=scheduled.state, message=scheduled.message
    )


@router.post(
    "/recalculation-preview/{module_type_id}/{data_entry_type_id}",
    status_code=202,
    responses=error_responses(400, 404),
    description=f"Preview the recalculation of one data entry type for a year. {_WHAT_IT_DOES}",
)
async def preview_data_entry_type_recalculation(
    user: CanSync,
    session: SessionDep,
    module_type: ModuleTypePath,
    data_entry_type: ModuleDataEntryTypePath,
    year: YearQuery,
) -> SyncStatusResponse:
    """One type's preview job (the OpenAPI text is the description above)."""
    return await _schedule(user, session, module_type, data_entry_type, year, only_stale=False)


@router.post(
    "/recalculation-preview/{module_type_id}",
    status_code=202,
    responses=error_responses(400, 404),
    description=f"Preview the recalculation of a module's data entry types for a year, the "
    f"stale ones or all. {_WHAT_IT_DOES}",
)
async def preview_module_recalculation(
    user: CanSync,
    session: SessionDep,
    module_type: ModuleTypePath,
    year: YearQuery,
    only_stale: OnlyStaleQuery = True,
) -> SyncStatusResponse:
    """A module's preview job (the OpenAPI text is the description above)."""
    return await _schedule(user, session, module_type, None, year, only_stale)
