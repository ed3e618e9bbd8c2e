"""The years the back office has something for: a carbon report or an emission factor."""

from __future__ import annotations

from sqlalchemy import select, union
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import CarbonReport, Factor


class ReportingYearRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def list_years(self) -> list[int]:
        """Distinct years of reports and factors, ascending (one UNION, no duplicates)."""
        years = union(select(CarbonReport.year), select(Factor.year)).subquery()
        statement = select(years.c.year).order_by(years.c.year)
        return list((await self.session.execute(statement)).scalars().all())
