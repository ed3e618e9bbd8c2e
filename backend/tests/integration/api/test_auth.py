"""Login, tokens, logout, /me, the failed-login limit and CSRF, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import httpx
import pytest
from api_fixtures import TEST_PASSWORD, CookieClient, CreateUser, LoginAs, csrf_headers, make_client
from fastapi import APIRouter, FastAPI
from sqlalchemy import Executable, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.api.security import AUTH_RESPONSES, CanEdit, CurrentUser
from app.core import security
from app.core.permissions import DATA_MANAGEMENT, Role, permission_map
from app.models import AuthSession, LoginAttempt, utcnow

LOGIN = "/api/v1/auth/login"
TOKEN = "/api/v1/auth/token"
LOGOUT = "/api/v1/auth/logout"
ME = "/api/v1/auth/me"


def _set_cookie_headers(response: httpx.Response) -> dict[str, str]:
    return {header.split("=", 1)[0]: header for header in response.headers.get_list("set-cookie")}


def _cookie_header(cookies: dict[str, str]) -> dict[str, str]:
    """Cookies sent by hand, on a client whose jar is empty."""
    return {"Cookie": "; ".join(f"{name}={value}" for name, value in cookies.items())}


def _flags(header: str) -> set[str]:
    return {part.strip().lower() for part in header.split(";")[1:]}


async def _commit(
    session_factory: async_sessionmaker[AsyncSession], *statements: Executable
) -> None:
    """Age or disable rows behind the app's back, in one committed transaction."""
    async with session_factory() as session:
        for statement in statements:
            await session.execute(statement)
        await session.commit()


@pytest.fixture
def edit_route(app: FastAPI) -> str:
    """A write route that needs the edit right, added to the app under test."""
    router = APIRouter()

    @router.post("/api/v1/_test/edit", responses=AUTH_RESPONSES)
    async def edit(user: CanEdit) -> dict[str, str]:
        return {"by": user.username}

    app.include_router(router)
    return "/api/v1/_test/edit"


async def test_login_sets_an_httponly_session_cookie_and_a_readable_csrf_cookie(
    app_client: httpx.AsyncClient, create_user: CreateUser
) -> None:
    user = await create_user(Role.backoffice_viewer, username="alice")

    response = await app_client.post(LOGIN, json={"username": "alice", "password": TEST_PASSWORD})

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["user"] == {
        "id": user.id,
        "username": "alice",
        "roles": [Role.backoffice_viewer.value],
        "permissions": permission_map([Role.backoffice_viewer]),
    }
    cookies = _set_cookie_headers(response)
    session_flags = _flags(cookies["co2calc_session"])
    assert {"httponly", "samesite=lax", "path=/"} <= session_flags
    assert "secure" not in session_flags
    csrf_flags = _flags(cookies["co2calc_csrf"])
    assert "httponly" not in csrf_flags
    assert "samesite=lax" in csrf_flags
    assert app_client.cookies["co2calc_csrf"] == body["csrf_token"]


async def test_login_over_https_marks_the_cookies_secure(
    app: FastAPI, create_user: CreateUser
) -> None:
    await create_user(Role.superadmin, username="bob")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://co2calc.test") as client:
        response = await client.post(LOGIN, json={"username": "bob", "password": TEST_PASSWORD})

    assert response.status_code == 200
    for header in _set_cookie_headers(response).values():
        assert "secure" in _flags(header)


async def test_cookie_session_answers_me_with_the_permission_map(
    cookie_client: CookieClient,
) -> None:
    client = await cookie_client(Role.backoffice_metier)

    response = await client.get(ME)

    assert response.status_code == 200
    body = response.json()
    assert body["roles"] == [Role.backoffice_metier.value]
    assert body["permissions"] == {DATA_MANAGEMENT: {"view": True, "sync": True, "edit": True}}


