"""The login cookies are marked Secure exactly when the browser reached the server over TLS,
against a real uvicorn (whose proxy-header handling decides the scheme), on SQLite and
PostgreSQL: behind a TLS proxy on the same host (`X-Forwarded-Proto: https` from 127.0.0.1,
uvicorn's default trusted address, widened with FORWARDED_ALLOW_IPS) both cookies are Secure,
HttpOnly for the session, SameSite=Lax and Path=/; over plain HTTP they are not Secure (a
browser would drop a Secure cookie on http://)."""

from __future__ import annotations

import httpx
import pytest
from api_fixtures import TEST_PASSWORD, TEST_SECRET_KEY, CreateUser
from live_server import live_server

from app.core.permissions import Role
from app.core.settings import Settings

pytestmark = pytest.mark.slow


def _flags(response: httpx.Response) -> dict[str, set[str]]:
    cookies = {}
    for header in response.headers.get_list("set-cookie"):
        name, *attributes = (part.strip() for part in header.split(";"))
        cookies[name.split("=", 1)[0]] = {attribute.lower() for attribute in attributes}
    return cookies


async def test_cookies_are_secure_behind_a_tls_proxy_and_not_over_plain_http(
    database_url: str, create_user: CreateUser
) -> None:
    user = await create_user(Role.backoffice_viewer)
    body = {"username": user.username, "password": TEST_PASSWORD}

    with live_server(Settings(database_url=database_url, secret_key=TEST_SECRET_KEY)) as server:
        async with httpx.AsyncClient(base_url=server.base_url, timeout=60) as client:
            proxied = await client.post(
                "/api/v1/auth/login", json=body, headers={"X-Forwarded-Proto": "https"}
            )
            plain = await client.post("/api/v1/auth/login", json=body)

    assert (proxied.status_code, plain.status_code) == (200, 200)
    behind_proxy, direct = _flags(proxied), _flags(plain)
    assert set(behind_proxy) == set(direct) == {"co2calc_session", "co2calc_csrf"}
    for name, flags in behind_proxy.items():
        assert {"secure", "samesite=lax", "path=/"} <= flags, name
        assert "secure" not in direct[name], name
    assert "httponly" in behind_proxy["co2calc_session"]
    assert "httponly" not in behind_proxy["co2calc_csrf"]
