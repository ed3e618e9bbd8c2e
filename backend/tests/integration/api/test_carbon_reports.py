"""GET /api/v1/carbon-reports?year=: reports with unit code and module stats, both databases."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from api_fixtures import LoginAs
from factories import create_emission, create_entry, create_report, create_unit, module_of_report
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.permissions import Role
from app.domain.modules import ModuleTypeEnum
from app.services.carbon_report_module_service import CarbonReportModuleService

REPORTS = "/api/v1/carbon-reports"


@pytest.fixture
async def viewer(login_as: LoginAs) -> dict[str, str]:
    return await login_as(Role.backoffice_viewer)


@pytest.fixture
async def seeded(session_factory: async_sessionmaker[AsyncSession]) -> dict[str, Any]:
    async with session_factory() as session:
        units = [await create_unit(session, institutional_code=c) for c in ("B", "A", "C")]
        reports = [await create_report(session, unit=unit) for unit in units]
        await create_report(session, unit=units[0], year=2024)
        process = module_of_report(reports[0], ModuleTypeEnum.process_emissions)
        entry = await create_entry(session, module=process)
        await create_emission(session, entry=entry, emission_type_id=70100, kg_co2eq=12.5)
        await CarbonReportModuleService(session).recompute_stats([process.id])
        await session.commit()
        return {"report_ids": [r.id for r in reports], "process_module_id": process.id}


async def test_reports_of_the_year_by_unit_code_with_module_stats(
    app_client: httpx.AsyncClient, viewer: dict[str, str], seeded: dict[str, Any]
) -> None:
    response = await app_client.get(REPORTS, params={"year": 2025}, headers=viewer)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["total"] == 3
    assert [r["unit_institutional_code"] for r in body["items"]] == ["A", "B", "C"]
    report_b = body["items"][1]
    assert report_b["id"] == seeded["report_ids"][0]
    assert report_b["year"] == 2025
    assert report_b["stats"]["total"] == 12.5
    assert report_b["stats"]["scope1"] == 12.5
    assert report_b["stats"]["entry_count"] == 1
    assert [m["module_type_id"] for m in report_b["modules"]] == list(range(1, 9))
    process = report_b["modules"][7]
    assert process["id"] == seeded["process_module_id"]
    assert process["status"] == 0
    assert process["stats"]["total"] == 12.5
    assert process["stats"]["by_emission_type"] == {"70000": 12.5, "70100": 12.5}
    assert all(m["stats"]["total"] == 0.0 for m in report_b["modules"][:7])


async def test_pagination_and_unit_filter(
    app_client: httpx.AsyncClient, viewer: dict[str, str], seeded: dict[str, Any]
) -> None:
    page = await app_client.get(
        REPORTS, params={"year": 2025, "limit": 1, "offset": 2}, headers=viewer
    )
    assert [r["unit_institutional_code"] for r in page.json()["items"]] == ["C"]
    assert page.json()["total"] == 3

    one = await app_client.get(
        REPORTS, params={"year": 2024, "unit_institutional_code": "B"}, headers=viewer
    )
    assert [(r["unit_institutional_code"], r["year"]) for r in one.json()["items"]] == [("B", 2024)]
    missing = await app_client.get(
        REPORTS, params={"year": 2025, "unit_institutional_code": "Z"}, headers=viewer
    )
    assert missing.status_code == 404
