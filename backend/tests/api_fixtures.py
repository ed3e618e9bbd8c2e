"""API test fixtures: an app on the test database, users of any role, logged-in clients.

Registered from the root conftest (`pytest_plugins`). Fixtures:
- `app` / `app_client`: `create_app(engine=engine)` with its lifespan run, and an
  httpx.AsyncClient on it (ASGITransport). `app_settings` carries TEST_SECRET_KEY.
- `create_user(role..., username=None, password=...)`: a committed user (returns UserInfo).
- `login_as(role...) -> headers`: a new user with those roles and bearer headers for them.
- `cookie_client(role...) -> AsyncClient`: a client logged in through /auth/login (cookies
  set); `csrf_headers(client)` gives the header a cookie-authenticated write needs.
Password hashing uses cheap argon2 parameters in tests (a real hash costs ~0.3 s here).
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator

import httpx
import pytest
from fastapi import FastAPI
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.core import security
from app.core.permissions import Role
from app.core.settings import Settings
from app.main import create_app
from app.services.auth_service import AuthService, UserInfo

BASE_URL = "http://co2calc.test"
TEST_PASSWORD = "correct horse battery"
CSRF_HEADER = "X-CSRF-Token"
CSRF_COOKIE = "co2calc_csrf"
# Set explicitly, so no test app reads or generates a development key file.
TEST_SECRET_KEY = "co2calc-test-secret-key-0123456789abcdef"

_usernames = itertools.count(1)

CreateUser = Callable[..., Awaitable[UserInfo]]
LoginAs = Callable[..., Awaitable[dict[str, str]]]
CookieClient = Callable[..., Awaitable[httpx.AsyncClient]]


@pytest.fixture(autouse=True, scope="session")
def fast_password_hashing() -> Iterator[None]:
    previous = security.set_password_hasher(
        PasswordHash((Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1),))
    )
    yield
    security.set_password_hasher(previous)


def csrf_headers(client: httpx.AsyncClient) -> dict[str, str]:
    """The CSRF header of a cookie-logged-in client (the value of its co2calc_csrf cookie)."""
    return {CSRF_HEADER: client.cookies[CSRF_COOKIE]}


@pytest.fixture
def app_settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, secret_key=TEST_SECRET_KEY)


@pytest.fixture
async def app(engine: AsyncEngine, app_settings: Settings) -> AsyncIterator[FastAPI]:
    application = create_app(app_settings, engine=engine)
    async with application.router.lifespan_context(application):
        yield application


def make_client(application: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=application), base_url=BASE_URL)


@pytest.fixture
async def app_client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with make_client(app) as client:
        yield client


@pytest.fixture
def create_user(
    session_factory: async_sessionmaker[AsyncSession], app_settings: Settings
) -> CreateUser:
    async def create(
        *roles: Role | str, username: str | None = None, password: str = TEST_PASSWORD
    ) -> UserInfo:
        name = username or f"user{next(_usernames)}"
        async with session_factory() as session:
            user = await AuthService(session, settings=app_settings).create_user(
                name, password, [str(role) for role in roles]
            )
            await session.commit()
        return user

    return create


@pytest.fixture
def login_as(app_client: httpx.AsyncClient, create_user: CreateUser) -> LoginAs:
    """`await login_as(Role.superadmin)` -> `{"Authorization": "Bearer ..."}` of a new user."""

    async def login(*roles: Role | str) -> dict[str, str]:
        user = await create_user(*roles)
        response = await app_client.post(
            "/api/v1/auth/token", data={"username": user.username, "password": TEST_PASSWORD}
        )
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    return login


@pytest.fixture
async def cookie_client(app: FastAPI, create_user: CreateUser) -> AsyncIterator[CookieClient]:
    """`client = await cookie_client(Role.superadmin)`: a client holding the login cookies."""
    clients: list[httpx.AsyncClient] = []

    async def open_client(*roles: Role | str) -> httpx.AsyncClient:
        user = await create_user(*roles)
        client = make_client(app)
        clients.append(client)
        response = await client.post(
            "/api/v1/auth/login", json={"username": user.username, "password": TEST_PASSWORD}
        )
        assert response.status_code == 200, response.text
        return client

    yield open_client
    for client in clients:
        await client.aclose()
