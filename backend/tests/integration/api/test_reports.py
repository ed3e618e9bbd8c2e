"""GET /api/v1/reports/emissions: every module and type, numbers equal to sums over the stored
emission rows (not the stats JSON), optionally of one unit. SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from api_fixtures import LoginAs
from factories import create_emission, create_entry, create_module, create_unit
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.permissions import Role
from app.domain.modules import MODULE_TYPE_TO_DATA_ENTRY_TYPES, DataEntryTypeEnum, ModuleTypeEnum
from app.models import CarbonReport, CarbonReportModule, DataEntry, DataEntryEmission, Unit

REPORT = "/api/v1/reports/emissions"
SessionFactory = async_sessionmaker[AsyncSession]


@pytest.fixture
async def viewer(login_as: LoginAs) -> dict[str, str]:
    return await login_as(Role.backoffice_viewer)


@pytest.fixture
async def seeded(session_factory: SessionFactory) -> dict[str, str]:
    """Rows in three modules for two units in 2025, one entry without rows, noise in 2024.
    Module stats are left empty on purpose: the report must not read them."""
    async with session_factory() as session:
        first, second = await create_unit(session), await create_unit(session)
        process = await create_module(session, unit=first)
        entry = await create_entry(session, module=process)
        await create_emission(session, entry=entry, emission_type_id=70100, kg_co2eq=280.0)
        await create_emission(session, entry=entry, emission_type_id=70300, kg_co2eq=2.5)
        await create_entry(session, module=process)  # no rows
        building = await create_entry(
            session,
            module=await create_module(session, ModuleTypeEnum.buildings, unit=first),
            data_entry_type_id=DataEntryTypeEnum.building,
            data={},
        )
        for code, kg in ((60101, 10.0), (60104, 4.0), (60105, 6.0)):
            await create_emission(session, entry=building, emission_type_id=code, kg_co2eq=kg)
        plane = await create_entry(
            session,
            module=await create_module(session, ModuleTypeEnum.professional_travel, unit=second),
            data_entry_type_id=DataEntryTypeEnum.plane,
            data={},
        )
        await create_emission(session, entry=plane, emission_type_id=50203, kg_co2eq=100.0)
        old = await create_entry(session, module=await create_module(session, year=2024))
        await create_emission(session, entry=old, emission_type_id=70100, kg_co2eq=1e6)
        await session.commit()
        return {"first": first.institutional_code, "second": second.institutional_code}


async def _sums_over_rows(
    session_factory: SessionFactory, year: int, unit_code: str | None = None
) -> dict[tuple[int, int], tuple[int, int, float]]:
    """(module, type) -> (entries, rows, kg), straight from the tables."""
    async with session_factory() as session:
        statement = (
            select(
                CarbonReportModule.module_type_id,
                DataEntry.data_entry_type_id,
                func.count(func.distinct(DataEntry.id)),
                func.count(DataEntryEmission.id),
                func.coalesce(func.sum(DataEntryEmission.kg_co2eq), 0.0),
            )
            .select_from(DataEntry)
            .outerjoin(DataEntryEmission)
            .join(CarbonReportModule)
            .join(CarbonReport)
            .join(Unit)
            .where(CarbonReport.year == year)
            .group_by(CarbonReportModule.module_type_id, DataEntry.data_entry_type_id)
        )
        if unit_code is not None:
            statement = statement.where(Unit.institutional_code == unit_code)
        rows = await session.execute(statement)
        return {(m, t): (int(e), int(n), float(kg)) for m, t, e, n, kg in rows}


def _assert_matches_rows(
    body: dict[str, Any], year: int, sums: dict[tuple[int, int], tuple[int, int, float]]
) -> None:
    assert set(body) == {"year", "total_kg_co2eq", "modules"}
    assert body["year"] == year
    assert [m["module_type_id"] for m in body["modules"]] == [int(m) for m in ModuleTypeEnum]
    for module in body["modules"]:
        module_type = ModuleTypeEnum(module["module_type_id"])
        assert module["module_type_name"] == module_type.name
        assert set(module) == {
            "module_type_id",
            "module_type_name",
            "total_kg_co2eq",
            "scope1",
            "scope2",
            "scope3",
            "data_entry_types",
        }
        assert [t["data_entry_type_id"] for t in module["data_entry_types"]] == [
            int(t) for t in MODULE_TYPE_TO_DATA_ENTRY_TYPES[module_type]
        ]
        for entry_type in module["data_entry_types"]:
            named = DataEntryTypeEnum(entry_type["data_entry_type_id"]).name
            assert entry_type["data_entry_type_name"] == named
            assert set(entry_type) == {
                "data_entry_type_id",
                "data_entry_type_name",
                "entry_count",
                "emission_count",
                "total_kg_co2eq",
            }
            expected = sums.get((module_type, entry_type["data_entry_type_id"]), (0, 0, 0.0))
            assert (
                entry_type["entry_count"],
                entry_type["emission_count"],
                entry_type["total_kg_co2eq"],
            ) == pytest.approx(expected)
        assert module["total_kg_co2eq"] == pytest.approx(
            sum(t["total_kg_co2eq"] for t in module["data_entry_types"])
        )
    assert body["total_kg_co2eq"] == pytest.approx(sum(kg for _, _, kg in sums.values()))


async def test_every_module_and_type_with_sums_over_rows(
    app_client: httpx.AsyncClient,
    viewer: dict[str, str],
    seeded: dict[str, str],
    session_factory: SessionFactory,
) -> None:
    response = await app_client.get(REPORT, params={"year": 2025}, headers=viewer)

    assert response.status_code == 200, response.text
    body = response.json()
    _assert_matches_rows(body, 2025, await _sums_over_rows(session_factory, 2025))
    assert body["total_kg_co2eq"] == pytest.approx(402.5)
    modules = {m["module_type_id"]: m for m in body["modules"]}
    assert (modules[8]["scope1"], modules[8]["scope2"], modules[8]["scope3"]) == (282.5, 0, 0)
    assert (modules[3]["scope1"], modules[3]["scope2"], modules[3]["scope3"]) == (6.0, 14.0, 0)
    assert (modules[2]["scope1"], modules[2]["scope2"], modules[2]["scope3"]) == (0, 0, 100.0)
    assert modules[8]["data_entry_types"] == [
        {
            "data_entry_type_id": 50,
            "data_entry_type_name": "process_emissions",
            "entry_count": 2,
            "emission_count": 2,
            "total_kg_co2eq": 282.5,
        }
    ]
    assert modules[1] == {
        "module_type_id": 1,
        "module_type_name": "headcount",
        "total_kg_co2eq": 0.0,
        "scope1": 0.0,
        "scope2": 0.0,
        "scope3": 0.0,
        "data_entry_types": [
            {
                "data_entry_type_id": t,
                "data_entry_type_name": name,
                "entry_count": 0,
                "emission_count": 0,
                "total_kg_co2eq": 0.0,
            }
            for t, name in ((1, "member"), (2, "student"))
        ],
    }


async def test_of_one_unit(
    app_client: httpx.AsyncClient,
    viewer: dict[str, str],
    seeded: dict[str, str],
    session_factory: SessionFactory,
) -> None:
    response = await app_client.get(
        REPORT, params={"year": 2025, "unit_institutional_code": seeded["second"]}, headers=viewer
    )

    assert response.status_code == 200
    _assert_matches_rows(
        response.json(), 2025, await _sums_over_rows(session_factory, 2025, seeded["second"])
    )
    assert response.json()["total_kg_co2eq"] == 100.0


async def test_a_year_without_data_is_all_zeros(
    app_client: httpx.AsyncClient, viewer: dict[str, str], seeded: dict[str, str]
) -> None:
    body = (await app_client.get(REPORT, params={"year": 2030}, headers=viewer)).json()
    _assert_matches_rows(body, 2030, {})
    assert body["total_kg_co2eq"] == 0.0


async def test_unknown_unit_is_404(app_client: httpx.AsyncClient, viewer: dict[str, str]) -> None:
    response = await app_client.get(
        REPORT, params={"year": 2025, "unit_institutional_code": "ghost"}, headers=viewer
    )
    assert response.status_code == 404
    assert "'ghost'" in response.json()["detail"]


async def test_needs_a_user(app_client: httpx.AsyncClient, login_as: LoginAs) -> None:
    assert (await app_client.get(REPORT, params={"year": 2025})).status_code == 401
    outsider = await login_as(Role.user_standard)
    assert (
        await app_client.get(REPORT, params={"year": 2025}, headers=outsider)
    ).status_code == 403
