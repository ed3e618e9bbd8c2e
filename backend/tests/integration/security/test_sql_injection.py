"""Filters cannot inject SQL: every query parameter of every GET route (read from the app's
own OpenAPI, so a filter added later is tried too) gets classic injection strings, on SQLite
and PostgreSQL. Each answer is a 4xx or a 200 with no rows (the strings match nothing), never
a 5xx, and the tables and their rows are all still there afterwards."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from api_fixtures import LoginAs
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.permissions import Role
from app.models import Unit, User

INJECTIONS = (
    "1 OR 1=1",
    "1' OR '1'='1",
    "x'; DROP TABLE units; --",
    '1"; DROP TABLE users; --',
    "1) UNION SELECT username, password_hash FROM users --",
    "%' OR 1=1 --",
    "2024; DELETE FROM units",
    "1e3/**/OR/**/1=1",
)
_PATH_PARAM = re.compile(r"\{[^}]+\}")
# The stream answers forever; its only parameter is a path id and a header, tried elsewhere.
NOT_A_LIST = {"/api/v1/sync/jobs/{job_id}/stream"}


def _query_parameters(app: FastAPI) -> list[tuple[str, str]]:
    found = []
    for path, operations in app.openapi()["paths"].items():
        get = operations.get("get")
        if get is None or path in NOT_A_LIST:
            continue
        for parameter in get.get("parameters", []):
            if parameter["in"] == "query":
                found.append((path, parameter["name"]))
    return found


def _rows_of(body: Any) -> list[Any]:
    """The rows a list answer carries: its `items`, or the answer itself when a list."""
    if isinstance(body, dict) and "items" in body:
        items: list[Any] = body["items"]
        return items
    return body if isinstance(body, list) else []


async def _counts(session_factory: async_sessionmaker[AsyncSession]) -> tuple[int, int]:
    async with session_factory() as session:
        units = (await session.execute(select(func.count()).select_from(Unit))).scalar_one()
        users = (await session.execute(select(func.count()).select_from(User))).scalar_one()
    return int(units), int(users)


@pytest.mark.slow
async def test_injection_strings_in_every_filter_are_refused_or_match_nothing(
    app: FastAPI,
    app_client: httpx.AsyncClient,
    login_as: LoginAs,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    admin = await login_as(Role.superadmin)
    created = await app_client.post(
        "/api/v1/units", json={"institutional_code": "U1", "name": "Unit one"}, headers=admin
    )
    assert created.status_code == 201, created.text
    before = await _counts(session_factory)
    parameters = _query_parameters(app)
    assert ("/api/v1/carbon-reports", "unit_institutional_code") in parameters
    assert ("/api/v1/sync/jobs", "year") in parameters

    problems: list[str] = []
    for path, name in parameters:
        url = _PATH_PARAM.sub("1", path)
        for value in INJECTIONS:
            response = await app_client.get(url, params={name: value}, headers=admin)
            status = response.status_code
            if status >= 500:
                problems.append(f"{url}?{name}={value!r}: {status} {response.text[:200]}")
            elif status == 200 and _rows_of(response.json()):
                problems.append(f"{url}?{name}={value!r}: 200 with rows {response.text[:200]}")
            elif status not in (200, 400, 404, 422):
                problems.append(f"{url}?{name}={value!r}: unexpected {status}")
    assert not problems, "\n".join(problems)
    assert await _counts(session_factory) == before
    listed = await app_client.get("/api/v1/units", headers=admin)
    assert [unit["institutional_code"] for unit in listed.json()["items"]] == ["U1"]
