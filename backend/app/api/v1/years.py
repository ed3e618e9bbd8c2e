"""`GET /years`: the years that have carbon reports or factors, for the year selector."""

from __future__ import annotations

from fastapi import APIRouter

from app.api.deps import SessionDep
from app.api.security import AUTH_RESPONSES
from app.api.v1._access import VIEW
from app.schemas.years import ReportingYears
from app.services.reporting_year_service import list_reporting_years

router = APIRouter(prefix="/years", tags=["years"], responses=AUTH_RESPONSES)


@router.get("", dependencies=VIEW)
async def list_years(session: SessionDep) -> ReportingYears:
    """Years with at least one carbon report or emission factor, ascending; empty when none."""
    return await list_reporting_years(session)
