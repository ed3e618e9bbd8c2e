"""Token hashes are HMAC-SHA256 under the secret key: a token lives and dies with its key."""

from __future__ import annotations

import hashlib

import httpx
import pytest
from api_fixtures import TEST_PASSWORD, TEST_SECRET_KEY, CreateUser, csrf_headers, make_client
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.core import security
from app.core.permissions import Role
from app.core.settings import Settings
from app.main import create_app
from app.models import AuthSession
from app.services.auth_service import AuthService

KEY_A = "a" * 40
KEY_B = "b" * 40
LOGIN = "/api/v1/auth/login"
TOKEN = "/api/v1/auth/token"
LOGOUT = "/api/v1/auth/logout"
ME = "/api/v1/auth/me"


async def test_stored_token_and_csrf_hashes_are_hmacs_under_the_app_key(
    app_client: httpx.AsyncClient,
    create_user: CreateUser,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    await create_user(Role.superadmin, username="erin")
    response = await app_client.post(LOGIN, json={"username": "erin", "password": TEST_PASSWORD})
    assert response.status_code == 200, response.text
    token = app_client.cookies["co2calc_session"]
    csrf = response.json()["csrf_token"]

    async with session_factory() as session:
        stored = (await session.execute(select(AuthSession))).scalar_one()

    assert stored.token_hash == security.hash_token(token, TEST_SECRET_KEY)
    assert stored.csrf_token == security.hash_token(csrf, TEST_SECRET_KEY)
    assert stored.token_hash != hashlib.sha256(token.encode()).hexdigest()


async def test_a_token_issued_under_one_key_is_rejected_under_another(
    db: AsyncSession, create_user: CreateUser
) -> None:
    user = await create_user(Role.backoffice_viewer)
    issued = await AuthService(db, secret_key=KEY_A).issue(user, "bearer")

    under_b = AuthService(db, secret_key=KEY_B)
    assert await under_b.resolve(issued.token, "bearer") is None
    assert not await under_b.revoke(issued.token)
    resolved = await AuthService(db, secret_key=KEY_A).resolve(issued.token, "bearer")
    assert resolved is not None
    assert resolved.user.id == user.id


async def test_tokens_need_a_key_but_accounts_do_not(db: AsyncSession) -> None:
    service = AuthService(db)  # no secret_key: managing accounts only
    user = await service.create_user("frank", TEST_PASSWORD, [Role.superadmin])

    with pytest.raises(RuntimeError, match="secret_key"):
        await service.issue(user, "bearer")


async def test_changing_the_secret_key_logs_everyone_out(
    app: FastAPI,
    app_client: httpx.AsyncClient,
    create_user: CreateUser,
    engine: AsyncEngine,
    database_url: str,
) -> None:
    await create_user(Role.superadmin, username="gus")
    credentials = {"username": "gus", "password": TEST_PASSWORD}
    bearer = (await app_client.post(TOKEN, data=credentials)).json()["access_token"]
    async with make_client(app) as browser:
        assert (await browser.post(LOGIN, json=credentials)).status_code == 200
        cookies = dict(browser.cookies)
        headers = csrf_headers(browser)

    rotated = create_app(Settings(database_url=database_url, secret_key=KEY_B), engine=engine)
    async with rotated.router.lifespan_context(rotated), make_client(rotated) as client:
        by_bearer = await client.get(ME, headers={"Authorization": f"Bearer {bearer}"})
        client.cookies.update(cookies)
        by_cookie = await client.post(LOGOUT, headers=headers)
        client.cookies.clear()
        again = await client.post(TOKEN, data=credentials)

    assert by_bearer.status_code == 401
    assert by_cookie.status_code == 401
    assert again.status_code == 200  # a new login works under the new key
    async with make_client(app) as old:
        still = await old.get(ME, headers={"Authorization": f"Bearer {bearer}"})
    assert still.status_code == 200  # the token was refused, not revoked
