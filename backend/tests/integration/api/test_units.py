"""POST/GET /api/v1/units on SQLite and PostgreSQL."""

from __future__ import annotations

import httpx
import pytest
from api_fixtures import LoginAs
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.permissions import Role
from app.models import Unit

UNITS = "/api/v1/units"


@pytest.fixture
async def admin(login_as: LoginAs) -> dict[str, str]:
    return await login_as(Role.superadmin)


async def _unit_count(session_factory: async_sessionmaker[AsyncSession]) -> int:
    async with session_factory() as session:
        return int((await session.execute(select(func.count()).select_from(Unit))).scalar_one())


async def test_create_answers_201_with_the_unit(
    app_client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    body = {
        "institutional_code": " 14270 ",
        "name": "Lab of things",
        "label_fr": "Laboratoire des choses",
        "parent_institutional_code": "14000",
    }
    response = await app_client.post(UNITS, json=body, headers=admin)

    assert response.status_code == 201, response.text
    created = response.json()
    assert created == {
        "id": created["id"],
        "institutional_code": "14270",
        "name": "Lab of things",
        "label_fr": "Laboratoire des choses",
        "label_en": None,
        "parent_institutional_code": "14000",
        "is_active": True,
    }
    listed = (await app_client.get(UNITS, headers=admin)).json()
    assert listed == {"items": [created], "total": 1}


async def test_a_duplicate_code_is_409_naming_it_and_writes_nothing(
    app_client: httpx.AsyncClient,
    admin: dict[str, str],
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    first = await app_client.post(
        UNITS, json={"institutional_code": "A1", "name": "A"}, headers=admin
    )
    assert first.status_code == 201

    again = await app_client.post(
        UNITS, json={"institutional_code": "A1", "name": "Other"}, headers=admin
    )

    assert again.status_code == 409
    assert "'A1'" in again.json()["detail"]
    assert again.json()["institutional_code"] == "A1"
    assert await _unit_count(session_factory) == 1


async def test_list_is_paginated_by_code(
    app_client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    for code in ("C3", "A1", "B2", "D4"):
        response = await app_client.post(
            UNITS, json={"institutional_code": code, "name": f"Unit {code}"}, headers=admin
        )
        assert response.status_code == 201

    page = (await app_client.get(UNITS, params={"limit": 2, "offset": 1}, headers=admin)).json()

    assert page["total"] == 4
    assert [unit["institutional_code"] for unit in page["items"]] == ["B2", "C3"]


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"name": "no code"}, id="missing-code"),
        pytest.param({"institutional_code": "", "name": "x"}, id="empty-code"),
        pytest.param({"institutional_code": "x" * 65, "name": "x"}, id="code-too-long"),
        pytest.param({"institutional_code": "a\u0000b", "name": "x"}, id="nul-in-code"),
        pytest.param({"institutional_code": "ok", "name": "x", "colour": 1}, id="unknown-key"),
    ],
)
async def test_an_invalid_body_is_rejected_before_the_database(
    app_client: httpx.AsyncClient,
    admin: dict[str, str],
    session_factory: async_sessionmaker[AsyncSession],
    body: dict[str, object],
) -> None:
    response = await app_client.post(UNITS, json=body, headers=admin)

    assert response.status_code == 422
    assert await _unit_count(session_factory) == 0


@pytest.mark.parametrize("limit", ["0", "501", "abc"])
async def test_a_bad_limit_is_a_validation_error(
    app_client: httpx.AsyncClient, admin: dict[str, str], limit: str
) -> None:
    response = await app_client.get(UNITS, params={"limit": limit}, headers=admin)
    assert response.status_code == 422


async def test_a_viewer_reads_but_cannot_create(
    app_client: httpx.AsyncClient, login_as: LoginAs
) -> None:
    viewer = await login_as(Role.backoffice_viewer)

    assert (await app_client.get(UNITS, headers=viewer)).status_code == 200
    created = await app_client.post(
        UNITS, json={"institutional_code": "V1", "name": "V"}, headers=viewer
    )
    assert created.status_code == 403
    assert (await app_client.get(UNITS)).status_code == 401
