"""Every request body but a file upload's is bounded, on SQLite and PostgreSQL: an anonymous
login, a unit and a data entry over the bound answer 413 JSON naming it (with the security
headers), whether the size was declared or the body came in chunks without a length, and
nothing is written; bodies under it and uploads (bounded by CO2CALC_MAX_UPLOAD_MB, tried
with the import tests) pass as before."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from api_fixtures import LoginAs
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.permissions import Role
from app.models import LoginAttempt, Unit
from app.web.body_limit import MAX_BODY_BYTES

OVER = MAX_BODY_BYTES + 1


def _json_over_the_bound(**fields: str) -> bytes:
    padding = "x" * OVER
    body = {**fields, "name": padding}
    return httpx.Request("POST", "/", json=body).content


async def _chunks(body: bytes) -> AsyncIterator[bytes]:
    for start in range(0, len(body), 64 * 1024):
        yield body[start : start + 64 * 1024]


async def _count(session_factory: async_sessionmaker[AsyncSession], model: type) -> int:
    async with session_factory() as session:
        return int((await session.execute(select(func.count()).select_from(model))).scalar_one())


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
@pytest.mark.parametrize("url", ["/api/v1/auth/login", "/api/v1/units", "/api/v1/data-entries"])
async def test_a_body_over_the_bound_is_413_and_writes_nothing(
    url: str,
    declared: bool,
    app_client: httpx.AsyncClient,
    login_as: LoginAs,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    headers = {"Content-Type": "application/json"}
    if url != "/api/v1/auth/login":
        headers |= await login_as(Role.superadmin)
    body = _json_over_the_bound(username="u", password="p", institutional_code="BIG")
    attempts = await _count(session_factory, LoginAttempt)

    response = await app_client.post(
        url, content=body if declared else _chunks(body), headers=headers
    )

    assert response.status_code == 413, response.text[:300]
    assert "1024 KiB" in response.json()["detail"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert await _count(session_factory, Unit) == 0
    assert await _count(session_factory, LoginAttempt) == attempts


async def test_a_body_under_the_bound_passes(
    app_client: httpx.AsyncClient, login_as: LoginAs
) -> None:
    headers = await login_as(Role.superadmin)

    response = await app_client.post(
        "/api/v1/units",
        content=_chunks(
            httpx.Request("POST", "/", json={"institutional_code": "S1", "name": "Small"}).content
        ),
        headers={**headers, "Content-Type": "application/json"},
    )

    assert response.status_code == 201, response.text
