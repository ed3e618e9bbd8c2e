"""GET /api/v1/factors?year=&data_entry_type_id=: stored factors, paginated, both databases."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from api_fixtures import LoginAs
from factories import create_factor
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.permissions import Role
from app.domain.modules import DataEntryTypeEnum

FACTORS = "/api/v1/factors"


@pytest.fixture
async def viewer(login_as: LoginAs) -> dict[str, str]:
    return await login_as(Role.backoffice_viewer)


@pytest.fixture
async def factor_ids(session_factory: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    async with session_factory() as session:
        ids = {
            gas: (
                await create_factor(
                    session, classification={"category": gas}, values={"gwp_kg_co2eq_per_kg": gwp}
                )
            ).id
            for gas, gwp in (("n2o", 265.0), ("ch4", 28.0), ("co2", 1.0))
        }
        ids["train"] = (
            await create_factor(
                session,
                data_entry_type_id=DataEntryTypeEnum.train,
                classification={"country_code": "CH"},
                values={"ef_kg_co2eq_per_km": 0.007},
            )
        ).id
        await create_factor(session, classification={"category": "ch4"}, year=2024)
        await session.commit()
        return ids


async def _get(client: httpx.AsyncClient, headers: dict[str, str], **params: Any) -> Any:
    response = await client.get(FACTORS, params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_factors_of_a_type_and_year(
    app_client: httpx.AsyncClient, viewer: dict[str, str], factor_ids: dict[str, int]
) -> None:
    body = await _get(app_client, viewer, year=2025, data_entry_type_id=50)

    assert body["total"] == 3
    assert body["items"][0] == {
        "id": factor_ids["ch4"],
        "data_entry_type_id": 50,
        "year": 2025,
        "classification": {"category": "ch4"},
        "values": {"gwp_kg_co2eq_per_kg": 28.0},
    }
    assert [item["id"] for item in body["items"]] == [
        factor_ids["ch4"],
        factor_ids["co2"],
        factor_ids["n2o"],
    ]


async def test_pagination_year_and_module_filters(
    app_client: httpx.AsyncClient, viewer: dict[str, str], factor_ids: dict[str, int]
) -> None:
    page = await _get(app_client, viewer, year=2025, data_entry_type_id=50, limit=1, offset=1)
    assert ([item["id"] for item in page["items"]], page["total"]) == ([factor_ids["co2"]], 3)

    every_type = await _get(app_client, viewer, year=2025)
    assert every_type["total"] == 4
    assert [item["id"] for item in every_type["items"]] == [
        factor_ids[key] for key in ("train", "ch4", "co2", "n2o")
    ]

    travel = await _get(app_client, viewer, year=2025, module_type_id=2)
    assert [item["id"] for item in travel["items"]] == [factor_ids["train"]]
    assert (await _get(app_client, viewer, year=2024, data_entry_type_id=50))["total"] == 1
    assert (await _get(app_client, viewer, year=2026))["total"] == 0


@pytest.mark.parametrize(
    ("params", "valid"),
    [
        pytest.param({"data_entry_type_id": "999"}, [int(t) for t in DataEntryTypeEnum], id="type"),
        pytest.param(
            {"data_entry_type_id": "plane"}, [int(t) for t in DataEntryTypeEnum], id="nan"
        ),
        pytest.param({"module_type_id": "9"}, list(range(1, 9)), id="module"),
        pytest.param({"module_type_id": "8", "data_entry_type_id": "20"}, [50], id="outside"),
    ],
)
async def test_unknown_or_misplaced_types_name_the_valid_values(
    app_client: httpx.AsyncClient,
    viewer: dict[str, str],
    params: dict[str, str],
    valid: list[int],
) -> None:
    response = await app_client.get(FACTORS, params={"year": 2025, **params}, headers=viewer)

    assert response.status_code == 400
    assert response.json()["valid_values"] == valid
    assert "valid values" in response.json()["detail"]
