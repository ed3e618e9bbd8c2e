"""`GET /reports/emissions?year=[&unit_institutional_code=]`: totals from the emission rows."""

from __future__ import annotations

from fastapi import APIRouter

from app.api.deps import SessionDep
from app.api.params import UnitCodeQuery, YearQuery
from app.api.responses import error_responses
from app.api.security import AUTH_RESPONSES
from app.api.v1._access import VIEW
from app.schemas.reports import EmissionsReport
from app.services.emission_report_service import EmissionReportService

router = APIRouter(prefix="/reports", tags=["reports"], responses=AUTH_RESPONSES)


@router.get("/emissions", dependencies=VIEW, responses=error_responses(400, 404))
async def get_emissions_report(
    session: SessionDep, year: YearQuery, unit_institutional_code: UnitCodeQuery = None
) -> EmissionsReport:
    """kg CO2e of the year per module (with scopes 1-3) and per data entry type, summed from
    the stored emission rows; every module and type is listed, zeros included. Of one unit
    when a code is given (404 if unknown)."""
    return await EmissionReportService(session).emissions_report(
        year, unit_institutional_code=unit_institutional_code
    )
