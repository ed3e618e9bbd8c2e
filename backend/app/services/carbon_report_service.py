"""Carbon reports of a year with their unit code and module stats, for the API."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.models import CarbonReport
from app.repositories.carbon_report_repo import CarbonReportRepository
from app.schemas.carbon_reports import CarbonReportModuleRead, CarbonReportRead, Stats
from app.schemas.common import Page
from app.services.unit_service import UnitService


def to_read(report: CarbonReport) -> CarbonReportRead:
    """Needs `report.unit` and `report.modules` loaded."""
    return CarbonReportRead(
        id=report.id,
        unit_id=report.unit_id,
        unit_institutional_code=report.unit.institutional_code,
        year=report.year,
        stats=Stats.model_validate(report.stats or {}),
        modules=[
            CarbonReportModuleRead(
                id=module.id,
                module_type_id=module.module_type_id,
                status=module.status,
                stats=Stats.model_validate(module.stats or {}),
                last_updated=module.last_updated,
            )
            for module in report.modules
        ],
    )


class CarbonReportService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.reports = CarbonReportRepository(session)

    async def list_page(
        self, year: int, *, unit_institutional_code: str | None, limit: int, offset: int
    ) -> Page[CarbonReportRead]:
        unit_id = None
        if unit_institutional_code is not None:
            unit_id = (await UnitService(self.session).get_by_code(unit_institutional_code)).id
        reports, total = await self.reports.list_page_by_year(
            year, unit_id=unit_id, limit=limit, offset=offset
        )
        return Page[CarbonReportRead](items=[to_read(report) for report in reports], total=total)
