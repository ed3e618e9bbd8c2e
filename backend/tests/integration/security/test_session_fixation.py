"""Session fixation and logout, on SQLite and PostgreSQL: a login always starts a new session
(a cookie planted before it, or the caller's previous session, is never adopted), and logout
deletes the session on the server, so a copy of the cookie kept by anyone stops working."""

from __future__ import annotations

import httpx
from api_fixtures import BASE_URL, TEST_PASSWORD, CreateUser, csrf_headers, make_client
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.api.security import SESSION_COOKIE
from app.core import security
from app.core.permissions import Role
from app.models import AuthSession

LOGIN = "/api/v1/auth/login"
ME = "/api/v1/auth/me"
HOST = httpx.URL(BASE_URL).host


async def _session_rows(session_factory: async_sessionmaker[AsyncSession]) -> int:
    async with session_factory() as session:
        return int(
            (await session.execute(select(func.count()).select_from(AuthSession))).scalar_one()
        )


async def _login(client: httpx.AsyncClient, username: str) -> str:
    response = await client.post(LOGIN, json={"username": username, "password": TEST_PASSWORD})
    assert response.status_code == 200, response.text
    return client.cookies[SESSION_COOKIE]


async def test_a_planted_session_cookie_is_replaced_at_login_and_opens_nothing(
    app: FastAPI, create_user: CreateUser
) -> None:
    user = await create_user(Role.superadmin)
    planted = security.new_token()
    async with make_client(app) as victim:
        victim.cookies.set(SESSION_COOKIE, planted, domain=HOST)

        issued = await _login(victim, user.username)

    assert issued != planted
    async with make_client(app) as attacker:
        attacker.cookies.set(SESSION_COOKIE, planted, domain=HOST)
        assert (await attacker.get(ME)).status_code == 401


async def test_logging_in_again_gives_a_new_session_id(
    app: FastAPI, create_user: CreateUser
) -> None:
    user = await create_user(Role.backoffice_viewer)
    async with make_client(app) as client:
        first = await _login(client, user.username)
        second = await _login(client, user.username)

    assert first != second


async def test_logout_deletes_the_session_on_the_server(
    app: FastAPI, create_user: CreateUser, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    user = await create_user(Role.backoffice_viewer)
    async with make_client(app) as client:
        token = await _login(client, user.username)
        assert await _session_rows(session_factory) == 1

        response = await client.post("/api/v1/auth/logout", headers=csrf_headers(client))

    assert response.status_code == 204
    assert await _session_rows(session_factory) == 0
    async with make_client(app) as replayer:
        replayer.cookies.set(SESSION_COOKIE, token, domain=HOST)
        assert (await replayer.get(ME)).status_code == 401
