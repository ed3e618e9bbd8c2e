"""`POST /units` (201; a duplicate code is 409) and `GET /units` (paginated)."""

from __future__ import annotations

from fastapi import APIRouter, status

from app.api.deps import SessionDep
from app.api.params import PaginationQuery
from app.api.responses import error_responses
from app.api.security import AUTH_RESPONSES
from app.api.v1._access import EDIT, VIEW
from app.schemas.common import Page
from app.schemas.units import UnitCreate, UnitRead
from app.services.unit_service import UnitService

router = APIRouter(prefix="/units", tags=["units"], responses=AUTH_RESPONSES)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    dependencies=EDIT,
    responses=error_responses(409),
)
async def create_unit(body: UnitCreate, session: SessionDep) -> UnitRead:
    """Create a unit. Its `institutional_code` must be new (409 naming it otherwise)."""
    unit = await UnitService(session).create(body)
    return UnitRead.model_validate(unit)


@router.get("", dependencies=VIEW)
async def list_units(session: SessionDep, page: PaginationQuery) -> Page[UnitRead]:
    """Units by institutional code."""
    units, total = await UnitService(session).list_page(limit=page.limit, offset=page.offset)
    return Page[UnitRead](items=[UnitRead.model_validate(u) for u in units], total=total)
