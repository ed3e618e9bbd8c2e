"""CSRF on every write route (walked from `app.routes`, so a route added later is covered), on
SQLite and PostgreSQL: a superadmin's cookie session POST/PUT/PATCH/DELETE without the
X-CSRF-Token header, or with a wrong one, is refused with 403 naming the header, before the
route does anything (no unit is created); the same call with the header gets past the check."""

from __future__ import annotations

import re

from api_fixtures import CSRF_HEADER, CookieClient, csrf_headers
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.api.security import UNSAFE_METHODS, route_security
from app.core.permissions import Role
from app.models import Unit

_PATH_PARAM = re.compile(r"\{[^}]+\}")
# Logging in is how a session starts: there is no session yet to bind a CSRF value to.
PUBLIC_WRITES = {("POST", "/api/v1/auth/login"), ("POST", "/api/v1/auth/token")}
UNIT = {"institutional_code": "CSRF1", "name": "Forged unit"}


def _writes(app: FastAPI) -> list[tuple[str, str]]:
    return sorted(
        (method, route.path)
        for route in route_security(app.routes)
        for method in route.methods
        if method in UNSAFE_METHODS and (method, route.path) not in PUBLIC_WRITES
    )


async def _unit_count(session_factory: async_sessionmaker[AsyncSession]) -> int:
    async with session_factory() as session:
        return int((await session.execute(select(func.count()).select_from(Unit))).scalar_one())


async def test_every_cookie_write_without_or_with_a_wrong_csrf_header_is_403(
    app: FastAPI,
    cookie_client: CookieClient,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    client = await cookie_client(Role.superadmin)
    writes = _writes(app)
    assert ("PATCH", "/api/v1/data-entries/{entry_id}") in writes
    assert ("DELETE", "/api/v1/data-entries/{entry_id}") in writes
    assert ("POST", "/api/v1/auth/logout") in writes

    problems: list[str] = []
    for method, path in writes:
        url = _PATH_PARAM.sub("1", path)
        for label, headers in (("no header", {}), ("wrong header", {CSRF_HEADER: "forged"})):
            response = await client.request(method, url, json=UNIT, headers=headers)
            if response.status_code != 403 or CSRF_HEADER not in response.json()["detail"]:
                problems.append(f"{method} {url} {label}: {response.status_code} {response.text}")
    assert not problems, "\n".join(problems)
    assert await _unit_count(session_factory) == 0
    # The session survived the refused logout, and the header opens the same writes.
    assert (await client.get("/api/v1/auth/me")).status_code == 200
    allowed = await client.post("/api/v1/units", json=UNIT, headers=csrf_headers(client))
    assert allowed.status_code == 201, allowed.text


async def test_a_csrf_cookie_alone_is_not_enough_the_header_must_match_it(
    cookie_client: CookieClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    """A cross-site form can make the browser send both cookies but never a header: the
    cookie's value must come back as the header, so a stale or other value fails."""
    client = await cookie_client(Role.superadmin)
    other = await cookie_client(Role.superadmin)

    response = await client.post("/api/v1/units", json=UNIT, headers=csrf_headers(other))

    assert response.status_code == 403
    assert await _unit_count(session_factory) == 0
