"""GET /api/v1/years: the years with carbon reports or factors, ascending, once each."""

from __future__ import annotations

import httpx
from api_fixtures import LoginAs
from factories import create_factor, create_report
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.permissions import Role
from app.domain.modules import DataEntryTypeEnum


async def test_no_report_and_no_factor_means_no_year(
    app_client: httpx.AsyncClient, login_as: LoginAs
) -> None:
    response = await app_client.get("/api/v1/years", headers=await login_as(Role.backoffice_viewer))

    assert response.status_code == 200
    assert response.json() == {"years": []}


async def test_years_of_reports_and_of_factors_ascending_without_duplicates(
    app_client: httpx.AsyncClient,
    login_as: LoginAs,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as session:
        await create_report(session, year=2025)
        await create_report(session, year=2023)
        await create_factor(session, year=2026)
        await create_factor(session, year=2025, data_entry_type_id=DataEntryTypeEnum.plane)
        await create_factor(session, year=2023)
        await session.commit()

    response = await app_client.get("/api/v1/years", headers=await login_as(Role.backoffice_viewer))

    assert response.status_code == 200
    assert response.json() == {"years": [2023, 2025, 2026]}
