"""Sessions and tokens end when their configured lifetime does, on SQLite and PostgreSQL:
with lifetimes of five seconds, a cookie session and a bearer token both answer /me
at first, and 401 once the lifetime has passed: the browser dropped the cookie (its Max-Age
said so), and the server refuses a copy of it sent by hand, as it does the token. The
lifetime comes from the settings, not a constant."""

from __future__ import annotations

import asyncio

import pytest
from api_fixtures import TEST_PASSWORD, TEST_SECRET_KEY, CreateUser, make_client
from fastapi import FastAPI

from app.api.security import LOGIN_HINT
from app.core.permissions import Role
from app.core.settings import Settings

# Long enough for a loaded machine to log in and call /me in between, short enough to wait.
LIFETIME_SECONDS = 5.0
ME = "/api/v1/auth/me"


@pytest.fixture
def app_settings(database_url: str) -> Settings:
    hours = LIFETIME_SECONDS / 3600
    return Settings(
        database_url=database_url,
        secret_key=TEST_SECRET_KEY,
        session_ttl_hours=hours,
        token_ttl_hours=hours,
    )


@pytest.mark.slow
async def test_a_session_and_a_token_expire_after_their_configured_lifetime(
    app: FastAPI, create_user: CreateUser
) -> None:
    user = await create_user(Role.superadmin)
    credentials = {"username": user.username, "password": TEST_PASSWORD}
    async with make_client(app) as browser, make_client(app) as script:
        login = await browser.post("/api/v1/auth/login", json=credentials)
        token = await script.post("/api/v1/auth/token", data=credentials)
        assert (login.status_code, token.status_code) == (200, 200)
        assert token.json()["expires_in"] <= LIFETIME_SECONDS
        session_cookie = next(
            header
            for header in login.headers.get_list("set-cookie")
            if header.startswith("co2calc_session=")
        )
        assert "Max-Age=4;" in session_cookie + ";" or "Max-Age=5;" in session_cookie + ";"
        session_token = browser.cookies["co2calc_session"]
        bearer = {"Authorization": f"Bearer {token.json()['access_token']}"}
        assert (await browser.get(ME)).status_code == 200
        assert (await script.get(ME, headers=bearer)).status_code == 200

        await asyncio.sleep(LIFETIME_SECONDS + 0.5)

        dropped = await browser.get(ME)
        expired_session = await script.get(
            ME, headers={"Cookie": f"co2calc_session={session_token}"}
        )
        expired_token = await script.get(ME, headers=bearer)
    assert (dropped.status_code, dropped.json()["detail"]) == (401, LOGIN_HINT)
    assert (expired_session.status_code, expired_token.status_code) == (401, 401)
    assert "expired" in expired_session.json()["detail"]
    assert "expired" in expired_token.json()["detail"]
