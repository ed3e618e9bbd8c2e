"""Data entries with their emission rows: list (paginated), and create, change or delete one.

Every write recomputes the entry's emissions and its module and report stats in the same
transaction. An entry whose emissions cannot be computed is still written, with no emission
rows, and `emission_error` says why.
"""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from app.api.deps import SessionDep
from app.api.params import (
    EntityId,
    PaginationQuery,
    TypeFilterQuery,
    UnitCodeQuery,
    YearQuery,
    parse_data_entry_type_id,
    parse_year,
)
from app.api.responses import error_responses
from app.api.security import AUTH_RESPONSES
from app.api.v1._access import EDIT, VIEW
from app.schemas.common import Page
from app.schemas.data_entries import (
    DataEntryCreate,
    DataEntryPatch,
    DataEntryRead,
    DataEntryWritten,
)
from app.services.data_entry_service import DataEntryService

router = APIRouter(prefix="/data-entries", tags=["data-entries"], responses=AUTH_RESPONSES)


@router.get("", dependencies=VIEW, responses=error_responses(400, 404))
async def list_data_entries(
    session: SessionDep,
    year: YearQuery,
    types: TypeFilterQuery,
    page: PaginationQuery,
    unit_institutional_code: UnitCodeQuery = None,
) -> Page[DataEntryRead]:
    """Entries of the year by id, each with its emission rows; filter by module type, data
    entry type (which must be in the module when both are given) and unit."""
    return await DataEntryService(session).list_page(
        year,
        module_type=types.module_type,
        data_entry_type=types.data_entry_type,
        unit_institutional_code=unit_institutional_code,
        limit=page.limit,
        offset=page.offset,
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    dependencies=EDIT,
    responses=error_responses(400, 404),
)
async def create_data_entry(body: DataEntryCreate, session: SessionDep) -> DataEntryWritten:
    """Add an entry (source: user) to the unit's report of the year; the report and its
    modules are created when missing. `data` is validated against the type's fields."""
    return await DataEntryService(session).create(
        unit_institutional_code=body.unit_institutional_code,
        year=parse_year(body.year),
        data_entry_type=parse_data_entry_type_id(body.data_entry_type_id),
        data=body.data,
    )


@router.patch("/{entry_id}", dependencies=EDIT, responses=error_responses(400, 404, 409))
async def update_data_entry(
    entry_id: EntityId, body: DataEntryPatch, session: SessionDep
) -> DataEntryWritten:
    """Merge `data` into the entry's data (null removes a key), validate the result,
    recompute. Raises `revision` and `updated_at`."""
    return await DataEntryService(session).update(entry_id, body.data)


@router.delete(
    "/{entry_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    dependencies=EDIT,
    responses=error_responses(404, 409),
)
async def delete_data_entry(entry_id: EntityId, session: SessionDep) -> None:
    """Delete the entry and its emission rows; its module and report stats are refreshed."""
    await DataEntryService(session).delete(entry_id)
