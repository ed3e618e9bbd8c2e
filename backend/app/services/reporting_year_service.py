"""The years offered by the page's year selector: those with reports or factors."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.repositories.reporting_year_repo import ReportingYearRepository
from app.schemas.years import ReportingYears


async def list_reporting_years(session: AsyncSession) -> ReportingYears:
    return ReportingYears(years=await ReportingYearRepository(session).list_years())
