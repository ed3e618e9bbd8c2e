"""`GET /carbon-reports?year=`: the year's reports with their unit code and module stats."""

from __future__ import annotations

from fastapi import APIRouter

from app.api.deps import SessionDep
from app.api.params import PaginationQuery, UnitCodeQuery, YearQuery
from app.api.responses import error_responses
from app.api.security import AUTH_RESPONSES
from app.api.v1._access import VIEW
from app.schemas.carbon_reports import CarbonReportRead
from app.schemas.common import Page
from app.services.carbon_report_service import CarbonReportService

router = APIRouter(prefix="/carbon-reports", tags=["carbon-reports"], responses=AUTH_RESPONSES)


@router.get("", dependencies=VIEW, responses=error_responses(400, 404))
async def list_carbon_reports(
    session: SessionDep,
    year: YearQuery,
    page: PaginationQuery,
    unit_institutional_code: UnitCodeQuery = None,
) -> Page[CarbonReportRead]:
    """Reports of the year by unit code (of one unit when a code is given: 404 if unknown),
    each with its stats and its 8 modules' stats."""
    return await CarbonReportService(session).list_page(
        year,
        unit_institutional_code=unit_institutional_code,
        limit=page.limit,
        offset=page.offset,
    )
