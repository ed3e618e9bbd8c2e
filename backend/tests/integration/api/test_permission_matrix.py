"""Every API route, walked from `app.routes` (so routes added later are covered): it needs a
user and a declared permission, and each role gets 401 / 403 / through exactly as its
permission map says, on SQLite and PostgreSQL."""

from __future__ import annotations

import re

import httpx
from api_fixtures import BASE_URL, CreateUser
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.api.security import RouteSecurity, route_security
from app.core.permissions import Role, is_allowed
from app.core.settings import Settings
from app.main import create_app
from app.services.auth_service import AuthService, UserInfo

PUBLIC = {
    ("POST", "/api/v1/auth/login"),
    ("POST", "/api/v1/auth/token"),
    ("GET", "/api/v1/health"),
}
# Any logged-in user, whatever their roles, may see who they are and log out.
SELF_SERVICE = {("POST", "/api/v1/auth/logout"), ("GET", "/api/v1/auth/me")}

_PATH_PARAM = re.compile(r"\{[^}]+\}")


def _operations(app: FastAPI) -> list[tuple[str, RouteSecurity]]:
    return sorted(
        ((method, route) for route in route_security(app.routes) for method in route.methods),
        key=lambda item: (item[1].path, item[0]),
    )


def test_every_route_but_login_token_and_health_requires_a_user_and_a_permission() -> None:
    app = create_app(Settings())
    openapi_paths = app.openapi()["paths"]
    problems: list[str] = []
    seen: set[tuple[str, str]] = set()
    for method, route in _operations(app):
        key = (method, route.path)
        seen.add(key)
        if key in PUBLIC:
            if route.requires_user:
                problems.append(f"{method} {route.path} is public but asks for a user")
            continue
        if not route.requires_user:
            problems.append(f"{method} {route.path} does not require a user")
        if key not in SELF_SERVICE and not route.permissions:
            problems.append(f"{method} {route.path} declares no require_permission(...)")
        responses = openapi_paths[route.path][method.lower()]["responses"]
        missing = {"401", "403"} - set(responses)
        if missing:
            problems.append(f"{method} {route.path} does not declare {sorted(missing)} in OpenAPI")
    assert seen >= PUBLIC | SELF_SERVICE
    assert not problems, "\n".join(problems)


async def _bearer(
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    user: UserInfo,
    secret_key: str,
) -> dict[str, str]:
    """A fresh token per request: a route (logout) may revoke the one it was called with."""
    async with session_factory() as session:
        service = AuthService(session, settings=settings, secret_key=secret_key)
        issued = await service.issue(user, "bearer")
        await session.commit()
    return {"Authorization": f"Bearer {issued.token}"}


async def test_each_role_on_each_route_gets_401_403_or_through(
    app: FastAPI,
    app_settings: Settings,
    create_user: CreateUser,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    users = {role: await create_user(role) for role in Role}
    problems: list[str] = []
    checked = 0
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        for method, route in _operations(app):
            if (method, route.path) in PUBLIC:
                continue
            # Minimal request: path parameters "1", no query, no body. A 400/404/422 past
            # the permission check is fine; only 401/403 (and any 5xx) say something.
            url = _PATH_PARAM.sub("1", route.path)
            anonymous = await client.request(method, url)
            if anonymous.status_code != 401:
                problems.append(f"{method} {url} anonymous: {anonymous.status_code}, not 401")
            for role, user in users.items():
                headers = await _bearer(session_factory, app_settings, user, app.state.secret_key)
                response = await client.request(method, url, headers=headers)
                allowed = all(
                    is_allowed([role], path, action) for path, action in route.permissions
                )
                status = response.status_code
                checked += 1
                if status >= 500:
                    problems.append(f"{method} {url} {role}: {status} {response.text[:200]}")
                elif allowed and status in (401, 403):
                    problems.append(f"{method} {url} {role}: {status} although allowed")
                elif not allowed and status != 403:
                    problems.append(f"{method} {url} {role}: {status}, not 403")
    assert checked >= len(Role) * 2
    assert not problems, "\n".join(problems)