async def test_token_flow_gives_a_bearer_token_that_answers_me(
    app_client: httpx.AsyncClient, create_user: CreateUser
) -> None:
    await create_user(Role.user_standard, username="carol")

    response = await app_client.post(TOKEN, data={"username": "carol", "password": TEST_PASSWORD})

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] > 0
    assert "set-cookie" not in response.headers
    me = await app_client.get(ME, headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert me.json()["username"] == "carol"
    assert me.json()["permissions"] == {
        DATA_MANAGEMENT: {"view": False, "sync": False, "edit": False}
    }


async def test_only_the_token_hash_is_stored(
    app_client: httpx.AsyncClient,
    create_user: CreateUser,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    await create_user(Role.superadmin, username="dave")
    response = await app_client.post(TOKEN, data={"username": "dave", "password": TEST_PASSWORD})
    token = response.json()["access_token"]

    async with session_factory() as session:
        stored = (await session.execute(select(AuthSession.token_hash))).scalars().all()

    assert stored
    assert token not in stored


async def test_logout_revokes_a_bearer_token(
    app_client: httpx.AsyncClient, login_as: LoginAs
) -> None:
    headers = await login_as(Role.superadmin)

    response = await app_client.post(LOGOUT, headers=headers)

    assert response.status_code == 204
    after = await app_client.get(ME, headers=headers)
    assert after.status_code == 401
    assert "log in" in after.json()["detail"]


async def test_logout_revokes_the_cookie_session_and_clears_the_cookies(
    app: FastAPI, cookie_client: CookieClient
) -> None:
    client = await cookie_client(Role.backoffice_viewer)
    old_cookies = dict(client.cookies)

    response = await client.post(LOGOUT, headers=csrf_headers(client))

    assert response.status_code == 204
    cleared = _set_cookie_headers(response)
    assert set(cleared) == {"co2calc_session", "co2calc_csrf"}
    assert all("max-age=0" in _flags(header) for header in cleared.values())
    async with make_client(app) as replayer:
        replay = await replayer.get(ME, headers=_cookie_header(old_cookies))
    assert replay.status_code == 401


@pytest.mark.parametrize("username", ["erin", "nobody"])
async def test_bad_credentials_are_401_with_a_helpful_message(
    app_client: httpx.AsyncClient, create_user: CreateUser, username: str
) -> None:
    await create_user(Role.superadmin, username="erin")

    response = await app_client.post(LOGIN, json={"username": username, "password": "wrong one"})

    assert response.status_code == 401
    detail = response.json()["detail"]
    assert "wrong username or password" in detail
    assert "co2calc users create" in detail
    assert "set-cookie" not in response.headers


async def test_no_credentials_is_401_saying_how_to_log_in(app_client: httpx.AsyncClient) -> None:
    response = await app_client.get(ME)

    assert response.status_code == 401
    assert "/api/v1/auth/login" in response.json()["detail"]
    assert "/api/v1/auth/token" in response.json()["detail"]
    assert response.headers["www-authenticate"] == "Bearer"


async def test_five_failed_logins_then_429_with_retry_after_even_with_the_right_password(
    app_client: httpx.AsyncClient,
    create_user: CreateUser,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    await create_user(Role.superadmin, username="frank")
    await create_user(Role.superadmin, username="grace")

    for _ in range(5):
        failed = await app_client.post(LOGIN, json={"username": "frank", "password": "nope nope"})
        assert failed.status_code == 401

    blocked = await app_client.post(TOKEN, data={"username": "frank", "password": TEST_PASSWORD})
    assert blocked.status_code == 429
    retry_after = int(blocked.headers["retry-after"])
    assert 0 < retry_after <= 15 * 60
    assert blocked.json()["retry_after"] == retry_after
    assert f"{retry_after} s" in blocked.json()["detail"]
    # The failures were committed although each request failed; the block did not add one.
    async with session_factory() as session:
        failures = await session.scalar(
            select(func.count()).where(
                LoginAttempt.username == "frank", LoginAttempt.succeeded.is_(False)
            )
        )
    assert failures == 5
    # Another username is not affected.
    other = await app_client.post(LOGIN, json={"username": "grace", "password": TEST_PASSWORD})
    assert other.status_code == 200


async def test_concurrent_wrong_passwords_get_at_most_the_limit_of_password_checks(
    app: FastAPI,
    app_client: httpx.AsyncClient,
    create_user: CreateUser,
    session_factory: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue 4: parallel guesses must not all pass the count before any failure is recorded."""
    await create_user(Role.superadmin, username="mallory")
    limit = app.state.settings.login_max_failures
    verify = security.verify_password
    checks = 0

    def slow_verify(password: str, password_hash: str) -> bool:
        # Runs in a worker thread: a slow check makes the requests really overlap.
        nonlocal checks
        checks += 1
        time.sleep(0.2)
        return verify(password, password_hash)

    monkeypatch.setattr(security, "verify_password", slow_verify)

    responses = await asyncio.gather(
        *(
            app_client.post(LOGIN, json={"username": "mallory", "password": f"guess {i:04}"})
            for i in range(12)
        )
    )

    codes = [response.status_code for response in responses]
    assert set(codes) <= {401, 429}
    assert codes.count(401) <= limit
    assert checks == codes.count(401)
    for response in responses:
        if response.status_code == 429:
            assert 0 < int(response.headers["retry-after"]) <= 15 * 60
    # Refused attempts left no failure behind; the remaining guesses, one at a time, are 401.
    for _ in range(limit - codes.count(401)):
        failed = await app_client.post(LOGIN, json={"username": "mallory", "password": "nope"})
        assert failed.status_code == 401
    blocked = await app_client.post(LOGIN, json={"username": "mallory", "password": TEST_PASSWORD})
    assert blocked.status_code == 429
    assert checks == limit
    async with session_factory() as session:
        attempts = await session.scalar(
            select(func.count()).where(LoginAttempt.username == "mallory")
        )
    assert attempts == limit


async def test_failures_older_than_the_window_do_not_count(
    app_client: httpx.AsyncClient,
    create_user: CreateUser,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    await create_user(Role.superadmin, username="heidi")
    for _ in range(5):
        await app_client.post(LOGIN, json={"username": "heidi", "password": "nope nope"})
    await _commit(
        session_factory,
        update(LoginAttempt).values(attempted_at=utcnow() - timedelta(minutes=16)),
    )

    response = await app_client.post(LOGIN, json={"username": "heidi", "password": TEST_PASSWORD})

    assert response.status_code == 200


async def test_cookie_write_without_csrf_header_is_403(
    cookie_client: CookieClient, edit_route: str
) -> None:
    client = await cookie_client(Role.superadmin)

    missing = await client.post(edit_route)
    wrong = await client.post(edit_route, headers={"X-CSRF-Token": "forged"})

    for response in (missing, wrong):
        assert response.status_code == 403
        assert "X-CSRF-Token" in response.json()["detail"]


async def test_cookie_write_with_csrf_header_passes(
    cookie_client: CookieClient, edit_route: str
) -> None:
    client = await cookie_client(Role.superadmin)

    response = await client.post(edit_route, headers=csrf_headers(client))

    assert response.status_code == 200, response.text


async def test_csrf_value_of_another_session_is_refused(
    app: FastAPI, cookie_client: CookieClient, edit_route: str
) -> None:
    """Double submit is bound to the session: a forged pair of header and cookie fails."""
    mallory = await cookie_client(Role.user_standard)
    victim = await cookie_client(Role.superadmin)
    forged = mallory.cookies["co2calc_csrf"]

    cookies = {"co2calc_session": victim.cookies["co2calc_session"], "co2calc_csrf": forged}

    async with make_client(app) as attacker:
        response = await attacker.post(
            edit_route, headers={"X-CSRF-Token": forged, **_cookie_header(cookies)}
        )

    assert response.status_code == 403


async def test_bearer_write_needs_no_csrf_header(
    app_client: httpx.AsyncClient, login_as: LoginAs, edit_route: str
) -> None:
    headers = await login_as(Role.backoffice_metier)

    response = await app_client.post(edit_route, headers=headers)

    assert response.status_code == 200


async def test_missing_right_is_403_naming_it(
    app_client: httpx.AsyncClient, login_as: LoginAs, edit_route: str
) -> None:
    headers = await login_as(Role.backoffice_viewer)

    response = await app_client.post(edit_route, headers=headers)

    assert response.status_code == 403
    detail = response.json()["detail"]
    assert "'edit'" in detail
    assert DATA_MANAGEMENT in detail
    assert Role.backoffice_viewer.value in detail


async def test_an_expired_token_is_401(
    app_client: httpx.AsyncClient,
    login_as: LoginAs,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    headers = await login_as(Role.superadmin)
    await _commit(
        session_factory, update(AuthSession).values(expires_at=utcnow() - timedelta(seconds=1))
    )

    response = await app_client.get(ME, headers=headers)

    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


async def test_a_session_cookie_is_not_a_bearer_token(
    app: FastAPI, cookie_client: CookieClient
) -> None:
    client = await cookie_client(Role.superadmin)
    session_token = client.cookies["co2calc_session"]

    async with make_client(app) as other:
        response = await other.get(ME, headers={"Authorization": f"Bearer {session_token}"})

    assert response.status_code == 401


async def test_a_deactivated_user_is_logged_out(
    app_client: httpx.AsyncClient,
    login_as: LoginAs,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    from app.models import User

    headers = await login_as(Role.superadmin)
    await _commit(session_factory, update(User).values(is_active=False))

    response = await app_client.get(ME, headers=headers)

    assert response.status_code == 401


def test_current_user_checks_rights_from_its_map() -> None:
    user = CurrentUser(
        id=1,
        username="x",
        roles=(Role.backoffice_viewer.value,),
        permissions=permission_map([Role.backoffice_viewer]),
    )
    assert user.can(DATA_MANAGEMENT, "view")
    assert not user.can(DATA_MANAGEMENT, "edit")
    assert not user.can("unknown.path", "view")


async def test_a_login_purges_expired_sessions_and_old_attempts(
    app_client: httpx.AsyncClient,
    login_as: LoginAs,
    create_user: CreateUser,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    await login_as(Role.superadmin)
    await create_user(Role.superadmin, username="ivan")
    await app_client.post(LOGIN, json={"username": "ivan", "password": "nope nope"})
    await _commit(
        session_factory,
        update(AuthSession).values(expires_at=utcnow() - timedelta(hours=1)),
        update(LoginAttempt).values(attempted_at=utcnow() - timedelta(days=2)),
    )

    response = await app_client.post(LOGIN, json={"username": "ivan", "password": TEST_PASSWORD})

    assert response.status_code == 200
    async with session_factory() as session:
        sessions = await session.scalar(select(func.count()).select_from(AuthSession))
        attempts = await session.scalar(select(func.count()).select_from(LoginAttempt))
    assert sessions == 1  # only the new login
    assert attempts == 1  # only the new success
